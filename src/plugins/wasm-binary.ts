/**
 * wasm-binary: the few edits Capstan makes to a plugin's wasm binary before compiling it.
 * WebAssembly instantiation takes no memory limit, so the host writes one into the module: the memory
 * section's maximum is set to the allowed pages, and `memory.grow` past it fails inside the
 * plugin (Go's runtime then reports "out of memory" and exits).
 */

/** WASM_PAGE_BYTES is the size of one linear-memory page. */
export const WASM_PAGE_BYTES = 65536;

const MEMORY_SECTION = 5;
const IMPORT_SECTION = 2;

/** WasmBinaryError reports a binary Capstan cannot limit; its message starts with `plugin.wasm`. */
export class WasmBinaryError extends Error {
  override name = 'WasmBinaryError';
  constructor(readonly detail: string) {
    super(`plugin.wasm: ${detail}`);
  }
}

function readU32(b: Uint8Array, pos: number): [value: number, next: number] {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= b.length) throw new WasmBinaryError('truncated LEB128 number');
    const byte = b[pos++]!;
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7;
  }
  throw new WasmBinaryError('LEB128 number too long');
}

/** writeU32 encodes n as an unsigned LEB128 number. */
export function writeU32(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** MemoryLimits are a module's own (defined, not imported) memory limits, in pages. */
export interface MemoryLimits {
  min: number;
  max: number | undefined;
}

interface Section {
  id: number;
  start: number; // offset of the id byte
  contentStart: number;
  end: number;
}

function sections(b: Uint8Array): Section[] {
  if (b.length < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
    throw new WasmBinaryError('not a WebAssembly binary (bad magic)');
  }
  if (b[4] !== 1 || b[5] !== 0 || b[6] !== 0 || b[7] !== 0) {
    throw new WasmBinaryError('unsupported WebAssembly version (components are not plugins)');
  }
  const out: Section[] = [];
  let pos = 8;
  while (pos < b.length) {
    const start = pos;
    const id = b[pos++]!;
    const [size, contentStart] = readU32(b, pos);
    const end = contentStart + size;
    if (end > b.length) throw new WasmBinaryError(`section ${id} runs past the end of the file`);
    out.push({ id, start, contentStart, end });
    pos = end;
  }
  return out;
}

function parseMemory(b: Uint8Array, s: Section): MemoryLimits {
  const [count, start] = readU32(b, s.contentStart);
  let pos = start;
  if (count !== 1) throw new WasmBinaryError(`defines ${count} memories; a plugin has exactly one`);
  const flags = b[pos++]!;
  if (flags & ~1)
    throw new WasmBinaryError(`memory flags 0x${flags.toString(16)} (shared or 64-bit memory) are not supported`);
  const [min, next] = readU32(b, pos);
  const max = flags & 1 ? readU32(b, next)[0] : undefined;
  return { min, max };
}

/** memoryLimits returns the module's memory limits, or undefined when it defines no memory. */
export function memoryLimits(wasm: Uint8Array): MemoryLimits | undefined {
  const s = sections(wasm).find((x) => x.id === MEMORY_SECTION);
  return s ? parseMemory(wasm, s) : undefined;
}

/**
 * limitMemory returns a copy of the binary whose memory may grow to at most maxPages. It fails
 * when the module needs more than maxPages at start, imports its memory, or defines none.
 */
export function limitMemory(wasm: Uint8Array, maxPages: number): Uint8Array {
  const all = sections(wasm);
  const imports = all.find((x) => x.id === IMPORT_SECTION);
  if (imports && importsMemory(wasm, imports)) {
    throw new WasmBinaryError('imports its memory; a plugin must define and export its own');
  }
  const s = all.find((x) => x.id === MEMORY_SECTION);
  if (!s) throw new WasmBinaryError('defines no memory');
  const { min, max } = parseMemory(wasm, s);
  if (min > maxPages) {
    throw new WasmBinaryError(
      `needs ${min} pages (${mib(min)}) of memory to start, more than the limit of ${maxPages} pages (${mib(maxPages)})`,
    );
  }
  const newMax = max === undefined ? maxPages : Math.min(max, maxPages);
  const content = [1, 1, ...writeU32(min), ...writeU32(newMax)];
  const header = [MEMORY_SECTION, ...writeU32(content.length)];
  const out = new Uint8Array(s.start + header.length + content.length + (wasm.length - s.end));
  out.set(wasm.subarray(0, s.start), 0);
  out.set(header, s.start);
  out.set(content, s.start + header.length);
  out.set(wasm.subarray(s.end), s.start + header.length + content.length);
  return out;
}

function importsMemory(b: Uint8Array, s: Section): boolean {
  const [count, start] = readU32(b, s.contentStart);
  let pos = start;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < 2; j++) {
      const [len, next] = readU32(b, pos); // module name, then field name
      pos = next + len;
    }
    const kind = b[pos++];
    switch (kind) {
      case 0: // function: type index
        [, pos] = readU32(b, pos);
        break;
      case 1: {
        // table: reftype, limits
        pos++;
        const flags = b[pos++]!;
        [, pos] = readU32(b, pos);
        if (flags & 1) [, pos] = readU32(b, pos);
        break;
      }
      case 2:
        return true;
      case 3: // global: valtype, mutability
        pos += 2;
        break;
      case 4: // tag: attribute, type index
        pos++;
        [, pos] = readU32(b, pos);
        break;
      default:
        throw new WasmBinaryError(`unknown import kind ${kind}`);
    }
  }
  return false;
}

/** mib formats a page count as MiB for messages. */
export function mib(pages: number): string {
  const v = (pages * WASM_PAGE_BYTES) / (1024 * 1024);
  return `${Number.isInteger(v) ? v : v.toFixed(2)} MiB`;
}
