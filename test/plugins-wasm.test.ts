/**
 * End-to-end tests of WebAssembly post-renderers: the Go test plugins in test/plugins, built to
 * wasip1 with the Extism Go PDK, run through loadPlugin and postRender on the real host.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { create } from 'tar';
import {
  invokePlugin,
  loadPlugin,
  parseManifests,
  PluginRunError,
  postRender,
  PostRenderError,
  runPostRenderer,
  WasmHost,
  type Plugin,
} from '../src/plugins/index.js';
import { testPluginDir } from './plugins/build.js';

const exec = promisify(execFile);
const host = new WasmHost({ maxWorkers: 2 });
const plugins: Record<string, Plugin> = {};
const temps: string[] = [];
const NAMES = ['add-label', 'sidecar', 'loop', 'oom', 'oom-host', 'bad-yaml', 'fail', 'noop', 'retarget', 'hello'];

before(async () => {
  for (const name of NAMES) plugins[name] = await loadPlugin(testPluginDir(name));
});
after(async () => {
  await host.close();
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

const chart = await readFile('/work/shared/charts/podinfo/golden-full.yaml', 'utf8').catch(
  () => `---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: [{name: web, image: nginx}]}}}
`,
);

type Obj = Record<string, unknown>;
const objects = (text: string) => parseManifests(text).map((o) => o.object);
const labels = (o: Obj) => ((o.metadata as Obj).labels ?? {}) as Obj;
const containers = (o: Obj) => (((o.spec as Obj).template as Obj).spec as Obj).containers as Obj[];

async function failure(p: Promise<unknown>): Promise<PostRenderError & { cause: PluginRunError }> {
  const err = await p.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PostRenderError, String(err));
  assert.ok(err.cause instanceof PluginRunError, String(err.cause));
  return err as PostRenderError & { cause: PluginRunError };
}

test('add-label labels every object', async (t) => {
  const input = objects(chart);
  await t.test('default label', async () => {
    const r = await postRender(chart, [{ wasm: { plugin: plugins['add-label']! } }], {
      host,
      defaultNamespace: 'default',
    });
    const out = objects(r.manifests);
    assert.equal(out.length, input.length);
    for (const o of out) assert.equal(labels(o)['capstan.dev/post-rendered'], 'true', `${String(o.kind)}`);
    assert.deepEqual(r.changes, []);
    assert.equal(r.steps[0]!.name, 'add-label 0.1.0');
  });
  await t.test('label from the caller config', async () => {
    const r = await runPostRenderer(plugins['add-label']!, chart, { host, config: { label: 'team=payments' } });
    for (const o of objects(r.manifests)) assert.equal(labels(o).team, 'payments');
  });
  await t.test('a value the plugin writes as plain `yes` means what it means to helm: true', async () => {
    // go-yaml v3 (the plugin's encoder, and kyaml's in helm) leaves "yes" unquoted; helm's kube
    // client reads manifests as YAML 1.1, where that is a boolean.
    const r = await postRender(chart, [{ wasm: { plugin: plugins['add-label']!, config: { label: 'flag=yes' } } }], {
      host,
    });
    assert.match(r.manifests, /^ {4}flag: yes$/m);
    for (const o of r.objects) assert.equal(labels(o.object).flag, true);
  });
  await t.test('bad config is the plugin error, named', async () => {
    const err = await failure(
      postRender(chart, [{ wasm: { plugin: plugins['add-label']!, config: { label: 'novalue' } } }], { host }),
    );
    assert.equal(err.cause.reason, 'exit');
    assert.match(
      err.message,
      /post-renderer .*add-label \(add-label 0\.1\.0\): plugin returned status 1: config label: want KEY=VALUE/,
    );
  });
});

test('sidecar injects a container into Deployments only', async () => {
  const r = await postRender(chart, [{ wasm: { plugin: plugins.sidecar!, config: { image: 'busybox:1.37' } } }], {
    host,
  });
  const deployments = objects(r.manifests).filter((o) => o.kind === 'Deployment');
  assert.ok(deployments.length > 0);
  for (const d of deployments) {
    const side = containers(d).at(-1)!;
    assert.deepEqual(side, { name: 'sidecar', image: 'busybox:1.37', args: ['sleep', 'infinity'] });
  }
  const before = objects(chart).filter((o) => o.kind !== 'Deployment');
  const afterOthers = objects(r.manifests).filter((o) => o.kind !== 'Deployment');
  assert.deepEqual(afterOthers, before, 'other objects are unchanged');
});

test('a looping plugin is stopped at its time limit while other calls complete', async () => {
  const started = performance.now();
  const looping = failure(postRender(chart, [{ wasm: { plugin: plugins.loop!, timeoutMs: 2000 } }], { host }));
  const other = await postRender(chart, [{ wasm: { plugin: plugins['add-label']! } }], { host });
  const otherDone = performance.now() - started;
  assert.ok(objects(other.manifests).every((o) => labels(o)['capstan.dev/post-rendered'] === 'true'));
  const err = await looping;
  const loopDone = performance.now() - started;
  assert.equal(err.cause.reason, 'timeout');
  assert.match(
    err.message,
    /^post-render step 0: post-renderer .*loop \(loop 0\.1\.0\): plugin exceeded its 2s time limit and was stopped$/,
  );
  assert.ok(
    otherDone < loopDone,
    `other call finished at ${otherDone.toFixed(0)} ms, before the loop was stopped at ${loopDone.toFixed(0)} ms`,
  );
  // The clock starts when a worker is ready, so the stop comes 2 s plus a worker start after the call.
  assert.ok(loopDone >= 2000 && loopDone < 12_000, `stopped after ${loopDone.toFixed(0)} ms`);
  // The host replaced the terminated worker and keeps serving.
  await postRender(chart, [{ wasm: { plugin: plugins.noop! } }], { host });
});

test('the loop plugin honours its plugin.yaml timeout (1s)', async () => {
  const err = await failure(postRender(chart, [{ wasm: { plugin: plugins.loop! } }], { host }));
  assert.match(err.message, /exceeded its 1s time limit/);
});

test('a plugin allocating without bound is stopped at its memory limit', async (t) => {
  await t.test('plugin.yaml limit (512 pages)', async () => {
    const err = await failure(postRender(chart, [{ wasm: { plugin: plugins.oom! } }], { host }));
    assert.equal(err.cause.reason, 'memory');
    assert.match(err.message, /\(oom 0\.1\.0\): plugin exceeded its memory limit of 512 pages \(32 MiB\)/);
  });
  await t.test('caller limit (2048 pages)', async () => {
    const err = await failure(postRender(chart, [{ wasm: { plugin: plugins.oom!, memoryPages: 2048 } }], { host }));
    assert.equal(err.cause.reason, 'memory');
    assert.match(err.message, /memory limit of 2048 pages \(128 MiB\)/);
  });
  await t.test('Extism host memory counts against the same limit', async () => {
    const err = await failure(postRender(chart, [{ wasm: { plugin: plugins['oom-host']! } }], { host }));
    assert.equal(err.cause.reason, 'memory');
    assert.match(
      err.message,
      /\(oom-host 0\.1\.0\): plugin exceeded its memory limit of 1024 pages \(64 MiB\): Extism host memory allocation of 1048576 bytes refused/,
    );
  });
  await t.test('the host still works afterwards', async () => {
    const r = await postRender(chart, [{ wasm: { plugin: plugins.noop! } }], { host });
    assert.equal(r.manifests, chart);
  });
});

test('invalid YAML output is rejected with the plugin named', async () => {
  const err = await failure(postRender(chart, [{ wasm: { plugin: plugins['bad-yaml']! } }], { host }));
  assert.equal(err.cause.reason, 'output');
  assert.match(err.message, /\(bad-yaml 0\.1\.0\): output manifests: document 0: not valid YAML/);
});

test('a non-zero exit fails with the plugin message and stderr', async () => {
  const err = await failure(postRender(chart, [{ wasm: { plugin: plugins.fail! } }], { host }));
  assert.equal(err.cause.reason, 'exit');
  assert.equal(err.cause.exitCode, 3);
  assert.match(
    err.message,
    /\(fail 0\.1\.0\): plugin returned status 3: policy check failed: Deployment\/web has no resource limits; stderr: fail: refusing to render: policy violation$/,
  );
  assert.match(err.cause.stderr, /policy violation/);
});

test('namespace moves and cluster-scoped additions are reported', async () => {
  const r = await postRender(chart, [{ wasm: { plugin: plugins.retarget!, config: { namespace: 'kube-system' } } }], {
    host,
    defaultNamespace: 'default',
  });
  const input = parseManifests(chart);
  const moved = r.changes.filter((c) => c.type === 'namespace-changed');
  assert.equal(moved.length, input.length);
  const want = input.map((o) => `${o.ref.kind}/${o.ref.name}: ${o.ref.namespace || 'default'} -> kube-system`).sort();
  const got = moved
    .map((c) => c.type === 'namespace-changed' && `${c.object.kind}/${c.object.name}: ${c.from} -> ${c.to}`)
    .sort();
  assert.deepEqual(got, want);
  assert.deepEqual(
    r.changes.filter((c) => c.type !== 'namespace-changed'),
    [
      {
        type: 'cluster-scoped-added',
        object: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          name: 'retarget-extra',
          namespace: '',
        },
      },
    ],
  );
});

test('a pipeline mixes built-in patches and WebAssembly post-renderers in order', async () => {
  const r = await postRender(
    chart,
    [
      {
        patches: [
          { target: { kind: 'Deployment' }, patch: [{ op: 'add', path: '/metadata/labels/stage', value: 'patched' }] },
        ],
      },
      { wasm: { plugin: plugins.sidecar! } },
      // The sidecar exists only after step 1: this merge patch needs it.
      {
        patches: [
          {
            target: { kind: 'Deployment' },
            patch: {
              spec: {
                template: { spec: { containers: [{ name: 'sidecar', resources: { limits: { memory: '32Mi' } } }] } },
              },
            },
          },
        ],
      },
      { wasm: { plugin: plugins['add-label']!, config: { label: 'done=ok' } } },
    ],
    { host },
  );
  assert.deepEqual(
    r.steps.map((s) => s.kind),
    ['patches', 'wasm', 'patches', 'wasm'],
  );
  for (const d of objects(r.manifests).filter((o) => o.kind === 'Deployment')) {
    assert.equal(labels(d).stage, 'patched');
    assert.equal(labels(d).done, 'ok');
    assert.deepEqual(containers(d).at(-1)!.resources, { limits: { memory: '32Mi' } });
  }
});

test('conformance: the hello test/v1 plugin (equivalent of Helm extismv1-test) greets Phippy', async (t) => {
  await t.test('with its temp dir', async () => {
    const r = await invokePlugin(plugins.hello!, { Name: 'Phippy' }, { host });
    assert.deepEqual(r.output, { Greeting: 'Hello, Phippy! (6)' });
    assert.ok(
      r.logs.some((l) => l === 'debug: greeting Phippy'),
      r.logs.join('\n'),
    );
  });
  await t.test('without fileSystem.createTempDir it has no filesystem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capstan-hello-nofs-'));
    temps.push(dir);
    await cp(testPluginDir('hello'), dir, { recursive: true });
    const yaml = await readFile(join(dir, 'plugin.yaml'), 'utf8');
    await writeFile(join(dir, 'plugin.yaml'), yaml.replace('createTempDir: true', 'createTempDir: false'));
    const p = await loadPlugin(dir);
    await assert.rejects(invokePlugin(p, { Name: 'Phippy' }, { host }), (e: PluginRunError) => {
      assert.equal(e.reason, 'exit');
      assert.match(e.message, /writing \/tmp\/greeting\.txt: open \/tmp\/greeting\.txt: /);
      return true;
    });
  });
  await t.test('`capstan plugin invoke` runs it through the same host', async () => {
    const main = new URL('../src/cli/main.ts', import.meta.url).pathname;
    const cli = (...args: string[]) =>
      exec(process.execPath, ['--import', 'tsx', main, 'plugin', 'invoke', testPluginDir('hello'), ...args]).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const ok = await cli('--message', '{"Name":"Phippy"}');
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { Greeting: 'Hello, Phippy! (6)' });
    assert.match(ok.stderr, /^debug: greeting Phippy$/m);
    const bad = await cli('--message', '{"Name":');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: the input message is not JSON: /);
    const small = await cli('--message', '{"Name":"Phippy"}', '--memory-pages', '1');
    assert.equal(small.code, 1);
    assert.match(
      small.stderr,
      /^Error: plugin .*\(hello 0\.1\.0\): plugin\.wasm: needs \d+ pages .* limit of 1 pages/m,
    );
  });
  await t.test('a test/v1 plugin is not a post-renderer', async () => {
    await assert.rejects(
      runPostRenderer(plugins.hello!, chart, { host }),
      /plugin type is test\/v1, not postrenderer\/v1/,
    );
  });
});

test('a plugin packaged as .tgz (helm plugin package layout) loads and runs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-pkg-'));
  temps.push(dir);
  await cp(testPluginDir('noop'), join(dir, 'noop'), { recursive: true });
  const chunks: Buffer[] = [];
  for await (const c of create({ gzip: true, cwd: dir, portable: true }, ['noop'])) chunks.push(c as Buffer);
  const p = await loadPlugin(new Uint8Array(Buffer.concat(chunks)), {
    source: 'oci://registry.example.com/noop@sha256:feed',
  });
  const r = await runPostRenderer(p, chart, { host });
  assert.equal(r.manifests, chart, 'noop returns its input byte for byte');
});
