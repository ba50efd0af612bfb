/**
 * pull: resolving chart references to manifest digests and pulling charts (and Helm 4 plugin
 * artifacts) through the content cache.
 *
 * Resolution: a digest is taken as is (no request); a tag is resolved with one HEAD; tag+digest
 * checks the tag still points at the digest and reports `tagMismatch` when it does not (the digest
 * wins); a semver range (`version` option) is matched against the tag list, with `_` in tags read as
 * `+` (Helm's convention), highest match winning, prereleases only when the range names one.
 */
import { readFile } from 'node:fs/promises';
import semver from 'semver';
import { ChartCache } from './cache.js';
import { RegistryClient, type RegistryClientOptions } from './client.js';
import {
  InvalidReferenceError,
  NoMatchingVersionError,
  NotFoundError,
  NotAChartError,
  OciError,
  SizeLimitError,
  prefixError,
} from './errors.js';
import {
  ARTIFACT_TYPE_HELM_PLUGIN,
  ANNOTATION_TITLE,
  MEDIA_TYPE_HELM_CHART,
  MEDIA_TYPE_HELM_CHART_LEGACY,
  MEDIA_TYPE_HELM_CONFIG,
  MEDIA_TYPE_HELM_PROVENANCE,
  isIndexMediaType,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from './mediatypes.js';
import { formatReference, isDigest, parseReference, type OciReference } from './reference.js';

/** DEFAULT_MAX_CHART_BYTES caps a chart archive (100 MiB). */
export const DEFAULT_MAX_CHART_BYTES = 100 * 1024 * 1024;
const MAX_INDEX_CANDIDATES = 16;

/** ResolveOptions: how to reach the registry, and which version. */
export interface ResolveOptions extends RegistryClientOptions {
  /** client: reuse a client (its token cache and connections); otherwise one is made per call. */
  client?: RegistryClient;
  /** version: an exact version (used as the tag) or a semver range resolved against the tags. */
  version?: string;
  /**
   * verifyTag: for tag+digest references, check where the tag points now and report
   * `tagMismatch` (one HEAD request; default true). False makes a cached digest cost no request.
   */
  verifyTag?: boolean;
}

/** ResolvedChart: where a reference points now. */
export interface ResolvedChart {
  /** reference: the canonical `oci://host/repo[:tag]@digest`. */
  reference: string;
  registry: string;
  repository: string;
  /** digest of the manifest (or index) the reference resolves to. */
  digest: string;
  tag?: string;
  /** version: the semver the tag stands for (`_` read as `+`), when it is one. */
  version?: string;
  /** tagMismatch: for tag+digest references, the tag's current digest when it moved away. */
  tagMismatch?: { tag: string; tagDigest: string };
}

/** PullOptions: resolution plus cache and limits. */
export interface PullOptions extends ResolveOptions {
  /** cache: the on-disk cache (default: the shared one at defaultCacheDir()). */
  cache?: ChartCache;
  maxChartBytes?: number;
}

/** PulledChart: a verified chart archive in the cache. */
export interface PulledChart extends ResolvedChart {
  /** bytes of the chart archive (`.tgz`). */
  bytes: Uint8Array;
  /** path of the archive in the cache (immutable; do not modify). */
  path: string;
  /** manifest: the chart's image manifest (the selected entry when the reference is an index). */
  manifest: ImageManifest;
  /** manifestDigest: digest of `manifest` (differs from `digest` when the reference is an index). */
  manifestDigest: string;
  /** chartLayer: the descriptor of the chart content layer. */
  chartLayer: Descriptor;
  /** provenance: the provenance layer's descriptor, when the chart was pushed with one. */
  provenance?: Descriptor;
  /** fromCache: true when the archive was already cached (no blob download). */
  fromCache: boolean;
}

/** ArtifactPullOptions: which artifact type to accept and which layer to take. */
export interface ArtifactPullOptions extends PullOptions {
  /** artifactType the manifest must declare (in `artifactType` or as its config media type). */
  artifactType: string;
  /** selectLayer picks the payload layer; default: the only layer, else the `.tgz`-titled one. */
  selectLayer?: (layers: Descriptor[]) => Descriptor | undefined;
}

/** PulledArtifact: a verified artifact layer in the cache. */
export interface PulledArtifact extends ResolvedChart {
  bytes: Uint8Array;
  path: string;
  manifest: ImageManifest;
  manifestDigest: string;
  layer: Descriptor;
  fromCache: boolean;
}

/** tagToVersion reads a tag as a semver version (Helm writes `+` as `_`), or undefined. */
export function tagToVersion(tag: string): string | undefined {
  let t = tag.replace(/_/g, '+');
  // Masterminds/semver (Helm's) accepts `1.2` and `v1`; node-semver does not.
  const short = /^v?(\d+)(?:\.(\d+))?([-+].*)?$/.exec(t);
  if (short && !/^v?\d+\.\d+\.\d+/.test(t)) t = `${short[1]}.${short[2] ?? 0}.0${short[3] ?? ''}`;
  const v = semver.parse(t);
  if (!v) return undefined;
  return v.build.length > 0 ? `${v.version}+${v.build.join('.')}` : v.version;
}

/** versionToTag writes a version as a tag (Helm's `+` → `_`). */
export function versionToTag(version: string): string {
  return version.replace(/\+/g, '_');
}

/**
 * matchVersion picks the tag whose version is the highest satisfying `range`; prereleases count
 * only when the range itself names a prerelease. Returns undefined when none does.
 */
export function matchVersion(tags: string[], range: string): { tag: string; version: string } | undefined {
  const byVersion = new Map<string, string>();
  for (const tag of tags) {
    const v = tagToVersion(tag);
    if (!v) continue;
    // Prefer the tag spelled exactly like the version (`1.2.3` over `v1.2.3`).
    if (!byVersion.has(v) || versionToTag(v) === tag) byVersion.set(v, tag);
  }
  const best = semver.maxSatisfying([...byVersion.keys()], range);
  return best ? { tag: byVersion.get(best)!, version: best } : undefined;
}

function isExactVersion(v: string): boolean {
  return semver.valid(v) !== null;
}

async function withClient<T>(opts: ResolveOptions, fn: (client: RegistryClient) => Promise<T>): Promise<T> {
  if (opts.client) return fn(opts.client);
  const client = new RegistryClient(opts);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

async function resolveWith(
  client: RegistryClient,
  input: string,
  ref: OciReference,
  opts: ResolveOptions,
): Promise<ResolvedChart> {
  let tag = ref.tag;
  let version: string | undefined;
  const { registry, repository } = ref;
  // exactFromVersion: the tag was derived from an exact `version`; if no such tag exists, the tag
  // list may still spell that version differently (`v1.2.3`, `1.2`), as Helm's lookup allows.
  let exactFromVersion: string | undefined;
  if (opts.version !== undefined && opts.version !== '') {
    const want = opts.version.trim();
    if (isExactVersion(want)) {
      const wantTag = versionToTag(want);
      if (tag !== undefined && tag !== wantTag && tag !== want)
        throw new InvalidReferenceError(input, `tag ${tag} does not match version ${want}`);
      if (tag === undefined) {
        tag = wantTag;
        exactFromVersion = want;
      }
    } else {
      if (tag !== undefined)
        throw new InvalidReferenceError(input, `a tag and a version range (${want}) cannot be combined`);
      if (ref.digest !== undefined)
        throw new InvalidReferenceError(input, `a digest and a version range (${want}) cannot be combined`);
      if (semver.validRange(want) === null)
        throw new InvalidReferenceError(input, `invalid version range ${JSON.stringify(want)}`);
      const tags = await client.listTags(registry, repository);
      const m = matchVersion(tags, want);
      if (!m)
        throw new NoMatchingVersionError(
          `no tag of ${registry}/${repository} matches ${want} (${tags.length} tags)`,
          want,
          tags,
        );
      tag = m.tag;
      version = m.version;
    }
  } else if (tag === undefined && ref.digest === undefined) {
    // No tag, digest or version: the highest stable version, as `helm pull` does.
    const tags = await client.listTags(registry, repository);
    const m = matchVersion(tags, '*');
    if (!m)
      throw new NoMatchingVersionError(
        `no tag of ${registry}/${repository} is a stable semver version (${tags.length} tags)`,
        '*',
        tags,
      );
    tag = m.tag;
    version = m.version;
  }
  if (tag !== undefined) version ??= tagToVersion(tag);

  let digest: string;
  let tagMismatch: ResolvedChart['tagMismatch'];
  if (ref.digest !== undefined) {
    digest = ref.digest;
    if (tag !== undefined && opts.verifyTag !== false) {
      const tagDigest = await client.resolveManifestDigest(registry, repository, tag);
      if (tagDigest !== digest) tagMismatch = { tag, tagDigest };
    }
  } else {
    try {
      digest = await client.resolveManifestDigest(registry, repository, tag!);
    } catch (err) {
      if (!(err instanceof NotFoundError) || exactFromVersion === undefined) throw err;
      const tags = await client.listTags(registry, repository);
      const m = matchVersion(tags, `=${exactFromVersion}`);
      if (!m || m.tag === tag) throw err;
      tag = m.tag;
      version = m.version;
      digest = await client.resolveManifestDigest(registry, repository, tag);
    }
  }
  const out: ResolvedChart = {
    reference: formatReference({ registry, repository, tag, digest }),
    registry,
    repository,
    digest,
  };
  if (tag !== undefined) out.tag = tag;
  if (version !== undefined) out.version = version;
  if (tagMismatch) out.tagMismatch = tagMismatch;
  return out;
}

/**
 * resolveChart turns a reference (plus an optional `version`) into a manifest digest. A reference
 * by digest alone makes no request.
 *
 * @example
 *   await resolveChart('oci://127.0.0.1:5000/charts/podinfo', { version: '6.x' })
 *   // → { digest: 'sha256:…', tag: '6.7.1', version: '6.7.1', reference: 'oci://…:6.7.1@sha256:…', … }
 */
export async function resolveChart(ref: string, opts: ResolveOptions = {}): Promise<ResolvedChart> {
  try {
    const parsed = parseReference(ref);
    return await withClient(opts, (client) => resolveWith(client, ref, parsed, opts));
  } catch (err) {
    if (err instanceof InvalidReferenceError) throw err;
    prefixError(err, `resolving chart ${ref}`);
  }
}

function parseJson<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  } catch (err) {
    throw new OciError(`${what}: not valid JSON`, { cause: err });
  }
}

