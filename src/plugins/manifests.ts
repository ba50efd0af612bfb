/**
 * manifests: the manifest stream a post-renderer consumes and produces. Output must parse as YAML
 * documents that are Kubernetes objects; what a renderer did to object identity (moved an object
 * to another namespace, added a cluster-scoped object, added or dropped objects) is reported as
 * a list of changes for the caller to judge, never accepted silently.
 */
import { parseYamlDocuments } from '../gotemplate/funcs/helm/goyaml.js';
import { ManifestError } from './errors.js';

/** ObjectRef identifies an object. `namespace` is empty for cluster-scoped or unset namespaces. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

/** ManifestObject is one parsed document and its text. */
export interface ManifestObject {
  ref: ObjectRef;
  object: Record<string, unknown>;
  /** source is the document's own text (comments included, markers excluded), reused verbatim while it is untouched. */
  source?: string;
  /** comment is the document's leading comment lines (e.g. `# Source: …`), kept when it is re-serialised. */
  comment: string;
}

/**
 * ObjectChange is an identity change a post-renderer made:
 * - `namespace-changed`: an object kept its group, kind and name but moved namespace;
 * - `cluster-scoped-added`: a cluster-scoped object that was not in the input appeared;
 * - `added`: a namespaced object that was not in the input appeared;
 * - `removed`: an input object is gone.
 */
export type ObjectChange =
  | { type: 'namespace-changed'; object: ObjectRef; from: string; to: string }
  | { type: 'cluster-scoped-added'; object: ObjectRef }
  | { type: 'added'; object: ObjectRef }
  | { type: 'removed'; object: ObjectRef };

/** ScopeResolver says whether group/kind is cluster-scoped; undefined means unknown (treated as namespaced). */
export type ScopeResolver = (group: string, kind: string) => boolean | undefined;

/** CLUSTER_SCOPED_KINDS are the built-in cluster-scoped kinds, keyed `group/Kind` ("" is core). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'policy/PodSecurityPolicy',
  'certificates.k8s.io/CertificateSigningRequest',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
]);

/** builtinScope resolves scope from CLUSTER_SCOPED_KINDS; unknown kinds are namespaced. */
export const builtinScope: ScopeResolver = (group, kind) => CLUSTER_SCOPED_KINDS.has(`${group}/${kind}`) || undefined;

