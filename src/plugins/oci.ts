/**
 * oci: a PluginFetcher over Capstan's OCI client. Helm 4 publishes a plugin as an artifact of type
 * `application/vnd.helm.plugin.v1+json` whose layer is the `NAME-VERSION.tgz` archive; the
 * reference is pinned by the digest of its manifest, which the client verifies.
 */
import { ARTIFACT_TYPE_HELM_PLUGIN, pullArtifact, type ArtifactPullOptions } from '../oci/index.js';

/** TITLE_ANNOTATION names a layer's file (org.opencontainers.image.title). */
const TITLE_ANNOTATION = 'org.opencontainers.image.title';
import type { PluginFetcher } from './fetch.js';

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
