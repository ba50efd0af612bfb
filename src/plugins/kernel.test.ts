import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MEMORY_FUNCTIONS, Kernel, kernelBinary } from './kernel.js';
import { wasm } from './wasm-api.js';

class Oom {
  constructor(readonly requested: bigint) {}
}
const oom = (requested: bigint): never => {
  throw new Oom(requested);
};
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

/** fns gives the guest-facing functions, typed loosely (as a guest sees them). */
function fns(k: Kernel): Record<string, (...a: bigint[]) => any> {
  return k.exports as unknown as Record<string, (...a: bigint[]) => any>;
}

test('the kernel module is valid WebAssembly and exports every guest function', async () => {
  const bin = kernelBinary();
  const mod = await wasm.compile(bin);
  const exported = new Set(wasm.Module.exports(mod).map((e) => e.name));
  for (const name of MEMORY_FUNCTIONS) assert.ok(exported.has(name), `exports ${name}`);
  assert.deepEqual(
    wasm.Module.imports(mod).map((i) => `${i.module}.${i.name}`),
    ['capstan.oom'],
  );
});

test('input is readable 8 bytes and 1 byte at a time, at offsets from its start', async () => {
  const k = await Kernel.create(oom);
  k.begin(bytes('hello, kernel!'), 1024);
  const f = fns(k);
  assert.equal(f.input_length!(), 14n);
  assert.equal(f.input_load_u64!(0n), 0x6b202c6f6c6c6568n); // "hello, k" little-endian
  assert.equal(f.input_load_u8!(13n), '!'.charCodeAt(0));
  assert.equal(f.length!(f.input_offset!()), 14n);
  assert.equal(text(k.read(f.input_offset!())), 'hello, kernel!');
});

test('blocks are 8-aligned, keep their length, and read back what was stored', async () => {
  const k = await Kernel.create(oom);
  k.begin(new Uint8Array(), 1 << 20);
  const f = fns(k);
  const blocks: bigint[] = [];
  for (let n = 0; n < 40; n++) {
    const p = f.alloc!(BigInt(n));
    assert.equal(p % 8n, 0n);
    assert.equal(f.length!(p), BigInt(n));
    for (let i = 0; i < n; i++) (f.store_u8 as unknown as (p: bigint, v: number) => void)(p + BigInt(i), n + i);
    blocks.push(p);
  }
  for (const [n, p] of blocks.entries()) {
    const got = k.read(p)!;
    assert.equal(got.length, n);
    assert.deepEqual(
      [...got],
      Array.from({ length: n }, (_, i) => (n + i) & 0xff),
    );
  }
  const p = f.alloc!(16n);
  f.store_u64!(p, 0x0102030405060708n);
  f.store_u64!(p + 8n, -1n);
  assert.equal(f.load_u64!(p), 0x0102030405060708n);
  assert.equal(f.load_u8!(p), 8);
  assert.equal(f.load_u64!(p + 8n), -1n);
  // Blocks do not overlap: the first ones are intact.
  assert.deepEqual([...k.read(blocks[5]!)!], [5, 6, 7, 8, 9]);
});

test('length is 0 and read is null for offsets that are not live blocks', async () => {
  const k = await Kernel.create(oom);
  k.begin(new Uint8Array(), 1024);
  const f = fns(k);
  const p = f.alloc!(24n);
  for (const bad of [0n, 1n, 8n, p + 8n, p + 3n, 1n << 40n]) {
    assert.equal(f.length!(bad), 0n, `length(${bad})`);
    assert.equal(k.read(bad), null, `read(${bad})`);
  }
  f.free!(p);
  assert.equal(f.length!(p), 0n);
  assert.equal(k.read(p), null);
});

