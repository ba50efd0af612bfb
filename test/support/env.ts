/**
 * env: how integration tests find the shared control plane and registries that `run.ts` started.
 * When a test file runs on its own (no variables set), `testCluster()` starts a private control plane
 * and stops it when the file's tests end, so `node --import tsx --test test/x.test.ts` still works.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startCluster } from '../../src/devcluster/cluster.js';
import { startRegistry } from '../../src/devcluster/registry.js';

/** ENV names the variables run.ts sets. */
export const ENV = {
  kubeconfig: 'CAPSTAN_TEST_KUBECONFIG',
  binDir: 'CAPSTAN_TEST_BIN_DIR',
  registry: 'CAPSTAN_TEST_REGISTRY',
  authRegistry: 'CAPSTAN_TEST_AUTH_REGISTRY',
  authRegistryUser: 'CAPSTAN_TEST_AUTH_REGISTRY_USER',
  authRegistryPassword: 'CAPSTAN_TEST_AUTH_REGISTRY_PASSWORD',
} as const;

/** TestCluster is what an integration test needs to talk to the control plane. */
export interface TestCluster {
  kubeconfigPath: string;
  binDir: string;
  kubeConfig(): KubeConfig;
  /** kubectl runs kubectl and returns stdout; throws with stderr on failure. */
  kubectl(args: string[], input?: string): string;
  /** namespace creates a fresh namespace for one test and returns its name. */
  namespace(prefix?: string): string;
}

let shared: Promise<TestCluster> | undefined;

/** testCluster returns the run's shared control plane (or starts a private one for this file). */
export function testCluster(): Promise<TestCluster> {
  shared ??= (async () => {
    let kubeconfigPath = process.env[ENV.kubeconfig];
    let binDir = process.env[ENV.binDir];
    if (!kubeconfigPath || !binDir) {
      // Stopped by its own process-exit hook and watchdog: an after() registered from inside a
      // before() hook would stop it before the file's tests run. Unreferenced, so the file's
      // process exits when its tests are done.
      const c = await startCluster({ unref: true });
      kubeconfigPath = c.kubeconfigPath;
      binDir = c.binDir;
    }
    const kc = kubeconfigPath;
    const kubectl = (args: string[], input?: string) => {
      const r = spawnSync(join(binDir!, 'kubectl'), [`--kubeconfig=${kc}`, ...args], { encoding: 'utf8', input });
      if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
      return r.stdout;
    };
    return {
      kubeconfigPath: kc,
      binDir: binDir!,
      kubeConfig: () => {
        const k = new KubeConfig();
        k.loadFromFile(kc);
        return k;
      },
      kubectl,
      namespace: (prefix = 't') => {
        const name = `${prefix}-${randomBytes(4).toString('hex')}`;
        kubectl(['create', 'namespace', name]);
        return name;
      },
    };
  })();
  return shared;
}

/** TestRegistries are the run's open registry and its htpasswd-protected twin (host:port each). */
export interface TestRegistries {
  open: string;
  auth: { host: string; username: string; password: string };
}

let sharedRegistries: Promise<TestRegistries> | undefined;

/** testRegistries returns the run's registries (or starts private ones for this file). */
export function testRegistries(): Promise<TestRegistries> {
  sharedRegistries ??= (async () => {
    const open = process.env[ENV.registry];
    const auth = process.env[ENV.authRegistry];
    if (open && auth) {
      return {
        open,
        auth: {
          host: auth,
          username: process.env[ENV.authRegistryUser]!,
          password: process.env[ENV.authRegistryPassword]!,
        },
      };
    }
    // Stopped by their process-exit hooks (see testCluster).
    const [o, a] = await Promise.all([
      startRegistry({ auth: 'none', unref: true }),
      startRegistry({ auth: 'htpasswd', unref: true }),
    ]);
    return { open: o.host, auth: { host: a.host, username: a.username!, password: a.password! } };
  })();
  return sharedRegistries;
}
