import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limitMemory, memoryLimits, mib, WasmBinaryError } from './wasm-binary.js';
import { fixtureWasm } from './wasm-fixture.js';
import { wasm } from './wasm-api.js';

test('memoryLimits and limitMemory', async (t) => {
  const cases: {
    name: string;
    module: Uint8Array;
    cap: number;
    want?: { min: number; max: number };
    error?: RegExp;
  }[] = [
    { name: 'no maximum gets the cap', module: fixtureWasm({ minPages: 2 }), cap: 10, want: { min: 2, max: 10 } },
    {
      name: 'a lower own maximum is kept',
      module: fixtureWasm({ minPages: 2, maxPages: 5 }),
      cap: 10,
      want: { min: 2, max: 5 },
    },
    {
      name: 'a higher own maximum is lowered',
      module: fixtureWasm({ minPages: 2, maxPages: 500 }),
      cap: 10,
      want: { min: 2, max: 10 },
    },
    {
      name: 'multi-byte LEB128 sizes',
      module: fixtureWasm({ minPages: 300 }),
      cap: 65536,
      want: { min: 300, max: 65536 },
    },
    {
      name: 'start above the cap is refused',
      module: fixtureWasm({ minPages: 20 }),
      cap: 10,
      error: /needs 20 pages \(1\.25 MiB\).*limit of 10 pages/,
    },
    { name: 'not wasm', module: new TextEncoder().encode('#!/bin/sh\necho hi'), cap: 10, error: /bad magic/ },
    {
      name: 'truncated section',
      module: fixtureWasm().slice(0, 16), // inside the type section
      cap: 10,
      error: /truncated LEB128|runs past the end/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      if (c.error) {
        assert.throws(
          () => limitMemory(c.module, c.cap),
          (e: Error) => e instanceof WasmBinaryError && c.error!.test(e.message),
        );
        return;
      }
      const out = limitMemory(c.module, c.cap);
      assert.deepEqual(memoryLimits(out), c.want);
      // The rewritten module still compiles and keeps its exports.
      const mod = await wasm.compile(out);
      assert.deepEqual(
        wasm.Module.exports(mod)
          .map((e) => e.name)
          .sort(),
        ['helm_plugin_main', 'memory'],
      );
    });
  }
});

test('mib formats pages', () => {
  assert.equal(mib(16), '1 MiB');
  assert.equal(mib(4096), '256 MiB');
  assert.equal(mib(20), '1.25 MiB');
});
