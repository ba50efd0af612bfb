/**
 * oci: a PluginFetcher over Capstan's OCI client. Helm 4 publishes a plugin as an artifact of type
 * `application/vnd.helm.plugin.v1+json` whose layer is the `NAME-VERSION.tgz` archive; the
 * reference is pinned by the digest of its manifest, which the client verifies.
 */
import { readFile, stat } from 'node:fs/promises';
import { ARTIFACT_TYPE_HELM_PLUGIN, pullArtifact, type ArtifactPullOptions } from '../oci/index.js';
import type { PluginFetcher } from './fetch.js';
import { loadPlugin, type Plugin } from './loader.js';

/** TITLE_ANNOTATION names a layer's file (org.opencontainers.image.title). */
const TITLE_ANNOTATION = 'org.opencontainers.image.title';

/** OciFetcherOptions are pullArtifact's options (client, credentials, cache) minus the artifact type. */
export type OciFetcherOptions = Omit<ArtifactPullOptions, 'artifactType' | 'selectLayer'>;

/** stripDigest removes a trailing `@sha256:…` so the pinned digest is the only one. */
function stripDigest(ref: string): string {
  const at = ref.lastIndexOf('@');
  return at > ref.indexOf('//') + 1 && ref.slice(at + 1).startsWith('sha256:') ? ref.slice(0, at) : ref;
}

/**
 * ociPluginFetcher returns a PluginFetcher that pulls `ref@digest` as a Helm 4 plugin artifact and
 * returns its `.tgz` layer.
 *
 * ```ts
 * const cache = new PluginCache(ociPluginFetcher({ client }));
 * const plugin = await cache.get('oci://ghcr.io/acme/plugins/add-label', 'sha256:…');
 * ```
 */
export function ociPluginFetcher(opts: OciFetcherOptions = {}): PluginFetcher {
  return async (ref, digest) => {
    const pinned = `${stripDigest(ref)}@${digest}`;
    const pulled = await pullArtifact(pinned, {
      ...opts,
      artifactType: ARTIFACT_TYPE_HELM_PLUGIN,
      selectLayer: (layers) =>
        layers.find((l) => /^[A-Za-z0-9_-]+-[^/]+\.tgz$/.test(l.annotations?.[TITLE_ANNOTATION] ?? '')) ??
        (layers.length === 1 ? layers[0] : undefined),
    });
    if (pulled.digest !== digest) {
      throw new Error(`pulling plugin ${pinned}: resolved to ${pulled.digest}, not the pinned digest`);
    }
    return pulled.bytes;
  };
}

/**
 * loadPluginRef loads a plugin named on a command line: a directory (plugin.yaml + plugin.wasm),
 * a `.tgz` archive, or `oci://REF@sha256:DIGEST` (pulled with the default OCI client). `flag`
 * names the argument in errors.
 */
export async function loadPluginRef(ref: string, flag: string): Promise<Plugin> {
  if (ref.startsWith('oci://')) {
    const at = ref.lastIndexOf('@');
    if (at < 0 || !ref.slice(at + 1).startsWith('sha256:')) {
      throw new Error(`${flag} ${ref}: an oci:// plugin must be pinned by digest (oci://REF@sha256:…)`);
    }
    const bytes = await ociPluginFetcher()(ref.slice(0, at), ref.slice(at + 1));
    return loadPlugin(bytes, { source: ref });
  }
  const isDir = (await stat(ref).catch(() => undefined))?.isDirectory();
  return loadPlugin(isDir ? ref : new Uint8Array(await readFile(ref)), { source: ref });
}
