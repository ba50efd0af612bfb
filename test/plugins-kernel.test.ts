/**
 * plugins-kernel: Capstan's Extism kernel (src/plugins/kernel.ts, run by the plugin workers)
 * against the reference, the Extism JS SDK's kernel, on the same Go test plugins: the same output
 * bytes, the same logs, the same errors. kernel-probe reaches every kernel function a Go PDK uses
 * (input, output, error, config, variables, logs, host memory blocks); the post-renderers run on
 * the shared corpus's rendered manifests (~270 KB, so input and output cross many blocks' worth
 * of 8-byte loads and stores).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import createPlugin, { type CallContext } from '@extism/extism';
import { invokePlugin, loadPlugin, PluginRunError, WasmHost, type Plugin } from '../src/plugins/index.js';
import { testPluginDir } from './plugins/build.js';

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'charts');
const host = new WasmHost({ maxWorkers: 2 });
const NAMES = ['kernel-probe', 'add-label', 'sidecar', 'noop', 'echo', 'retarget'];
const plugins: Record<string, Plugin> = {};
let manifests = '';

before(async () => {
  for (const name of NAMES) plugins[name] = await loadPlugin(testPluginDir(name));
  const parts: string[] = [];
  for (const dir of (await readdir(corpus, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const f of (await readdir(join(corpus, dir.name))).filter((f) => /^golden-.*\.yaml$/.test(f)).sort())
      parts.push(await readFile(join(corpus, dir.name, f), 'utf8'));
  }
  manifests = parts.join('');
});
after(() => host.close());

interface Outcome {
  output: string | null;
  error: string | null;
  logs: string[];
}

/** sdkCall runs a plugin on the Extism JS SDK (foreground, WASI, no filesystem). */
async function sdkCall(plugin: Plugin, input: string, config: Record<string, string>): Promise<Outcome> {
  const bytes = await readFile(join(testPluginDir(plugin.metadata.name), 'plugin.wasm'));
  const logs: string[] = [];
  const log = (level: string) => (msg: unknown) => logs.push(`${level}: ${String(msg)}`);
  const logger = {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  const sdk = await createPlugin(
    { wasm: [{ data: bytes }] },
    {
      useWasi: true,
      config,
      logger: logger as unknown as Console,
      enableWasiOutput: false,
      // SDK 1.0.3 lacks these kernel functions, which Go PDK 1.1 imports.
      functions: {
        'extism:host/env': {
          get_log_level: () => 0,
          log_trace: (cc: CallContext, addr: bigint) => logger.trace(cc.read(addr)?.string()),
          http_headers: () => 0n,
        },
      },
    },
  );
  try {
    const out = await sdk.call(plugin.metadata.runtimeConfig.entryFuncName, input);
    return { output: out ? out.text() : null, error: null, logs };
  } catch (err) {
    return { output: null, error: (err as Error).message.replace(/^Plugin-originated error: /, ''), logs };
  } finally {
    await sdk.close();
  }
}

/** capstanCall runs the same call on Capstan's host (worker process, Capstan's kernel). */
async function capstanCall(plugin: Plugin, input: string, config: Record<string, string>): Promise<Outcome> {
  try {
    const message = JSON.parse(input) as Record<string, unknown>;
    const r = await invokePlugin(plugin, message, { host, config });
    return { output: JSON.stringify(r.output), error: null, logs: r.logs };
  } catch (err) {
    if (!(err instanceof PluginRunError)) throw err;
    return { output: null, error: err.message, logs: err.logs ?? [] };
  }
}

test('kernel-probe reports the same on both kernels', async () => {
  const config = { ...plugins['kernel-probe']!.metadata.runtimeConfig.config, override: 'from the caller' };
  const input = JSON.stringify({ manifests, extraArgs: ['a', 'b'] });
  const sdk = await sdkCall(plugins['kernel-probe']!, input, config);
  const ours = await capstanCall(plugins['kernel-probe']!, input, config);
  assert.equal(sdk.error, null);
  const report = JSON.parse(sdk.output!);
  // What the probe saw is right, not only the same: config values and absences, variables
  // replaced and removed, 200 live blocks read back intact.
  assert.deepEqual(report.config, { greeting: 'hi', override: 'from the caller' });
  assert.deepEqual(report.configMissing, ['absent']);
  assert.deepEqual(report.vars, { a: 'uno' });
  assert.equal(report.varInt, 42);
  assert.equal(report.blocks, 200);
  assert.equal(report.lengthsOK, true);
  assert.equal(report.inputLength, Buffer.byteLength(input));
  assert.ok(report.inputLength > 200_000, `input is ${report.inputLength} bytes`);
  assert.deepEqual(JSON.parse(ours.output!), report);
  assert.deepEqual(ours.logs, sdk.logs);
  // go-pdk 1.1.3 imports log_error for its trace level (env.go), so a trace line arrives as an error.
  assert.deepEqual(ours.logs, ['error: trace line', 'debug: debug line', 'info: info line', 'warn: warn line']);
});

test('an error set by the guest reads the same on both kernels, with the exit status', async () => {
  const input = JSON.stringify({ manifests: 'kernel-probe:fail', extraArgs: [] });
  const sdk = await sdkCall(plugins['kernel-probe']!, input, {});
  assert.equal(sdk.error, 'probe failed on request');
  try {
    await invokePlugin(plugins['kernel-probe']!, JSON.parse(input), { host });
    assert.fail('the call should fail');
  } catch (err) {
    assert.ok(err instanceof PluginRunError, String(err));
    assert.equal(err.reason, 'exit');
    assert.equal(err.exitCode, 3);
    assert.match(err.message, /plugin returned status 3: probe failed on request$/);
    assert.deepEqual(err.logs, sdk.logs);
  }
});

for (const name of NAMES.filter((n) => n !== 'kernel-probe')) {
  test(`${name}: the same output on both kernels for the corpus manifests`, async () => {
    const input = JSON.stringify({ manifests, extraArgs: [] });
    const config = plugins[name]!.metadata.runtimeConfig.config;
    const sdk = await sdkCall(plugins[name]!, input, config);
    const ours = await capstanCall(plugins[name]!, input, config);
    assert.equal(sdk.error, null);
    assert.equal(ours.error, null);
    // Compare the messages as values: invokePlugin hands back the parsed output.
    assert.deepEqual(JSON.parse(ours.output!), JSON.parse(sdk.output!));
    assert.deepEqual(ours.logs, sdk.logs);
    if (name === 'echo') assert.equal(JSON.parse(ours.output!).manifests, manifests);
    else assert.notEqual(JSON.parse(ours.output!).manifests, '');
  });
}