test('freeing the last blocks gives their space back; a freed block below a live one waits', async () => {
  const k = await Kernel.create(oom);
  k.begin(bytes('input'), 1 << 20);
  const f = fns(k);
  const base = k.heapBytes();
  const a = f.alloc!(100n);
  const afterA = k.heapBytes();
  const b = f.alloc!(100n);
  const c = f.alloc!(100n);
  const top = k.heapBytes();
  f.free!(b); // under c: its space waits
  assert.equal(k.heapBytes(), top);
  assert.equal(f.length!(c), 100n);
  f.free!(c); // c and the freed b under it go
  assert.equal(k.heapBytes(), afterA);
  assert.equal(f.length!(a), 100n);
  f.free!(a);
  assert.equal(k.heapBytes(), base);
  // The input is never given back by frees, and freeing twice changes nothing.
  f.free!(f.input_offset!());
  f.free!(a);
  assert.equal(k.heapBytes(), base);
  assert.equal(f.input_length!(), 5n);
  assert.equal(f.input_load_u8!(0n), 'i'.charCodeAt(0));
});

test('allocations past the budget call oom and change nothing', async () => {
  const k = await Kernel.create(oom);
  k.begin(bytes('in'), 4096);
  const f = fns(k);
  f.alloc!(2000n);
  const heap = k.heapBytes();
  assert.throws(
    () => f.alloc!(4000n),
    (e: unknown) => e instanceof Oom && e.requested === 4000n,
  );
  assert.throws(() => f.alloc!(-1n), Oom); // 2^64 - 1 bytes
  assert.equal(k.heapBytes(), heap);
  // Within the budget still works, and memory grows past its first page when needed.
  const k2 = await Kernel.create(oom);
  k2.begin(new Uint8Array(), 1 << 20);
  const big = fns(k2).alloc!(300_000n);
  fns(k2).store_u64!(big + 299_992n, 7n);
  assert.equal(fns(k2).load_u64!(big + 299_992n), 7n);
});

test('output, error and reset', async () => {
  const k = await Kernel.create(oom);
  k.begin(bytes('abc'), 1024);
  const f = fns(k);
  assert.equal(k.output(), null);
  assert.equal(k.error(), null);
  const p = k.store(bytes('the output'));
  f.output_set!(p, 3n);
  assert.equal(k.output(), 'the');
  const e = k.store(bytes('boom'));
  f.error_set!(e);
  assert.equal(k.error(), 'boom');
  f.reset!();
  assert.equal(k.output(), null);
  assert.equal(k.error(), null);
  assert.equal(f.length!(p), 0n); // reset gave the call's blocks back
  assert.equal(text(k.read(f.input_offset!())), 'abc'); // but not the input
});

test('random allocations, writes and frees keep every live block intact', async () => {
  // A seeded generator, so a failure can be replayed.
  let seed = 0x2545f491;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const k = await Kernel.create(oom);
  k.begin(bytes('the input stays'), 64 << 20);
  const f = fns(k);
  const live = new Map<bigint, Uint8Array>();
  let freed: bigint[] = [];
  for (let op = 0; op < 3000; op++) {
    const r = rand(10);
    if (r < 5 || live.size === 0) {
      const data = Uint8Array.from({ length: rand(300) }, () => rand(256));
      const p = k.store(data);
      assert.ok(!live.has(p), `offset ${p} handed out twice`);
      live.set(p, data);
      freed = freed.filter((q) => q !== p);
    } else if (r < 8) {
      const keys = [...live.keys()];
      const p = keys[rand(keys.length)]!;
      f.free!(p);
      live.delete(p);
      freed.push(p);
    } else {
      // Overwrite a live block 8 bytes at a time where it has room, as a Go PDK does.
      const keys = [...live.keys()];
      const p = keys[rand(keys.length)]!;
      const data = live.get(p)!;
      for (let i = 0; i + 8 <= data.length; i += 8) {
        const v = BigInt(rand(1 << 30)) * 7919n;
        f.store_u64!(p + BigInt(i), v);
        new DataView(data.buffer, data.byteOffset).setBigUint64(i, v, true);
      }
    }
  }
  for (const [p, data] of live) {
    assert.equal(f.length!(p), BigInt(data.length));
    assert.deepEqual(k.read(p), data);
  }
  for (const p of freed) if (!live.has(p)) assert.equal(f.length!(p), 0n, `freed ${p} reads as no block`);
  assert.equal(text(k.read(f.input_offset!())), 'the input stays');
});
