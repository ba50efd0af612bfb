/**
 * demo: Capstan's main job on an embedded default. `serve` (run in the background by
 * scripts/demo.sh) starts a local control plane and registry, pushes the sample chart, installs the
 * CRD, runs the controller (the built `dist/` CLI, as the container image does) and applies a sample
 * HelmRelease; it then keeps everything up until stopped. `status` waits for the release to be
 * Ready and prints how to reach everything. `stop` ends a running demo. State lives in
 * `~/.cache/capstan/demo/`; starting a demo first stops the previous one, so it is idempotent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageChart } from '../chart/package.js';
import { pushChart } from '../oci/index.js';
import { cacheDir } from './cache.js';
import { freePort, startCluster, type Cluster } from './cluster.js';
import { startRegistry, type Registry } from './registry.js';

const root = resolve(import.meta.dirname, '..', '..');
const demoDir = join(cacheDir(), 'demo');
const stateFile = join(demoDir, 'state.json');
const log = (msg: string) => process.stderr.write(`[demo ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface DemoState {
  pid: number;
  phase: 'starting' | 'ready' | 'failed';
  error?: string;
  kubeconfig?: string;
  kubectl?: string;
  registry?: string;
  metrics?: string;
  chart?: string;
  controllerLog?: string;
}

function readState(): DemoState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function writeState(s: DemoState): void {
  mkdirSync(demoDir, { recursive: true });
  writeFileSync(stateFile, JSON.stringify(s, null, 2));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** stop ends a running demo (its supervisor tears everything down) and waits for it. */
async function stop(): Promise<void> {
  const s = readState();
  if (s && alive(s.pid)) {
    log(`stopping the previous demo (pid ${s.pid})`);
    process.kill(s.pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(s.pid); i++) await new Promise((r) => setTimeout(r, 200));
    if (alive(s.pid)) process.kill(s.pid, 'SIGKILL');
  }
  rmSync(stateFile, { force: true });
}

const SAMPLE_RELEASE = (registry: string) => `apiVersion: helm.capstan.dev/v1alpha1
kind: HelmRelease
metadata:
  name: hello
  namespace: demo
spec:
  interval: 1m
  timeout: 2m
  chart:
    ref: oci://${registry}/charts/hello
    version: "1.x"
  install:
    createNamespace: true
  values:
    replicaCount: 2
    message: Hello from Capstan
`;

/** serve runs the demo until SIGTERM/SIGINT. */
async function serve(): Promise<void> {
  writeState({ pid: process.pid, phase: 'starting' });
  let cluster: Cluster | undefined;
  let registry: Registry | undefined;
  let controller: ChildProcess | undefined;
  const shutdown = async () => {
    controller?.kill('SIGTERM');
    await Promise.allSettled([cluster?.stop(), registry?.stop()]);
  };
  process.once('SIGTERM', () => void shutdown().then(() => process.exit(0)));
  process.once('SIGINT', () => void shutdown().then(() => process.exit(0)));
  try {
    const clusterDir = join(demoDir, 'cluster');
    rmSync(clusterDir, { recursive: true, force: true });
    [cluster, registry] = await Promise.all([startCluster({ dir: clusterDir, log }), startRegistry({ auth: 'none' })]);
    log(`registry up at ${registry.host}`);
    const pkg = await packageChart(join(root, 'samples', 'hello'));
    const pushed = await pushChart(pkg.bytes, `oci://${registry.host}/charts`);
    log(`pushed ${pkg.filename} as ${pushed.digest}`);
    cluster.kubectl(['apply', '--server-side', '-f', join(root, 'crds')]);
    cluster.kubectl(['wait', '--for=condition=Established', 'crd/helmreleases.helm.capstan.dev', '--timeout=60s']);
    const port = await freePort();
    const controllerLog = join(demoDir, 'controller.log');
    const out = openSync(controllerLog, 'w');
    const cli = existsSync(join(root, 'dist', 'cli', 'main.js'))
      ? [join(root, 'dist', 'cli', 'main.js')]
      : ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts')];
    controller = spawn(
      process.execPath,
      [
        ...cli,
        'controller',
        `--kubeconfig=${cluster.kubeconfigPath}`,
        `--metrics-address=127.0.0.1:${port}`,
        `--cache-dir=${join(demoDir, 'charts')}`,
        '--leader-elect',
        '--leader-election-namespace=default',
      ],
      { stdio: ['ignore', out, out] },
    );
    controller.on('exit', (code) => log(`controller exited with ${code}; see ${controllerLog}`));
    cluster.kubectl(['create', 'namespace', 'demo']);
    cluster.kubectl(['apply', '-f', '-'], SAMPLE_RELEASE(registry.host));
    writeState({
      pid: process.pid,
      phase: 'ready',
      kubeconfig: cluster.kubeconfigPath,
      kubectl: join(cluster.binDir, 'kubectl'),
      registry: registry.host,
      metrics: `http://127.0.0.1:${port}/metrics`,
      chart: pushed.reference,
      controllerLog,
    });
    log('demo is up; the controller is reconciling demo/hello');
  } catch (e) {
    writeState({ pid: process.pid, phase: 'failed', error: (e as Error).stack ?? String(e) });
    await shutdown();
    process.exit(1);
  }
  await new Promise(() => {});
}

/** status waits for the demo to come up and the sample release to be Ready, then prints how to use it. */
async function status(timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let s = readState();
  while (Date.now() < deadline && (!s || s.phase === 'starting') && (!s || alive(s.pid))) {
    await new Promise((r) => setTimeout(r, 500));
    s = readState();
  }
  if (!s || s.phase !== 'ready' || !alive(s.pid)) {
    log(`demo did not start: ${s?.error ?? 'see the log above'}`);
    return 1;
  }
  const kubectl = (args: string[]) =>
    spawnSync(s.kubectl!, [`--kubeconfig=${s.kubeconfig}`, ...args], { encoding: 'utf8' });
  log('waiting for HelmRelease demo/hello to be Ready');
  const waited = kubectl([
    'wait',
    '--for=condition=Ready',
    'helmrelease/hello',
    '-n',
    'demo',
    `--timeout=${Math.max(10, Math.round((deadline - Date.now()) / 1000))}s`,
  ]);
  const get = kubectl(['get', 'helmrelease,deployment,service,configmap,pods', '-n', 'demo']);
  process.stdout.write(
    `\n$ kubectl get helmrelease,deployment,service,configmap,pods -n demo\n${get.stdout}${get.stderr}\n`,
  );
  if (waited.status !== 0) {
    log(`HelmRelease did not become Ready: ${waited.stderr.trim()}; controller log: ${s.controllerLog}`);
    return 1;
  }
  process.stdout.write(
    [
      'Capstan demo is running:',
      `  kubeconfig:  export KUBECONFIG=${s.kubeconfig}`,
      `  kubectl:     ${s.kubectl}`,
      `  registry:    ${s.registry} (chart ${s.chart})`,
      `  metrics:     ${s.metrics}`,
      `  controller:  log in ${s.controllerLog}`,
      '  try:         kubectl get chr -A; kubectl edit chr hello -n demo',
      '  stop:        npm run demo -- --stop',
      '',
    ].join('\n'),
  );
  return 0;
}

const cmd = process.argv[2];
if (cmd === 'serve') await serve();
else if (cmd === 'stop') await stop();
else if (cmd === 'status') process.exit(await status(Number(process.argv[3] ?? 300) * 1000));
else {
  process.stderr.write('usage: demo.ts serve|status [seconds]|stop\n');
  process.exit(2);
}
