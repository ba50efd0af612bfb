/**
 * cache: content-addressed storage for what the OCI source pulls.
 *
 * `ChartCache` keeps blobs and manifests on disk under `DIR/blobs/sha256/HEX`, keyed by digest, so a
 * digest already present costs no registry request. Writes go to a temp file in the same directory
 * and are renamed into place only after their sha256 matches the key. The total size is bounded;
 * the least recently used entries (by mtime, touched on every hit) are evicted first. Concurrent
 * fills of the same digest share one download.
 *
 * `DigestLRU<T>` is the in-memory counterpart for loaded objects (e.g. parsed charts), bounded by
 * entry count and optionally by a size function, with shared in-flight loads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DigestMismatchError, OciError } from './errors.js';
import { isDigest } from './reference.js';

/** DEFAULT_CACHE_MAX_BYTES bounds the on-disk cache (1 GiB). */
export const DEFAULT_CACHE_MAX_BYTES = 1024 * 1024 * 1024;

/** defaultCacheDir: `$CAPSTAN_OCI_CACHE_DIR`, else `~/.cache/capstan/oci`. */
export function defaultCacheDir(): string {
  return process.env.CAPSTAN_OCI_CACHE_DIR || join(homedir(), '.cache', 'capstan', 'oci');
}

/** ChartCacheOptions: where, and how big. */
export interface ChartCacheOptions {
  dir?: string;
  maxBytes?: number;
}

interface Entry {
  size: number;
  used: number;
}

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * ChartCache is the on-disk, content-addressed cache. One instance per directory per process is
 * enough (`ChartCache.shared(dir)`); several processes may share a directory safely because every
 * entry is immutable and appears atomically.
 *
 * @example
 *   const cache = new ChartCache({ dir: '/var/cache/capstan', maxBytes: 512 << 20 });
 *   const path = await cache.fill(digest, (tmp) => client.downloadBlob(host, repo, desc, tmp, max));
 */
export class ChartCache {
  readonly dir: string;
  readonly maxBytes: number;
  private index: Map<string, Entry> | undefined;
  private total = 0;
  private readonly inflight = new Map<string, Promise<string>>();
  private static readonly instances = new Map<string, ChartCache>();

  constructor(opts: ChartCacheOptions = {}) {
    this.dir = opts.dir ?? defaultCacheDir();
    this.maxBytes = opts.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
  }

  /** shared returns the process-wide cache for a directory, so concurrent pulls share downloads. */
  static shared(dir = defaultCacheDir(), maxBytes?: number): ChartCache {
    let c = ChartCache.instances.get(dir);
    if (!c) {
      c = new ChartCache({ dir, maxBytes });
      ChartCache.instances.set(dir, c);
    }
    return c;
  }

  private blobDir(): string {
    return join(this.dir, 'blobs', 'sha256');
  }

  /** path is where a digest's content lives (whether or not it is present). */
  path(digest: string): string {
    if (!isDigest(digest)) throw new OciError(`cache: invalid digest ${JSON.stringify(digest)}`);
    return join(this.blobDir(), digest.slice('sha256:'.length));
  }

  private load(): Map<string, Entry> {
    if (this.index) return this.index;
    const index = new Map<string, Entry>();
    this.total = 0;
    const dir = this.blobDir();
    if (existsSync(dir)) {
      for (const name of readdirSync(dir)) {
        if (!/^[a-f0-9]{64}$/.test(name)) continue; // temp files and strays
        try {
          const st = statSync(join(dir, name));
          index.set(`sha256:${name}`, { size: st.size, used: st.mtimeMs });
          this.total += st.size;
        } catch {
          /* removed meanwhile */
        }
      }
    }
    this.index = index;
    return index;
  }

  /** totalBytes is the size of everything cached (as this process knows it). */
  totalBytes(): number {
    this.load();
    return this.total;
  }

  /** get returns the path of a cached digest and marks it used, or undefined. */
  async get(digest: string): Promise<string | undefined> {
    const path = this.path(digest);
    const index = this.load();
    let st;
    try {
      st = await stat(path);
    } catch {
      const gone = index.get(digest);
      if (gone) {
        index.delete(digest);
        this.total -= gone.size;
      }
      return undefined;
    }
    const now = Date.now();
    const e = index.get(digest);
    if (e) e.used = now;
    else {
      index.set(digest, { size: st.size, used: now });
      this.total += st.size;
    }
    await utimes(path, now / 1000, now / 1000).catch(() => undefined);
    return path;
  }

  /** read returns a cached digest's bytes, or undefined. */
  async read(digest: string): Promise<Buffer | undefined> {
    const path = await this.get(digest);
    if (!path) return undefined;
    try {
      return await readFile(path);
    } catch {
      return undefined;
    }
  }

