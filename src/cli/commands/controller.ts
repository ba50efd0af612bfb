/**
 * controller: `capstan controller` runs the HelmRelease operator. Every flag has an environment
 * variable (CAPSTAN_<FLAG_NAME>), so the Deployment can be configured either way.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { FlagError, parseFlags, usageLines, type FlagSpec } from '../flags.js';

export const summary = 'Run the HelmRelease controller';

const SPECS: FlagSpec[] = [
  { name: 'kubeconfig', kind: 'string', usage: 'path to a kubeconfig (default: in-cluster, then $KUBECONFIG, then ~/.kube/config)' },
  { name: 'concurrency', kind: 'string', usage: 'releases reconciled in parallel (default 4)' },
  { name: 'field-manager', kind: 'string', usage: 'server-side apply field manager (default "capstan")' },
  { name: 'namespaces', kind: 'stringSlice', usage: 'namespaces to watch (default: all)' },
  { name: 'watch-label-selector', kind: 'string', usage: 'only reconcile HelmReleases matching this label selector (sharding)' },
  { name: 'metrics-address', kind: 'string', usage: 'address of /metrics, /healthz and /readyz (default ":8080")' },
  { name: 'cache-dir', kind: 'string', usage: 'chart cache directory (default ~/.cache/capstan/oci)' },
  { name: 'cache-max-bytes', kind: 'string', usage: 'chart cache size bound in bytes' },
  { name: 'leader-elect', kind: 'bool', usage: 'use a Lease so that only one replica reconciles' },
  { name: 'leader-election-namespace', kind: 'string', usage: 'namespace of the Lease (default: the pod namespace, or "default")' },
  { name: 'leader-election-id', kind: 'string', usage: 'name of the Lease (default "capstan-leader")' },
  { name: 'lease-duration', kind: 'string', usage: 'lease duration (default 15s)' },
  { name: 'renew-deadline', kind: 'string', usage: 'renew deadline (default 10s)' },
  { name: 'retry-period', kind: 'string', usage: 'retry period (default 2s)' },
  { name: 'kube-api-qps', kind: 'string', usage: 'requests per second to the API server (default 50; 0: unlimited)' },
  { name: 'kube-api-burst', kind: 'string', usage: 'burst of requests to the API server (default 100)' },
  { name: 'retry-base-delay', kind: 'string', usage: 'first backoff after a failed reconcile (default 1s)' },
  { name: 'retry-max-delay', kind: 'string', usage: 'longest backoff after failed reconciles (default 5m)' },
  { name: 'default-service-account', kind: 'string', usage: 'ServiceAccount to impersonate when a release names none' },
  { name: 'graceful-shutdown-timeout', kind: 'string', usage: 'how long in-flight reconciles may finish after SIGTERM (default 30s)' },
  { name: 'log-level', kind: 'string', usage: 'error, warn, info or debug (default info)' },
  { name: 'log-format', kind: 'string', usage: 'json or console (default json)' },
  { name: 'help', short: 'h', kind: 'bool', usage: 'help for controller' },
];

export async function run(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseFlags(argv, SPECS);
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`Error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (flags.bools.get('help')) {
    process.stdout.write(`Run the HelmRelease controller.\n\nUsage:\n  capstan controller [flags]\n\nFlags:\n${usageLines(SPECS)}\n`);
    return 0;
  }
  const get = (name: string): string | undefined => {
    const v = flags.values.get(name);
    if (v && v.length) return v[v.length - 1];
    return process.env[`CAPSTAN_${name.toUpperCase().replace(/-/g, '_')}`];
  };
  const bool = (name: string) => flags.bools.get(name) ?? /^(1|true|yes)$/i.test(process.env[`CAPSTAN_${name.toUpperCase().replace(/-/g, '_')}`] ?? '');
  const { createLogger } = await import('../../controller/log.js');
  const { Manager, managerOptions } = await import('../../controller/manager.js');
  const { parseDuration } = await import('../../controller/duration.js');
  const log = createLogger({ level: get('log-level') ?? 'info', format: (get('log-format') as 'json' | 'console') ?? 'json' });

  const kc = new KubeConfig();
  const kubeconfig = get('kubeconfig');
  try {
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    log.error('loading kubeconfig', { error: (e as Error).message });
    return 1;
  }
  const ns = flags.values.get('namespaces')?.flat() ?? (process.env.CAPSTAN_NAMESPACES ? process.env.CAPSTAN_NAMESPACES.split(',') : []);
  const manager = new Manager(
    managerOptions({
      kubeConfig: kc,
      log,
      concurrency: Number(get('concurrency') ?? 4),
      fieldManager: get('field-manager') ?? 'capstan',
      namespaces: ns.filter(Boolean),
      watchLabelSelector: get('watch-label-selector'),
      metricsAddress: get('metrics-address') ?? ':8080',
      cacheDir: get('cache-dir'),
      cacheMaxBytes: get('cache-max-bytes') ? Number(get('cache-max-bytes')) : undefined,
      defaultServiceAccount: get('default-service-account'),
      apiQps: Number(get('kube-api-qps') ?? 50),
      apiBurst: Number(get('kube-api-burst') ?? 100),
      retryBaseDelayMs: parseDuration(get('retry-base-delay'), 1_000),
      retryMaxDelayMs: parseDuration(get('retry-max-delay'), 300_000),
      gracefulShutdownMs: parseDuration(get('graceful-shutdown-timeout'), 30_000),
      leaderElection: bool('leader-elect')
        ? {
            namespace: get('leader-election-namespace') ?? process.env.POD_NAMESPACE ?? 'default',
            name: get('leader-election-id') ?? 'capstan-leader',
            leaseDurationMs: parseDuration(get('lease-duration'), 15_000),
            renewDeadlineMs: parseDuration(get('renew-deadline'), 10_000),
            retryPeriodMs: parseDuration(get('retry-period'), 2_000),
          }
        : undefined,
    }),
  );
  const ac = new AbortController();
  const stop = (sig: string) => {
    log.info('shutting down', { signal: sig });
    ac.abort();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    await manager.start(ac.signal);
    log.info('stopped');
    // Open watch connections would keep the event loop alive past the grace period.
    setImmediate(() => process.exit(0));
    return 0;
  } catch (e) {
    log.error('controller failed', { error: (e as Error).message, stack: (e as Error).stack });
    setImmediate(() => process.exit(1));
    return 1;
  }
}
