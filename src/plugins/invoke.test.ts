import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginRunError } from './errors.js';
import { WasmHost } from './host.js';
import { invokePlugin } from './invoke.js';
import { loadPlugin, type Plugin } from './loader.js';
import { fixtureWasm, type FixtureOptions } from './wasm-fixture.js';

const host = new WasmHost({ maxWorkers: 2 });
const dirs: string[] = [];
after(async () => {
  await host.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function fixture(opts: FixtureOptions, runtimeConfig = ''): Promise<Plugin> {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-invoke-test-'));
  dirs.push(dir);
  await writeFile(
    join(dir, 'plugin.yaml'),
    `apiVersion: v1\nname: fixture\nversion: 0.1.0\ntype: postrenderer/v1\nruntime: extism/v1\n${runtimeConfig}`,
  );
  await writeFile(join(dir, 'plugin.wasm'), fixtureWasm(opts));
  return loadPlugin(dir, { source: 'oci://example.com/fixture@sha256:0123' });
}

test('invokePlugin outcomes', async (t) => {
  const cases: {
    name: string;
    opts: FixtureOptions;
    runtimeConfig?: string;
    call?: Parameters<typeof invokePlugin>[2];
    reason: string;
    message: RegExp;
    exitCode?: number;
  }[] = [
    {
      name: 'non-zero status names the plugin and the status',
      opts: { body: { returns: 5 } },
      reason: 'exit',
      exitCode: 5,
      message: /^plugin oci:\/\/example\.com\/fixture@sha256:0123 \(fixture 0\.1\.0\): plugin returned status 5$/,
    },
    {
      name: 'status 0 without an output message',
      opts: { body: { returns: 0 } },
      reason: 'output',
      message: /\(fixture 0\.1\.0\): plugin returned status 0 but no output message$/,
    },
    {
      name: 'a loop is stopped at the caller time limit',
      opts: { body: { loop: true } },
      call: { timeoutMs: 300, step: 'post-renderer' },
      reason: 'timeout',
      message:
        /^post-renderer oci:\/\/example\.com\/fixture@sha256:0123 \(fixture 0\.1\.0\): plugin exceeded its 300ms time limit and was stopped$/,
    },
    {
      name: 'a loop is stopped at the plugin.yaml time limit',
      opts: { body: { loop: true } },
      runtimeConfig: 'runtimeConfig:\n  timeout: 1000\n',
      reason: 'timeout',
      message: /exceeded its 1s time limit/,
    },
    {
      name: 'caller memory cap below the module minimum',
      opts: { minPages: 16 },
      call: { memoryPages: 8 },
      reason: 'memory',
      message: /needs 16 pages \(1 MiB\) of memory to start, more than the limit of 8 pages \(0\.50 MiB\)/,
    },
    {
      name: 'network cannot be granted on this SDK',
      opts: {},
      call: { allowedHosts: ['example.com'] },
      reason: 'invalid',
      message: /allowedHosts: network access cannot be granted/,
    },
    {
      name: 'bad timeout option',
      opts: {},
      call: { timeoutMs: 0 },
      reason: 'invalid',
      message: /timeoutMs must be a positive integer/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const plugin = await fixture(c.opts, c.runtimeConfig);
      await assert.rejects(invokePlugin(plugin, { manifests: '' }, { host, ...c.call }), (e: Error) => {
        assert.ok(e instanceof PluginRunError, e.message);
        assert.equal(e.reason, c.reason);
        assert.match(e.message, c.message);
        if (c.exitCode !== undefined) assert.equal(e.exitCode, c.exitCode);
        return true;
      });
    });
  }
});

test('while one plugin loops, other calls complete and the host recovers', async () => {
  const looping = await fixture({ body: { loop: true } });
  const quick = await fixture({ body: { returns: 9 } });
  const started = performance.now();
  const loop = invokePlugin(looping, {}, { host, timeoutMs: 1500 }).catch((e: PluginRunError) => e);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    await assert.rejects(invokePlugin(quick, {}, { host }), (e: PluginRunError) => e.exitCode === 9);
    times.push(performance.now() - started);
  }
  const err = await loop;
  assert.ok(err instanceof PluginRunError && err.reason === 'timeout');
  const loopDone = performance.now() - started;
  assert.ok(
    times.every((x) => x < loopDone),
    `quick calls finished at ${times.map((x) => x.toFixed(0))} ms, loop at ${loopDone.toFixed(0)} ms`,
  );
  // The terminated worker is replaced: the next call still runs.
  await assert.rejects(invokePlugin(quick, {}, { host }), (e: PluginRunError) => e.exitCode === 9);
  assert.ok(host.size.workers <= 2);
});
