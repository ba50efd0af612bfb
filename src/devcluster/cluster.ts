/**
 * cluster: a real local Kubernetes control plane on loopback, for tests and the demo.
 *
 * etcd + kube-apiserver + kube-controller-manager + kube-scheduler, plus kwok to play the kubelet of
 * a few fake nodes, so Deployments really roll out and become Available. Everything the API server
 * does (server-side apply, managedFields, watches, status subresources, RBAC) is its own.
 *
 * Binaries come from `$KUBEBUILDER_ASSETS` when it holds them, otherwise from
 * `scripts/build-cluster-bins.sh`, which builds them once from Go modules into the cache.
 *
 * Example:
 *   const cluster = await startCluster();
 *   try { ... cluster.kubeconfigPath ... } finally { await cluster.stop(); }
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** BINARIES the control plane needs; kubectl is for people and for `kubectl wait` in tests. */
const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok'] as const;
type Binary = (typeof BINARIES)[number];

/** READY_TIMEOUT_MS bounds how long one component may take to become healthy. */
const READY_TIMEOUT_MS = 120_000;
/** STOP_GRACE_MS is how long a component gets after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

export interface ClusterOptions {
  /** nodes: how many kwok nodes to create (default 2). */
  nodes?: number;
  /** dir: where state lives (default: a fresh temp dir, removed by stop()). */
  dir?: string;
  /** log: progress sink (default: stderr with a timestamp). */
  log?: (msg: string) => void;
  /**
   * unref: the control plane does not keep this process alive (a test file that started its own
   * exits when its tests are done); it is still killed when the process exits.
   */
  unref?: boolean;
}

/** Cluster is a running local control plane. */
export interface Cluster {
  /** kubeconfigPath: an admin kubeconfig (user in system:masters) for the API server. */
  kubeconfigPath: string;
  /** server: the API server's https URL on loopback. */
  server: string;
  /** token: the admin bearer token (also in the kubeconfig). */
  token: string;
  /** caPath: the CA bundle that verifies the API server's serving certificate. */
  caPath: string;
  /** binDir: where the control plane binaries (and kubectl) are. */
  binDir: string;
  dir: string;
  /** kubectl runs kubectl against this cluster and returns its stdout; throws with stderr on failure. */
  kubectl(args: string[], input?: string): string;
  /** stop ends every process (SIGTERM, then SIGKILL) and removes the state dir when it was a temp dir. */
  stop(): Promise<void>;
}

