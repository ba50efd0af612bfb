/**
 * wasm-api: typed access to the `WebAssembly` global. The project compiles without the DOM lib,
 * which is where TypeScript declares WebAssembly, so the few parts the plugin host uses are typed
 * here rather than declared globally (a global declaration would clash the day DOM is added).
 */

/** WasmModule is a compiled WebAssembly.Module (opaque; shareable with worker threads). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** WasmMemory is a WebAssembly.Memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** WasmInstance is a WebAssembly.Instance. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** WasmDescriptor describes one import or export of a module. */
export interface WasmDescriptor {
  module?: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

/** WasmImports maps module names to import objects. */
export type WasmImports = Record<string, Record<string, unknown>>;

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports?: WasmImports): Promise<WasmInstance>;
  Module: {
    exports(module: WasmModule): WasmDescriptor[];
    imports(module: WasmModule): (WasmDescriptor & { module: string })[];
  };
}

/** wasm is the runtime's WebAssembly global, typed. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** setInstantiate replaces WebAssembly.instantiate (in the calling thread) and returns the previous one. */
export function setInstantiate(fn: WasmApi['instantiate']): WasmApi['instantiate'] {
  const prev = wasm.instantiate;
  (wasm as { instantiate: WasmApi['instantiate'] }).instantiate = fn;
  return prev;
}
