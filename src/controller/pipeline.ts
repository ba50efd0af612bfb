/**
 * pipeline: from a HelmRelease spec to rendered, post-rendered objects, with no cluster writes:
 * resolve the chart reference to a digest, pull it (content cache), load it (memory cache by
 * digest), compose values from valuesFrom and values, render with the cluster's capabilities.
 * Every failure names the step; a failure here means nothing was applied.
 */
import { createHash } from 'node:crypto';
import { loadChart } from '../chart/loader.js';
import { renderRelease, type RenderedRelease } from '../chart/render.js';
import { parseInto } from '../chart/strvals.js';
import { mergeMaps } from '../chart/values.js';
import { parseYaml } from '../gotemplate/funcs/helm/goyaml.js';
import { intValue, isMap, type GoMap } from '../gotemplate/value.js';
import {
  ChartCache,
  DigestLRU,
  dockerConfigCredentials,
  pullChart,
  resolveChart,
  type RegistryClientOptions,
} from '../oci/index.js';
import type { Chart } from '../chart/types.js';
import type { KubeClient } from '../apply/kubeclient.js';
import type { ClusterCapabilities } from './capabilities.js';
import { TerminalError } from './result.js';
import type { HelmRelease } from './types.js';

/** ChartSource resolves and loads charts, sharing one content cache and one memory cache. */
export class ChartSource {
  readonly cache: ChartCache;
  private readonly loaded: DigestLRU<Promise<Chart>>;

  private readonly onPull?: (s: { seconds: number; bytes: number; fromCache: boolean }) => void;

  constructor(
    opts: {
      cacheDir?: string;
      cacheMaxBytes?: number;
      memoryCharts?: number;
      onPull?: (s: { seconds: number; bytes: number; fromCache: boolean }) => void;
    } = {},
  ) {
    this.cache = new ChartCache({ dir: opts.cacheDir, maxBytes: opts.cacheMaxBytes });
    this.loaded = new DigestLRU({ maxEntries: opts.memoryCharts ?? 64 });
    this.onPull = opts.onPull;
  }

  /**
   * resolve turns spec.chart into a digest: the pinned digest, or the version (tag or semver
   * range) resolved against the registry.
   */
  async resolve(
    spec: HelmRelease['spec']['chart'],
    auth: RegistryAccess,
  ): Promise<{ digest: string; version?: string; tagMismatch?: boolean }> {
    if (spec.digest) return { digest: spec.digest };
    const r = await resolveChart(spec.ref, { version: spec.version, ...auth });
    return { digest: r.digest, version: r.version ?? r.tag };
  }

  /** load pulls (or reuses) the chart with that digest and loads it. */
  async load(
    spec: HelmRelease['spec']['chart'],
    digest: string,
    auth: RegistryAccess,
  ): Promise<{ chart: Chart; bytes: number }> {
    let p = this.loaded.get(digest);
    let bytes = 0;
    if (!p) {
      p = (async () => {
        const t0 = process.hrtime.bigint();
        const pulled = await pullChart(`${spec.ref}@${digest}`, { cache: this.cache, ...auth });
        bytes = pulled.bytes.length;
        this.onPull?.({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, bytes, fromCache: pulled.fromCache });
        return loadChart(pulled.bytes);
      })();
      this.loaded.set(digest, p);
      p.catch(() => this.loaded.delete(digest));
    }
    return { chart: await p, bytes };
  }
}

/** RegistryAccess is how to reach the registry: credentials, CA, TLS verification. */
export type RegistryAccess = Pick<RegistryClientOptions, 'credentials' | 'ca' | 'insecureSkipTlsVerify' | 'plainHttp'>;

/** registryAccess reads the HelmRelease's registry Secrets (never logging their content). */
export async function registryAccess(client: KubeClient, hr: HelmRelease): Promise<RegistryAccess> {
  const c = hr.spec.chart;
  const host = /^oci:\/\/([^/]+)/.exec(c.ref)?.[1] ?? '';
  const access: RegistryAccess = { insecureSkipTlsVerify: c.insecure };
  if (c.secretRef) {
    const s = await readSecret(client, hr.metadata.namespace, c.secretRef.name, 'spec.chart.secretRef');
    const raw = s['.dockerconfigjson'];
    if (!raw)
      throw new TerminalError(
        `spec.chart.secretRef: Secret ${c.secretRef.name} has no .dockerconfigjson key`,
        'InvalidSpec',
      );
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new TerminalError(
        `spec.chart.secretRef: Secret ${c.secretRef.name}: .dockerconfigjson is not JSON`,
        'InvalidSpec',
      );
    }
    access.credentials = dockerConfigCredentials(json as any, host);
  }
  if (c.certSecretRef) {
    const s = await readSecret(client, hr.metadata.namespace, c.certSecretRef.name, 'spec.chart.certSecretRef');
    access.ca = s['ca.crt'];
  }
  return access;
}

