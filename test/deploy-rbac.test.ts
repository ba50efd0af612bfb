/**
 * deploy-rbac: the base RBAC in deploy/rbac/ is enough for Capstan in tenant mode. It is applied
 * for real (renamed into a namespace of its own so runs never collide), the controller runs with a
 * token of that ServiceAccount — not the admin — and installs and uninstalls a release as the
 * HelmRelease's own ServiceAccount (bound to `edit` in its namespace). Without the impersonation
 * grant the release stalls with a message naming the missing permission, and nothing is applied.
 * The namespaced overlay's Roles alone are enough for a controller that watches one namespace.
 *
 * The controller is scoped with --watch-label-selector so it only sees this file's HelmReleases.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../src/devcluster/cluster.js';
import { pushTestChart, webChart } from './support/charts.js';
import { testCluster, testRegistries, type TestCluster } from './support/env.js';

const root = join(import.meta.dirname, '..');
const id = randomBytes(3).toString('hex');
const SELECTOR_KEY = 'test.capstan.dev/controller';
const FIELD_MANAGER = `capstan-rbac-${id}`;

let cluster: TestCluster;
let registry: string;
let work: string;
let systemNs: string;
let sa: string;
let clusterRole: string;
type Controller = { proc: ChildProcess; logPath: string; metrics: string };
let ctrl: Controller | undefined;
const running: Controller[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cond = (hr: any, type: string) => hr?.status?.conditions?.find((c: any) => c.type === type);
const getHR = (ns: string, name: string) =>
  JSON.parse(cluster.kubectl(['get', 'helmrelease', name, '-n', ns, '-o', 'json', '--show-managed-fields']));

async function waitFor(ns: string, name: string, ok: (hr: any) => boolean, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let hr: any;
  while (Date.now() < deadline) {
    try {
      hr = getHR(ns, name);
      if (ok(hr)) return hr;
    } catch {
      /* not there yet */
    }
    await sleep(300);
  }
  const log = ctrl ? readFileSync(ctrl.logPath, 'utf8').split('\n').slice(-15).join('\n') : '';
  assert.fail(
    `HelmRelease ${ns}/${name} did not reach the expected state; status: ${JSON.stringify(hr?.status, null, 1)}\ncontroller log tail:\n${log}`,
  );
}

/** tenant creates a namespace whose `deployer` ServiceAccount may edit it (and nothing else). */
function tenant(): string {
  const ns = cluster.namespace('rbac-tenant');
  cluster.kubectl(['create', 'serviceaccount', 'deployer', '-n', ns]);
  cluster.kubectl([
    'create',
    'rolebinding',
    'deployer-edit',
    '--clusterrole=edit',
    `--serviceaccount=${ns}:deployer`,
    '-n',
    ns,
  ]);
  return ns;
}

function applyHR(ns: string, name: string, spec: Record<string, unknown>): void {
  cluster.kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'helm.capstan.dev/v1alpha1',
      kind: 'HelmRelease',
      metadata: { name, namespace: ns, labels: { [SELECTOR_KEY]: id } },
      spec,
    }),
  );
}

/** saKubeconfig writes a kubeconfig that authenticates as the ServiceAccount with a fresh token. */
function saKubeconfig(account = sa, ns = systemNs): string {
  const current = cluster.kubeConfig().getCurrentCluster()!;
  const ca = current.caData ?? Buffer.from(readFileSync(current.caFile!)).toString('base64');
  const token = cluster.kubectl(['create', 'token', account, '-n', ns, '--duration=1h']).trim();
  const path = join(work, `${ns}.kubeconfig`);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: current.server, 'certificate-authority-data': ca } }],
      users: [{ name: account, user: { token } }],
      contexts: [{ name: 'sa', context: { cluster: 'test', user: account, namespace: ns } }],
      'current-context': 'sa',
    }),
    { mode: 0o600 },
  );
  return path;
}

/** launch runs `capstan controller` with a kubeconfig and waits until it is ready (it leads). */
async function launch(name: string, kubeconfig: string, extra: string[]): Promise<Controller> {
  const port = await freePort();
  const logPath = join(work, `${name}.log`);
  const out = openSync(logPath, 'a');
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'src/cli/main.ts'),
      'controller',
      `--kubeconfig=${kubeconfig}`,
      `--metrics-address=127.0.0.1:${port}`,
      `--cache-dir=${join(work, `${name}-cache`)}`,
      `--watch-label-selector=${SELECTOR_KEY}=${id}`,
      `--field-manager=${FIELD_MANAGER}`,
      ...extra,
    ],
    { stdio: ['ignore', out, out], env: { ...process.env, KUBECONFIG: '' } },
  );
  const c = { proc, logPath, metrics: `http://127.0.0.1:${port}` };
  running.push(c);
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) break;
    try {
      if ((await fetch(`${c.metrics}/readyz`)).ok) return c;
    } catch {
      /* not up yet */
    }
    await sleep(200);
  }
  assert.fail(
    `the controller did not become ready with the ServiceAccount's rights:\n${readFileSync(logPath, 'utf8').slice(-3000)}`,
  );
}

