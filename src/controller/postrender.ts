/**
 * postrender: runs a HelmRelease's spec.postRenderers on a rendered release, between rendering and
 * applying. WebAssembly plugins are pulled as OCI artifacts pinned by digest and compiled once per
 * digest; built-in patches run in process. As Helm 4 does, each document carries its template file
 * name through the post-renderers in an annotation, so the result is split back into manifests and
 * hooks exactly like a fresh render. With `postRenderStrategy: ManifestsOnly`, hooks are left as
 * rendered.
 */
import type { RenderedRelease } from '../chart/render.js';
import type { ChartCache } from '../oci/index.js';
import {
  formatRef,
  ociPluginFetcher,
  PluginCache,
  postRenderRelease,
  type ObjectChange,
  type PostRenderer,
} from '../plugins/index.js';
import type { RegistryAccess } from './pipeline.js';
import { parseDuration } from './duration.js';
import { TerminalError } from './result.js';
import type { HelmRelease } from './types.js';

/** PostRenderers compiles and caches plugins for the whole process. */
export class PostRenderers {
  private readonly plugins: PluginCache;
  private access: RegistryAccess = {};

  constructor(cache: ChartCache) {
    // The registry access is the reconciling HelmRelease's, so the fetcher is made per pull.
    this.plugins = new PluginCache((ref, digest) => ociPluginFetcher({ cache, ...this.access })(ref, digest));
  }

  /**
   * run applies the HelmRelease's post-renderers; returns the release unchanged when it has none.
   * Failures are terminal for the generation (a broken or misbehaving plugin does not fix itself).
   */
  async run(
    hr: HelmRelease,
    rendered: RenderedRelease,
    access: RegistryAccess,
    namespace: string,
  ): Promise<{ rendered: RenderedRelease; changes: ObjectChange[] }> {
    const specs = hr.spec.postRenderers ?? [];
    if (specs.length === 0) return { rendered, changes: [] };
    this.access = access;
    const renderers: PostRenderer[] = [];
    for (const [i, s] of specs.entries()) {
      if (s.wasm) {
        let plugin;
        try {
          plugin = await this.plugins.get(s.wasm.ref, s.wasm.digest);
        } catch (e) {
          throw new TerminalError(`spec.postRenderers[${i}].wasm: ${(e as Error).message}`, 'PostRenderFailed', {
            cause: e,
          });
        }
        renderers.push({
          wasm: {
            plugin,
            config: Object.fromEntries(
              Object.entries(s.wasm.config ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
            ),
            timeoutMs: s.wasm.timeout ? parseDuration(s.wasm.timeout, 30_000) : undefined,
            memoryPages: s.wasm.memoryPages,
            allowedHosts: s.wasm.allowedHosts,
          },
        });
      } else if (s.patches) {
        renderers.push({ patches: s.patches.map((p) => ({ patch: p.patch, target: p.target })) });
      }
    }
    const includeHooks = (hr.spec.postRenderStrategy ?? 'IncludeHooks') === 'IncludeHooks';
    try {
      return await postRenderRelease(rendered, renderers, { includeHooks, namespace });
    } catch (e) {
      throw new TerminalError(`spec.postRenderers: ${(e as Error).message}`, 'PostRenderFailed', { cause: e });
    }
  }
}

/** describeChanges words identity changes for events and logs. */
export function describeChanges(changes: ObjectChange[]): string {
  return changes
    .map((c) => {
      switch (c.type) {
        case 'namespace-changed':
          return `${formatRef(c.object)} moved from namespace ${c.from} to ${c.to}`;
        case 'cluster-scoped-added':
          return `${formatRef(c.object)} is cluster-scoped and was added`;
        case 'added':
          return `${formatRef(c.object)} was added`;
        case 'removed':
          return `${formatRef(c.object)} was removed`;
      }
    })
    .join('; ');
}
