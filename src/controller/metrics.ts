/**
 * metrics: Capstan's Prometheus metrics (prom-client), in one registry per process. Per-release
 * series carry only namespace/name labels (plus chart facts on `capstan_release_info`) and are
 * removed when the HelmRelease is deleted, so cardinality stays bounded.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReconcileAction } from './result.js';
import type { HelmRelease } from './types.js';

export class Metrics {
  readonly registry = new Registry();
  readonly reconcileDuration = new Histogram({
    name: 'capstan_reconcile_duration_seconds',
    help: 'Duration of HelmRelease reconciles.',
    labelNames: ['result', 'action'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly reconcileTotal = new Counter({
    name: 'capstan_reconcile_total',
    help: 'HelmRelease reconciles by result (success, error, requeue) and action.',
    labelNames: ['result', 'action'],
    registers: [this.registry],
  });
  readonly releaseReady = new Gauge({
    name: 'capstan_release_ready',
    help: 'Whether the release is Ready (1), not Ready (0) or unknown (-1).',
    labelNames: ['namespace', 'name'],
    registers: [this.registry],
  });
  readonly releaseInfo = new Gauge({
    name: 'capstan_release_info',
    help: 'The chart, version, digest and Helm revision of the release (value 1).',
    labelNames: ['namespace', 'name', 'chart', 'version', 'digest', 'revision'],
    registers: [this.registry],
  });
  readonly releaseDrift = new Gauge({
    name: 'capstan_release_drift_objects',
    help: 'Objects of the release that drifted at the last check.',
    labelNames: ['namespace', 'name'],
    registers: [this.registry],
  });
  readonly releaseFailures = new Gauge({
    name: 'capstan_release_failures',
    help: 'Consecutive failures of the release for its current generation.',
    labelNames: ['namespace', 'name'],
    registers: [this.registry],
  });
  readonly actionDuration = new Histogram({
    name: 'capstan_release_action_duration_seconds',
    help: 'Duration of Helm actions (install, upgrade, rollback, uninstall) including waits.',
    labelNames: ['action', 'result'],
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly pullDuration = new Histogram({
    name: 'capstan_chart_pull_duration_seconds',
    help: 'Duration of chart pulls.',
    labelNames: ['cache'],
    registers: [this.registry],
  });
  readonly pullBytes = new Counter({
    name: 'capstan_chart_pull_bytes_total',
    help: 'Bytes of charts pulled.',
    registers: [this.registry],
  });
  readonly cacheRequests = new Counter({
    name: 'capstan_chart_cache_requests_total',
    help: 'Chart cache lookups by result (hit, miss).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly renderDuration = new Histogram({
    name: 'capstan_render_duration_seconds',
    help: 'Duration of chart renders.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'capstan_workqueue_depth',
    help: 'Keys waiting in the work queue.',
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: 'capstan_workqueue_adds_total',
    help: 'Keys added to the work queue.',
    registers: [this.registry],
  });
  readonly queueRetries = new Counter({
    name: 'capstan_workqueue_retries_total',
    help: 'Rate-limited re-adds.',
    registers: [this.registry],
  });
  readonly queueLongest = new Gauge({
    name: 'capstan_workqueue_longest_running_seconds',
    help: 'How long the oldest in-flight reconcile has been running.',
    registers: [this.registry],
  });
  readonly apiLatency = new Histogram({
    name: 'capstan_api_request_duration_seconds',
    help: 'Kubernetes API request latency by verb and code.',
    labelNames: ['verb', 'code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly apiErrors = new Counter({
    name: 'capstan_api_request_errors_total',
    help: 'Kubernetes API requests that failed (network or 5xx) by verb.',
    labelNames: ['verb'],
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'capstan_leader',
    help: 'Whether this process holds the leader lease (1) or not (0).',
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    // Series start at zero, so rate() works from the first scrape.
    for (const result of ['success', 'error', 'requeue']) {
      for (const action of ['install', 'upgrade', 'rollback', 'uninstall', 'drift', 'noop'])
        this.reconcileTotal.inc({ result, action }, 0);
    }
    this.leader.set(0);
  }

  /** observeReconcile records one reconcile's outcome. */
  observeReconcile(result: 'success' | 'error' | 'requeue', action: ReconcileAction, seconds: number): void {
    this.reconcileTotal.inc({ result, action });
    this.reconcileDuration.observe({ result, action }, seconds);
  }

  /** observeRelease sets a release's series from its status. */
  observeRelease(hr: HelmRelease): void {
    const l = { namespace: hr.metadata.namespace, name: hr.metadata.name };
    const ready = hr.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    this.releaseReady.set(l, ready === 'True' ? 1 : ready === 'False' ? 0 : -1);
    this.releaseFailures.set(l, hr.status?.failures ?? 0);
    const rev = hr.status?.lastAppliedRevision;
    if (rev) {
      const key = `${l.namespace}/${l.name}`;
      const info = {
        ...l,
        chart: rev.chartName ?? rev.chartRef,
        version: rev.version ?? '',
        digest: rev.digest,
        revision: String(rev.releaseRevision ?? ''),
      };
      const prev = this.infoLabels.get(key);
      if (prev) this.releaseInfo.remove(prev);
      this.releaseInfo.set(info, 1);
      this.infoLabels.set(key, info);
    }
  }

  /** infoLabels remembers each release's current info series, to replace it on change. */
  private readonly infoLabels = new Map<string, Record<string, string>>();

  /** forgetRelease removes a deleted release's series. */
  forgetRelease(namespace: string, name: string): void {
    const l = { namespace, name };
    for (const g of [this.releaseReady, this.releaseDrift, this.releaseFailures]) g.remove(l);
    const info = this.infoLabels.get(`${namespace}/${name}`);
    if (info) this.releaseInfo.remove(info);
    this.infoLabels.delete(`${namespace}/${name}`);
  }
}
