/**
 * fetch: getting plugins by reference. The caller supplies a PluginFetcher (the OCI client, or a
 * test double) that returns the plugin archive for a reference pinned by digest; PluginCache
 * loads and compiles each `ref@digest` once and shares it between reconciles.
 */
import { PluginLoadError } from './errors.js';
import { loadPlugin, type Plugin } from './loader.js';

/**
 * PluginFetcher returns the `.tgz` archive of the plugin at ref, pinned by digest. It must verify
 * the digest (of the OCI manifest or the archive, as its protocol defines) before answering.
 */
export type PluginFetcher = (ref: string, digest: string) => Promise<Uint8Array>;

/** DIGEST_PATTERN is the form of a pinned digest. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** pluginSource is how a fetched plugin is named in messages: `ref@digest`. */
export function pluginSource(ref: string, digest: string): string {
  return `${ref}@${digest}`;
}

/** fetchPlugin fetches and loads one plugin; prefer PluginCache in long-running processes. */
export async function fetchPlugin(ref: string, digest: string, fetcher: PluginFetcher): Promise<Plugin> {
  const source = pluginSource(ref, digest);
  if (!DIGEST_PATTERN.test(digest))
    throw new PluginLoadError(source, `digest must be sha256:<64 hex digits>, got ${JSON.stringify(digest)}`);
  let bytes: Uint8Array;
  try {
    bytes = await fetcher(ref, digest);
  } catch (err) {
    throw new PluginLoadError(source, `fetching: ${(err as Error).message}`, { cause: err });
  }
  return loadPlugin(bytes, { source });
}

/** PluginCache loads each ref@digest once; concurrent requests share one load; failures are not kept. */
export class PluginCache {
  readonly #fetcher: PluginFetcher;
  readonly #max: number;
  readonly #entries = new Map<string, Promise<Plugin>>();

  /** maxEntries bounds the cache (least recently used entries go first); default 64. */
  constructor(fetcher: PluginFetcher, opts: { maxEntries?: number } = {}) {
    this.#fetcher = fetcher;
    this.#max = opts.maxEntries ?? 64;
  }

  /** get returns the plugin for ref@digest, fetching and compiling it on first use. */
  get(ref: string, digest: string): Promise<Plugin> {
    const key = pluginSource(ref, digest);
    let p = this.#entries.get(key);
    if (p) {
      this.#entries.delete(key); // re-insert: most recently used last
      this.#entries.set(key, p);
      return p;
    }
    p = fetchPlugin(ref, digest, this.#fetcher);
    this.#entries.set(key, p);
    p.catch(() => {
      if (this.#entries.get(key) === p) this.#entries.delete(key);
    });
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    return p;
  }

  get size(): number {
    return this.#entries.size;
  }
}
