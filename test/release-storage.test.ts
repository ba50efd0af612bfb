/**
 * Release storage against the real API server, checked both ways with the real helm: helm reads
 * what Capstan stores, and Capstan reads what helm stores.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { helmBinary } from '../src/devcluster/oracle.js';
import { goTime, type ReleaseRecord } from '../src/release/record.js';
import { ReleaseStorage } from '../src/release/storage.js';
import { testCluster, type TestCluster } from './support/env.js';

let cluster: TestCluster;
let core: CoreV1Api;
before(async () => {
  cluster = await testCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
});

function helm(args: string[]): string {
  return execFileSync(helmBinary(), [...args, '--kubeconfig', cluster.kubeconfigPath], { encoding: 'utf8' });
}

function record(
  name: string,
  namespace: string,
  version: number,
  status: ReleaseRecord['info']['status'],
): ReleaseRecord {
  const now = goTime();
  return {
    name,
    namespace,
    version,
    info: { first_deployed: now, last_deployed: now, description: 'Install complete', status },
    chart: {
      metadata: { apiVersion: 'v2', name: 'demo', version: `1.0.${version}`, appVersion: '2.0' },
      lock: null,
      templates: [],
      values: { replicas: 1 },
      schema: null,
      files: [],
    },
    config: { replicas: version + 1, nested: { a: 'b' } },
    manifest: `---\n# Source: demo/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${version}\n`,
    apply_method: 'ssa',
  };
}

describe('release storage', () => {
  it('stores records the real helm lists, and reads values and manifest of', async () => {
    const ns = cluster.namespace('rel');
    const store = new ReleaseStorage(core, ns);
    await store.create(record('app', ns, 1, 'superseded'));
    await store.create(record('app', ns, 2, 'deployed'));
    const list = JSON.parse(helm(['list', '-n', ns, '-o', 'json']));
    assert.equal(list.length, 1);
    assert.equal(list[0].name, 'app');
    assert.equal(list[0].revision, '2');
    assert.equal(list[0].status, 'deployed');
    assert.equal(list[0].chart, 'demo-1.0.2');
    const values = JSON.parse(helm(['get', 'values', 'app', '-n', ns, '-o', 'json']));
    assert.deepEqual(values, { replicas: 3, nested: { a: 'b' } });
    assert.match(helm(['get', 'manifest', 'app', '-n', ns]), /name: cm-2/);
    const history = JSON.parse(helm(['history', 'app', '-n', ns, '-o', 'json']));
    assert.deepEqual(
      history.map((h: any) => [h.revision, h.status]),
      [
        [1, 'superseded'],
        [2, 'deployed'],
      ],
    );
  });

  it('reads what helm install stored, and prunes history keeping the deployed revision', async () => {
    const ns = cluster.namespace('relh');
    const dir = mkdtempSync(join(tmpdir(), 'capstan-chart-'));
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: tiny\nversion: 0.3.0\n');
    writeFileSync(join(dir, 'values.yaml'), 'color: blue\n');
    writeFileSync(
      join(dir, 'templates', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tiny\ndata:\n  color: {{ .Values.color }}\n',
    );
    helm(['install', 'tiny', dir, '-n', ns]);
    helm(['upgrade', 'tiny', dir, '-n', ns, '--set', 'color=red']);
    helm(['upgrade', 'tiny', dir, '-n', ns, '--set', 'color=green']);
    const store = new ReleaseStorage(core, ns);
    const h = await store.history('tiny');
    assert.deepEqual(
      h.map((r) => [r.record.version, r.record.info.status]),
      [
        [1, 'superseded'],
        [2, 'superseded'],
        [3, 'deployed'],
      ],
    );
    assert.equal(h[2].record.chart.metadata.name, 'tiny');
    assert.deepEqual(h[2].record.config, { color: 'green' });
    assert.match(h[2].record.manifest, /color: green/);
    assert.match(h[2].digest, /^sha256:[a-f0-9]{64}$/);
    assert.equal(await store.prune('tiny', 2), 1);
    assert.deepEqual(
      (await store.history('tiny')).map((r) => r.record.version),
      [2, 3],
    );
    const helmHistory = JSON.parse(helm(['history', 'tiny', '-n', ns, '-o', 'json']));
    assert.deepEqual(
      helmHistory.map((x: any) => x.revision),
      [2, 3],
    );
  });
});
