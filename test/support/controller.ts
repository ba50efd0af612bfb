/**
 * controller: runs `capstan controller` as a real child process against the test cluster, and
 * small helpers to apply HelmReleases and wait for their conditions.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/devcluster/cluster.js';
import type { TestCluster } from './env.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * SUITE_LABEL scopes a test file's controller to the HelmReleases that file applies, so controllers
 * of different files (or left-over releases) never reconcile each other's objects.
 */
export const SUITE_LABEL = 'test.capstan.dev/controller';
const suite = randomBytes(4).toString('hex');

export interface Controller {
  proc: ChildProcess;
  metrics: string;
  logPath: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** installCrd applies Capstan's CRD and waits until it is Established. */
export function installCrd(cluster: TestCluster): void {
  cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(root, 'crds')]);
  cluster.kubectl(['wait', '--for=condition=Established', 'crd/helmreleases.helm.capstan.dev', '--timeout=60s']);
}

/**
 * startController starts `capstan controller` for this test file's HelmReleases (see SUITE_LABEL)
 * and waits until it serves /readyz.
 */
export async function startController(cluster: TestCluster, extra: string[] = []): Promise<Controller> {
  if (!extra.some((a) => a.startsWith('--watch-label-selector')))
    extra = [...extra, `--watch-label-selector=${SUITE_LABEL}=${suite}`];
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'capstan-ctrl-'));
  const logPath = join(dir, 'controller.log');
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
      `--cache-dir=${join(dir, 'cache')}`,
      ...extra,
    ],
    { stdio: ['ignore', out, out] },
  );
  const metrics = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${metrics}/readyz`)).ok) break;
    } catch {
      /* not up yet */
    }
    await sleep(200);
  }
  return {
    proc,
    metrics,
    logPath,
    stop: (signal = 'SIGTERM') =>
      new Promise((r) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return r();
        proc.once('exit', () => r());
        proc.kill(signal);
      }),
  };
}

/** applyHR applies a HelmRelease labelled for this test file's controller. */
export function applyHR(
  cluster: TestCluster,
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): void {
  const labels = { [SUITE_LABEL]: suite, ...((metadata.labels as Record<string, string>) ?? {}) };
  cluster.kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'helm.capstan.dev/v1alpha1',
      kind: 'HelmRelease',
      metadata: { name, namespace: ns, ...metadata, labels },
      spec,
    }),
  );
}

export function getHR(cluster: TestCluster, ns: string, name: string): any {
  return JSON.parse(cluster.kubectl(['get', 'helmrelease', name, '-n', ns, '-o', 'json']));
}

export const cond = (hr: any, type: string) => hr.status?.conditions?.find((c: any) => c.type === type);

/** waitForHR polls the HelmRelease until `ok` holds; fails with its last status. */
export async function waitForHR(
  cluster: TestCluster,
  ns: string,
  name: string,
  ok: (hr: any) => boolean,
  timeoutMs = 60_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let hr: any;
  while (Date.now() < deadline) {
    try {
      hr = getHR(cluster, ns, name);
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

/** readyFor: Ready=True for the current generation. */
export const readyFor = (gen?: number) => (hr: any) =>
  cond(hr, 'Ready')?.status === 'True' && hr.status.observedGeneration === (gen ?? hr.metadata.generation);

export const stalled = (hr: any) => cond(hr, 'Stalled')?.status === 'True';

/** exists says whether an object is in the cluster. */
export function exists(cluster: TestCluster, ns: string, kind: string, name: string): boolean {
  try {
    cluster.kubectl(['get', kind, name, '-n', ns]);
    return true;
  } catch {
    return false;
  }
}
