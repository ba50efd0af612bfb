/**
 * wasm-fixture: hand-assembled WebAssembly modules for unit tests of the loader and the host,
 * so they need no toolchain. The Go-built plugins in test/plugins cover real guests.
 */

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...u32(b.length), ...b];
}

function section(id: number, content: number[]): number[] {
  return [id, ...u32(content.length), ...content];
}

/**
 * FixtureBody picks the entry function's behaviour: return a status, loop forever, or call the
 * kernel's `output_set(offset, length)` with the given (possibly bogus) range and return 0.
 */
export type FixtureBody = { returns: number } | { loop: true } | { outputSet: { offset: number; length: number } };

/** FixtureOptions shape a test module. */
export interface FixtureOptions {
  entry?: string;
  body?: FixtureBody;
  minPages?: number;
  maxPages?: number;
  /** importEnv adds an import `env.<name>` (a host function Capstan does not provide). */
  importEnv?: string;
  /** exportMemory defaults to true. */
  exportMemory?: boolean;
}

/** fixtureWasm assembles a module exporting memory and an entry function `() -> i32`. */
export function fixtureWasm(opts: FixtureOptions = {}): Uint8Array {
  const body = opts.body ?? { returns: 0 };
  // type 0: () -> i32 (the entry and an env import); type 1: (i64, i64) -> () (output_set)
  const types = section(1, [2, 0x60, 0, 1, 0x7f, 0x60, 2, 0x7e, 0x7e, 0]);
  const importList: number[][] = [];
  if (opts.importEnv) importList.push([...str('env'), ...str(opts.importEnv), 0, 0]);
  if ('outputSet' in body) importList.push([...str('extism:host/env'), ...str('output_set'), 0, 1]);
  const imports = importList.length > 0 ? section(2, [importList.length, ...importList.flat()]) : [];
  const funcIndex = importList.length;
  const funcs = section(3, [1, 0]);
  const limits =
    opts.maxPages === undefined
      ? [0, ...u32(opts.minPages ?? 1)]
      : [1, ...u32(opts.minPages ?? 1), ...u32(opts.maxPages)];
  const memory = section(5, [1, ...limits]);
  const exportEntries = [[...str(opts.entry ?? 'helm_plugin_main'), 0, ...u32(funcIndex)]];
  if (opts.exportMemory !== false) exportEntries.push([...str('memory'), 2, 0]);
  const exports = section(7, [exportEntries.length, ...exportEntries.flat()]);
  // i32.const n (signed LEB128 for small n) | loop br 0 end, then a value for the validator.
  const code =
    'loop' in body
      ? [0x03, 0x40, 0x0c, 0x00, 0x0b, 0x41, 0x00, 0x0b]
      : 'outputSet' in body
        ? // i64.const offset, i64.const length, call output_set, i32.const 0
          [
            0x42,
            ...sleb(body.outputSet.offset),
            0x42,
            ...sleb(body.outputSet.length),
            0x10,
            funcIndex - 1,
            0x41,
            0,
            0x0b,
          ]
        : [0x41, ...sleb(body.returns), 0x0b];
  const fn = [0, ...code]; // no locals
  const codeSec = section(10, [1, ...u32(fn.length), ...fn]);
  return new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...types,
    ...imports,
    ...funcs,
    ...memory,
    ...exports,
    ...codeSec,
  ]);
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
