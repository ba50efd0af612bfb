/**
 * End-to-end: spec.postRenderers through the controller. WebAssembly plugins (built from
 * test/plugins) are pushed to the local registry as Helm 4 plugin artifacts and pinned by digest;
 * built-in patches run in process. Misbehaving plugins stall their release with a clear condition
 * while the controller keeps serving other releases.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { create } from 'tar';
import { pushPluginArtifact } from '../src/oci/index.js';
import { testPluginDir } from './plugins/build.js';
import { pushTestChart, webChart } from './support/charts.js';
import {
  applyHR,
  cond,
  installCrd,
  readyFor,
  stalled,
  startController,
  waitForHR,
  type Controller,
} from './support/controller.js';
import { testCluster, testRegistries, type TestCluster } from './support/env.js';

let cluster: TestCluster;
let registry: string;
let ctrl: Controller;
let chart: { ref: string; digest: string };

async function pushPlugin(name: string): Promise<{ ref: string; digest: string }> {
  const dir = testPluginDir(name);
  const chunks: Buffer[] = [];
  for await (const c of create({ gzip: true, cwd: dir, portable: true }, ['plugin.yaml', 'plugin.wasm']) as any)
    chunks.push(Buffer.from(c));
  const r = await pushPluginArtifact(new Uint8Array(Buffer.concat(chunks)), `oci://${registry}/plugins`, name, '0.1.0');
  return { ref: `oci://${registry}/plugins/${name}`, digest: r.digest };
}

before(async () => {
  cluster = await testCluster();
  registry = (await testRegistries()).open;
  installCrd(cluster);
  chart = await pushTestChart(registry, 'postrender', 'web', '1.0.0', webChart());
  ctrl = await startController(cluster);
});
after(async () => {
  await ctrl?.stop();
});

const release = (postRenderers: unknown[], extra: Record<string, unknown> = {}) => ({
  interval: '1m',
  timeout: '30s',
  chart: { ref: chart.ref, digest: chart.digest },
  postRenderers,
  ...extra,
});

describe('post-renderers through a HelmRelease', () => {
  it('a WebAssembly plugin labels every object and a patch annotates the Deployment', async () => {
    const ns = cluster.namespace('pr-label');
    const label = await pushPlugin('add-label');
    applyHR(
      cluster,
      ns,
      'web',
      release([
        { wasm: { ...label, config: { label: 'team=payments' } } },
        {
          patches: [
            {
              target: { kind: 'Deployment' },
              patch: '[{"op":"add","path":"/metadata/annotations/patched","value":"yes"}]',
            },
          ],
        },
      ]),
    );
    await waitForHR(cluster, ns, 'web', readyFor());
    for (const [kind, name] of [
      ['deployment', 'web'],
      ['service', 'web'],
      ['configmap', 'web-config'],
    ]) {
      const o = JSON.parse(cluster.kubectl(['get', kind, name, '-n', ns, '-o', 'json']));
      assert.equal(o.metadata.labels.team, 'payments', `${kind}/${name} labelled by the plugin`);
      assert.equal(
        o.metadata.annotations['postrenderer.helm.sh/postrender-filename'],
        undefined,
        'file-name annotation removed',
      );
    }
    const d = JSON.parse(cluster.kubectl(['get', 'deployment', 'web', '-n', ns, '-o', 'json']));
    assert.equal(d.metadata.annotations.patched, 'yes');
  });

  it('a WebAssembly plugin injects a sidecar into Deployments', async () => {
    const ns = cluster.namespace('pr-sidecar');
    const sidecar = await pushPlugin('sidecar');
    applyHR(cluster, ns, 'web', release([{ wasm: sidecar }]));
    await waitForHR(cluster, ns, 'web', readyFor());
    const d = JSON.parse(cluster.kubectl(['get', 'deployment', 'web', '-n', ns, '-o', 'json']));
    assert.equal(d.spec.template.spec.containers.length, 2);
    assert.ok(d.spec.template.spec.containers.some((c: any) => c.image === 'busybox:1.36'));
  });

  it('a plugin reaches the network only at hosts the HelmRelease grants in allowedHosts', async () => {
    const hits: string[] = [];
    const server: Server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('from-the-server\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/value`;
      const plugin = await pushPlugin('http-get');
      const ns = cluster.namespace('pr-net');
      applyHR(cluster, ns, 'denied', release([{ wasm: { ...plugin, config: { url } } }]));
      applyHR(cluster, ns, 'other', release([{ wasm: { ...plugin, config: { url }, allowedHosts: ['example.com'] } }]));
      for (const name of ['denied', 'other']) {
        const hr = await waitForHR(cluster, ns, name, stalled);
        assert.equal(cond(hr, 'Stalled').reason, 'PostRenderFailed', name);
        assert.match(
          cond(hr, 'Ready').message,
          /host "127\.0\.0\.1" was not allowed: allowedHosts must grant it/,
          name,
        );
      }
      assert.deepEqual(hits, [], 'no request reached the server without a grant');
      applyHR(cluster, ns, 'granted', release([{ wasm: { ...plugin, config: { url }, allowedHosts: ['127.0.0.1'] } }]));
      await waitForHR(cluster, ns, 'granted', readyFor());
      const cm = JSON.parse(cluster.kubectl(['get', 'configmap', 'granted-config', '-n', ns, '-o', 'json']));
      assert.equal(cm.metadata.annotations['capstan.dev/fetched'], 'from-the-server');
      assert.ok(hits.length >= 1 && hits.every((h) => h === '/value'), `requests: ${hits.join(', ')}`);
    } finally {
      server.close();
    }
  });

  it('stalls releases whose plugin loops, exhausts memory, prints invalid YAML or exits non-zero, while others keep working', async () => {
    const ns = cluster.namespace('pr-bad');
    const cases = [
      { name: 'loop', timeout: '2s', message: /exceeded its 2s time limit/ },
      { name: 'oom', timeout: '60s', message: /memory limit/ },
      { name: 'bad-yaml', timeout: '60s', message: /output manifests/ },
      { name: 'fail', timeout: '60s', message: /returned status 3/ },
    ];
    const plugins = await Promise.all(cases.map((c) => pushPlugin(c.name)));
    cases.forEach((c, i) => applyHR(cluster, ns, c.name, release([{ wasm: { ...plugins[i], timeout: c.timeout } }])));
    const healthy = cluster.namespace('pr-ok');
    applyHR(cluster, healthy, 'fine', release([]));
    await waitForHR(cluster, healthy, 'fine', readyFor());
    for (const c of cases) {
      const hr = await waitForHR(cluster, ns, c.name, stalled);
      assert.equal(cond(hr, 'Stalled').reason, 'PostRenderFailed', c.name);
      assert.match(cond(hr, 'Ready').message, /spec\.postRenderers/, c.name);
      assert.match(cond(hr, 'Ready').message, c.message, `${c.name}: ${cond(hr, 'Ready').message}`);
    }
    assert.equal(
      cluster.kubectl(['get', 'deployments', '-n', ns, '-o', 'name']).trim(),
      '',
      'nothing applied for failing plugins',
    );
    // The controller process is still serving.
    assert.equal((await fetch(`${ctrl.metrics}/healthz`)).status, 200);
  });
});
