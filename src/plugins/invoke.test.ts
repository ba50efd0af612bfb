import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginRunError } from './errors.js';
import { WasmHost, type CallRequest } from './host.js';
import { MAX_HTTP_RESPONSE_BYTES } from './http.js';
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
      name: 'output_set naming bytes outside the kernel memory',
      opts: { body: { outputSet: { offset: 64, length: 50_000_000 } } },
      reason: 'output',
      message: /\(fixture 0\.1\.0\): output_set named bytes the plugin does not have: /,
    },
    {
      // The kernel's first block is the input, at offset 40: its first 5 bytes are `{"man`.
      name: 'an output that is not JSON',
      opts: { body: { outputSet: { offset: 40, length: 5 } } },
      reason: 'output',
      message: /\(fixture 0\.1\.0\): output message is not JSON: /,
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
      name: 'a network grant does not change a call that makes no request',
      opts: { body: { returns: 5 } },
      call: { allowedHosts: ['example.com', '*.example.org'] },
      reason: 'exit',
      exitCode: 5,
      message: /plugin returned status 5$/,
    },
    {
      name: 'allowedHosts entries are hostnames or globs, not URLs',
      opts: {},
      call: { allowedHosts: ['example.com', 'https://example.com/'] },
      reason: 'invalid',
      message:
        /allowedHosts\[1\] "https:\/\/example\.com\/": must be a hostname or a glob such as \*\.example\.com, not a URL$/,
    },
    {
      name: 'allowedHosts entries carry no port',
      opts: {},
      call: { allowedHosts: ['example.com:443'] },
      reason: 'invalid',
      message: /allowedHosts\[0\] "example\.com:443": must be a hostname without a port/,
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

test("the worker job carries only the caller's network grant, normalized, with the response cap", async () => {
  const plugin = await fixture(
    {},
    'runtimeConfig:\n  allowedHosts: [Plugin.Example.com]\n  memory: {maxPages: 64, maxHttpResponseBytes: 0}\n',
  );
  const jobs: CallRequest[] = [];
  const fake = {
    call: async (req: CallRequest) => {
      jobs.push(req);
      return { verdict: 'timeout', elapsedMs: 1 } as const;
    },
  } as unknown as WasmHost;
  for (const allowedHosts of [undefined, [' Charts.Example.COM', '*.internal']]) {
    await assert.rejects(invokePlugin(plugin, {}, { host: fake, allowedHosts, memoryPages: 16 }), /time limit/);
  }
  // No grant: nothing, even though plugin.yaml asks for a host; it is kept for messages only.
  assert.deepEqual(jobs[0]!.network, {
    allowedHosts: [],
    requestedHosts: ['plugin.example.com'],
    maxResponseBytes: 16 * 65536, // the memory budget is below MAX_HTTP_RESPONSE_BYTES
  });
  assert.deepEqual(jobs[1]!.network?.allowedHosts, ['charts.example.com', '*.internal']);

  const capped = await fixture({}, 'runtimeConfig:\n  memory: {maxHttpResponseBytes: 1000}\n');
  await assert.rejects(invokePlugin(capped, {}, { host: fake, allowedHosts: ['a'] }), /time limit/);
  assert.equal(jobs[2]!.network?.maxResponseBytes, 1000);
  const big = await fixture({});
  await assert.rejects(invokePlugin(big, {}, { host: fake, allowedHosts: ['a'] }), /time limit/);
  assert.equal(jobs[3]!.network?.maxResponseBytes, MAX_HTTP_RESPONSE_BYTES);
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
