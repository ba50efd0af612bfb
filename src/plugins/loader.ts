/**
 * loader: turns a plugin directory or `.tgz` archive into a validated, compiled Plugin. A plugin
 * is Helm 4's layout: `plugin.yaml` (apiVersion v1, runtime extism/v1) beside `plugin.wasm`, at
 * the archive root or inside one top-level directory (as `helm plugin package` writes it).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Parser } from 'tar';
import { PluginLoadError } from './errors.js';
import { parsePluginMetadata, type PluginMetadata } from './metadata.js';
import { EXTISM_KERNEL_FUNCTIONS } from './kernel.js';
import { limitMemory, memoryLimits, type MemoryLimits, WasmBinaryError } from './wasm-binary.js';
import { wasm as WebAssembly, type WasmModule } from './wasm-api.js';

/** DEFAULT_MAX_PAGES caps linear memory when neither caller nor plugin.yaml sets it: 256 MiB. */
export const DEFAULT_MAX_PAGES = 4096;

/** MAX_ARCHIVE_FILE_BYTES bounds any one file read from a plugin archive. */
export const MAX_ARCHIVE_FILE_BYTES = 64 * 1024 * 1024;

/** Plugin is a loaded extism/v1 plugin. It is immutable and may be shared by concurrent calls. */
export interface Plugin {
  readonly metadata: PluginMetadata;
  /** source names where the plugin came from in messages: a path, `ref@digest`, or `sha256:…`. */
  readonly source: string;
  readonly wasm: Uint8Array;
  /** wasmDigest is `sha256:<hex>` of plugin.wasm. */
  readonly wasmDigest: string;
  /** memory is the module's own memory limits, before the host's cap. */
  readonly memory: MemoryLimits;
}

/** LoadOptions adjust loadPlugin. */
export interface LoadOptions {
  /** source overrides the name used in messages (e.g. the OCI reference it was pulled from). */
  source?: string;
}

const compiled = new WeakMap<Plugin, Map<number, Promise<WasmModule>>>();

function sha256(b: Uint8Array): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/**
 * loadPlugin reads a plugin from a directory path or the bytes of a `.tgz` archive, validates
 * plugin.yaml and the wasm module (exports the entry function and a memory, imports nothing but
 * WASI preview 1 and the Extism kernel) and compiles it.
 *
 * ```ts
 * const plugin = await loadPlugin(await readFile('add-label-0.1.0.tgz'), { source: 'oci://…@sha256:…' });
 * ```
 */
export async function loadPlugin(from: string | Uint8Array, opts: LoadOptions = {}): Promise<Plugin> {
  const source = opts.source ?? (typeof from === 'string' ? from : sha256(from));
  let yamlText: string;
  let wasm: Uint8Array;
  if (typeof from === 'string') {
    try {
      yamlText = await readFile(join(from, 'plugin.yaml'), 'utf8');
    } catch (err) {
      throw new PluginLoadError(source, `reading plugin.yaml: ${(err as Error).message}`, { cause: err });
    }
    try {
      wasm = new Uint8Array(await readFile(join(from, 'plugin.wasm')));
    } catch (err) {
      throw new PluginLoadError(source, `reading plugin.wasm (the extism/v1 binary): ${(err as Error).message}`, {
        cause: err,
      });
    }
  } else {
    const files = await readArchive(from, source);
    const y = files.get('plugin.yaml');
    if (!y) throw new PluginLoadError(source, 'archive has no plugin.yaml');
    const w = files.get('plugin.wasm');
    if (!w) throw new PluginLoadError(source, 'archive has no plugin.wasm (the extism/v1 binary)');
    yamlText = new TextDecoder().decode(y);
    wasm = w;
  }
  let metadata: PluginMetadata;
  try {
    metadata = parsePluginMetadata(yamlText);
  } catch (err) {
    throw new PluginLoadError(source, (err as Error).message, { cause: err });
  }
  let memory: MemoryLimits | undefined;
  try {
    memory = memoryLimits(wasm);
  } catch (err) {
    throw new PluginLoadError(source, (err as Error).message, { cause: err });
  }
  if (!memory) throw new PluginLoadError(source, 'plugin.wasm: defines no memory');
  const plugin: Plugin = Object.freeze({ metadata, source, wasm, wasmDigest: sha256(wasm), memory });
  const mod = await compileLimited(plugin, metadata.runtimeConfig.memory.maxPages || DEFAULT_MAX_PAGES);
  checkInterface(plugin, mod);
  return plugin;
}

