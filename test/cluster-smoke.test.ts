/**
 * Smoke tests of the local control plane: what the API server itself must do for Capstan (CRDs,
 * server-side apply with managedFields and conflicts) and that kube-controller-manager, the
 * scheduler and kwok really roll a Deployment out.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ApiException, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { testCluster, type TestCluster } from './support/env.js';

let cluster: TestCluster;
let api: KubernetesObjectApi;
before(async () => {
  cluster = await testCluster();
  api = KubernetesObjectApi.makeApiClient(cluster.kubeConfig());
});

function apply(obj: KubernetesObject, manager: string, force = false): Promise<KubernetesObject> {
  return api.patch(obj, undefined, undefined, manager, force, PatchStrategy.ServerSideApply);
}

describe('local control plane', () => {
  it('serves a CRD and a custom object of it', async () => {
    const group = 'smoke.capstan.dev';
    cluster.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
                },
              },
            },
          ],
        },
      }),
    );
    cluster.kubectl(['wait', '--for=condition=Established', `crd/widgets.${group}`, '--timeout=30s']);
    const ns = cluster.namespace('crd');
    const w = await apply(
      {
        apiVersion: `${group}/v1`,
        kind: 'Widget',
        metadata: { name: 'w1', namespace: ns },
        spec: { size: 3 },
      } as KubernetesObject,
      'capstan',
    );
    assert.equal((w as any).spec.size, 3);
    const got = JSON.parse(cluster.kubectl(['get', 'widget.smoke.capstan.dev', 'w1', '-n', ns, '-o', 'json']));
    assert.equal(got.spec.size, 3);
  });

  it('records the field manager of a server-side apply and rejects a conflicting manager unless forced', async () => {
    const ns = cluster.namespace('ssa');
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: ns },
      data: { color: 'blue' },
    };
    const applied = await apply(cm, 'capstan');
    const managers = (applied.metadata?.managedFields ?? []).map((f) => `${f.manager}/${f.operation}`);
    assert.deepEqual(managers, ['capstan/Apply']);

    const other = { ...cm, data: { color: 'red' } };
    await assert.rejects(apply(other, 'someone-else'), (e: unknown) => {
      assert.ok(e instanceof ApiException, `expected ApiException, got ${e}`);
      assert.equal(e.code, 409);
      assert.match(String(e.body), /conflict.*color.*capstan|capstan.*color/is);
      return true;
    });
    const forced = await apply(other, 'someone-else', true);
    assert.equal((forced as any).data.color, 'red');
    const owners = (forced.metadata?.managedFields ?? []).filter((f) => JSON.stringify(f.fieldsV1).includes('f:color'));
    assert.deepEqual(
      owners.map((f) => f.manager),
      ['someone-else'],
    );
  });

  it('rolls a Deployment out to Available through kube-controller-manager, the scheduler and kwok', async () => {
    const ns = cluster.namespace('deploy');
    await apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: ns },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
          },
        },
      } as KubernetesObject,
      'capstan',
    );
    cluster.kubectl(['wait', '--for=condition=Available', 'deployment/web', '-n', ns, '--timeout=60s']);
    const d = JSON.parse(cluster.kubectl(['get', 'deployment', 'web', '-n', ns, '-o', 'json']));
    assert.equal(d.status.availableReplicas, 2);
    const pods = JSON.parse(cluster.kubectl(['get', 'pods', '-n', ns, '-o', 'json'])).items;
    assert.equal(pods.length, 2);
    for (const p of pods) {
      assert.match(p.spec.nodeName, /^kwok-node-/);
      assert.equal(p.status.phase, 'Running');
    }
  });
});