  /** tempPath is a fresh temp file name beside the entries (same filesystem, so rename is atomic). */
  tempPath(): string {
    mkdirSync(this.blobDir(), { recursive: true });
    return join(this.blobDir(), `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  /** putBytes stores bytes under their digest after checking they hash to it. */
  async putBytes(digest: string, bytes: Uint8Array): Promise<string> {
    return this.fill(digest, (tmp) => writeFile(tmp, bytes));
  }

  /**
   * fill returns the path of `digest`, running `write(tempPath)` to produce it when absent. The
   * written file is hashed before it is renamed into place; a mismatch removes it and throws
   * DigestMismatchError. Concurrent fills of one digest share a single `write`.
   */
  async fill(digest: string, write: (tempPath: string) => Promise<void>): Promise<string> {
    const hit = await this.get(digest);
    if (hit) return hit;
    const pending = this.inflight.get(digest);
    if (pending) return pending;
    const p = this.doFill(digest, write).finally(() => this.inflight.delete(digest));
    this.inflight.set(digest, p);
    return p;
  }

  private async doFill(digest: string, write: (tempPath: string) => Promise<void>): Promise<string> {
    const final = this.path(digest);
    const tmp = this.tempPath();
    try {
      await write(tmp);
      const actual = await fileDigest(tmp);
      if (actual !== digest)
        throw new DigestMismatchError(`cache: content for ${digest} hashes to ${actual}`, digest, actual);
      const { size } = await stat(tmp);
      await rename(tmp, final);
      const index = this.load();
      const prev = index.get(digest);
      if (prev) this.total -= prev.size;
      index.set(digest, { size, used: Date.now() });
      this.total += size;
      await this.evict(digest);
      return final;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** evict removes least recently used entries until the cache fits, never `keep`. */
  async evict(keep?: string): Promise<string[]> {
    const index = this.load();
    const removed: string[] = [];
    if (this.total <= this.maxBytes) return removed;
    const order = [...index.entries()]
      .filter(([d]) => d !== keep && !this.inflight.has(d))
      .sort((a, b) => a[1].used - b[1].used);
    for (const [digest, e] of order) {
      if (this.total <= this.maxBytes) break;
      await rm(this.path(digest), { force: true });
      index.delete(digest);
      this.total -= e.size;
      removed.push(digest);
    }
    return removed;
  }

  /** delete removes one entry. */
  async delete(digest: string): Promise<void> {
    const index = this.load();
    const e = index.get(digest);
    if (e) {
      index.delete(digest);
      this.total -= e.size;
    }
    await rm(this.path(digest), { force: true });
  }
}

/** DigestLRUOptions bound a DigestLRU by entries and, with `sizeOf`, by total size. */
export interface DigestLRUOptions<T> {
  maxEntries?: number;
  maxSize?: number;
  sizeOf?: (value: T) => number;
}

/**
 * DigestLRU is a bounded in-memory cache keyed by content digest, for objects derived from
 * immutable content (a loaded chart for a chart digest). `getOrLoad` shares in-flight loads, and a
 * failed load is not cached.
 *
 * @example
 *   const charts = new DigestLRU<Chart>({ maxEntries: 32 });
 *   const chart = await charts.getOrLoad(pulled.digest, () => loadChart(pulled.bytes));
 */
export class DigestLRU<T> {
  private readonly map = new Map<string, { value: T; size: number }>();
  private readonly loading = new Map<string, Promise<T>>();
  private total = 0;
  readonly maxEntries: number;
  readonly maxSize: number;
  private readonly sizeOf: (value: T) => number;

  constructor(opts: DigestLRUOptions<T> = {}) {
    this.maxEntries = opts.maxEntries ?? 64;
    this.maxSize = opts.maxSize ?? Infinity;
    this.sizeOf = opts.sizeOf ?? (() => 0);
  }

  get size(): number {
    return this.map.size;
  }

  /** totalSize is the sum of `sizeOf` over the entries. */
  get totalSize(): number {
    return this.total;
  }

  has(digest: string): boolean {
    return this.map.has(digest);
  }

  /** get returns the value and marks it most recently used. */
  get(digest: string): T | undefined {
    const e = this.map.get(digest);
    if (!e) return undefined;
    this.map.delete(digest);
    this.map.set(digest, e);
    return e.value;
  }

  /** set stores a value, evicting the least recently used entries beyond the bounds. A value larger than maxSize is not kept. */
  set(digest: string, value: T): void {
    const size = this.sizeOf(value);
    this.delete(digest);
    if (size > this.maxSize) return;
    this.map.set(digest, { value, size });
    this.total += size;
    for (const [k, e] of this.map) {
      if (this.map.size <= this.maxEntries && this.total <= this.maxSize) break;
      this.map.delete(k);
      this.total -= e.size;
    }
  }

  delete(digest: string): boolean {
    const e = this.map.get(digest);
    if (!e) return false;
    this.map.delete(digest);
    this.total -= e.size;
    return true;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  /** getOrLoad returns the cached value or runs `load` once for all concurrent callers. */
  async getOrLoad(digest: string, load: () => Promise<T> | T): Promise<T> {
    if (this.map.has(digest)) return this.get(digest) as T;
    const pending = this.loading.get(digest);
    if (pending) return pending;
    const p = (async () => {
      try {
        const value = await load();
        this.set(digest, value);
        return value;
      } finally {
        this.loading.delete(digest);
      }
    })();
    this.loading.set(digest, p);
    return p;
  }
}