// manifestBytes returns a manifest from the cache or the registry (then caches it).
async function manifestBytes(
  client: RegistryClient,
  cache: ChartCache,
  registry: string,
  repository: string,
  digest: string,
): Promise<Buffer> {
  const cached = await cache.read(digest);
  if (cached) return cached;
  const fetched = await client.fetchManifest(registry, repository, digest);
  await cache.putBytes(digest, fetched.bytes);
  return fetched.bytes;
}

function manifestType(m: ImageManifest): string {
  return m.artifactType || m.config?.mediaType || '';
}

function accepts(m: ImageManifest, artifactType: string): boolean {
  return m.artifactType === artifactType || m.config?.mediaType === artifactType;
}

// selectManifest follows an index to the entry of the wanted artifact type.
async function selectManifest(
  client: RegistryClient,
  cache: ChartCache,
  registry: string,
  repository: string,
  digest: string,
  artifactType: string,
): Promise<{ manifest: ImageManifest; manifestDigest: string }> {
  const bytes = await manifestBytes(client, cache, registry, repository, digest);
  const doc = parseJson<ImageManifest & ImageIndex>(bytes, `manifest ${digest}`);
  if (!isIndexMediaType(doc.mediaType) && !Array.isArray(doc.manifests)) {
    if (!doc.config || !Array.isArray(doc.layers))
      throw new NotAChartError(
        `manifest ${digest}: not an image manifest (media type ${doc.mediaType ?? 'unset'})`,
        doc.mediaType ?? '',
      );
    return { manifest: doc, manifestDigest: digest };
  }
  const entries = (doc.manifests ?? []).filter((d) => d && isDigest(d.digest) && !isIndexMediaType(d.mediaType));
  const declared = entries.filter((d) => d.artifactType === artifactType);
  const candidates = (declared.length > 0 ? declared : entries.filter((d) => !d.artifactType)).slice(
    0,
    MAX_INDEX_CANDIDATES,
  );
  const seen: string[] = [];
  for (const d of candidates) {
    const m = parseJson<ImageManifest>(
      await manifestBytes(client, cache, registry, repository, d.digest),
      `manifest ${d.digest}`,
    );
    if (m.config && Array.isArray(m.layers) && accepts(m, artifactType))
      return { manifest: m, manifestDigest: d.digest };
    seen.push(manifestType(m));
  }
  throw new NotAChartError(
    `index ${digest}: none of its ${entries.length} manifests is ${artifactType === MEDIA_TYPE_HELM_CONFIG ? 'a Helm chart' : `a ${artifactType} artifact`}${seen.length ? ` (found ${[...new Set(seen)].join(', ')})` : ''}`,
    doc.mediaType ?? '',
  );
}