async function readSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  field: string,
): Promise<Record<string, string>> {
  const s = await client.get('v1', 'Secret', namespace, name);
  if (!s) throw new TerminalError(`${field}: Secret ${namespace}/${name} not found`, 'InvalidSpec');
  const data = (s as any).data ?? {};
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf8')]),
  );
}

/**
 * composeValues merges valuesFrom (in order) and then spec.values, as Flux does: each document is
 * merged over the previous; `targetPath` sets one value with Helm's --set syntax.
 */
export async function composeValues(client: KubeClient, hr: HelmRelease): Promise<GoMap> {
  let result: GoMap = {};
  for (const [i, ref] of (hr.spec.valuesFrom ?? []).entries()) {
    const field = `spec.valuesFrom[${i}]`;
    const key = ref.valuesKey ?? 'values.yaml';
    const obj = await client.get('v1', ref.kind, hr.metadata.namespace, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new TerminalError(`${field}: ${ref.kind} ${hr.metadata.namespace}/${ref.name} not found`, 'ValuesNotFound');
    }
    const data = (obj as any).data ?? {};
    let text = data[key];
    if (text === undefined) {
      if (ref.optional) continue;
      throw new TerminalError(
        `${field}: ${ref.kind} ${hr.metadata.namespace}/${ref.name} has no key ${key}`,
        'ValuesNotFound',
      );
    }
    if (ref.kind === 'Secret') text = Buffer.from(String(text), 'base64').toString('utf8');
    if (ref.targetPath) {
      try {
        parseInto(`${ref.targetPath}=${text}`, result);
      } catch (e) {
        throw new TerminalError(`${field}: targetPath ${ref.targetPath}: ${(e as Error).message}`, 'InvalidValues');
      }
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(String(text));
    } catch (e) {
      // Never echo a Secret's content into the message.
      throw new TerminalError(
        `${field}: ${ref.kind} ${hr.metadata.namespace}/${ref.name} key ${key} is not valid YAML${ref.kind === 'Secret' ? '' : `: ${(e as Error).message}`}`,
        'InvalidValues',
      );
    }
    if (parsed === null || parsed === undefined) continue;
    if (!isMap(parsed))
      throw new TerminalError(
        `${field}: ${ref.kind} ${hr.metadata.namespace}/${ref.name} key ${key} is not a map of values`,
        'InvalidValues',
      );
    result = mergeMaps(result, parsed);
  }
  if (hr.spec.values) result = mergeMaps(result, hr.spec.values as GoMap);
  return result;
}

/** valuesChecksum fingerprints values independent of key order. */
export function valuesChecksum(values: GoMap): string {
  return 'sha256:' + createHash('sha256').update(canonicalJson(values)).digest('hex');
}

function canonicalJson(v: unknown): string {
  v = intValue(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return (
      '{' +
      Object.keys(o)
        .sort()
        .map((k) => JSON.stringify(k) + ':' + canonicalJson(o[k]))
        .join(',') +
      '}'
    );
  }
  return JSON.stringify(v);
}

export interface RenderInput {
  chart: Chart;
  values: GoMap;
  releaseName: string;
  namespace: string;
  revision: number;
  isInstall: boolean;
  capabilities: ClusterCapabilities;
}

/** render runs the chart through the same code path as `capstan template`. */
export function render(input: RenderInput): RenderedRelease {
  try {
    return renderRelease(input.chart, {
      values: input.values,
      release: {
        name: input.releaseName,
        namespace: input.namespace,
        revision: input.revision,
        isInstall: input.isInstall,
        isUpgrade: !input.isInstall,
      },
      capabilities: {
        kubeVersion: input.capabilities.kubeVersion,
        apiVersions: input.capabilities.apiVersions,
        fromCluster: true,
      },
    });
  } catch (e) {
    throw new TerminalError(
      `rendering chart ${input.chart.metadata.name}-${input.chart.metadata.version}: ${(e as Error).message}`,
      'RenderFailed',
      { cause: e },
    );
  }
}