function checkInterface(plugin: Plugin, mod: WasmModule): void {
  const entry = plugin.metadata.runtimeConfig.entryFuncName;
  const exports = WebAssembly.Module.exports(mod);
  if (!exports.some((e) => e.name === entry && e.kind === 'function')) {
    throw new PluginLoadError(
      plugin.source,
      `plugin.wasm: does not export the entry function ${JSON.stringify(entry)}`,
    );
  }
  if (!exports.some((e) => e.name === 'memory' && e.kind === 'memory')) {
    throw new PluginLoadError(plugin.source, 'plugin.wasm: does not export its memory as "memory"');
  }
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.module === 'wasi_snapshot_preview1' && imp.kind === 'function') continue;
    if (imp.module === 'extism:host/env' && imp.kind === 'function' && EXTISM_KERNEL_FUNCTIONS.has(imp.name)) continue;
    throw new PluginLoadError(
      plugin.source,
      `plugin.wasm: imports ${imp.module}.${imp.name} (${imp.kind}); Capstan provides only WASI preview 1 and the Extism kernel`,
    );
  }
}

const limited = new WeakMap<Plugin, Map<number, Uint8Array>>();

/**
 * limitedWasm returns the plugin binary with its memory capped at maxPages (cached per cap). It
 * throws a WasmBinaryError when the module cannot start within the cap.
 */
export function limitedWasm(plugin: Plugin, maxPages: number): Uint8Array {
  let byCap = limited.get(plugin);
  if (!byCap) limited.set(plugin, (byCap = new Map()));
  let b = byCap.get(maxPages);
  if (!b) {
    b = limitMemory(plugin.wasm, maxPages);
    byCap.set(maxPages, b);
  }
  return b;
}

/**
 * compileLimited compiles the plugin with its memory capped at maxPages, once per cap. It throws
 * a PluginLoadError when the module cannot start within the cap.
 */
export function compileLimited(plugin: Plugin, maxPages: number): Promise<WasmModule> {
  let byCap = compiled.get(plugin);
  if (!byCap) compiled.set(plugin, (byCap = new Map()));
  let p = byCap.get(maxPages);
  if (!p) {
    p = (async () => {
      try {
        return await WebAssembly.compile(limitedWasm(plugin, maxPages));
      } catch (err) {
        const detail =
          err instanceof WasmBinaryError ? err.message : `plugin.wasm: does not compile: ${(err as Error).message}`;
        throw new PluginLoadError(plugin.source, detail, { cause: err });
      }
    })();
    byCap.set(maxPages, p);
    p.catch(() => byCap.delete(maxPages));
  }
  return p;
}

/**
 * readArchive reads a gzip'd (or plain) tar into a map of the files that matter, keyed by name
 * relative to the plugin root. It refuses links, absolute paths and `..`, and oversize files.
 */
export async function readArchive(bytes: Uint8Array, source: string): Promise<Map<string, Uint8Array>> {
  const entries = new Map<string, Uint8Array>();
  let problem: string | undefined;
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry) => {
        const path = entry.path.replace(/^\.\//, '');
        if (entry.type !== 'File' && entry.type !== 'OldFile') {
          if (entry.type !== 'Directory')
            problem ??= `archive entry ${path} is a ${entry.type}; only files and directories are allowed`;
          entry.resume();
          return;
        }
        if (path.startsWith('/') || path.split('/').includes('..')) {
          problem ??= `archive entry ${path} escapes the plugin directory`;
          entry.resume();
          return;
        }
        if (entry.size > MAX_ARCHIVE_FILE_BYTES) {
          problem ??= `archive entry ${path} is ${entry.size} bytes, over the ${MAX_ARCHIVE_FILE_BYTES} byte limit`;
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => entries.set(path, new Uint8Array(Buffer.concat(chunks))));
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve());
    parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }).catch((err: unknown) => {
    throw new PluginLoadError(source, `reading archive: ${(err as Error).message}`, { cause: err });
  });
  if (problem) throw new PluginLoadError(source, problem);
  if (entries.size === 0) throw new PluginLoadError(source, 'reading archive: no files (is it a tar or tar.gz?)');
  // Files at the root, or under exactly one top-level directory.
  if (entries.has('plugin.yaml')) return entries;
  const tops = new Set([...entries.keys()].map((p) => p.split('/')[0]));
  if (tops.size === 1) {
    const [top] = tops;
    const out = new Map<string, Uint8Array>();
    for (const [p, b] of entries) if (p.startsWith(`${top}/`)) out.set(p.slice(top!.length + 1), b);
    return out;
  }
  return entries;
}
