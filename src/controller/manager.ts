/**
 * manager: the controller process. It starts as ordered groups of runnables — the health and metrics
 * server first, then (once it leads, when leader election is on) the informers and the workers —
 * each resolving when the process stops. Watches feed the work queue; workers run the reconciler
 * and map each outcome to one queue operation and one metric label (see `result.ts`).
 */
import { createServer, type Server } from 'node:http';
import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import { KubeClient, RateLimiter } from '../apply/kubeclient.js';
import { discoverCapabilities, type ClusterCapabilities } from './capabilities.js';
import { EventRecorder } from './events.js';
import { LeaderElector } from './leader.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { ChartSource } from './pipeline.js';
import { PostRenderers } from './postrender.js';
import { Reconciler, releaseNameOf, storageNamespaceOf } from './reconciler.js';
import { WorkQueue } from './queue.js';
import { TerminalError } from './result.js';
import {
  GROUP,
  PLURAL,
  REQUESTED_AT_ANNOTATION,
  ROLLBACK_ANNOTATION,
  VERSION,
  WATCH_LABEL,
  type HelmRelease,
} from './types.js';

/** ManagerOptions are the finished options; defaults are filled by `managerOptions`. */
export interface ManagerOptions {
  kubeConfig: KubeConfig;
  log: Logger;
  concurrency: number;
  fieldManager: string;
  /** namespaces to watch; empty means all. */
  namespaces: string[];
  watchLabelSelector?: string;
  metricsAddress: string;
  cacheDir?: string;
  cacheMaxBytes?: number;
  leaderElection?: {
    namespace: string;
    name: string;
    leaseDurationMs: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
  };
  defaultServiceAccount?: string;
  /** gracefulShutdownMs bounds how long in-flight reconciles may finish after SIGTERM. */
  gracefulShutdownMs: number;
  /** capabilitiesTtlMs: how long discovery results are reused for rendering. */
  capabilitiesTtlMs: number;
  /** apiQps/apiBurst pace requests to the API server (0: unlimited), like client-go. */
  apiQps: number;
  apiBurst: number;
  /** retryBaseDelayMs/retryMaxDelayMs bound the per-release exponential backoff after errors. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
}

/** managerOptions fills defaults once, at the boundary. */
export function managerOptions(
  o: Partial<ManagerOptions> & Pick<ManagerOptions, 'kubeConfig' | 'log'>,
): ManagerOptions {
  return {
    concurrency: 4,
    fieldManager: 'capstan',
    namespaces: [],
    metricsAddress: ':8080',
    gracefulShutdownMs: 30_000,
    capabilitiesTtlMs: 60_000,
    apiQps: 50,
    apiBurst: 100,
    retryBaseDelayMs: 1_000,
    retryMaxDelayMs: 300_000,
    ...o,
  };
}

type HRInformer = Informer<HelmRelease> & ObjectCache<HelmRelease>;

export class Manager {
  readonly metrics = new Metrics();
  readonly queue: WorkQueue;
  readonly client: KubeClient;
  private readonly informers: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>)[] = [];
  private hrInformers: HRInformer[] = [];
  private synced = false;
  private serving = false;
  private server?: Server;
  private readonly seen = new Map<
    string,
    { generation?: number; requestedAt?: string; rollback?: string; deleting: boolean }
  >();
  private workers: Promise<void>[] = [];
  private stopping = false;
  private reconciler!: Reconciler;
  /** stop aborts in-flight waits on shutdown. */
  private readonly stop = new AbortController();

  constructor(readonly o: ManagerOptions) {
    this.client = new KubeClient(o.kubeConfig, {
      limiter: new RateLimiter(o.apiQps, o.apiBurst),
      onRequest: (verb, seconds, code) => {
        this.metrics.apiLatency.observe({ verb, code: String(code) }, seconds);
        if (code === 0 || code >= 500) this.metrics.apiErrors.inc({ verb });
      },
    });
    this.queue = new WorkQueue({
      baseDelayMs: o.retryBaseDelayMs,
      maxDelayMs: o.retryMaxDelayMs,
      metrics: {
        depth: (n) => this.metrics.queueDepth.set(n),
        add: () => this.metrics.queueAdds.inc(),
        retry: () => this.metrics.queueRetries.inc(),
      },
    });
  }

  /** start runs the process until the signal aborts; leadership loss ends it with an error. */
  async start(signal: AbortSignal): Promise<void> {
    await this.startServer();
    const le = this.o.leaderElection;
    if (!le) {
      await this.startLeading(signal);
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      await this.shutdown();
      return;
    }
    const elector = new LeaderElector(this.client, {
      ...le,
      log: (m) => this.o.log.info(m),
      warn: (m) => this.o.log.warn(m),
    });
    let lost = false;
    await elector.run(
      signal,
      () => {
        this.metrics.leader.set(1);
        void this.startLeading(signal);
      },
      () => {
        lost = true;
        this.metrics.leader.set(0);
      },
    );
    await this.shutdown();
    this.metrics.leader.set(0);
    if (lost) throw new Error('leader election lost; exiting so a fresh process can stand by');
  }

