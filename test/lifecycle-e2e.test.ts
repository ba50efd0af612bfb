/**
 * End-to-end: Helm lifecycle fidelity, with the real helm on the same cluster as the reference —
 * hook order and delete policies, a failing pre-upgrade hook remediated by rollback, adoption of a
 * release installed by helm, a manual `helm rollback` noticed and reconciled back, test hooks, and
 * the crds/ policies.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Watch } from '@kubernetes/client-node';
import { helmBinary } from '../src/devcluster/oracle.js';
import { parseYaml } from '../src/gotemplate/funcs/helm/goyaml.js';
import { pushChart } from '../src/oci/index.js';
import { pushTestChart, webChart, writeChart } from './support/charts.js';
import {
  applyHR,
  cond,
  exists,
  installCrd,
  readyFor,
  sleep,
  stalled,
  startController,
  waitForHR,
  type Controller,
} from './support/controller.js';
import { testCluster, testRegistries, type TestCluster } from './support/env.js';

const root = join(import.meta.dirname, '..');
let cluster: TestCluster;
let registry: string;
let ctrl: Controller;

before(async () => {
  cluster = await testCluster();
  registry = (await testRegistries()).open;
  installCrd(cluster);
  ctrl = await startController(cluster);
});
after(async () => {
  await ctrl?.stop();
});

function helm(args: string[]): string {
  return execFileSync(helmBinary(), [...args, '--kubeconfig', cluster.kubeconfigPath], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const hook = (name: string, events: string, weight: number, policy?: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  annotations:
    helm.sh/hook: ${events}
    helm.sh/hook-weight: "${weight}"${policy ? `\n    helm.sh/hook-delete-policy: ${policy}` : ''}
data:
  at: "{{ .Release.Revision }}"
`;

const hookChart = (): Record<string, string> => ({
  'values.yaml': 'message: hi\n',
  'templates/app.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  message: {{ .Values.message | quote }}\n',
  'templates/hook-a.yaml': hook('hook-a', 'pre-install', 5),
  'templates/hook-b.yaml': hook('hook-b', 'pre-install', -5),
  'templates/hook-e.yaml': hook('hook-e', 'pre-install', 0, 'before-hook-creation'),
  'templates/hook-d.yaml': hook('hook-d', 'post-install', 1),
  'templates/hook-gone.yaml': hook('hook-gone', 'post-install', 2, 'hook-succeeded'),
  'templates/hook-c-job.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: hook-c-job
  annotations:
    helm.sh/hook: pre-install
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: hook-succeeded
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox:1.36, command: ["true"]}]
`,
});

/**
 * watchAdded records the ConfigMaps and Jobs created in a namespace, in creation order: two watch
 * streams do not deliver in a common order, so events are ordered by resourceVersion (one etcd
 * revision counter for every kind).
 */
async function watchAdded(ns: string): Promise<{ names: string[]; stop: () => void }> {
  const seen: { rv: number; name: string }[] = [];
  const names: string[] = [];
  const w = new Watch(cluster.kubeConfig());
  const reqs = await Promise.all(
    [`/api/v1/namespaces/${ns}/configmaps`, `/apis/batch/v1/namespaces/${ns}/jobs`].map((path) =>
      w.watch(
        path,
        {},
        (type, obj: any) => {
          if (type === 'ADDED' && obj.metadata.name !== 'kube-root-ca.crt')
            seen.push({ rv: Number(obj.metadata.resourceVersion), name: obj.metadata.name });
        },
        () => undefined,
      ),
    ),
  );
  await sleep(300);
  return {
    names,
    stop: () => {
      reqs.forEach((r) => r.abort());
      names.push(...seen.sort((a, b) => a.rv - b.rv).map((e) => e.name));
    },
  };
}

const liveNames = (ns: string) =>
  cluster
    .kubectl(['get', 'configmaps,jobs', '-n', ns, '-o', 'name'])
    .split('\n')
    .filter((l) => l && !l.includes('kube-root-ca'))
    .sort();