async function fetchLayer(
  client: RegistryClient,
  cache: ChartCache,
  registry: string,
  repository: string,
  layer: Descriptor,
  maxBytes: number,
): Promise<{ path: string; bytes: Uint8Array; fromCache: boolean }> {
  if (!isDigest(layer.digest) || !Number.isSafeInteger(layer.size) || layer.size < 0)
    throw new OciError(`layer ${String(layer.digest)}: invalid descriptor`);
  if (layer.size > maxBytes)
    throw new SizeLimitError(
      `blob ${layer.digest}: ${layer.size} bytes exceeds the limit of ${maxBytes}`,
      maxBytes,
      layer.size,
    );
  const hit = await cache.get(layer.digest);
  const path =
    hit ?? (await cache.fill(layer.digest, (tmp) => client.downloadBlob(registry, repository, layer, tmp, maxBytes)));
  return { path, bytes: new Uint8Array(await readFile(path)), fromCache: hit !== undefined };
}

/**
 * pullChart resolves a chart reference and returns the verified archive, from the cache when its
 * digest is there (a digest reference then makes no request at all).
 *
 * @example
 *   const chart = await pullChart('oci://127.0.0.1:5000/charts/podinfo:6.7.1');
 *   chart.digest; chart.bytes; chart.fromCache;
 */