  private async startLeading(signal: AbortSignal): Promise<void> {
    const charts = new ChartSource({
      cacheDir: this.o.cacheDir,
      cacheMaxBytes: this.o.cacheMaxBytes,
      onPull: (p) => {
        this.metrics.pullDuration.observe({ cache: p.fromCache ? 'hit' : 'miss' }, p.seconds);
        this.metrics.cacheRequests.inc({ result: p.fromCache ? 'hit' : 'miss' });
        if (!p.fromCache) this.metrics.pullBytes.inc(p.bytes);
      },
    });
    let caps: { at: number; value: Promise<ClusterCapabilities> } | undefined;
    this.reconciler = new Reconciler({
      client: this.client,
      charts,
      postRenderers: new PostRenderers(charts.cache),
      capabilities: () => {
        if (!caps || Date.now() - caps.at > this.o.capabilitiesTtlMs) {
          caps = { at: Date.now(), value: discoverCapabilities(this.client) };
          caps.value.catch(() => (caps = undefined));
        }
        return caps.value;
      },
      events: new EventRecorder(this.client, 'capstan', (e) =>
        this.o.log.warn('recording event failed', { error: (e as Error).message }),
      ),
      log: this.o.log,
      fieldManager: this.o.fieldManager,
      defaultServiceAccount: this.o.defaultServiceAccount,
      lookupRelease: (ns, name) => this.lookup(ns, name),
      signal: this.stop.signal,
      observe: {
        status: (hr) => this.metrics.observeRelease(hr),
        drift: (hr, n) =>
          this.metrics.releaseDrift.set({ namespace: hr.metadata.namespace, name: hr.metadata.name }, n),
        render: (s) => this.metrics.renderDuration.observe(s),
        action: (_hr, action, seconds, ok) =>
          this.metrics.actionDuration.observe({ action, result: ok ? 'success' : 'error' }, seconds),
      },
    });
    await this.startInformers();
    this.synced = true;
    this.serving = true;
    this.o.log.info('caches synced; starting workers', { concurrency: this.o.concurrency });
    for (let i = 0; i < this.o.concurrency; i++) this.workers.push(this.worker());
    const tick = setInterval(() => this.metrics.queueLongest.set(this.queue.longestRunningSeconds()), 1000);
    signal.addEventListener('abort', () => clearInterval(tick), { once: true });
  }

  private lookup(namespace: string, name: string): HelmRelease | undefined {
    for (const inf of this.hrInformers) {
      const hr = inf.get(name, namespace);
      if (hr) return hr;
    }
    return undefined;
  }

  private allReleases(): HelmRelease[] {
    return this.hrInformers.flatMap((i) => i.list());
  }

  private async startInformers(): Promise<void> {
    const namespaces = this.o.namespaces.length ? this.o.namespaces : [undefined];
    for (const ns of namespaces) {
      const path = ns ? `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL}` : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
      const inf = makeInformer<HelmRelease>(
        this.o.kubeConfig,
        path,
        () => this.client.request('GET', path, { query: { labelSelector: this.o.watchLabelSelector } }),
        this.o.watchLabelSelector,
      );
      inf.on('add', (hr) => this.onRelease(hr));
      inf.on('update', (hr) => this.onRelease(hr));
      inf.on('delete', (hr) => {
        const key = `${hr.metadata.namespace}/${hr.metadata.name}`;
        this.seen.delete(key);
        this.metrics.forgetRelease(hr.metadata.namespace, hr.metadata.name);
      });
      this.keepRunning(inf as any, `HelmReleases${ns ? ` in ${ns}` : ''}`);
      this.hrInformers.push(inf);
      // Referenced ConfigMaps/Secrets that opt in with the watch label, and Helm's storage Secrets.
      for (const [kind, plural, selector] of [
        ['ConfigMap', 'configmaps', `${WATCH_LABEL}=true`],
        ['Secret', 'secrets', `${WATCH_LABEL}=true`],
        ['Secret', 'secrets', 'owner=helm'],
      ] as const) {
        const p = ns ? `/api/v1/namespaces/${ns}/${plural}` : `/api/v1/${plural}`;
        const other = makeInformer<KubernetesObject>(
          this.o.kubeConfig,
          p,
          () => this.client.request('GET', p, { query: { labelSelector: selector } }),
          selector,
        );
        const onChange = (obj: KubernetesObject) =>
          selector === 'owner=helm' ? this.onStorage(obj) : this.onValuesSource(kind, obj);
        other.on('add', onChange);
        other.on('update', onChange);
        other.on('delete', onChange);
        this.keepRunning(other, `${kind}s (${selector})`);
        this.informers.push(other);
      }
    }
    await Promise.all([...this.hrInformers, ...this.informers].map((i) => i.start()));
  }

