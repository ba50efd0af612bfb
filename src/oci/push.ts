/**
 * push: uploading a packaged chart as an OCI artifact in the layout `helm push` writes: config
 * blob = the chart's metadata as JSON (`application/vnd.cncf.helm.config.v1+json`), one content
 * layer = the archive, an OCI image manifest tagged with the version (`+` written as `_`).
 */
import { createHash } from 'node:crypto';
import { Parser, type ReadEntry } from 'tar';
import { parse as parseYaml } from 'yaml';
import { RegistryClient, type RegistryClientOptions } from './client.js';
import { InvalidReferenceError, OciError, prefixError } from './errors.js';
import {
  ANNOTATION_TITLE,
  ARTIFACT_TYPE_HELM_PLUGIN,
  MEDIA_TYPE_HELM_CHART,
  MEDIA_TYPE_HELM_CONFIG,
  MEDIA_TYPE_OCI_EMPTY,
  MEDIA_TYPE_OCI_MANIFEST,
  type Descriptor,
  type ImageManifest,
} from './mediatypes.js';
import { formatReference, parseReference } from './reference.js';
import { versionToTag } from './pull.js';

const MAX_CHART_YAML_BYTES = 1024 * 1024;

/** PushOptions: the registry client options plus an optional shared client. */
export interface PushOptions extends RegistryClientOptions {
  client?: RegistryClient;
  /** created: value of `org.opencontainers.image.created` (omitted by default, so pushes are reproducible). */
  created?: string;
}

/** PushResult: what was pushed where. */
export interface PushResult {
  /** reference: `oci://host/repo/name:tag@digest`. */
  reference: string;
  digest: string;
  tag: string;
  name: string;
  version: string;
  manifest: ImageManifest;
}

/** ChartMetadata: the Chart.yaml fields used for the config blob and annotations. */
export type ChartMetadata = Record<string, unknown> & { name: string; version: string };

// Field order of Helm's chart.Metadata JSON, so the config blob matches what helm push writes.
const METADATA_ORDER = [
  'name',
  'home',
  'sources',
  'version',
  'description',
  'keywords',
  'maintainers',
  'icon',
  'apiVersion',
  'condition',
  'tags',
  'appVersion',
  'deprecated',
  'annotations',
  'kubeVersion',
  'dependencies',
  'type',
];

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    v === '' ||
    v === false ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && Object.keys(v).length === 0)
  );
}

/** readChartMetadata reads the top-level `Chart.yaml` of a chart archive (`NAME/Chart.yaml`). */
export async function readChartMetadata(tgz: Uint8Array): Promise<ChartMetadata> {
  let text: string | undefined;
  let tooBig = false;
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        const parts = entry.path.replace(/^\.\//, '').split('/');
        if (text !== undefined || parts.length !== 2 || parts[1] !== 'Chart.yaml' || entry.type !== 'File') {
          entry.resume();
          return;
        }
        if (entry.size > MAX_CHART_YAML_BYTES) {
          tooBig = true;
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => {
          text = Buffer.concat(chunks).toString('utf8');
        });
      },
    });
    parser.on('end', () => resolve());
    parser.on('error', reject);
    parser.on('warn', (code: string, message: string) => {
      if (code === 'TAR_BAD_ARCHIVE' || code === 'TAR_ABORT') reject(new Error(message));
    });
    parser.end(Buffer.from(tgz));
  }).catch((err: unknown) => {
    throw new OciError(`reading chart archive: ${(err as Error).message}`, { cause: err });
  });
  if (tooBig) throw new OciError(`reading chart archive: Chart.yaml larger than ${MAX_CHART_YAML_BYTES} bytes`);
  if (text === undefined)
    throw new OciError('reading chart archive: no Chart.yaml at the top level (is this a packaged chart?)');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new OciError(`reading chart archive: Chart.yaml: ${(err as Error).message}`, { cause: err });
  }
  if (!doc || typeof doc !== 'object') throw new OciError('reading chart archive: Chart.yaml is not a mapping');
  const m = doc as Record<string, unknown>;
  if (typeof m.name !== 'string' || m.name === '')
    throw new OciError('reading chart archive: Chart.yaml: name is required');
  if (typeof m.version !== 'string' && typeof m.version !== 'number')
    throw new OciError(`reading chart archive: Chart.yaml: version is required`);
  return { ...m, name: m.name, version: String(m.version) };
}

// Field order of Helm's Maintainer and Dependency structs.
const MAINTAINER_ORDER = ['name', 'email', 'url'];
const DEPENDENCY_ORDER = ['name', 'version', 'repository', 'condition', 'tags', 'enabled', 'import-values', 'alias'];
const DEPENDENCY_ALWAYS = new Set(['name', 'repository']);

function ordered(v: unknown, order: string[], always: Set<string> = new Set()): Record<string, unknown> {
  const src = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of order) if (always.has(k) || !isEmpty(src[k])) out[k] = src[k] ?? '';
  return out;
}

function sortedKeys(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const src = v as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(src)
      .sort()
      .map((k) => [k, src[k]]),
  );
}

/**
 * chartConfigJson renders the config blob byte for byte as Helm does (Go's encoding/json of
 * chart.Metadata): struct field order, empty fields omitted, map keys sorted, and `<`, `>`, `&`,
 * U+2028, U+2029 escaped.
 */
