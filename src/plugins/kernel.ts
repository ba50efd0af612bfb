/**
 * kernel: Capstan's Extism kernel, the memory that `extism:host/env` functions work on, written as
 * a small WebAssembly module so that the calls a guest makes most (`input_load_u64`, `store_u64`,
 * `load_u64`, `alloc`, `length`: a Go PDK moves its input and output 8 bytes per call) are
 * wasm-to-wasm calls that V8 makes directly, instead of calls into JavaScript that box every i64
 * as a BigInt (the Extism JS SDK's kernel spends ~20 ms on them for a 500 KB message).
 *
 * The module is emitted here (no toolchain needed) and compiled once per process. Its memory is
 * separate from the guest's: a guest reaches it only through the kernel functions, as in every
 * Extism host. Layout: a bump heap from HEAP_START; each block has a 24-byte header in front of
 * its data, `[length u64][previous block's data offset u64, bit 0 = freed][offset XOR TAG u64]`,
 * and takes at least 8 bytes, 8-aligned. Offsets are the
 * guest-visible i64 handles (0 is "none"). Freeing the last block gives its space back (and any
 * freed blocks under it), which covers the alloc/free pairs PDKs make around logging and config
 * reads; other freed space is reclaimed when the call ends. Allocation past `limit` bytes calls
 * the imported `capstan.oom`, which throws, so a guest cannot make the host hold unbounded memory.
 *
 * The functions that need the host (config, variables, logs, HTTP) are JavaScript, built by
 * `kernelImports` on top of the module's exports.
 */
import type { WasmInstance, WasmModule } from './wasm-api.js';
import { wasm } from './wasm-api.js';
import { writeU32 } from './wasm-binary.js';

/** HEAP_START is the offset of the first block header (offsets below it are never blocks). */
const HEAP_START = 16;
/** A block's header: its length, the previous block (bit 0: freed), and its own offset XOR TAG. */
const HEADER = 24;
const LEN_AT = 24;
const PREV_AT = 16;
const TAG_AT = 8;
/** TAG marks a header as one the kernel wrote, so an offset inside a block is not taken for one. */
const TAG = 0x5ca9_57a4_0000_0000n;

// --- a minimal WebAssembly binary writer -----------------------------------------------------

const I32 = 0x7f;
const I64 = 0x7e;
type ValType = typeof I32 | typeof I64;

const uleb = writeU32;