before(async () => {
  cluster = await testCluster();
  registry = (await testRegistries()).open;
  cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(root, 'crds')]);
  cluster.kubectl(['wait', '--for=condition=Established', 'crd/helmreleases.helm.capstan.dev', '--timeout=60s']);
  work = mkdtempSync(join(tmpdir(), 'capstan-rbac-'));
  // deploy/rbac as it is, moved into a namespace of its own with unique cluster-scoped names.
  systemNs = cluster.namespace('capstan-system');
  cpSync(join(root, 'deploy', 'rbac'), join(work, 'rbac'), { recursive: true });
  writeFileSync(
    join(work, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${systemNs}\nnameSuffix: "-${id}"\nresources:\n  - rbac\n`,
  );
  cluster.kubectl(['apply', '-k', work]);
  sa = `capstan-${id}`;
  clusterRole = `capstan-controller-${id}`;
  cluster.kubectl(['get', 'serviceaccount', sa, '-n', systemNs]);
  ctrl = await launch('tenant', saKubeconfig(), [
    // The Lease, in the controller's namespace, through the leader-election Role.
    '--leader-elect',
    `--leader-election-namespace=${systemNs}`,
    '--leader-election-id=capstan-leader',
  ]);
});

/** stopAll stops every controller this file started so far (two would race on the same releases). */
async function stopAll(): Promise<void> {
  for (const c of running.splice(0)) {
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) continue;
    await new Promise<void>((r) => {
      c.proc.once('exit', () => r());
      c.proc.kill('SIGTERM');
    });
  }
}

after(async () => {
  await stopAll();
  for (const args of [
    ['delete', 'clusterrolebinding', `capstan-controller-${id}`, '--ignore-not-found'],
    ['delete', 'clusterrole', `capstan-controller-${id}`, '--ignore-not-found'],
    ['delete', 'namespace', systemNs, '--wait=false', '--ignore-not-found'],
  ]) {
    try {
      if (systemNs) cluster.kubectl(args);
    } catch {
      /* best effort */
    }
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('deploy/rbac in tenant mode', () => {
  it('the controller runs as its ServiceAccount, not as an admin', () => {
    const can = (verb: string, what: string, ns?: string) => {
      const r = spawnSync(
        join(cluster.binDir, 'kubectl'),
        [
          `--kubeconfig=${cluster.kubeconfigPath}`,
          'auth',
          'can-i',
          verb,
          what,
          `--as=system:serviceaccount:${systemNs}:${sa}`,
          ...(ns ? ['-n', ns] : ['--all-namespaces']),
        ],
        { encoding: 'utf8' },
      );
      return r.stdout.trim();
    };
    assert.equal(can('watch', 'helmreleases.helm.capstan.dev'), 'yes');
    assert.equal(can('impersonate', 'serviceaccounts'), 'yes');
    assert.equal(can('update', 'leases.coordination.k8s.io', systemNs), 'yes');
    for (const [verb, what] of [
      ['create', 'deployments.apps'],
      ['update', 'leases.coordination.k8s.io'],
      ['delete', 'namespaces'],
      ['impersonate', 'users'],
    ]) {
      assert.equal(can(verb, what), 'no', `${verb} ${what} is not granted`);
    }
    const lease = JSON.parse(cluster.kubectl(['get', 'lease', 'capstan-leader', '-n', systemNs, '-o', 'json']));
    assert.ok(lease.spec.holderIdentity, 'the controller holds its Lease');
  });

  it('installs a release as the HelmRelease ServiceAccount, records it, reports Ready, and uninstalls it on delete', async () => {
    const ns = tenant();
    const chart = await pushTestChart(registry, 'rbac', 'web', '1.0.0', webChart());
    applyHR(ns, 'web', {
      interval: '1m',
      timeout: '60s',
      serviceAccountName: 'deployer',
      chart: { ref: chart.ref, digest: chart.digest },
      values: { message: 'tenant' },
    });
    const hr = await waitFor(
      ns,
      'web',
      (h) => cond(h, 'Ready')?.status === 'True' && h.status.observedGeneration === h.metadata.generation,
    );
    assert.ok(hr.metadata.finalizers.includes('helm.capstan.dev/finalizer'), 'finalizer added (merge patch)');
    const statusManagers = hr.metadata.managedFields
      .filter((f: any) => f.subresource === 'status')
      .map((f: any) => f.manager);
    assert.deepEqual(statusManagers, [FIELD_MANAGER], 'status applied by this controller');
    const cm = JSON.parse(
      cluster.kubectl(['get', 'configmap', 'web-config', '-n', ns, '-o', 'json', '--show-managed-fields']),
    );
    assert.equal(cm.data.message, 'tenant');
    assert.ok(cm.metadata.managedFields.some((f: any) => f.manager === FIELD_MANAGER && f.operation === 'Apply'));
    assert.equal(
      cluster
        .kubectl([
          'get',
          'secrets',
          '-n',
          ns,
          '-l',
          'owner=helm,name=web',
          '-o',
          'jsonpath={.items[*].metadata.labels.status}',
        ])
        .trim(),
      'deployed',
      'release Secret written with the controller identity',
    );
    const events = JSON.parse(
      cluster.kubectl([
        'get',
        'events',
        '-n',
        ns,
        '--field-selector',
        'involvedObject.name=web,involvedObject.kind=HelmRelease',
        '-o',
        'json',
      ]),
    ).items;
    assert.ok(
      events.some((e: any) => e.reason === 'InstallSucceeded'),
      `Event recorded: ${events.map((e: any) => e.reason)}`,
    );

    cluster.kubectl(['delete', 'helmrelease', 'web', '-n', ns, '--timeout=90s']);
    assert.equal(
      cluster
        .kubectl(['get', 'deployments,services,configmaps', '-n', ns, '-o', 'name'])
        .split('\n')
        .filter((l) => l.includes('web')).length,
      0,
    );
    assert.equal(cluster.kubectl(['get', 'secrets', '-n', ns, '-l', 'owner=helm', '-o', 'name']).trim(), '');
    // Nothing the controller does on its own behalf was refused (Events and watches fail quietly).
    assert.doesNotMatch(readFileSync(ctrl!.logPath, 'utf8'), /forbidden|recording event failed|watch of .* failed/i);
  });

  it('stalls with a clear message and applies nothing when the impersonation grant is missing', async () => {
    const role = JSON.parse(cluster.kubectl(['get', 'clusterrole', clusterRole, '-o', 'json']));
    const index = role.rules.findIndex((r: any) => r.verbs.includes('impersonate'));
    assert.ok(index >= 0);
    cluster.kubectl([
      'patch',
      'clusterrole',
      clusterRole,
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'remove', path: `/rules/${index}` }]),
    ]);
    const ns = tenant();
    const chart = await pushTestChart(registry, 'rbac', 'denied', '1.0.0', webChart());
    applyHR(ns, 'denied', {
      interval: '1m',
      timeout: '30s',
      serviceAccountName: 'deployer',
      chart: { ref: chart.ref, digest: chart.digest },
    });
    const hr = await waitFor(ns, 'denied', (h) => cond(h, 'Stalled')?.status === 'True');
    assert.equal(cond(hr, 'Ready').status, 'False');
    assert.match(cond(hr, 'Ready').message, /cannot impersonate resource "serviceaccounts"/);
    assert.match(cond(hr, 'Ready').message, new RegExp(`system:serviceaccount:${systemNs}:${sa}`));
    assert.match(cond(hr, 'Stalled').reason, /InstallFailed/);
    assert.equal(
      cluster
        .kubectl(['get', 'deployments,services,configmaps', '-n', ns, '-o', 'name'])
        .split('\n')
        .filter((l) => l.includes('denied')).length,
      0,
      'nothing applied',
    );
  });
});

describe('deploy/namespaced: Roles only, one namespace', () => {
  it('installs a release with only the overlay Roles in the namespace it watches', async () => {
    // The tenant-mode controllers above watch the same label: only this one may run now.
    await stopAll();
    // The overlay's RBAC objects, moved from capstan-system into the team namespace.
    const ns = tenant();
    const rendered = parseAllDocuments(cluster.kubectl(['kustomize', join(root, 'deploy', 'namespaced')]))
      .map((d) => d.toJS())
      .filter((o) => ['ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind));
    assert.deepEqual(rendered.map((o) => o.kind).sort(), [
      'Role',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'ServiceAccount',
    ]);
    for (const o of rendered) {
      o.metadata.namespace = ns;
      for (const s of o.subjects ?? []) s.namespace = ns;
      cluster.kubectl(['apply', '-f', '-'], JSON.stringify(o));
    }
    const args: string[] = parseAllDocuments(cluster.kubectl(['kustomize', join(root, 'deploy', 'namespaced')]))
      .map((d) => d.toJS())
      .find((o) => o.kind === 'Deployment').spec.template.spec.containers[0].args;
    const scoped = args.find((a) => a.startsWith('--namespaces='))!.replace('$(POD_NAMESPACE)', ns);
    const c = await launch('namespaced', saKubeconfig('capstan', ns), [
      scoped,
      '--leader-elect',
      `--leader-election-namespace=${ns}`,
    ]);
    const chart = await pushTestChart(registry, 'rbac', 'team', '1.0.0', webChart());
    applyHR(ns, 'team', {
      interval: '1m',
      timeout: '60s',
      serviceAccountName: 'deployer',
      chart: { ref: chart.ref, digest: chart.digest },
    });
    const hr = await waitFor(
      ns,
      'team',
      (h) => cond(h, 'Ready')?.status === 'True' && h.status.observedGeneration === h.metadata.generation,
    );
    assert.equal(hr.status.history[0].status, 'deployed');
    assert.doesNotMatch(readFileSync(c.logPath, 'utf8'), /forbidden|recording event failed|watch of .* failed/i);
  });
});
