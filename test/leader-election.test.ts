/**
 * leader-election: two controller processes share one Lease. Exactly one leads (capstan_leader 1,
 * /readyz 200) while the other stands by (capstan_leader 0, /readyz 503). When the leader is killed
 * the standby takes over within the lease duration and reconciles a change made after the kill.
 * A SIGTERM during a reconcile ends the process within --graceful-shutdown-timeout and leaves no
 * release pending.
 *
 * The controllers are scoped with --watch-label-selector so they only see this file's HelmReleases,
 * and use a Lease of their own.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../src/devcluster/cluster.js';
import { pushTestChart, webChart } from './support/charts.js';
import { testCluster, testRegistries, type TestCluster } from './support/env.js';

const root = join(import.meta.dirname, '..');
const id = randomBytes(3).toString('hex');
const SELECTOR_KEY = 'test.capstan.dev/controller';
const LEASE = `capstan-leader-${id}`;
const LEASE_MS = 6_000;
const RETRY_MS = 1_000;
const GRACE_MS = 5_000;
/** SLACK_MS absorbs process scheduling on a loaded machine. */
const SLACK_MS = 5_000;

let cluster: TestCluster;
let registry: string;
let work: string;
let leaseNs: string;

interface Controller {
  name: string;
  proc: ChildProcess;
  metrics: string;
  logPath: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}
const controllers: Controller[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startController(name: string): Promise<Controller> {
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
      `--kubeconfig=${cluster.kubeconfigPath}`,
      `--metrics-address=127.0.0.1:${port}`,
      `--cache-dir=${join(work, `${name}-cache`)}`,
      `--watch-label-selector=${SELECTOR_KEY}=${id}`,
      '--leader-elect',
      `--leader-election-namespace=${leaseNs}`,
      `--leader-election-id=${LEASE}`,
      `--lease-duration=${LEASE_MS / 1000}s`,
      '--renew-deadline=4s',
      `--retry-period=${RETRY_MS / 1000}s`,
      `--graceful-shutdown-timeout=${GRACE_MS / 1000}s`,
    ],
    { stdio: ['ignore', out, out] },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((r) =>
    proc.once('exit', (code, signal) => r({ code, signal, at: Date.now() })),
  );
  const c = { name, proc, metrics: `http://127.0.0.1:${port}`, logPath, exited };
  controllers.push(c);
  for (let i = 0; i < 300 && proc.exitCode === null; i++) {
    try {
      if ((await fetch(`${c.metrics}/healthz`)).ok) return c;
    } catch {
      /* not up yet */
    }
    await sleep(200);
  }
  assert.fail(`controller ${name} did not serve /healthz:\n${readFileSync(logPath, 'utf8').slice(-2000)}`);
}

