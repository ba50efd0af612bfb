/**
 * End-to-end: the controller, as a real process (`capstan controller`), against the local control
 * plane (kwok nodes) and registry. Each scenario works in its own namespace.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { helmBinary } from '../src/devcluster/oracle.js';
import { pushTestChart, webChart } from './support/charts.js';
import {
  applyHR as applyHRIn,
  cond,
  exists as existsIn,
  getHR as getHRIn,
  installCrd,
  readyFor,
  sleep,
  startController,
  waitForHR,
  type Controller,
} from './support/controller.js';
import { testCluster, testRegistries, type TestCluster } from './support/env.js';

let cluster: TestCluster;
let registry: string;

const applyHR = (ns: string, name: string, spec: Record<string, unknown>) => applyHRIn(cluster, ns, name, spec);
const getHR = (ns: string, name: string) => getHRIn(cluster, ns, name);
const waitFor = (ns: string, name: string, ok: (hr: any) => boolean, timeoutMs?: number) =>
  waitForHR(cluster, ns, name, ok, timeoutMs);
const exists = (ns: string, kind: string, name: string) => existsIn(cluster, ns, kind, name);

function helm(args: string[]): string {
  return execFileSync(helmBinary(), [...args, '--kubeconfig', cluster.kubeconfigPath], { encoding: 'utf8' });
}

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

describe('controller end to end', () => {
  it('installs a chart pinned by digest and reaches Ready; helm and kubectl wait see it', async () => {
    const ns = cluster.namespace('e2e-install');
    const chart = await pushTestChart(registry, 'e2e', 'web', '1.0.0', webChart());
    applyHR(ns, 'web', {
      interval: '1m',
      timeout: '30s',
      chart: { ref: chart.ref, digest: chart.digest },
      values: { message: 'installed' },
    });
    cluster.kubectl(['wait', '--for=condition=Ready', 'helmrelease/web', '-n', ns, '--timeout=60s']);
    const hr = getHR(ns, 'web');
    assert.equal(hr.status.lastAppliedRevision.digest, chart.digest);
    assert.equal(hr.status.history.length, 1);
    assert.deepEqual(hr.status.inventory.entries.map((e: any) => `${e.kind}/${e.name}`).sort(), [
      'ConfigMap/web-config',
      'Deployment/web',
      'Service/web',
    ]);
    for (const [kind, name] of [
      ['deployment', 'web'],
      ['service', 'web'],
      ['configmap', 'web-config'],
    ]) {
      const o = JSON.parse(cluster.kubectl(['get', kind, name, '-n', ns, '-o', 'json', '--show-managed-fields']));
      assert.ok(
        o.metadata.managedFields.some((f: any) => f.manager === 'capstan' && f.operation === 'Apply'),
        `${kind}/${name} is applied by capstan`,
      );
      assert.equal(o.metadata.annotations['meta.helm.sh/release-name'], 'web');
    }
    const list = JSON.parse(helm(['list', '-n', ns, '-o', 'json']));
    assert.deepEqual(
      list.map((r: any) => [r.name, r.status, r.chart]),
      [['web', 'deployed', 'web-1.0.0']],
    );
    assert.deepEqual(JSON.parse(helm(['get', 'values', 'web', '-n', ns, '-o', 'json'])), { message: 'installed' });
  });

  it('upgrades on a values change and prunes what a new chart version dropped', async () => {
    const ns = cluster.namespace('e2e-upgrade');
    const v1 = await pushTestChart(registry, 'e2e', 'prune', '1.0.0', webChart());
    const withoutConfigMap = webChart();
    delete withoutConfigMap['templates/configmap.yaml'];
    const v2 = await pushTestChart(registry, 'e2e', 'prune', '2.0.0', withoutConfigMap);
    applyHR(ns, 'app', {
      interval: '1m',
      timeout: '30s',
      chart: { ref: v1.ref, version: '1.x' },
      values: { message: 'one' },
    });
    await waitFor(ns, 'app', readyFor());
    applyHR(ns, 'app', {
      interval: '1m',
      timeout: '30s',
      chart: { ref: v1.ref, version: '1.x' },
      values: { message: 'two' },
    });
    let hr = await waitFor(ns, 'app', (h) => readyFor()(h) && h.status.history?.length === 2);
    assert.equal(
      JSON.parse(cluster.kubectl(['get', 'configmap', 'app-config', '-n', ns, '-o', 'json'])).data.message,
      'two',
    );
    assert.deepEqual(
      hr.status.history.map((h: any) => [h.revision, h.status]),
      [
        [2, 'deployed'],
        [1, 'superseded'],
      ],
    );
    applyHR(ns, 'app', {
      interval: '1m',
      timeout: '30s',
      chart: { ref: v2.ref, version: '>=2.0.0 <3' },
      values: { message: 'two' },
    });
    hr = await waitFor(ns, 'app', (h) => readyFor()(h) && h.status.lastAppliedRevision?.version === '2.0.0');
    assert.equal(hr.status.lastAppliedRevision.digest, v2.digest);
    assert.equal(exists(ns, 'configmap', 'app-config'), false, 'the ConfigMap dropped by 2.0.0 is pruned');
    assert.ok(exists(ns, 'deployment', 'app'));
    assert.deepEqual(
      JSON.parse(helm(['history', 'app', '-n', ns, '-o', 'json'])).map((h: any) => [h.revision, h.status]),
      [
        [1, 'superseded'],
        [2, 'superseded'],
        [3, 'deployed'],
      ],
    );
  });

  it('reports a conflict with another field manager, takes the field with forceConflicts, and leaves unset fields alone', async () => {
    const ns = cluster.namespace('e2e-conflict');
    const files = webChart();
    files['values.yaml'] = 'replicas: null\nmessage: hello\nnodeSelector: {}\n';
    files['templates/deployment.yaml'] = files['templates/deployment.yaml'].replace(
      '  replicas: {{ .Values.replicas }}\n',
      '  {{- if .Values.replicas }}\n  replicas: {{ .Values.replicas }}\n  {{- end }}\n',
    );
    const chart = await pushTestChart(registry, 'e2e', 'conflict', '1.0.0', files);
    const spec = {
      interval: '1m',
      timeout: '30s',
      chart: { ref: chart.ref, digest: chart.digest },
      values: { message: 'mine' },
    };
    applyHR(ns, 'c', spec);
    await waitFor(ns, 'c', readyFor());
    // An HPA-like scaler owns replicas, which the chart leaves out.
    cluster.kubectl(['scale', 'deployment/c', '-n', ns, '--replicas=3']);
    // Another Apply manager takes data.message.
    cluster.kubectl(
      ['apply', '--server-side', '--force-conflicts', '--field-manager=other-team', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c-config', namespace: ns },
        data: { message: 'theirs' },
      }),
    );
    applyHR(ns, 'c', { ...spec, values: { message: 'mine-v2' } });
    let hr = await waitFor(
      ns,
      'c',
      (h) =>
        cond(h, 'Ready')?.status === 'False' &&
        h.status.observedGeneration === h.metadata.generation &&
        /conflict/.test(cond(h, 'Ready').message),
    );
    assert.match(cond(hr, 'Ready').message, /\.data\.message/);
    assert.match(cond(hr, 'Ready').message, /other-team/);
    assert.equal(
      JSON.parse(cluster.kubectl(['get', 'configmap', 'c-config', '-n', ns, '-o', 'json'])).data.message,
      'theirs',
    );
    applyHR(ns, 'c', { ...spec, values: { message: 'mine-v2' }, upgrade: { forceConflicts: true } });
    hr = await waitFor(ns, 'c', readyFor());
    const cm = JSON.parse(
      cluster.kubectl(['get', 'configmap', 'c-config', '-n', ns, '-o', 'json', '--show-managed-fields']),
    );
    assert.equal(cm.data.message, 'mine-v2');
    const owners = cm.metadata.managedFields
      .filter((f: any) => JSON.stringify(f.fieldsV1).includes('f:message'))
      .map((f: any) => f.manager);
    assert.deepEqual(owners, ['capstan']);
    const d = JSON.parse(cluster.kubectl(['get', 'deployment', 'c', '-n', ns, '-o', 'json']));
    assert.equal(d.spec.replicas, 3, 'replicas, which the chart does not set, keep the scaler value');
  });

  it('reports a Deployment that cannot become ready, then recovers when the values are fixed', async () => {
    const ns = cluster.namespace('e2e-notready');
    const chart = await pushTestChart(registry, 'e2e', 'notready', '1.0.0', webChart());
    const spec = { interval: '1m', timeout: '6s', chart: { ref: chart.ref, digest: chart.digest } };
    applyHR(ns, 'nr', { ...spec, values: { nodeSelector: { 'no-such-node': 'true' } } });
    let hr = await waitFor(
      ns,
      'nr',
      (h) => cond(h, 'Ready')?.status === 'False' && /Deployment/.test(cond(h, 'Ready')?.message ?? ''),
    );
    assert.match(cond(hr, 'Ready').message, new RegExp(`Deployment ${ns}/nr`));
    applyHR(ns, 'nr', { ...spec, timeout: '30s', values: { nodeSelector: {} } });
    hr = await waitFor(ns, 'nr', readyFor());
    assert.equal(cond(hr, 'Stalled'), undefined, 'no Stalled condition once Ready');
  });

  it('stalls on invalid input with a message naming the cause, and applies nothing', async () => {
    const ns = cluster.namespace('e2e-invalid');
    const good = await pushTestChart(registry, 'e2e', 'good', '1.0.0', webChart());
    const schema = await pushTestChart(registry, 'e2e', 'schema', '1.0.0', {
      ...webChart(),
      'values.schema.json': JSON.stringify({ type: 'object', properties: { replicas: { type: 'integer' } } }),
    });
    const broken = await pushTestChart(registry, 'e2e', 'broken', '1.0.0', {
      ...webChart(),
      'templates/boom.yaml': '{{ fail "the chart refuses these values" }}\n',
    });
    const cases: { name: string; spec: Record<string, unknown>; reason: RegExp; message: RegExp }[] = [
      {
        name: 'unknown-chart',
        spec: { chart: { ref: `oci://${registry}/e2e/does-not-exist`, version: '1.0.0' } },
        reason: /ChartPullFailed|InvalidSpec/,
        message: /spec\.chart/,
      },
      {
        name: 'digest-mismatch',
        spec: { chart: { ref: good.ref, digest: `sha256:${'0'.repeat(64)}` } },
        reason: /ChartPullFailed/,
        message: /spec\.chart/,
      },
      {
        name: 'schema',
        spec: { chart: { ref: schema.ref, digest: schema.digest }, values: { replicas: 'many' } },
        reason: /RenderFailed/,
        message: /replicas/,
      },
      {
        name: 'template-error',
        spec: { chart: { ref: broken.ref, digest: broken.digest } },
        reason: /RenderFailed/,
        message: /the chart refuses these values/,
      },
      {
        name: 'missing-secret',
        spec: { chart: { ref: good.ref, digest: good.digest }, valuesFrom: [{ kind: 'Secret', name: 'nope' }] },
        reason: /ValuesNotFound/,
        message: /spec\.valuesFrom\[0\]/,
      },
      {
        name: 'cycle-a',
        spec: { chart: { ref: good.ref, digest: good.digest }, dependsOn: [{ name: 'cycle-b' }] },
        reason: /DependencyCycle/,
        message: /cycle/,
      },
      {
        name: 'cycle-b',
        spec: { chart: { ref: good.ref, digest: good.digest }, dependsOn: [{ name: 'cycle-a' }] },
        reason: /DependencyCycle/,
        message: /cycle/,
      },
    ];
    for (const c of cases) applyHR(ns, c.name, { interval: '1m', timeout: '20s', ...c.spec });
    for (const c of cases) {
      const hr = await waitFor(ns, c.name, (h) => cond(h, 'Stalled')?.status === 'True');
      assert.match(cond(hr, 'Stalled').reason, c.reason, c.name);
      assert.match(cond(hr, 'Ready').message, c.message, c.name);
      assert.equal(cond(hr, 'Ready').status, 'False', c.name);
    }
    assert.equal(
      cluster
        .kubectl(['get', 'deployments,configmaps,services', '-n', ns, '-o', 'name'])
        .split('\n')
        .filter((l) => l && !l.includes('kube-root-ca')).length,
      0,
      'nothing applied',
    );
    assert.equal(
      cluster.kubectl(['get', 'secrets', '-n', ns, '-l', 'owner=helm', '-o', 'name']).trim(),
      '',
      'no release stored',
    );
    // A malformed digest never gets past the API server's schema.
    assert.throws(
      () => applyHR(ns, 'bad-digest', { interval: '1m', chart: { ref: good.ref, digest: 'sha256:xyz' } }),
      /spec\.chart\.digest/,
    );
  });

  it('recovers an upgrade interrupted by a killed controller: nothing is left pending', async () => {
    const ns = cluster.namespace('e2e-kill');
    const chart = await pushTestChart(registry, 'e2e', 'kill', '1.0.0', webChart());
    const spec = { interval: '1m', timeout: '60s', chart: { ref: chart.ref, digest: chart.digest } };
    applyHR(ns, 'k', { ...spec, values: { message: 'v1' } });
    await waitFor(ns, 'k', readyFor());
    // An upgrade that waits (unschedulable pods) while the controller is killed.
    applyHR(ns, 'k', { ...spec, values: { message: 'v2', nodeSelector: { 'no-such-node': 'true' } } });
    const deadline = Date.now() + 30_000;
    while (
      Date.now() < deadline &&
      !cluster.kubectl(['get', 'secrets', '-n', ns, '-l', 'owner=helm,status=pending-upgrade', '-o', 'name']).trim()
    )
      await sleep(200);
    assert.ok(
      cluster.kubectl(['get', 'secrets', '-n', ns, '-l', 'owner=helm,status=pending-upgrade', '-o', 'name']).trim(),
      'upgrade got under way',
    );
    await ctrl.stop('SIGKILL');
    applyHR(ns, 'k', { ...spec, values: { message: 'v3' } });
    ctrl = await startController(cluster);
    await waitFor(ns, 'k', (h) => readyFor()(h) && h.status.lastAppliedRevision?.releaseRevision >= 3);
    const statuses = JSON.parse(helm(['history', 'k', '-n', ns, '-o', 'json'])).map((h: any) => h.status);
    assert.ok(!statuses.some((s: string) => s.startsWith('pending')), `no pending revision: ${statuses}`);
    assert.equal(statuses[statuses.length - 1], 'deployed');
    assert.ok(statuses.includes('failed'), 'the interrupted revision is marked failed');
    assert.equal(
      JSON.parse(cluster.kubectl(['get', 'configmap', 'k-config', '-n', ns, '-o', 'json'])).data.message,
      'v3',
    );
  });

  it('uninstalls every object and the release history when the HelmRelease is deleted', async () => {
    const ns = cluster.namespace('e2e-delete');
    const chart = await pushTestChart(registry, 'e2e', 'gone', '1.0.0', webChart());
    applyHR(ns, 'g', { interval: '1m', timeout: '30s', chart: { ref: chart.ref, digest: chart.digest } });
    await waitFor(ns, 'g', readyFor());
    assert.ok(exists(ns, 'deployment', 'g'));
    cluster.kubectl(['delete', 'helmrelease', 'g', '-n', ns, '--timeout=60s']);
    assert.equal(exists(ns, 'deployment', 'g'), false);
    assert.equal(exists(ns, 'service', 'g'), false);
    assert.equal(exists(ns, 'configmap', 'g-config'), false);
    assert.equal(cluster.kubectl(['get', 'secrets', '-n', ns, '-l', 'owner=helm', '-o', 'name']).trim(), '');
  });

  it('corrects drift from imperative edits, only reports it in warn mode, and leaves ignored paths alone', async () => {
    const ns = cluster.namespace('e2e-drift');
    const chart = await pushTestChart(registry, 'e2e', 'drift', '1.0.0', webChart());
    const base = {
      interval: '1m',
      timeout: '30s',
      chart: { ref: chart.ref, digest: chart.digest },
      values: { message: 'desired' },
    };
    applyHR(ns, 'fix', {
      ...base,
      driftDetection: { mode: 'enabled', ignore: [{ paths: ['/spec/selector'], target: { kind: 'Service' } }] },
    });
    applyHR(ns, 'warn', { ...base, driftDetection: { mode: 'warn' } });
    await waitFor(ns, 'fix', readyFor());
    await waitFor(ns, 'warn', readyFor());
    const edit = (name: string) =>
      cluster.kubectl([
        'patch',
        'configmap',
        `${name}-config`,
        '-n',
        ns,
        '--type=merge',
        '-p',
        '{"data":{"message":"edited"}}',
      ]);
    edit('fix');
    edit('warn');
    cluster.kubectl([
      'patch',
      'service',
      'fix',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"selector":{"app":"canary"}}}',
    ]);
    cluster.kubectl([
      'patch',
      'service',
      'warn',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"selector":{"app":"canary"}}}',
    ]);
    const request = (name: string) => {
      const at = String(Date.now());
      cluster.kubectl([
        'annotate',
        'helmrelease',
        name,
        '-n',
        ns,
        `reconcile.helm.capstan.dev/requestedAt=${at}`,
        '--overwrite',
      ]);
      return at;
    };
    const handled = (at: string) => (h: any) => h.status?.lastHandledReconcileAt === at && readyFor()(h);
    const onAt = request('fix');
    const warnAt = request('warn');
    const on = await waitFor(ns, 'fix', handled(onAt));
    const warn = await waitFor(ns, 'warn', (h) => handled(warnAt)(h) && h.status.drift?.objects > 0);
    const message = (name: string) =>
      JSON.parse(cluster.kubectl(['get', 'configmap', `${name}-config`, '-n', ns, '-o', 'json'])).data.message;
    assert.equal(message('fix'), 'desired', 'enabled mode takes the field back from kubectl');
    const selector = (name: string) =>
      JSON.parse(cluster.kubectl(['get', 'service', name, '-n', ns, '-o', 'json'])).spec.selector;
    assert.deepEqual(selector('fix'), { app: 'canary' }, 'an ignored path Capstan sets is left as edited');
    assert.equal(message('warn'), 'edited', 'warn mode leaves the edit');
    assert.deepEqual(warn.status.drift.entries.map((e: any) => e.object).sort(), [
      `ConfigMap ${ns}/warn-config`,
      `Service ${ns}/warn`,
    ]);
    assert.deepEqual(
      on.status.drift.entries.map((e: any) => e.object),
      [`ConfigMap ${ns}/fix-config`],
      'the ignored Service edit is not drift',
    );
    assert.ok(warn.status.drift.entries[0].fields.includes('/data/message'));
    assert.ok(on.status.drift.objects >= 1);
    const events = cluster.kubectl(['get', 'events', '-n', ns, '-o', 'jsonpath={.items[*].reason}']);
    assert.match(events, /DriftCorrected/);
    assert.match(events, /DriftDetected/);
  });

  it('composes values from ConfigMaps and Secrets, and upgrades when a watched ConfigMap changes', async () => {
    const ns = cluster.namespace('e2e-valuesfrom');
    const chart = await pushTestChart(registry, 'e2e', 'vf', '1.0.0', webChart());
    const configMap = (message: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'vf-values', namespace: ns, labels: { 'reconcile.helm.capstan.dev/watch': 'true' } },
        data: { 'values.yaml': `message: ${message}\nreplicas: 1\n` },
      });
    cluster.kubectl(['apply', '-f', '-'], configMap('from-configmap'));
    cluster.kubectl(['create', 'secret', 'generic', 'vf-secret', '-n', ns, '--from-literal=replicas=2']);
    applyHR(ns, 'vf', {
      interval: '10m',
      timeout: '30s',
      chart: { ref: chart.ref, digest: chart.digest },
      valuesFrom: [
        { kind: 'ConfigMap', name: 'vf-values' },
        { kind: 'Secret', name: 'vf-secret', valuesKey: 'replicas', targetPath: 'replicas' },
        { kind: 'Secret', name: 'absent', optional: true },
      ],
    });
    await waitFor(ns, 'vf', readyFor());
    const message = () =>
      JSON.parse(cluster.kubectl(['get', 'configmap', 'vf-config', '-n', ns, '-o', 'json'])).data.message;
    assert.equal(message(), 'from-configmap');
    assert.equal(
      JSON.parse(cluster.kubectl(['get', 'deployment', 'vf', '-n', ns, '-o', 'json'])).spec.replicas,
      2,
      'targetPath from the Secret wins over the ConfigMap',
    );
    cluster.kubectl(['apply', '-f', '-'], configMap('changed'));
    // No spec change and a 10m interval: only the watch on the labelled ConfigMap can trigger this.
    await waitFor(ns, 'vf', (h) => readyFor()(h) && h.status.lastAppliedRevision?.releaseRevision === 2);
    assert.equal(message(), 'changed');
    const hr = getHR(ns, 'vf');
    assert.doesNotMatch(
      JSON.stringify(hr.status),
      /"replicas"\s*:\s*"?2/,
      'values from Secrets do not appear in status',
    );
  });

  it('replaces an object it cannot update in place only when forceReplace is set', async () => {
    const ns = cluster.namespace('e2e-replace');
    const job = (cmd: string) => ({
      'templates/job.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: busybox:1.36, command: ["${cmd}"]}]
`,
    });
    const v1 = await pushTestChart(registry, 'e2e', 'jobs', '1.0.0', job('true'));
    const v2 = await pushTestChart(registry, 'e2e', 'jobs', '2.0.0', job('date'));
    applyHR(ns, 'j', { interval: '1m', timeout: '30s', chart: { ref: v1.ref, digest: v1.digest } });
    await waitFor(ns, 'j', readyFor());
    const uid = () => JSON.parse(cluster.kubectl(['get', 'job', 'migrate', '-n', ns, '-o', 'json'])).metadata.uid;
    const first = uid();
    applyHR(ns, 'j', { interval: '1m', timeout: '30s', chart: { ref: v2.ref, digest: v2.digest } });
    const refused = await waitFor(
      ns,
      'j',
      (h) => cond(h, 'Ready')?.status === 'False' && h.status.observedGeneration === h.metadata.generation,
    );
    assert.match(cond(refused, 'Ready').message, /Job .*migrate.*immutable/s);
    assert.equal(uid(), first);
    applyHR(ns, 'j', {
      interval: '1m',
      timeout: '30s',
      chart: { ref: v2.ref, digest: v2.digest },
      upgrade: { forceReplace: true },
    });
    await waitFor(ns, 'j', readyFor());
    assert.notEqual(uid(), first, 'the Job was deleted and created again');
    const cmd = JSON.parse(cluster.kubectl(['get', 'job', 'migrate', '-n', ns, '-o', 'json'])).spec.template.spec
      .containers[0].command;
    assert.deepEqual(cmd, ['date']);
  });

  it('exposes reconcile and release metrics', async () => {
    const text = await (await fetch(`${ctrl.metrics}/metrics`)).text();
    assert.match(
      text,
      /^capstan_reconcile_total\{result="(success|requeue)",action="(install|upgrade|noop|drift)"\} [1-9]/m,
    );
    assert.match(text, /^capstan_release_ready\{namespace="e2e-[a-z]+-[0-9a-f]+",name="[a-z]+"\} 1$/m);
    assert.match(text, /^capstan_workqueue_depth \d+$/m);
    assert.match(text, /^capstan_workqueue_adds_total [1-9]\d*$/m);
    assert.match(
      text,
      /^capstan_release_info\{namespace="e2e-install-[0-9a-f]+",name="web",chart="web",version="1\.0\.0",digest="sha256:[0-9a-f]{64}",revision="1"\} 1$/m,
    );
    assert.match(text, /^capstan_release_drift_objects\{namespace="e2e-drift-[0-9a-f]+",name="warn"\} [1-9]/m);
    assert.match(text, /^capstan_release_failures\{namespace="e2e-[a-z]+-[0-9a-f]+",name="[a-z]+"\} \d+$/m);
    assert.match(text, /^capstan_chart_pull_duration_seconds_count\{cache="miss"\} [1-9]/m);
    assert.match(text, /^capstan_chart_cache_requests_total\{result="miss"\} [1-9]/m);
    assert.match(text, /^capstan_chart_pull_bytes_total [1-9]/m);
    assert.match(text, /^capstan_render_duration_seconds_count [1-9]/m);
    assert.match(text, /^capstan_release_action_duration_seconds_count\{action="install",result="success"\} [1-9]/m);
    assert.match(text, /^capstan_api_request_duration_seconds_count\{verb="patch",code="200"\} [1-9]/m);
    assert.match(text, /^capstan_reconcile_duration_seconds_count\{result="requeue",action="install"\} [1-9]/m);
    assert.match(text, /^capstan_leader 0$/m, 'no leader election in this run');
    assert.match(text, /^process_resident_memory_bytes \d+/m, 'default Node process metrics');
    // A deleted release's series are removed.
    assert.doesNotMatch(text, /capstan_release_ready\{namespace="e2e-delete-/);
    assert.match(readFileSync(ctrl.logPath, 'utf8'), /"msg":"reconcile finished"/);
  });
});