/** groupOf returns the API group of an apiVersion ("" for core `v1`). */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** formatRef renders a ref for messages: `apps/v1 Deployment ns/name`. */
export function formatRef(r: ObjectRef): string {
  return `${r.apiVersion} ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * parseManifests parses a YAML stream into Kubernetes objects, skipping empty documents. It throws
 * a ManifestError naming the first document that is not YAML or not an object with apiVersion,
 * kind and metadata.name.
 *
 * Documents are read as Helm's kube client reads what it applies (sigs.k8s.io/yaml: YAML 1.1), so
 * an object rewritten from its parsed form means what its text meant to Helm. Block-style
 * documents, which is what renderers and plugins write, take the shared fast reader (tens of MB/s).
 */
export function parseManifests(text: string): ManifestObject[] {
  const parts = splitDocuments(text);
  if (parts === undefined) {
    // Markers with content, `...` or directives: read the stream as a whole (no texts kept).
    return readDocuments(text, 0).flatMap((object, i) =>
      object === null ? [] : [{ ref: objectRef(object, i), object: object as Record<string, unknown>, comment: '' }],
    );
  }
  const out: ManifestObject[] = [];
  for (const [i, part] of parts.entries()) {
    const object = readDocuments(part, i)[0] ?? null;
    if (object === null) continue;
    const source = part.endsWith('\n') || part === '' ? part : `${part}\n`;
    out.push({
      ref: objectRef(object, i),
      object: object as Record<string, unknown>,
      source,
      comment: leadingComment(source),
    });
  }
  return out;
}

/**
 * readManifests splits a YAML stream into documents without reading them: each document's
 * `object` and `ref` are read (and checked, throwing a ManifestError) when first used, so a
 * document nothing looks at costs no parse. Blank and comment-only documents are dropped. A
 * stream with markers other than plain `---` lines is read at once, as parseManifests does.
 */
export function readManifests(text: string): ManifestObject[] {
  const parts = splitDocuments(text);
  if (parts === undefined) return parseManifests(text);
  const out: ManifestObject[] = [];
  for (const [i, part] of parts.entries()) {
    if (BLANK.test(part)) continue;
    out.push(lazyObject(part, i));
  }
  return out;
}

function lazyObject(part: string, document: number): ManifestObject {
  const source = part.endsWith('\n') ? part : `${part}\n`;
  let read: { object: Record<string, unknown>; ref: ObjectRef } | undefined;
  const get = () => {
    if (read === undefined) {
      const object = readDocuments(part, document)[0] ?? null;
      read = { ref: objectRef(object, document), object: object as Record<string, unknown> };
    }
    return read;
  };
  return {
    get ref() {
      return get().ref;
    },
    get object() {
      return get().object;
    },
    source,
    comment: leadingComment(source),
  };
}

/**
 * matchDocuments pairs documents of `before` and `after` with the same text: a document a
 * renderer passed through untouched is the same object, so only the others need reading to
 * compare identities. It returns `after` with each matched document replaced by its `before`
 * twin (same text; whatever was read of it is kept), and the unmatched documents of each side.
 * Documents are compared in place first (a renderer usually keeps the order), then by text.
 */
export function matchDocuments(
  before: ManifestObject[],
  after: ManifestObject[],
): { after: ManifestObject[]; unmatchedBefore: ManifestObject[]; unmatchedAfter: ManifestObject[] } {
  const out = after.slice();
  const taken = new Array<boolean>(before.length).fill(false);
  const pending: number[] = [];
  const unmatchedAfter: ManifestObject[] = [];
  for (let i = 0; i < out.length; i++) {
    const b = before[i];
    if (b !== undefined && b.source !== undefined && b.source === out[i]!.source) {
      out[i] = b;
      taken[i] = true;
    } else pending.push(i);
  }
  if (pending.length > 0) {
    const free = new Map<string, number[]>();
    before.forEach((b, j) => {
      if (taken[j] || b.source === undefined) return;
      const list = free.get(b.source);
      if (list) list.push(j);
      else free.set(b.source, [j]);
    });
    for (const i of pending) {
      const source = out[i]!.source;
      const j = source === undefined ? undefined : free.get(source)?.shift();
      if (j === undefined) {
        unmatchedAfter.push(out[i]!);
        continue;
      }
      out[i] = before[j]!;
      taken[j] = true;
    }
  }
  return { after: out, unmatchedBefore: before.filter((_, j) => !taken[j]), unmatchedAfter };
}

/** MARKER_START is a line that starts like a document marker or directive. */
const MARKER_START = /^(?:---|\.\.\.|%)/;
/** SEPARATOR is a document marker with nothing but a comment after it. */
const SEPARATOR = /^---[ \t]*(?:#.*)?$/;
const BLANK = /^(?:[ \t]*(?:#.*)?(?:\n|$))*$/;

function leadingComment(source: string): string {
  const m = /^(?:[ \t]*(?:#[^\n]*)?\n)*/.exec(source)![0];
  return m.trim() === '' ? '' : m;
}

/** splitDocuments cuts a stream at its plain `---` lines; undefined if it has other markers. */
function splitDocuments(text: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  // Look at the start of every line (a scan by indexOf, much faster here than a multiline regex).
  for (let at = 0; at < text.length;) {
    const end = lineEnd(text, at);
    const c = text.charCodeAt(at);
    if (c === 0x2d /* - */ || c === 0x2e /* . */ || c === 0x25 /* % */) {
      const line = text.slice(at, end);
      if (MARKER_START.test(line)) {
        if (!SEPARATOR.test(line)) return undefined;
        parts.push(text.slice(start, at));
        start = end + 1;
      }
    }
    at = end + 1;
  }
  parts.push(start < text.length ? text.slice(start) : '');
  // Text before the first marker is a document only if it has content.
  if (parts.length > 1 && BLANK.test(parts[0]!)) parts.shift();
  return parts;
}

function lineEnd(s: string, from: number): number {
  const e = s.indexOf('\n', from);
  return e < 0 ? s.length : e;
}

function readDocuments(text: string, document: number): unknown[] {
  try {
    return parseYamlDocuments(text);
  } catch (err) {
    throw new ManifestError(document, `not valid YAML: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * objectRef checks that a value is a Kubernetes object (a map with apiVersion, kind and
 * metadata.name) and returns its identity; `document` is used in the ManifestError it throws.
 */
export function objectRef(object: unknown, document: number): ObjectRef {
  const i = document;
  if (!isMap(object))
    throw new ManifestError(i, `is a ${Array.isArray(object) ? 'list' : typeof object}, not a Kubernetes object`);
  const { apiVersion, kind, metadata } = object;
  if (typeof apiVersion !== 'string' || apiVersion === '') throw new ManifestError(i, 'has no apiVersion');
  if (typeof kind !== 'string' || kind === '') throw new ManifestError(i, `(${apiVersion}) has no kind`);
  if (!isMap(metadata) || typeof metadata.name !== 'string' || metadata.name === '') {
    throw new ManifestError(i, `(${apiVersion} ${kind}) has no metadata.name`);
  }
  const ns = metadata.namespace;
  if (ns !== undefined && ns !== null && typeof ns !== 'string') {
    throw new ManifestError(i, `(${apiVersion} ${kind} ${metadata.name}) metadata.namespace is not a string`);
  }
  return { apiVersion, kind, name: metadata.name, namespace: ns ?? '' };
}

/** DiffOptions say how to compare identities. */
export interface DiffOptions {
  /** defaultNamespace is the namespace namespaced objects without one will be applied to. */
  defaultNamespace?: string;
  /** scope resolves cluster scope (default builtinScope; pass API discovery when available). */
  scope?: ScopeResolver;
}

/** diffObjects lists the identity changes between a renderer's input and output objects. */
export function diffObjects(before: ObjectRef[], after: ObjectRef[], opts: DiffOptions = {}): ObjectChange[] {
  const scope = opts.scope ?? builtinScope;
  const clusterScoped = (r: ObjectRef) => scope(groupOf(r.apiVersion), r.kind) === true;
  const nsOf = (r: ObjectRef) => (clusterScoped(r) ? '' : r.namespace || opts.defaultNamespace || '');
  const gkn = (r: ObjectRef) => `${groupOf(r.apiVersion)}/${r.kind}/${r.name}`;
  const full = (r: ObjectRef) => `${gkn(r)}@${nsOf(r)}`;

  const beforeFull = new Map(before.map((r) => [full(r), r]));
  const afterFull = new Map(after.map((r) => [full(r), r]));
  const goneByGkn = new Map<string, ObjectRef[]>();
  for (const r of before) {
    if (afterFull.has(full(r))) continue;
    const list = goneByGkn.get(gkn(r)) ?? [];
    list.push(r);
    goneByGkn.set(gkn(r), list);
  }
  const changes: ObjectChange[] = [];
  for (const r of after) {
    if (beforeFull.has(full(r))) continue;
    const moved = goneByGkn.get(gkn(r))?.shift();
    if (moved) changes.push({ type: 'namespace-changed', object: r, from: nsOf(moved), to: nsOf(r) });
    else changes.push({ type: clusterScoped(r) ? 'cluster-scoped-added' : 'added', object: r });
  }
  for (const list of goneByGkn.values()) for (const r of list) changes.push({ type: 'removed', object: r });
  return changes;
}