/** leaderGauge reads capstan_leader from a controller's /metrics (undefined when it does not answer). */
async function leaderGauge(c: Controller): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${c.metrics}/metrics`)).text();
    const m = /^capstan_leader (\d+)$/m.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function readyz(c: Controller): Promise<number> {
  return (await fetch(`${c.metrics}/readyz`)).status;
}

/** readyzWithin polls /readyz until it answers `want` (caches sync after the lease is taken). */
async function readyzWithin(c: Controller, want: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let got = await readyz(c);
  while (got !== want && Date.now() < deadline) {
    await sleep(100);
    got = await readyz(c);
  }
  return got;
}

/** waitForLeader waits until exactly one of the running controllers reports capstan_leader 1. */
async function waitForLeader(running: Controller[], timeoutMs: number): Promise<Controller> {
  const deadline = Date.now() + timeoutMs;
  let seen: (number | undefined)[] = [];
  while (Date.now() < deadline) {
    seen = await Promise.all(running.map(leaderGauge));
    const leaders = running.filter((_, i) => seen[i] === 1);
    if (leaders.length === 1 && seen.every((v) => v === 0 || v === 1)) return leaders[0];
    assert.ok(leaders.length <= 1, `two leaders at once: ${seen}`);
    await sleep(100);
  }
  assert.fail(`no single leader within ${timeoutMs} ms (capstan_leader: ${seen})`);
}

const getHR = (ns: string, name: string) =>
  JSON.parse(cluster.kubectl(['get', 'helmrelease', name, '-n', ns, '-o', 'json']));
const cond = (hr: any, type: string) => hr?.status?.conditions?.find((c: any) => c.type === type);
const readyFor = (hr: any) =>
  cond(hr, 'Ready')?.status === 'True' && hr.status.observedGeneration === hr.metadata.generation;

async function waitFor(ns: string, name: string, ok: (hr: any) => boolean, timeoutMs = 60_000): Promise<any> {
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
  assert.fail(
    `HelmRelease ${ns}/${name} did not reach the expected state; status: ${JSON.stringify(hr?.status, null, 1)}`,
  );
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

const lease = () => JSON.parse(cluster.kubectl(['get', 'lease', LEASE, '-n', leaseNs, '-o', 'json']));
const releaseStatuses = (ns: string) =>
  cluster
    .kubectl(['get', 'secrets', '-n', ns, '-l', 'owner=helm', '-o', 'jsonpath={.items[*].metadata.labels.status}'])
    .split(/\s+/)
    .filter(Boolean);

before(async () => {
  cluster = await testCluster();
  registry = (await testRegistries()).open;
  cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(root, 'crds')]);
  cluster.kubectl(['wait', '--for=condition=Established', 'crd/helmreleases.helm.capstan.dev', '--timeout=60s']);
  work = mkdtempSync(join(tmpdir(), 'capstan-leader-'));
  leaseNs = cluster.namespace('leader');
});

after(async () => {
  for (const c of controllers) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await c.exited;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('leader election', () => {
  let a: Controller;
  let b: Controller;
  let leader: Controller;
  let standby: Controller;
  let ns: string;
  let chart: { ref: string; digest: string };

  it('elects exactly one leader: capstan_leader 1 and /readyz 200 on it, 0 and 503 on the standby', async () => {
    [a, b] = await Promise.all([startController('a'), startController('b')]);
    leader = await waitForLeader([a, b], LEASE_MS + SLACK_MS);
    standby = leader === a ? b : a;
    // Stays that way: the standby does not grab the lease while the leader renews it.
    await sleep(2 * RETRY_MS + 500);
    assert.equal(await leaderGauge(leader), 1);
    assert.equal(await leaderGauge(standby), 0);
    assert.equal(await readyzWithin(leader, 200, SLACK_MS), 200);
    assert.equal(await readyz(standby), 503);
    assert.ok(lease().spec.holderIdentity, 'the Lease names its holder');

    ns = cluster.namespace('leader-rel');
    chart = await pushTestChart(registry, 'leader', 'web', '1.0.0', webChart());
    applyHR(ns, 'web', {
      interval: '1m',
      timeout: '30s',
      chart: { ref: chart.ref, digest: chart.digest },
      values: { message: 'one' },
    });
    await waitFor(ns, 'web', readyFor);
    assert.match(readFileSync(leader.logPath, 'utf8'), /"msg":"reconcile finished"/);
    assert.doesNotMatch(
      readFileSync(standby.logPath, 'utf8'),
      /"msg":"reconcile (started|finished)"/,
      'the standby reconciles nothing',
    );
  });

  it('the standby takes over within the lease duration after the leader is SIGKILLed, and reconciles a change made after the kill', async () => {
    const before = lease().spec;
    const t0 = Date.now();
    leader.proc.kill('SIGKILL');
    await leader.exited;
    applyHR(ns, 'web', {
      interval: '1m',
      timeout: '30s',
      chart: { ref: chart.ref, digest: chart.digest },
      values: { message: 'after-kill' },
    });
    await waitForLeader([standby], LEASE_MS + 2 * RETRY_MS + SLACK_MS);
    const tookOver = Date.now() - t0;
    assert.ok(tookOver <= LEASE_MS + 2 * RETRY_MS + SLACK_MS, `took over after ${tookOver} ms`);
    assert.equal(await readyzWithin(standby, 200, SLACK_MS), 200, 'ready once its caches are synced');
    const now = lease().spec;
    assert.notEqual(now.holderIdentity, before.holderIdentity);
    assert.equal(now.leaseTransitions, (before.leaseTransitions ?? 0) + 1);
    await waitFor(ns, 'web', readyFor);
    assert.equal(
      JSON.parse(cluster.kubectl(['get', 'configmap', 'web-config', '-n', ns, '-o', 'json'])).data.message,
      'after-kill',
    );
    leader = standby;
  });

  it('SIGTERM during a reconcile: the process exits within the grace period and no release is left pending', async () => {
    // An upgrade that waits for Pods that cannot be scheduled holds a worker for up to spec.timeout.
    applyHR(ns, 'web', {
      interval: '1m',
      timeout: '60s',
      chart: { ref: chart.ref, digest: chart.digest },
      values: { message: 'stuck', nodeSelector: { 'no-such-node': 'true' } },
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !releaseStatuses(ns).includes('pending-upgrade')) await sleep(200);
    assert.ok(releaseStatuses(ns).includes('pending-upgrade'), 'the upgrade is under way');
    const t0 = Date.now();
    leader.proc.kill('SIGTERM');
    const exit = await Promise.race([leader.exited, sleep(GRACE_MS + SLACK_MS).then(() => undefined)]);
    assert.ok(
      exit,
      `still running ${GRACE_MS + SLACK_MS} ms after SIGTERM (--graceful-shutdown-timeout=${GRACE_MS / 1000}s): ` +
        'the in-flight wait is not aborted on shutdown and nothing ends the process after the grace period',
    );
    assert.ok(exit.at - t0 <= GRACE_MS + SLACK_MS, `exited after ${exit.at - t0} ms`);
    assert.equal(exit.code, 0, 'a clean shutdown exits 0');
    const statuses = releaseStatuses(ns);
    assert.ok(!statuses.some((s) => s.startsWith('pending')), `no pending revision after shutdown: ${statuses}`);
    const l = lease().spec;
    assert.ok(!l.holderIdentity, 'the Lease is released on shutdown, so a standby takes over at once');
  });
});