export async function pullChart(ref: string, opts: PullOptions = {}): Promise<PulledChart> {
  const parsed = parseReference(ref);
  const cache = opts.cache ?? ChartCache.shared();
  try {
    return await withClient(opts, async (client) => {
      const resolved = await resolveWith(client, ref, parsed, opts);
      const { registry, repository } = resolved;
      const { manifest, manifestDigest } = await selectManifest(
        client,
        cache,
        registry,
        repository,
        resolved.digest,
        MEDIA_TYPE_HELM_CONFIG,
      );
      if (manifest.config.mediaType !== MEDIA_TYPE_HELM_CONFIG) {
        throw new NotAChartError(
          `manifest ${manifestDigest}: not a Helm chart (config media type ${manifest.config.mediaType}${manifest.artifactType ? `, artifactType ${manifest.artifactType}` : ''})`,
          manifest.config.mediaType,
        );
      }
      const chartLayers = manifest.layers.filter(
        (l) => l.mediaType === MEDIA_TYPE_HELM_CHART || l.mediaType === MEDIA_TYPE_HELM_CHART_LEGACY,
      );
      if (chartLayers.length !== 1) {
        throw new NotAChartError(
          `manifest ${manifestDigest}: expected one chart layer (${MEDIA_TYPE_HELM_CHART}), found ${chartLayers.length}`,
          manifest.config.mediaType,
        );
      }
      const chartLayer = chartLayers[0]!;
      const provenance = manifest.layers.find((l) => l.mediaType === MEDIA_TYPE_HELM_PROVENANCE);
      const layer = await fetchLayer(
        client,
        cache,
        registry,
        repository,
        chartLayer,
        opts.maxChartBytes ?? DEFAULT_MAX_CHART_BYTES,
      );
      const out: PulledChart = { ...resolved, ...layer, manifest, manifestDigest, chartLayer };
      if (provenance) out.provenance = provenance;
      return out;
    });
  } catch (err) {
    if (err instanceof InvalidReferenceError) throw err;
    prefixError(err, `pulling chart ${ref}`);
  }
}

function defaultLayer(layers: Descriptor[]): Descriptor | undefined {
  if (layers.length === 1) return layers[0];
  const tgz = layers.filter((l) => /\.(tgz|tar\.gz)$/.test(l.annotations?.[ANNOTATION_TITLE] ?? ''));
  return tgz.length === 1 ? tgz[0] : undefined;
}

/**
 * pullArtifact pulls a non-chart artifact by type, e.g. a Helm 4 plugin
 * (`artifactType: application/vnd.helm.plugin.v1+json`, payload layer `NAME-VERSION.tgz`), through
 * the same resolution, verification and cache as charts.
 *
 * @example
 *   await pullArtifact('oci://127.0.0.1:5000/plugins/postrender:1.0.0', { artifactType: ARTIFACT_TYPE_HELM_PLUGIN })
 */
export async function pullArtifact(ref: string, opts: ArtifactPullOptions): Promise<PulledArtifact> {
  const parsed = parseReference(ref);
  const cache = opts.cache ?? ChartCache.shared();
  const step = opts.artifactType === ARTIFACT_TYPE_HELM_PLUGIN ? 'pulling plugin' : 'pulling artifact';
  try {
    return await withClient(opts, async (client) => {
      const resolved = await resolveWith(client, ref, parsed, opts);
      const { registry, repository } = resolved;
      const { manifest, manifestDigest } = await selectManifest(
        client,
        cache,
        registry,
        repository,
        resolved.digest,
        opts.artifactType,
      );
      if (!accepts(manifest, opts.artifactType)) {
        throw new NotAChartError(
          `manifest ${manifestDigest}: not a ${opts.artifactType} artifact (found ${manifestType(manifest) || 'no type'})`,
          manifestType(manifest),
        );
      }
      const chosen = (opts.selectLayer ?? defaultLayer)(manifest.layers);
      if (!chosen)
        throw new NotAChartError(
          `manifest ${manifestDigest}: no payload layer among ${manifest.layers.length}`,
          manifestType(manifest),
        );
      const layer = await fetchLayer(
        client,
        cache,
        registry,
        repository,
        chosen,
        opts.maxChartBytes ?? DEFAULT_MAX_CHART_BYTES,
      );
      return { ...resolved, ...layer, manifest, manifestDigest, layer: chosen };
    });
  } catch (err) {
    if (err instanceof InvalidReferenceError) throw err;
    prefixError(err, `${step} ${ref}`);
  }
}