const defaultLog = (msg: string) =>
  process.stderr.write(`[devcluster ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** ensureBinaries returns a directory holding every control plane binary, building what is missing. */
export function ensureBinaries(log: (msg: string) => void = defaultLog): string {
  const script = resolve(import.meta.dirname, '..', '..', 'scripts', 'build-cluster-bins.sh');
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && BINARIES.every((b) => existsSync(join(assets, b)))) return assets;
  log('ensuring control plane binaries (first build from Go modules takes several minutes)');
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  if (r.status !== 0) throw new Error(`building control plane binaries: ${script} exited with ${r.status}`);
  const dir = r.stdout.trim().split('\n').pop()!;
  for (const b of BINARIES)
    if (!existsSync(join(dir, b))) throw new Error(`building control plane binaries: ${b} missing in ${dir}`);
  return dir;
}

/** freePort asks the kernel for an unused loopback port. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

interface Proc {
  name: string;
  child: ChildProcess;
  logPath: string;
}

/** startCluster starts a control plane and returns once it serves requests and its nodes are Ready. */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const log = opts.log ?? defaultLog;
  const binDir = ensureBinaries(log);
  const ownDir = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'capstan-cluster-'));
  mkdirSync(dir, { recursive: true });
  const procs: Proc[] = [];
  let watchdog: ChildProcess | undefined;
  let stopped = false;

  const startProc = (name: Binary, args: string[]): Proc => {
    const logPath = join(dir, `${name}.log`);
    const fd = openSync(logPath, 'a');
    const child = spawn(join(binDir, name), args, { stdio: ['ignore', fd, fd], detached: false });
    closeSync(fd);
    if (opts.unref) child.unref();
    const p = { name, child, logPath };
    procs.push(p);
    child.on('exit', (code, sig) => {
      if (!stopped) log(`${name} exited (code ${code}, signal ${sig}); see ${logPath}`);
    });
    return p;
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const p of [...procs].reverse()) await stopProc(p);
    watchdog?.kill('SIGKILL');
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', onExit);
  };
  const onExit = () => {
    for (const p of procs) p.child.kill('SIGKILL');
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  try {
    // etcd
    const etcdPort = await freePort();
    const etcdPeer = await freePort();
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    log(`starting etcd on ${etcdUrl}`);
    const etcd = startProc('etcd', [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitFor('etcd', etcd, async () => (await httpGet(`${etcdUrl}/health`)).includes('"health":"true"'));

    // kube-apiserver: self-generated serving cert in --cert-dir, static admin token, SA key pair.
    const token = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},capstan-admin,capstan-admin,"system:masters"\n`, { mode: 0o600 });
    const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'sa.key'), sa.privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(dir, 'sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
    const apiPort = await freePort();
    const server = `https://127.0.0.1:${apiPort}`;
    const certDir = join(dir, 'pki');
    log(`starting kube-apiserver on ${server}`);
    const apiserver = startProc('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
    ]);
    const agent = new Agent({ rejectUnauthorized: false });
    await waitFor('kube-apiserver', apiserver, async () => (await httpGet(`${server}/readyz`, token, agent)) === 'ok');
    const caPath = join(certDir, 'apiserver.crt');
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig(server, readFileSync(caPath), token), { mode: 0o600 });

    // controllers and scheduler talk to the API server with the same admin kubeconfig.
    log('starting kube-controller-manager, kube-scheduler and kwok');
    const kcm = startProc('kube-controller-manager', [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${join(dir, 'sa.key')}`,
      `--root-ca-file=${caPath}`,
      '--use-service-account-credentials=false',
      '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-persistentvolume-binder,-attachdetach,-ttl',
      '--concurrent-deployment-syncs=5',
    ]);
    const sched = startProc('kube-scheduler', [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
      '--leader-elect=false',
    ]);
    const kwok = startProc('kwok', [
      `--kubeconfig=${kubeconfigPath}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--manage-nodes-with-label-selector=',
      '--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom',
      '--disregard-status-with-label-selector=',
      '--cidr=10.0.0.1/24',
      '--node-ip=10.0.0.1',
      '--node-lease-duration-seconds=40',
    ]);
    // watchdog: if this process dies without running stop(), take the children down with it.
    const pids = [etcd, apiserver, kcm, sched, kwok].map((p) => p.child.pid).join(' ');
    watchdog = spawn(
      'sh',
      [
        '-c',
        `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${pids} 2>/dev/null; ${ownDir ? `rm -rf '${dir}'` : 'true'}`,
      ],
      { stdio: 'ignore', detached: true },
    );
    watchdog.unref();

    const cluster: Cluster = {
      kubeconfigPath,
      server,
      token,
      caPath,
      binDir,
      dir,
      kubectl: (args, input) => {
        const r = spawnSync(join(binDir, 'kubectl'), [`--kubeconfig=${kubeconfigPath}`, ...args], {
          encoding: 'utf8',
          input,
        });
        if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
        return r.stdout;
      },
      stop,
    };
    const nodes = opts.nodes ?? 2;
    for (let i = 0; i < nodes; i++) cluster.kubectl(['apply', '-f', '-'], fakeNode(`kwok-node-${i}`));
    await waitFor('kwok nodes', kwok, async () => {
      const out = cluster.kubectl([
        'get',
        'nodes',
        '-o',
        'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
      ]);
      return out.split(' ').filter((s) => s === 'True').length >= nodes;
    });
    // The default ServiceAccount is created by kube-controller-manager; wait for it so Pods can be created.
    await waitFor('default service account', kcm, async () => {
      try {
        cluster.kubectl(['get', 'serviceaccount', 'default', '-n', 'default']);
        return true;
      } catch {
        return false;
      }
    });
    log(`control plane ready: kubeconfig ${kubeconfigPath}`);
    return cluster;
  } catch (e) {
    await stop();
    throw e;
  }

  async function stopProc(p: Proc): Promise<void> {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
    p.child.kill('SIGTERM');
    const t = setTimeout(() => p.child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(t);
  }

  async function waitFor(what: string, p: Proc, ok: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = '';
    while (Date.now() < deadline) {
      if (p.child.exitCode !== null) {
        throw new Error(`starting ${what}: ${p.name} exited with ${p.child.exitCode}: ${tail(p.logPath)}`);
      }
      try {
        if (await ok()) return;
      } catch (e) {
        last = (e as Error).message;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`starting ${what}: not ready after ${READY_TIMEOUT_MS / 1000}s (${last}): ${tail(p.logPath)}`);
  }
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

function httpGet(url: string, token?: string, agent?: Agent): Promise<string> {
  if (url.startsWith('http://')) return fetch(url).then((r) => r.text());
  return new Promise((res, rej) => {
    const req = request(url, { agent, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c) => (body += c));
      r.on('end', () => res(body));
    });
    req.on('error', rej);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

function kubeconfig(server: string, ca: Buffer, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: capstan-local',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${ca.toString('base64')}`,
    'users:',
    '- name: capstan-admin',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: capstan-local',
    '  context: {cluster: capstan-local, user: capstan-admin}',
    'current-context: capstan-local',
    '',
  ].join('\n');
}

function fakeNode(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
    },
  });
}