function sleb(v: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const name = (s: string) => [...uleb(utf8(s).length), ...utf8(s)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

/** Instructions, as byte arrays (only what the kernel uses). */
const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  gget: (i: number) => [0x23, ...uleb(i)],
  gset: (i: number) => [0x24, ...uleb(i)],
  i64: (v: bigint | number) => [0x42, ...sleb(BigInt(v))],
  i32: (v: number) => [0x41, ...sleb(BigInt(v))],
  call: (f: number) => [0x10, ...uleb(f)],
  /** address: i64 on the stack → i32 for a memory access. */
  addr: [0xa7],
  i64Load: (offset = 0) => [0x29, 3, ...uleb(offset)],
  i64Store: (offset = 0) => [0x37, 3, ...uleb(offset)],
  i32Load8u: [0x2d, 0, 0],
  i32Store8: [0x3a, 0, 0],
  add: [0x7c],
  sub: [0x7d],
  and: [0x83],
  or: [0x84],
  shrU: [0x88],
  eqz: [0x50],
  ltU: [0x54],
  gtU: [0x56],
  geU: [0x5a],
  i32Eq: [0x46],
  ifVoid: [0x04, 0x40],
  ifI64: [0x04, I64],
  else: [0x05],
  end: [0x0b],
  ret: [0x0f],
  unreachable: [0x00],
  loop: [0x03, 0x40],
  block: [0x02, 0x40],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  memSize: [0x3f, 0x00],
  memGrow: [0x40, 0x00],
  i64FromI32U: [0xad],
  i32FromI64: [0xa7],
};

interface Func {
  name: string;
  params: ValType[];
  results: ValType[];
  locals?: ValType[];
  body: number[][];
  exported?: boolean;
}

// Globals (all i64, mutable).
const G = {
  top: 0, // end of the heap (where the next header goes)
  last: 1, // data offset of the last block, 0 if none
  inputPtr: 2,
  inputLen: 3,
  outputPtr: 4,
  outputLen: 5,
  errorPtr: 6,
  limit: 7, // bytes the heap may reach
  baseTop: 8, // the heap as it was when the input was set (reset returns to it)
  baseLast: 9,
};
const GLOBALS = 10;

// Imported function indices come first: capstan.oom(requested i64).
const IMPORTS = 1;
const OOM = 0;

/** prev(p): the header word holding the previous block and the freed bit. */
const prevWord = (p: number) => [...op.get(p), ...op.i64(PREV_AT), ...op.sub, ...op.addr, ...op.i64Load()];
/** header(p, at): the address of a header word of the block at local p. */
const headerAt = (p: number, at: number) => [...op.get(p), ...op.i64(at), ...op.sub, ...op.addr];

function kernelFunctions(): Func[] {
  // Index of each function = IMPORTS + position; `call` needs them.
  const fns: Func[] = [
    {
      // alloc(n) → offset of a new block of n bytes.
      name: 'alloc',
      params: [I64],
      results: [I64],
      locals: [I64, I64, I64], // 1 p, 2 end, 3 have
      exported: true,
      body: [
        // p = top + HEADER; end = p + ((n + 8) & ~7): at least 8 bytes, so every block starts below top
        [...op.gget(G.top), ...op.i64(HEADER), ...op.add, ...op.set(1)],
        [...op.get(1), ...op.get(0), ...op.i64(8), ...op.add, ...op.i64(-8), ...op.and, ...op.add, ...op.set(2)],
        // n too large to be real (wraps) or past the limit: refuse.
        [...op.get(0), ...op.gget(G.limit), ...op.gtU, ...op.get(2), ...op.gget(G.limit), ...op.gtU, 0x72 /* i32.or */],
        [...op.ifVoid, ...op.get(0), ...op.call(OOM), ...op.unreachable, ...op.end],
        // grow memory when end is past it
        [...op.memSize, ...op.i64FromI32U, ...op.i64(16), 0x86 /* i64.shl */, ...op.set(3)],
        [...op.get(2), ...op.get(3), ...op.gtU, ...op.ifVoid],
        [
          ...op.get(2),
          ...op.get(3),
          ...op.sub,
          ...op.i64(65535),
          ...op.add,
          ...op.i64(16),
          ...op.shrU,
          ...op.i32FromI64,
        ],
        [
          ...op.memGrow,
          ...op.i32(-1),
          ...op.i32Eq,
          ...op.ifVoid,
          ...op.get(0),
          ...op.call(OOM),
          ...op.unreachable,
          ...op.end,
        ],
        [...op.end],
        // header: length, previous block, tag
        [...headerAt(1, LEN_AT), ...op.get(0), ...op.i64Store()],
        [...headerAt(1, PREV_AT), ...op.gget(G.last), ...op.i64Store()],
        [...headerAt(1, TAG_AT), ...op.get(1), ...op.i64(TAG), 0x85 /* i64.xor */, ...op.i64Store()],
        [...op.get(1), ...op.gset(G.last), ...op.get(2), ...op.gset(G.top), ...op.get(1)],
      ],
    },
    {
      // capstan_valid(p) → i32: p is the data offset of a live block.
      name: 'capstan_valid',
      params: [I64],
      results: [I32],
      exported: true,
      body: [
        [...op.get(0), ...op.i64(HEAP_START + HEADER), ...op.ltU, ...op.get(0), ...op.gget(G.top), ...op.geU, 0x72],
        [...op.get(0), ...op.i64(7), ...op.and, 0x50 /* i64.eqz */, 0x45 /* i32.eqz */, 0x72],
        [...op.ifVoid, ...op.i32(0), ...op.ret, ...op.end],
        [...headerAt(0, TAG_AT), ...op.i64Load(), ...op.get(0), ...op.i64(TAG), 0x85, 0x52 /* i64.ne */],
        [...op.ifVoid, ...op.i32(0), ...op.ret, ...op.end],
        [...prevWord(0), ...op.i64(1), ...op.and, ...op.eqz],
      ],
    },
    {
      // length(p) → the block's length, 0 if p is not a live block.
      name: 'length',
      params: [I64],
      results: [I64],
      exported: true,
      body: [
        [...op.get(0), ...op.call(IMPORTS + 1), 0x45 /* i32.eqz */, ...op.ifVoid, ...op.i64(0), ...op.ret, ...op.end],
        [...headerAt(0, LEN_AT), ...op.i64Load()],
      ],
    },
    {
      name: 'length_unsafe',
      params: [I64],
      results: [I64],
      exported: true,
      body: [[...headerAt(0, LEN_AT), ...op.i64Load()]],
    },
    {
      // free(p): mark freed; give back the space of freed blocks at the end of the heap.
      name: 'free',
      params: [I64],
      results: [],
      exported: true,
      body: [
        [...op.get(0), ...op.call(IMPORTS + 1), 0x45, ...op.ifVoid, ...op.ret, ...op.end],
        [...headerAt(0, PREV_AT), ...prevWord(0), ...op.i64(1), ...op.or, ...op.i64Store()],
        // while last != 0 && last > baseLast && last is freed: top = last - HEADER; last = prev(last) & ~1
        [...op.block, ...op.loop],
        [...op.gget(G.last), ...op.gget(G.baseLast), ...op.gtU, 0x45, ...op.brIf(1)],
        [...op.gget(G.last), ...op.set(0), ...prevWord(0), ...op.i64(1), ...op.and, ...op.eqz, ...op.brIf(1)],
        [...op.get(0), ...op.i64(HEADER), ...op.sub, ...op.gset(G.top)],
        [...prevWord(0), ...op.i64(-2), ...op.and, ...op.gset(G.last), ...op.br(0)],
        [...op.end, ...op.end],
      ],
    },
    {
      name: 'load_u8',
      params: [I64],
      results: [I32],
      exported: true,
      body: [[...op.get(0), ...op.addr, ...op.i32Load8u]],
    },
    {
      name: 'load_u64',
      params: [I64],
      results: [I64],
      exported: true,
      body: [[...op.get(0), ...op.addr, ...op.i64Load()]],
    },
    {
      name: 'store_u8',
      params: [I64, I32],
      results: [],
      exported: true,
      body: [[...op.get(0), ...op.addr, ...op.get(1), ...op.i32Store8]],
    },
    {
      name: 'store_u64',
      params: [I64, I64],
      results: [],
      exported: true,
      body: [[...op.get(0), ...op.addr, ...op.get(1), ...op.i64Store()]],
    },
    { name: 'input_length', params: [], results: [I64], exported: true, body: [op.gget(G.inputLen)] },
    { name: 'input_offset', params: [], results: [I64], exported: true, body: [op.gget(G.inputPtr)] },
    {
      name: 'input_load_u8',
      params: [I64],
      results: [I32],
      exported: true,
      body: [[...op.gget(G.inputPtr), ...op.get(0), ...op.add, ...op.addr, ...op.i32Load8u]],
    },
    {
      name: 'input_load_u64',
      params: [I64],
      results: [I64],
      exported: true,
      body: [[...op.gget(G.inputPtr), ...op.get(0), ...op.add, ...op.addr, ...op.i64Load()]],
    },
    {
      name: 'output_set',
      params: [I64, I64],
      results: [],
      exported: true,
      body: [[...op.get(0), ...op.gset(G.outputPtr), ...op.get(1), ...op.gset(G.outputLen)]],
    },
    { name: 'error_set', params: [I64], results: [], exported: true, body: [[...op.get(0), ...op.gset(G.errorPtr)]] },
    {
      // reset: back to the heap as it was when the input was set; output and error cleared.
      name: 'reset',
      params: [],
      results: [],
      exported: true,
      body: [
        [...op.gget(G.baseTop), ...op.gset(G.top), ...op.gget(G.baseLast), ...op.gset(G.last)],
        [
          ...op.i64(0),
          ...op.gset(G.outputPtr),
          ...op.i64(0),
          ...op.gset(G.outputLen),
          ...op.i64(0),
          ...op.gset(G.errorPtr),
        ],
      ],
    },
    {
      // capstan_begin(input, inputLength, limit): the input block is set; the heap above it is the call's.
      name: 'capstan_begin',
      params: [I64, I64, I64],
      results: [],
      exported: true,
      body: [
        [...op.get(0), ...op.gset(G.inputPtr), ...op.get(1), ...op.gset(G.inputLen), ...op.get(2), ...op.gset(G.limit)],
        [...op.gget(G.top), ...op.gset(G.baseTop), ...op.gget(G.last), ...op.gset(G.baseLast)],
      ],
    },
    {
      // capstan_limit(bytes): how far the heap may grow (set before the input is stored).
      name: 'capstan_limit',
      params: [I64],
      results: [],
      exported: true,
      body: [[...op.get(0), ...op.gset(G.limit)]],
    },
    { name: 'capstan_output', params: [], results: [I64], exported: true, body: [op.gget(G.outputPtr)] },
    { name: 'capstan_output_length', params: [], results: [I64], exported: true, body: [op.gget(G.outputLen)] },
    { name: 'capstan_error', params: [], results: [I64], exported: true, body: [op.gget(G.errorPtr)] },
    { name: 'capstan_heap', params: [], results: [I64], exported: true, body: [op.gget(G.top)] },
  ];
  return fns;
}

/** kernelBinary writes the kernel module. */
export function kernelBinary(): Uint8Array {
  const fns = kernelFunctions();
  const types: string[] = [];
  const typeOf = (params: ValType[], results: ValType[]) => {
    const key = `${params.join(',')}>${results.join(',')}`;
    let i = types.indexOf(key);
    if (i < 0) i = types.push(key) - 1;
    return i;
  };
  const oomType = typeOf([I64], []);
  const fnTypes = fns.map((f) => typeOf(f.params, f.results));
  const typeSection = vec(
    types.map((t) => {
      const [p, r] = t.split('>').map((s) => (s ? s.split(',').map(Number) : []));
      return [0x60, ...vec(p!.map((x) => [x])), ...vec(r!.map((x) => [x]))];
    }),
  );
  const importSection = vec([[...name('capstan'), ...name('oom'), 0x00, ...uleb(oomType)]]);
  const funcSection = vec(fnTypes.map((t) => uleb(t)));
  const memorySection = vec([[0x00, ...uleb(1)]]); // min 1 page, no max (the heap limit bounds it)
  const globalSection = vec(
    Array.from({ length: GLOBALS }, (_, i) => [
      I64,
      0x01,
      ...op.i64(i === G.top || i === G.baseTop ? HEAP_START : 0),
      ...op.end,
    ]),
  );
  const exportSection = vec([
    [...name('memory'), 0x02, 0x00],
    ...fns.flatMap((f, i) => (f.exported ? [[...name(f.name), 0x00, ...uleb(IMPORTS + i)]] : [])),
  ]);
  const codeSection = vec(
    fns.map((f) => {
      const locals = f.locals ?? [];
      const body = [...vec(locals.map((t) => [0x01, t])), ...f.body.flat(), ...op.end];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, typeSection),
    ...section(2, importSection),
    ...section(3, funcSection),
    ...section(5, memorySection),
    ...section(6, globalSection),
    ...section(7, exportSection),
    ...section(10, codeSection),
  ]);
}

let compiled: Promise<WasmModule> | undefined;

/** kernelModule compiles the kernel once per process. */
export function kernelModule(): Promise<WasmModule> {
  return (compiled ??= wasm.compile(kernelBinary()));
}

/** KernelExports are the kernel instance's functions (i64 values are BigInts on the JS side). */
export interface KernelExports {
  memory: { buffer: ArrayBuffer };
  alloc(n: bigint): bigint;
  free(p: bigint): void;
  length(p: bigint): bigint;
  capstan_begin(input: bigint, length: bigint, limit: bigint): void;
  capstan_limit(bytes: bigint): void;
  capstan_output(): bigint;
  capstan_output_length(): bigint;
  capstan_error(): bigint;
  capstan_heap(): bigint;
  capstan_valid(p: bigint): number;
  [fn: string]: unknown;
}

/** MEMORY_FUNCTIONS are the kernel functions this module implements (a guest imports them from `extism:host/env`). */
export const MEMORY_FUNCTIONS = [
  'alloc',
  'free',
  'length',
  'length_unsafe',
  'load_u8',
  'load_u64',
  'store_u8',
  'store_u64',
  'input_length',
  'input_offset',
  'input_load_u8',
  'input_load_u64',
  'output_set',
  'error_set',
  'reset',
] as const;

/** HOST_FUNCTIONS are the kernel functions the host implements in JavaScript (worker.ts). */
export const HOST_FUNCTIONS = [
  'config_get',
  'var_get',
  'var_set',
  'http_request',
  'http_status_code',
  'http_headers',
  'log_info',
  'log_debug',
  'log_warn',
  'log_error',
  'log_trace',
  'get_log_level',
] as const;

/** HostFunction names one of HOST_FUNCTIONS. */
export type HostFunction = (typeof HOST_FUNCTIONS)[number];

/** EXTISM_KERNEL_FUNCTIONS are the `extism:host/env` imports a plugin may use. */
export const EXTISM_KERNEL_FUNCTIONS: ReadonlySet<string> = new Set([...MEMORY_FUNCTIONS, ...HOST_FUNCTIONS]);

/**
 * Kernel is one kernel instance: one plugin instance's Extism memory. The host stores the input
 * before the call and reads the output (or error) after it; host functions read and write blocks.
 */
export class Kernel {
  private constructor(readonly exports: KernelExports) {}

  /** create instantiates a kernel; `oom` is called (and must throw) when an allocation passes the limit. */
  static async create(oom: (requested: bigint) => never): Promise<Kernel> {
    const instance: WasmInstance = await wasm.instantiate(await kernelModule(), { capstan: { oom } });
    const k = new Kernel(instance.exports as unknown as KernelExports);
    k.exports.capstan_limit(1n << 32n); // wasm32: the memory cannot pass 4 GiB anyway
    return k;
  }

  /** begin stores the call's input; the guest may then allocate up to `budgetBytes` more. */
  begin(input: Uint8Array, budgetBytes: number): void {
    this.beginWith(input.length, budgetBytes, (into) => into.set(input));
  }

  /**
   * beginWith stores an input of `length` bytes that `fill` writes straight into kernel memory
   * (e.g. read from a file), then starts the call as begin does.
   */
  beginWith(length: number, budgetBytes: number, fill: (into: Uint8Array) => void): void {
    const p = this.exports.alloc(BigInt(length));
    fill(new Uint8Array(this.exports.memory.buffer, Number(p), length));
    this.exports.capstan_begin(p, BigInt(length), this.exports.capstan_heap() + BigInt(budgetBytes));
  }

  /** store allocates a block holding bytes and returns its offset. */
  store(bytes: Uint8Array): bigint {
    const p = this.exports.alloc(BigInt(bytes.length));
    new Uint8Array(this.exports.memory.buffer, Number(p), bytes.length).set(bytes);
    return p;
  }

  /** read copies a live block's bytes; null when p is not one. */
  read(p: bigint): Uint8Array | null {
    if (p === 0n) return null;
    if (!this.exports.capstan_valid(p)) return null;
    return new Uint8Array(this.exports.memory.buffer, Number(p), Number(this.exports.length(p))).slice();
  }

  /** output is what the guest set with output_set, decoded as UTF-8, or null. */
  output(): string | null {
    const v = this.outputView();
    return v === null ? null : Buffer.from(v.buffer, v.byteOffset, v.length).toString('utf8');
  }

  /** outputView is the output's bytes in kernel memory (valid until the kernel is used again), or null. */
  outputView(): Uint8Array | null {
    const p = this.exports.capstan_output();
    if (p === 0n) return null;
    const n = Number(this.exports.capstan_output_length());
    const buf = this.exports.memory.buffer;
    if (Number(p) + n > buf.byteLength || n < 0) throw new RangeError('output range is outside the kernel memory');
    return new Uint8Array(buf, Number(p), n);
  }

  /** error is what the guest set with error_set, or null. */
  error(): string | null {
    const p = this.exports.capstan_error();
    if (p === 0n) return null;
    const bytes = this.read(p);
    return bytes === null ? null : new TextDecoder().decode(bytes);
  }

  /** heapBytes is how far the heap reaches (for tests and accounting). */
  heapBytes(): number {
    return Number(this.exports.capstan_heap());
  }
}