describe('Helm lifecycle', () => {
  it('runs hooks in the order helm does, with the same delete policies and final objects', async () => {
    const files = hookChart();
    const chart = await pushTestChart(registry, 'lifecycle', 'hooks', '1.0.0', files);
    const helmNs = cluster.namespace('hooks-helm');
    const hw = await watchAdded(helmNs);
    helm(['install', 'rel', writeChart('hooks', '1.0.0', files), '-n', helmNs, '--wait', '--timeout', '60s']);
    await sleep(500);
    hw.stop();

    const ns = cluster.namespace('hooks-capstan');
    const cw = await watchAdded(ns);
    applyHR(cluster, ns, 'rel', { interval: '1m', timeout: '60s', chart: { ref: chart.ref, digest: chart.digest } });
    await waitForHR(cluster, ns, 'rel', readyFor());
    await sleep(500);
    cw.stop();

    assert.deepEqual(cw.names, hw.names, 'hook creation order');
    assert.deepEqual(
      hw.names,
      ['hook-b', 'hook-c-job', 'hook-e', 'hook-a', 'app', 'hook-d', 'hook-gone'],
      'helm: weight, then name',
    );
    assert.deepEqual(liveNames(ns), liveNames(helmNs), 'final objects');
    const hooks = execFileSync(
      helmBinary(),
      ['get', 'hooks', 'rel', '-n', ns, '--kubeconfig', cluster.kubeconfigPath],
      { encoding: 'utf8' },
    );
    assert.match(hooks, /name: hook-c-job/, 'helm get hooks shows the hooks Capstan recorded');
  });

  it('installs the public podinfo hooks case exactly as helm does: hook order and final objects', async () => {
    const tgz = join(root, '..', 'shared', 'charts', 'podinfo', 'podinfo-6.14.1.tgz');
    const valuesFile = join(root, '..', 'shared', 'charts', 'podinfo', 'values-hooks.yaml');
    assert.ok(existsSync(tgz), `the shared chart corpus is beside the checkout (${tgz})`);
    // The case renders a cert-manager Certificate; a minimal CRD stands in for cert-manager.
    cluster.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'certificates.cert-manager.io' },
        spec: {
          group: 'cert-manager.io',
          scope: 'Namespaced',
          names: { plural: 'certificates', singular: 'certificate', kind: 'Certificate' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          ],
        },
      }),
    );
    cluster.kubectl(['wait', '--for=condition=Established', 'crd/certificates.cert-manager.io', '--timeout=30s']);
    const values = parseYaml(readFileSync(valuesFile, 'utf8'));
    const pushed = await pushChart(new Uint8Array(readFileSync(tgz)), `oci://${registry}/lifecycle`);

    const helmNs = cluster.namespace('podinfo-helm');
    const hw = await watchAdded(helmNs);
    helm(['install', 'rel', tgz, '-n', helmNs, '-f', valuesFile, '--wait', '--timeout', '90s']);
    await sleep(500);
    hw.stop();
    const ns = cluster.namespace('podinfo-capstan');
    const cw = await watchAdded(ns);
    applyHR(cluster, ns, 'rel', {
      interval: '1m',
      timeout: '90s',
      chart: { ref: `oci://${registry}/lifecycle/podinfo`, digest: pushed.digest },
      values,
    });
    await waitForHR(cluster, ns, 'rel', readyFor(), 120_000);
    await sleep(500);
    cw.stop();
    assert.deepEqual(cw.names, hw.names, 'creation order of ConfigMaps and Jobs (hooks included)');
    assert.ok(hw.names.indexOf('rel-podinfo-pre-install') < hw.names.indexOf('rel-podinfo-post-install'));
    const objects = (n: string) =>
      cluster
        .kubectl(['get', 'deployments,services,jobs,configmaps,certificates.cert-manager.io', '-n', n, '-o', 'name'])
        .split('\n')
        .filter((l) => l && !l.includes('kube-root-ca'))
        .sort();
    assert.deepEqual(objects(ns), objects(helmNs), 'final objects');
    // podinfo's pods take host ports 8080/9443 on a node: free them for later tests and runs.
    for (const n of [ns, helmNs]) cluster.kubectl(['delete', 'namespace', n, '--wait=false']);
  });

  it('refuses objects that belong to another release or to nobody, as helm does', async () => {
    const ns = cluster.namespace('owned');
    const chart = await pushTestChart(registry, 'lifecycle', 'owned', '1.0.0', webChart());
    cluster.kubectl(['create', 'configmap', 'mine-config', '-n', ns, '--from-literal=message=hand-made']);
    applyHR(cluster, ns, 'mine', { interval: '1m', timeout: '30s', chart: { ref: chart.ref, digest: chart.digest } });
    const hr = await waitForHR(cluster, ns, 'mine', stalled);
    assert.match(
      cond(hr, 'Ready').message,
      /ConfigMap "mine-config" in namespace "[^"]+" exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key "app.kubernetes.io\/managed-by": must be set to "Helm"/,
    );
    assert.equal(
      JSON.parse(cluster.kubectl(['get', 'configmap', 'mine-config', '-n', ns, '-o', 'json'])).data.message,
      'hand-made',
    );
    assert.equal(exists(cluster, ns, 'deployment', 'mine'), false, 'nothing applied');
    // Labelled and annotated for this release (as helm does for adoption), it is taken over.
    cluster.kubectl(['label', 'configmap', 'mine-config', '-n', ns, 'app.kubernetes.io/managed-by=Helm']);
    cluster.kubectl([
      'annotate',
      'configmap',
      'mine-config',
      '-n',
      ns,
      'meta.helm.sh/release-name=mine',
      `meta.helm.sh/release-namespace=${ns}`,
    ]);
    cluster.kubectl([
      'annotate',
      'helmrelease',
      'mine',
      '-n',
      ns,
      `reconcile.helm.capstan.dev/requestedAt=${Date.now()}`,
    ]);
    await waitForHR(cluster, ns, 'mine', readyFor());
    assert.equal(
      JSON.parse(cluster.kubectl(['get', 'configmap', 'mine-config', '-n', ns, '-o', 'json'])).data.message,
      'hello',
    );
  });

  it('remediates a failing pre-upgrade hook by rollback, with the revision history helm produces', async () => {
    const good = hookChart();
    const bad = {
      ...hookChart(),
      'templates/hook-x.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hook-x\n  annotations:\n    helm.sh/hook: pre-upgrade\ndata:\n  count: 1\n',
    };
    const v1 = await pushTestChart(registry, 'lifecycle', 'upg', '1.0.0', good);
    const v2 = await pushTestChart(registry, 'lifecycle', 'upg', '2.0.0', bad);
    const helmNs = cluster.namespace('upg-helm');
    helm(['install', 'rel', writeChart('upg', '1.0.0', good), '-n', helmNs, '--wait']);
    assert.throws(() =>
      helm([
        'upgrade',
        'rel',
        writeChart('upg', '2.0.0', bad),
        '-n',
        helmNs,
        '--rollback-on-failure',
        '--timeout',
        '30s',
      ]),
    );
    const helmHistory = JSON.parse(helm(['history', 'rel', '-n', helmNs, '-o', 'json'])).map((h: any) => h.status);

    const ns = cluster.namespace('upg-capstan');
    applyHR(cluster, ns, 'rel', { interval: '1m', timeout: '30s', chart: { ref: v1.ref, digest: v1.digest } });
    await waitForHR(cluster, ns, 'rel', readyFor());
    // Helm's --rollback-on-failure is Flux/Capstan's remediation of the last failure by rollback.
    applyHR(cluster, ns, 'rel', {
      interval: '1m',
      timeout: '30s',
      chart: { ref: v2.ref, digest: v2.digest },
      upgrade: { remediation: { strategy: 'rollback', remediateLastFailure: true } },
    });
    const hr = await waitForHR(cluster, ns, 'rel', (h) => cond(h, 'Remediated')?.status === 'True' && stalled(h));
    assert.match(cond(hr, 'Ready').message, /pre-upgrade hook .*hook-x/);
    assert.equal(cond(hr, 'Remediated').reason, 'RollbackSucceeded');
    const ours = JSON.parse(helm(['history', 'rel', '-n', ns, '-o', 'json'])).map((h: any) => h.status);
    assert.deepEqual(ours, helmHistory);
    assert.deepEqual(ours, ['superseded', 'failed', 'deployed']);
  });

  for (const serverSide of ['true', 'false']) {
    it(`adopts a release installed by helm (${serverSide === 'true' ? 'server' : 'client'}-side apply) without recreating anything, and reconciles back a manual helm rollback`, async () => {
      const ns = cluster.namespace('adopt');
      const files = webChart();
      const chart = await pushTestChart(registry, 'lifecycle', 'adopt', '1.0.0', files);
      helm([
        'install',
        'web',
        writeChart('adopt', '1.0.0', files),
        '-n',
        ns,
        '--set',
        'message=from-helm',
        '--wait',
        `--server-side=${serverSide}`,
      ]);
      const uid = (kind: string, name: string) =>
        JSON.parse(cluster.kubectl(['get', kind, name, '-n', ns, '-o', 'json'])).metadata.uid;
      const before = { d: uid('deployment', 'web'), s: uid('service', 'web'), c: uid('configmap', 'web-config') };
      applyHR(cluster, ns, 'web', {
        interval: '1m',
        timeout: '30s',
        chart: { ref: chart.ref, digest: chart.digest },
        values: { message: 'from-capstan' },
      });
      await waitForHR(cluster, ns, 'web', (h) => readyFor()(h) && h.status.lastAppliedRevision?.releaseRevision === 2);
      assert.deepEqual(
        { d: uid('deployment', 'web'), s: uid('service', 'web'), c: uid('configmap', 'web-config') },
        before,
        'nothing recreated',
      );
      assert.equal(
        JSON.parse(cluster.kubectl(['get', 'configmap', 'web-config', '-n', ns, '-o', 'json'])).data.message,
        'from-capstan',
      );
      assert.deepEqual(
        JSON.parse(helm(['history', 'web', '-n', ns, '-o', 'json'])).map((h: any) => h.revision),
        [1, 2],
      );

      // Capstan owns the fields now, so helm 4's server-side rollback needs --force-conflicts, as a user
      // would pass; revision 1 of the client-side install rolls back with client-side apply.
      helm(['rollback', 'web', '1', '-n', ns, ...(serverSide === 'true' ? ['--force-conflicts'] : [])]);
      // Capstan may reconcile back within moments, so the rollback is checked in the history below
      // (revision 3, helm's "Rollback to 1"), not by racing it on the ConfigMap.
      await waitForHR(cluster, ns, 'web', (h) => readyFor()(h) && h.status.lastAppliedRevision?.releaseRevision === 4);
      assert.equal(
        JSON.parse(cluster.kubectl(['get', 'configmap', 'web-config', '-n', ns, '-o', 'json'])).data.message,
        'from-capstan',
      );
      const history = JSON.parse(helm(['history', 'web', '-n', ns, '-o', 'json']));
      assert.equal(history[2].description, 'Rollback to 1');
      assert.deepEqual(
        history.map((h: any) => [h.revision, h.status]),
        [
          [1, 'superseded'],
          [2, 'superseded'],
          [3, 'superseded'],
          [4, 'deployed'],
        ],
      );
    });
  }

  it('rolls back to the revision the rollback annotation names, and keeps it until the spec changes', async () => {
    const ns = cluster.namespace('manual-rb');
    const chart = await pushTestChart(registry, 'lifecycle', 'rb', '1.0.0', webChart());
    const spec = { interval: '1m', timeout: '30s', chart: { ref: chart.ref, digest: chart.digest } };
    const message = () =>
      JSON.parse(cluster.kubectl(['get', 'configmap', 'rb-config', '-n', ns, '-o', 'json'])).data.message;
    applyHR(cluster, ns, 'rb', { ...spec, values: { message: 'one' } });
    await waitForHR(cluster, ns, 'rb', readyFor());
    applyHR(cluster, ns, 'rb', { ...spec, values: { message: 'two' } });
    await waitForHR(cluster, ns, 'rb', (h) => readyFor()(h) && h.status.lastAppliedRevision?.releaseRevision === 2);
    cluster.kubectl(['annotate', 'helmrelease', 'rb', '-n', ns, 'rollback.helm.capstan.dev/revision=1']);
    const hr = await waitForHR(cluster, ns, 'rb', (h) => h.status?.lastHandledRollback === '1' && readyFor()(h));
    assert.equal(cond(hr, 'Remediated').reason, 'RollbackSucceeded');
    assert.equal(message(), 'one');
    assert.deepEqual(
      JSON.parse(helm(['history', 'rb', '-n', ns, '-o', 'json'])).map((h: any) => [
        h.revision,
        h.status,
        h.description,
      ]),
      [
        [1, 'superseded', 'Install complete'],
        [2, 'superseded', 'Upgrade complete'],
        [3, 'deployed', 'Rollback to 1'],
      ],
    );
    // A later reconcile keeps the rollback; a bad revision stalls with the annotation named.
    cluster.kubectl([
      'annotate',
      'helmrelease',
      'rb',
      '-n',
      ns,
      `reconcile.helm.capstan.dev/requestedAt=${Date.now()}`,
    ]);
    await waitForHR(cluster, ns, 'rb', (h) => h.status?.lastHandledReconcileAt !== undefined && readyFor()(h));
    assert.equal(message(), 'one');
    cluster.kubectl(['annotate', 'helmrelease', 'rb', '-n', ns, 'rollback.helm.capstan.dev/revision=9', '--overwrite']);
    const bad = await waitForHR(cluster, ns, 'rb', stalled);
    assert.match(cond(bad, 'Stalled').message, /rollback\.helm\.capstan\.dev\/revision.*"9".*\(1, 2, 3\)/);
  });

  it('deletes what a failed upgrade created when cleanupOnFail is set', async () => {
    const ns = cluster.namespace('cleanup');
    const v1 = await pushTestChart(registry, 'lifecycle', 'cleanup', '1.0.0', webChart());
    const v2 = await pushTestChart(registry, 'lifecycle', 'cleanup', '2.0.0', {
      ...webChart(),
      'templates/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata: {a: b}\n',
    });
    applyHR(cluster, ns, 'c', { interval: '1m', timeout: '20s', chart: { ref: v1.ref, digest: v1.digest } });
    await waitForHR(cluster, ns, 'c', readyFor());
    // 2.0.0 adds a ConfigMap, and its pods cannot be scheduled: the upgrade times out.
    applyHR(cluster, ns, 'c', {
      interval: '1m',
      timeout: '5s',
      chart: { ref: v2.ref, digest: v2.digest },
      values: { nodeSelector: { 'no-such-node': 'true' } },
      upgrade: { cleanupOnFail: true, remediation: { retries: 0 } },
    });
    const hr = await waitForHR(cluster, ns, 'c', stalled);
    assert.match(cond(hr, 'Ready').message, /timed out/);
    assert.equal(exists(cluster, ns, 'configmap', 'extra'), false, 'the object the failed upgrade created is deleted');
    assert.ok(exists(cluster, ns, 'configmap', 'c-config'), 'objects of the previous revision stay');
  });

  it('runs test hooks when spec.test.enable is set and reports TestSuccess', async () => {
    const ns = cluster.namespace('tests');
    const files = {
      ...webChart(),
      'templates/test.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: t, image: busybox:1.36, command: ["true"]}]
`,
    };
    const chart = await pushTestChart(registry, 'lifecycle', 'tested', '1.0.0', files);
    applyHR(cluster, ns, 't', {
      interval: '1m',
      timeout: '30s',
      chart: { ref: chart.ref, digest: chart.digest },
      test: { enable: true },
    });
    const hr = await waitForHR(cluster, ns, 't', (h) => cond(h, 'TestSuccess') !== undefined);
    assert.equal(cond(hr, 'TestSuccess').status, 'True', cond(hr, 'TestSuccess').message);
    assert.ok(exists(cluster, ns, 'job', 't-test'));
  });

  it('applies crds/ per policy and waits until they are Established before custom resources', async () => {
    const crd = (description: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.lifecycle.capstan.dev
spec:
  group: lifecycle.capstan.dev
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          description: ${description}
          x-kubernetes-preserve-unknown-fields: true
`;
    const cr =
      'apiVersion: lifecycle.capstan.dev/v1\nkind: Gadget\nmetadata:\n  name: {{ .Release.Name }}-gadget\nspec:\n  size: 3\n';
    const v1 = await pushTestChart(registry, 'lifecycle', 'gadgets', '1.0.0', {
      'crds/gadget.yaml': crd('first'),
      'templates/gadget.yaml': cr,
    });
    const v2 = await pushTestChart(registry, 'lifecycle', 'gadgets', '2.0.0', {
      'crds/gadget.yaml': crd('second'),
      'templates/gadget.yaml': cr,
    });
    const desc = () =>
      JSON.parse(cluster.kubectl(['get', 'crd', 'gadgets.lifecycle.capstan.dev', '-o', 'json'])).spec.versions[0].schema
        .openAPIV3Schema.description;

    cluster.kubectl(['delete', 'crd', 'gadgets.lifecycle.capstan.dev', '--ignore-not-found']);
    // Skip: the CRD is not installed, so the custom resource cannot be applied.
    const skipNs = cluster.namespace('crd-skip');
    applyHR(cluster, skipNs, 'g', {
      interval: '1m',
      timeout: '20s',
      chart: { ref: v1.ref, digest: v1.digest },
      install: { crds: 'Skip' },
    });
    const skipped = await waitForHR(cluster, skipNs, 'g', stalled);
    assert.match(cond(skipped, 'Ready').message, /Gadget/);

    // Create (the install default): the CRD is created and Established, then the Gadget applied.
    const ns = cluster.namespace('crd-create');
    applyHR(cluster, ns, 'g', { interval: '1m', timeout: '30s', chart: { ref: v1.ref, digest: v1.digest } });
    await waitForHR(cluster, ns, 'g', readyFor());
    assert.equal(desc(), 'first');
    assert.ok(exists(cluster, ns, 'gadget', 'g-gadget'));

    // Upgrade default (Skip) leaves the CRD as it is; CreateReplace updates it (never deletes).
    applyHR(cluster, ns, 'g', { interval: '1m', timeout: '30s', chart: { ref: v2.ref, digest: v2.digest } });
    await waitForHR(cluster, ns, 'g', (h) => readyFor()(h) && h.status.lastAppliedRevision?.version === '2.0.0');
    assert.equal(desc(), 'first');
    applyHR(cluster, ns, 'g', {
      interval: '1m',
      timeout: '30s',
      chart: { ref: v2.ref, digest: v2.digest },
      upgrade: { crds: 'CreateReplace' },
    });
    await waitForHR(cluster, ns, 'g', (h) => readyFor()(h) && h.status.lastAppliedRevision?.releaseRevision === 3);
    assert.equal(desc(), 'second');
  });
});