export function chartConfigJson(meta: ChartMetadata): Buffer {
  const out: Record<string, unknown> = {};
  for (const k of METADATA_ORDER) {
    if (isEmpty(meta[k])) continue;
    if (k === 'maintainers' && Array.isArray(meta[k]))
      out[k] = (meta[k] as unknown[]).map((m) => ordered(m, MAINTAINER_ORDER));
    else if (k === 'dependencies' && Array.isArray(meta[k]))
      out[k] = (meta[k] as unknown[]).map((d) => ordered(d, DEPENDENCY_ORDER, DEPENDENCY_ALWAYS));
    else if (k === 'annotations') out[k] = sortedKeys(meta[k]);
    else out[k] = meta[k];
  }
  const json = JSON.stringify(out).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return Buffer.from(json);
}

function digestOf(b: Uint8Array): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

async function uploadIfMissing(
  client: RegistryClient,
  registry: string,
  repository: string,
  bytes: Buffer,
  mediaType: string,
  annotations?: Record<string, string>,
): Promise<Descriptor> {
  const digest = digestOf(bytes);
  if (!(await client.blobExists(registry, repository, digest)))
    await client.uploadBlob(registry, repository, bytes, digest);
  const d: Descriptor = { mediaType, digest, size: bytes.length };
  if (annotations) d.annotations = annotations;
  return d;
}

async function withClient<T>(opts: PushOptions, fn: (client: RegistryClient) => Promise<T>): Promise<T> {
  if (opts.client) return fn(opts.client);
  const client = new RegistryClient(opts);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/**
 * pushChart uploads a packaged chart to `oci://HOST/REPO` (the chart name is appended, the
 * version becomes the tag) and returns the manifest digest.
 *
 * @example
 *   const { digest, tag } = await pushChart(readFileSync('podinfo-6.7.1.tgz'), 'oci://127.0.0.1:5000/charts');
 *   // → oci://127.0.0.1:5000/charts/podinfo:6.7.1
 */
export async function pushChart(tgz: Uint8Array, target: string, opts: PushOptions = {}): Promise<PushResult> {
  const base = parseReference(target);
  if (base.tag || base.digest)
    throw new InvalidReferenceError(
      target,
      'push target must be oci://HOST/REPO without tag or digest (the chart version is the tag)',
    );
  try {
    const meta = await readChartMetadata(tgz);
    const tag = versionToTag(meta.version);
    const repository = `${base.repository}/${meta.name}`;
    parseReference(`oci://${base.registry}/${repository}:${tag}`); // the name and version must make a valid reference
    return await withClient(opts, async (client) => {
      const config = await uploadIfMissing(
        client,
        base.registry,
        repository,
        chartConfigJson(meta),
        MEDIA_TYPE_HELM_CONFIG,
      );
      const layer = await uploadIfMissing(client, base.registry, repository, Buffer.from(tgz), MEDIA_TYPE_HELM_CHART);
      const annotations: Record<string, string> = {};
      if (typeof meta.description === 'string' && meta.description)
        annotations['org.opencontainers.image.description'] = meta.description;
      annotations[ANNOTATION_TITLE] = meta.name;
      annotations['org.opencontainers.image.version'] = meta.version;
      if (typeof meta.home === 'string' && meta.home) annotations['org.opencontainers.image.url'] = meta.home;
      if (opts.created) annotations['org.opencontainers.image.created'] = opts.created;
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        config,
        layers: [layer],
        annotations,
      };
      const digest = await client.putManifest(
        base.registry,
        repository,
        tag,
        Buffer.from(JSON.stringify(manifest)),
        MEDIA_TYPE_OCI_MANIFEST,
      );
      return {
        reference: formatReference({ registry: base.registry, repository, tag, digest }),
        digest,
        tag,
        name: meta.name,
        version: meta.version,
        manifest,
      };
    });
  } catch (err) {
    if (err instanceof InvalidReferenceError) throw err;
    prefixError(err, `pushing chart to ${target}`);
  }
}

/**
 * pushPluginArtifact uploads a Helm 4 plugin archive (`NAME-VERSION.tgz`) as an artifact with
 * `artifactType: application/vnd.helm.plugin.v1+json`, for tests of `pullArtifact` and the
 * WebAssembly post-renderer work. The config is the OCI empty descriptor.
 */
export async function pushPluginArtifact(
  archive: Uint8Array,
  target: string,
  name: string,
  version: string,
  opts: PushOptions = {},
): Promise<PushResult> {
  const base = parseReference(target);
  if (base.tag || base.digest)
    throw new InvalidReferenceError(target, 'push target must be oci://HOST/REPO without tag or digest');
  const tag = versionToTag(version);
  const repository = `${base.repository}/${name}`;
  try {
    return await withClient(opts, async (client) => {
      const config = await uploadIfMissing(client, base.registry, repository, Buffer.from('{}'), MEDIA_TYPE_OCI_EMPTY);
      const layer = await uploadIfMissing(
        client,
        base.registry,
        repository,
        Buffer.from(archive),
        'application/vnd.oci.image.layer.v1.tar',
        { [ANNOTATION_TITLE]: `${name}-${version}.tgz` },
      );
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        artifactType: ARTIFACT_TYPE_HELM_PLUGIN,
        config,
        layers: [layer],
        annotations: { 'org.opencontainers.image.title': name, 'org.opencontainers.image.version': version },
      };
      const digest = await client.putManifest(
        base.registry,
        repository,
        tag,
        Buffer.from(JSON.stringify(manifest)),
        MEDIA_TYPE_OCI_MANIFEST,
      );
      return {
        reference: formatReference({ registry: base.registry, repository, tag, digest }),
        digest,
        tag,
        name,
        version,
        manifest,
      };
    });
  } catch (err) {
    prefixError(err, `pushing plugin to ${target}`);
  }
}