  private keepRunning(inf: Informer<any>, what: string): void {
    inf.on('error', (e: any) => {
      if (this.stopping) return;
      this.o.log.warn(`watch of ${what} failed; restarting`, { error: e?.message ?? String(e) });
      setTimeout(() => {
        if (!this.stopping) inf.start().catch(() => undefined);
      }, 2000);
    });
  }

  /** onRelease queues a HelmRelease when its spec, annotations or deletion changed (not for status-only updates). */
  private onRelease(hr: HelmRelease): void {
    const key = `${hr.metadata.namespace}/${hr.metadata.name}`;
    const now = {
      generation: hr.metadata.generation,
      requestedAt: hr.metadata.annotations?.[REQUESTED_AT_ANNOTATION],
      rollback: hr.metadata.annotations?.[ROLLBACK_ANNOTATION],
      deleting: !!hr.metadata.deletionTimestamp,
    };
    const prev = this.seen.get(key);
    this.seen.set(key, now);
    this.metrics.observeRelease(hr);
    if (
      !prev ||
      prev.generation !== now.generation ||
      prev.requestedAt !== now.requestedAt ||
      prev.rollback !== now.rollback ||
      prev.deleting !== now.deleting
    ) {
      this.queue.add(key);
    }
  }

  private onValuesSource(kind: string, obj: KubernetesObject): void {
    const ns = obj.metadata?.namespace;
    const name = obj.metadata?.name;
    for (const hr of this.allReleases()) {
      if (hr.metadata.namespace !== ns) continue;
      if ((hr.spec.valuesFrom ?? []).some((v) => v.kind === kind && v.name === name))
        this.queue.add(`${hr.metadata.namespace}/${hr.metadata.name}`);
    }
  }

  /** onStorage queues the release a Helm storage Secret belongs to (e.g. after a manual `helm rollback`). */
  private onStorage(obj: KubernetesObject): void {
    const release = obj.metadata?.labels?.name;
    const ns = obj.metadata?.namespace;
    if (!release) return;
    for (const hr of this.allReleases()) {
      if (releaseNameOf(hr) === release && storageNamespaceOf(hr) === ns) {
        this.queue.addAfter(`${hr.metadata.namespace}/${hr.metadata.name}`, 1000);
      }
    }
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const t0 = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;
      try {
        const r = await this.reconciler.reconcile(key);
        this.queue.forget(key);
        if (r.requeueAfterMs !== undefined && r.requeueAfterMs > 0) {
          this.metrics.observeReconcile('requeue', r.action ?? 'noop', seconds());
          this.queue.addAfter(key, r.requeueAfterMs);
        } else {
          this.metrics.observeReconcile('success', r.action ?? 'noop', seconds());
        }
      } catch (e) {
        this.metrics.observeReconcile('error', 'noop', seconds());
        if (e instanceof TerminalError) this.queue.forget(key);
        else if (!this.stopping) this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** shutdown stops taking work and waits for in-flight reconciles up to the grace period. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.serving = false;
    this.queue.shutdown();
    this.stop.abort();
    for (const i of [...this.hrInformers, ...this.informers]) await i.stop();
    const grace = new Promise<void>((r) => setTimeout(r, this.o.gracefulShutdownMs).unref());
    await Promise.race([Promise.all(this.workers), grace]);
    if (this.queue.inFlight > 0)
      this.o.log.warn('grace period over; abandoning in-flight reconciles', { inFlight: this.queue.inFlight });
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private startServer(): Promise<void> {
    const [host, port] = splitAddress(this.o.metricsAddress);
    this.server = createServer(async (req, res) => {
      const url = req.url ?? '/';
      if (url.startsWith('/metrics')) {
        res.setHeader('Content-Type', this.metrics.registry.contentType);
        res.end(await this.metrics.registry.metrics());
      } else if (url.startsWith('/healthz')) {
        res.end('ok');
      } else if (url.startsWith('/readyz')) {
        // Ready only when the caches are synced and this process is serving (a standby is not).
        const ready = this.synced && this.serving;
        res.statusCode = ready ? 200 : 503;
        res.end(ready ? 'ok' : this.o.leaderElection && !this.stopping ? 'standby' : 'not ready');
      } else {
        res.statusCode = 404;
        res.end('not found');
      }
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host || undefined, () => {
        const a = this.server!.address();
        this.o.log.info('serving metrics and health', {
          address: typeof a === 'object' && a ? `${a.address}:${a.port}` : String(a),
        });
        resolve();
      });
    });
  }

  /** address is where /metrics and health are served (after start). */
  get address(): string | undefined {
    const a = this.server?.address();
    return typeof a === 'object' && a ? `${a.address}:${a.port}` : undefined;
  }
}

function splitAddress(addr: string): [string, number] {
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i), Number(addr.slice(i + 1))];
}
