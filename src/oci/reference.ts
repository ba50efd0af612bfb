/**
 * reference: `oci://HOST[:PORT]/REPO/CHART[:TAG][@sha256:DIGEST]` parsed into its parts, with the
 * grammar of the OCI distribution spec (lowercase path components, 128-char tags, sha256 digests).
 */
import { InvalidReferenceError } from './errors.js';

/** OciReference is a parsed reference; `tag` and `digest` are both optional and may both be set. */
export interface OciReference {
  /** registry is `host[:port]` as written (IPv6 in brackets). */
  registry: string;
  /** repository is the path after the host, e.g. `charts/podinfo`. */
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
const MAX_REPOSITORY = 255;

/** isDigest tells whether `s` is a sha256 digest in canonical form. */
export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

/** isValidTag tells whether `s` may be used as a tag (Helm maps `+` in versions to `_`). */
export function isValidTag(s: string): boolean {
  return TAG.test(s);
}

/**
 * parseReference splits an OCI reference. The `oci://` scheme is optional; a reference must name a
 * repository below the host.
 *
 * @example
 *   parseReference('oci://ghcr.io/stefanprodan/charts/podinfo:6.7.1')
 *   // → { registry: 'ghcr.io', repository: 'stefanprodan/charts/podinfo', tag: '6.7.1' }
 */
export function parseReference(ref: string): OciReference {
  let rest = ref.trim();
  if (rest.startsWith('oci://')) rest = rest.slice('oci://'.length);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) throw new InvalidReferenceError(ref, 'scheme must be oci://');
  if (rest.includes('://')) throw new InvalidReferenceError(ref, 'unexpected scheme inside the reference');

  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      throw new InvalidReferenceError(ref, `invalid digest ${JSON.stringify(digest)} (want sha256:<64 hex>)`);
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) throw new InvalidReferenceError(ref, 'missing repository after the registry host');
  const registry = rest.slice(0, slash);
  let path = rest.slice(slash + 1);
  if (!HOST.test(registry)) throw new InvalidReferenceError(ref, `invalid registry host ${JSON.stringify(registry)}`);

  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(ref, `invalid tag ${JSON.stringify(tag)}`);
  }
  if (path === '') throw new InvalidReferenceError(ref, 'missing repository after the registry host');
  if (path.length > MAX_REPOSITORY)
    throw new InvalidReferenceError(ref, `repository longer than ${MAX_REPOSITORY} characters`);
  for (const c of path.split('/')) {
    if (!COMPONENT.test(c))
      throw new InvalidReferenceError(
        ref,
        `invalid repository path component ${JSON.stringify(c)} (lowercase letters, digits and separators . _ __ -)`,
      );
  }
  const out: OciReference = { registry, repository: path };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** formatReference is the inverse of parseReference, always with the `oci://` scheme. */
export function formatReference(ref: OciReference): string {
  return `oci://${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** isLoopbackHost tells whether a `host[:port]` is this machine (plain HTTP is allowed there by default). */
export function isLoopbackHost(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
