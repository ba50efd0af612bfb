/**
 * oci: Capstan's OCI chart source. Charts live in OCI registries as Helm writes them; this module
 * resolves references to digests, pulls verified archives through a content-addressed cache, and
 * pushes charts.
 *
 * Public API:
 * - `parseReference(ref)` → `{ registry, repository, tag?, digest? }` for `oci://HOST[:PORT]/REPO[:TAG][@sha256:…]`.
 * - `resolveChart(ref, { version?, …client options })` → `{ digest, tag?, version?, tagMismatch?, reference }`;
 *   `version` is an exact version or a semver range (`6.x`, `>=1.2 <2`, `~1.4`).
 * - `pullChart(ref, opts)` → `{ digest, bytes, path, manifest, fromCache, chartLayer, provenance?, … }`.
 * - `pullArtifact(ref, { artifactType, selectLayer? })` for Helm 4 plugin artifacts (`ARTIFACT_TYPE_HELM_PLUGIN`).
 * - `pushChart(tgz, 'oci://HOST/REPO', opts)` → `{ digest, tag, reference, name, version }`.
 * - `RegistryClient`: the distribution API client (auth, retries, timeouts, TLS options), shareable;
 *   learned auth schemes and bearer tokens live in `AuthCache.shared` (per registry and credentials),
 *   so separate calls reuse tokens until they expire.
 * - `ChartCache` (on-disk, by digest, LRU-bounded) and `DigestLRU<T>` (in-memory, by digest).
 * - `dockerConfigCredentials(json, host)` for `kubernetes.io/dockerconfigjson` payloads;
 *   `localDockerCredentials(host)` for the CLI.
 * Errors are the classes of `errors.ts`; every message starts with the step and the reference.
 */
export { parseReference, formatReference, isDigest, isLoopbackHost, type OciReference } from './reference.js';
export {
  resolveChart,
  pullChart,
  pullArtifact,
  matchVersion,
  tagToVersion,
  versionToTag,
  DEFAULT_MAX_CHART_BYTES,
} from './pull.js';
export type {
  ResolveOptions,
  ResolvedChart,
  PullOptions,
  PulledChart,
  ArtifactPullOptions,
  PulledArtifact,
} from './pull.js';
export {
  pushChart,
  pushPluginArtifact,
  readChartMetadata,
  chartConfigJson,
  type PushOptions,
  type PushResult,
  type ChartMetadata,
} from './push.js';
export {
  RegistryClient,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_RETRIES,
  DEFAULT_MAX_MANIFEST_BYTES,
  type RegistryClientOptions,
  type FetchedManifest,
} from './client.js';
export {
  ChartCache,
  DigestLRU,
  defaultCacheDir,
  DEFAULT_CACHE_MAX_BYTES,
  type ChartCacheOptions,
  type DigestLRUOptions,
} from './cache.js';
export { AuthCache, type AuthScheme, type CachedToken } from './authcache.js';
export {
  dockerConfigCredentials,
  localDockerCredentials,
  parseChallenges,
  type Credentials,
  type Challenge,
} from './auth.js';
export {
  OciError,
  InvalidReferenceError,
  RegistryHttpError,
  AuthenticationError,
  NotFoundError,
  NetworkError,
  DigestMismatchError,
  SizeLimitError,
  NotAChartError,
  NoMatchingVersionError,
} from './errors.js';
export {
  MEDIA_TYPE_HELM_CONFIG,
  MEDIA_TYPE_HELM_CHART,
  MEDIA_TYPE_HELM_CHART_LEGACY,
  MEDIA_TYPE_HELM_PROVENANCE,
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  ARTIFACT_TYPE_HELM_PLUGIN,
  type Descriptor,
  type ImageManifest,
  type ImageIndex,
} from './mediatypes.js';
