/**
 * reconciler: makes the cluster match one HelmRelease. It classifies first — a read-only
 * `determineReleaseState` returns one of a closed set of named states with a reason — then takes at
 * most one action (install, upgrade, rollback/uninstall remediation, unlock, drift correction), and
 * writes status (conditions, history, inventory, readiness) with server-side apply on the status
 * subresource. The contract with the queue is in `result.ts`.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { refOf, refString, statusOf, summarizeNotReady, type ObjectRef, type ObjectStatus } from '../apply/applier.js';
import { KubeApiError, splitApiVersion, type KubeClient, type KubeObject } from '../apply/kubeclient.js';
import { setCondition } from '../kstatus/index.js';
import { PENDING_STATUSES } from '../release/record.js';
import { ReleaseStorage, type StoredRelease } from '../release/storage.js';
import type { ClusterCapabilities } from './capabilities.js';
import type { EventRecorder } from './events.js';
import type { Logger } from './log.js';
import { composeValues, registryAccess, render, valuesChecksum, type ChartSource } from './pipeline.js';
import { describeChanges, type PostRenderers } from './postrender.js';
import { parseDuration } from './duration.js';

export { parseDuration };
import {
  correctDrift,
  install,
  objectsOf,
  INTERRUPTED,
  ReleaseActionError,
  rollback,
  runTests,
  uninstall,
  unlock,
  upgrade,
  type ActionOutcome,
  type Desired,
  type ReleaseContext,
} from './release.js';
import { TerminalError, type ReconcileAction, type ReconcileResult } from './result.js';
import {
  API_VERSION,
  ConditionType,
  FINALIZER,
  KIND,
  PLURAL,
  GROUP,
  VERSION,
  REQUESTED_AT_ANNOTATION,
  ROLLBACK_ANNOTATION,
  type Condition,
  type HelmRelease,
  type HelmReleaseStatus,
  type HistoryEntry,
  type Revision,
} from './types.js';

export interface ReconcilerOptions {
  client: KubeClient;
  charts: ChartSource;
  postRenderers: PostRenderers;
  capabilities: () => Promise<ClusterCapabilities>;
  events: EventRecorder;
  log: Logger;
  fieldManager: string;
  /** defaultServiceAccount: impersonated when a release names none (empty: the controller's own identity). */
  defaultServiceAccount?: string;
  /** lookupRelease reads a HelmRelease from the informer cache (dependsOn). */
  lookupRelease: (namespace: string, name: string) => HelmRelease | undefined;
  /** observe: metrics hooks. */
  observe?: {
    action?: (hr: HelmRelease, action: ReconcileAction, seconds: number, ok: boolean) => void;
    status?: (hr: HelmRelease) => void;
    drift?: (hr: HelmRelease, objects: number) => void;
    render?: (seconds: number) => void;
    apply?: (seconds: number, objects: number) => void;
  };
  /** onHook lets tests observe hook execution order. */
  onHook?: (hr: HelmRelease, hook: { name: string; path: string }) => void;
  /** signal is aborted when the process shuts down: waits end and the action is recorded as interrupted. */
  signal?: AbortSignal;
}

/** ReleaseState is the closed set of situations a release can be in, with the history it was read from. */
export type ReleaseState = (
  | { kind: 'Absent'; reason: string }
  | { kind: 'Locked'; reason: string; last: StoredRelease }
  | { kind: 'OutOfSync'; reason: string; last: StoredRelease }
  | { kind: 'Failed'; reason: string; last: StoredRelease }
  | { kind: 'ChangedOutside'; reason: string; last: StoredRelease }
  | { kind: 'InSync'; reason: string; last: StoredRelease }
) & { history: StoredRelease[] };

const DEPENDENCY_REQUEUE_MS = 5_000;
const NOT_READY_REQUEUE_MS = 10_000;
const MAX_STATUS_HISTORY = 10;

/** releaseNameOf is spec.releaseName, defaulting to metadata.name (Flux prefixes the namespace; Helm users expect the name). */
export const releaseNameOf = (hr: HelmRelease) => hr.spec.releaseName ?? hr.metadata.name;
export const targetNamespaceOf = (hr: HelmRelease) => hr.spec.targetNamespace ?? hr.metadata.namespace;
export const storageNamespaceOf = (hr: HelmRelease) => hr.spec.storageNamespace ?? targetNamespaceOf(hr);

export class Reconciler {
  constructor(private readonly o: ReconcilerOptions) {}

  /** reconcile handles one key (`namespace/name`). */
  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/');
    const hr = (await this.o.client.get(API_VERSION, KIND, namespace, name)) as HelmRelease | undefined;
    if (!hr) return {};
    const reconcileID = randomBytes(6).toString('hex');
    const log = this.o.log.child({ controller: 'helmrelease', namespace, name, reconcileID });
    const t0 = Date.now();
    log.debug('reconcile started');
    try {
      if (hr.metadata.deletionTimestamp) return await this.finalize(hr, log);
      if (!hr.metadata.finalizers?.includes(FINALIZER)) await this.addFinalizer(hr);
      if (hr.spec.suspend) {
        log.info('release is suspended; no writes');
        return {};
      }
      const r = await this.reconcileRelease(hr, log);
      log.info('reconcile finished', { durationMs: Date.now() - t0, action: r.action });
      return r;
    } catch (e) {
      const terminal = e instanceof TerminalError;
      log.error(terminal ? 'reconcile stalled' : 'reconcile failed', {
        durationMs: Date.now() - t0,
        error: (e as Error).message,
        stack: (e as Error).stack,
      });
      throw e;
    }
  }

  private async addFinalizer(hr: HelmRelease): Promise<void> {
    const finalizers = [...(hr.metadata.finalizers ?? []), FINALIZER];
    await this.o.client.request(
      'PATCH',
      `/apis/${GROUP}/${VERSION}/namespaces/${hr.metadata.namespace}/${PLURAL}/${hr.metadata.name}`,
      {
        body: { metadata: { finalizers, resourceVersion: hr.metadata.resourceVersion } },
        contentType: 'application/merge-patch+json',
      },
    );
  }

  /** finalize uninstalls the release of a HelmRelease being deleted (unless suspended), then lets it go. */
  private async finalize(hr: HelmRelease, log: Logger): Promise<ReconcileResult> {
    if (!hr.metadata.finalizers?.includes(FINALIZER)) return {};
    if (!hr.spec.suspend) {
      const ctx = this.context(hr, log);
      const last = await ctx.storage.last(ctx.release.name);
      if (last && last.record.info.status !== 'uninstalled') {
        log.info('uninstalling release of deleted HelmRelease', { revision: last.record.version });
        await uninstall(ctx, last, {
          disableHooks: hr.spec.uninstall?.disableHooks,
          disableWait: hr.spec.uninstall?.disableWait,
          keepHistory: hr.spec.uninstall?.keepHistory,
          propagation: propagationOf(hr),
        });
        void this.o.events.event(hr, 'Normal', 'UninstallSucceeded', `Release ${ctx.release.name} uninstalled`);
      }
    }
    const finalizers = (hr.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
    await this.o.client.request(
      'PATCH',
      `/apis/${GROUP}/${VERSION}/namespaces/${hr.metadata.namespace}/${PLURAL}/${hr.metadata.name}`,
      {
        body: { metadata: { finalizers, resourceVersion: hr.metadata.resourceVersion } },
        contentType: 'application/merge-patch+json',
      },
    );
    return { action: 'uninstall' };
  }

  /** context builds the ReleaseContext, impersonating the release's ServiceAccount for every write. */
  private context(hr: HelmRelease, log: Logger): ReleaseContext {
    const sa = hr.spec.serviceAccountName ?? this.o.defaultServiceAccount;
    const client = sa
      ? this.o.client.withImpersonation(`system:serviceaccount:${hr.metadata.namespace}:${sa}`)
      : this.o.client;
    const release = { name: releaseNameOf(hr), namespace: targetNamespaceOf(hr) };
    return {
      client,
      // Release storage is Capstan's own bookkeeping: written with the controller's identity.
      storage: new ReleaseStorage(this.o.client.kubeConfig.makeApiClient(CoreV1Api), storageNamespaceOf(hr)),
      release,
      fieldManager: this.o.fieldManager,
      timeoutMs: parseDuration(hr.spec.timeout, 300_000),
      maxHistory: hr.spec.maxHistory ?? 5,
      log: (msg) => log.info(msg),
      onHook: (h) => this.o.onHook?.(hr, h),
      signal: this.o.signal,
    };
  }

  private async reconcileRelease(hr: HelmRelease, log: Logger): Promise<ReconcileResult> {
    const interval = parseDuration(hr.spec.interval, 600_000);
    const status: HelmReleaseStatus = structuredClone(hr.status ?? {});
    const generation = hr.metadata.generation ?? 0;
    const newGeneration = status.lastAttemptedGeneration !== generation;
    const requestedAt = hr.metadata.annotations?.[REQUESTED_AT_ANNOTATION];
    const newRequest = requestedAt !== undefined && requestedAt !== status.lastHandledReconcileAt;
    if (newGeneration || newRequest) {
      // A change (or a manual request) starts the retry budget again.
      status.failures = 0;
      status.installFailures = 0;
      status.upgradeFailures = 0;
    }
    if (newRequest) status.lastHandledReconcileAt = requestedAt;
    const cond = (type: string, s: Condition['status'], reason: string, message: string) => {
      status.conditions = setCondition(status.conditions ?? [], {
        type,
        status: s,
        reason,
        message,
        observedGeneration: generation,
      }) as Condition[];
    };
    const stalled = async (reason: string, message: string): Promise<never> => {
      cond(ConditionType.Stalled, 'True', reason, message);
      cond(ConditionType.Ready, 'False', reason, message);
      cond(ConditionType.Reconciling, 'False', reason, message);
      status.observedGeneration = generation;
      status.lastAttemptedGeneration = generation;
      await this.writeStatus(hr, status);
      void this.o.events.event(hr, 'Warning', reason, message);
      throw new TerminalError(message, reason);
    };

    // dependsOn: wait until each dependency is Ready for its current generation.
    const cycle = this.dependencyCycle(hr);
    if (cycle) return stalled('DependencyCycle', `spec.dependsOn: dependency cycle ${cycle}`);
    for (const d of hr.spec.dependsOn ?? []) {
      const dep = this.o.lookupRelease(d.namespace ?? hr.metadata.namespace, d.name);
      const ready = dep?.status?.conditions?.find((c) => c.type === 'Ready');
      if (!dep || ready?.status !== 'True' || dep.status?.observedGeneration !== dep.metadata.generation) {
        const msg = `dependency ${d.namespace ?? hr.metadata.namespace}/${d.name} is not ready`;
        cond(ConditionType.Ready, 'False', 'DependencyNotReady', msg);
        cond(ConditionType.Reconciling, 'True', 'DependencyNotReady', msg);
        await this.writeStatus(hr, status);
        return { requeueAfterMs: DEPENDENCY_REQUEUE_MS, action: 'noop' };
      }
    }

    cond(ConditionType.Reconciling, 'True', 'Progressing', 'Reconciliation in progress');
    status.conditions = (status.conditions ?? []).filter((c) => c.type !== ConditionType.Stalled);
    if (newGeneration) await this.writeStatus(hr, status);

    // Desired state: resolve, pull, load, compose values. Nothing is written before this succeeds;
    // rendering waits until an action needs it (an in-sync release is not rendered).
    const ctx = this.context(hr, log);
    let desiredDigest: string;
    let version: string | undefined;
    let values;
    let chart;
    let access;
    try {
      access = await registryAccess(this.o.client, hr);
      const resolved = await this.o.charts.resolve(hr.spec.chart, access);
      desiredDigest = resolved.digest;
      chart = (await this.o.charts.load(hr.spec.chart, desiredDigest, access)).chart;
      version = resolved.version ?? chart.metadata.version;
      values = await composeValues(this.o.client, hr);
    } catch (e) {
      if (e instanceof TerminalError) return stalled(e.reason, e.message);
      const msg = (e as Error).message;
      if (isPermanentChartError(e)) return stalled('ChartPullFailed', `spec.chart: ${msg}`);
      cond(ConditionType.Ready, 'False', 'ArtifactFailed', msg);
      await this.writeStatus(hr, status);
      throw e;
    }
    const chartName = chart.metadata.name;
    /** desiredFor renders and post-renders the chart as revision `revision`; a failure stalls the release. */
    const desiredFor = async (revision: number, isInstall: boolean): Promise<Desired> => {
      try {
        const t = process.hrtime.bigint();
        let rendered = render({
          chart,
          values,
          releaseName: ctx.release.name,
          namespace: ctx.release.namespace,
          revision,
          isInstall,
          capabilities: await this.o.capabilities(),
        });
        this.o.observe?.render?.(Number(process.hrtime.bigint() - t) / 1e9);
        const post = await this.o.postRenderers.run(hr, rendered, access, ctx.release.namespace);
        rendered = post.rendered;
        if (post.changes.length) {
          const msg = `post-renderers changed object identities: ${describeChanges(post.changes)}`;
          log.warn(msg);
          void this.o.events.event(hr, 'Warning', 'PostRenderChanges', msg);
        }
        return { rendered, config: values };
      } catch (e) {
        if (e instanceof TerminalError) return stalled(e.reason, e.message);
        throw e;
      }
    };
    const attempted: Revision = {
      chartRef: hr.spec.chart.ref,
      chartName,
      version,
      digest: desiredDigest,
      shortDigest: desiredDigest.slice(7, 19),
      valuesChecksum: valuesChecksum(values),
    };

    const rollbackRequest = hr.metadata.annotations?.[ROLLBACK_ANNOTATION];
    if (rollbackRequest && rollbackRequest !== status.lastHandledRollback) {
      return this.manualRollback(hr, status, ctx, rollbackRequest, attempted, cond, stalled, interval);
    }
    const state = await this.determineReleaseState(hr, ctx, attempted);
    log.info('release state', { state: state.kind, reason: state.reason });
    const nextRevision = (state.history[state.history.length - 1]?.record.version ?? 0) + 1;
    const upgradeOpts = {
      disableHooks: hr.spec.upgrade?.disableHooks,
      disableWait: hr.spec.upgrade?.disableWait,
      force: hr.spec.upgrade?.forceConflicts,
      forceReplace: hr.spec.upgrade?.forceReplace,
      crds: hr.spec.upgrade?.crds,
      cleanupOnFail: hr.spec.upgrade?.cleanupOnFail,
    };
    const installOpts = {
      disableHooks: hr.spec.install?.disableHooks,
      disableWait: hr.spec.install?.disableWait,
      force: hr.spec.install?.forceConflicts,
      forceReplace: hr.spec.install?.forceReplace,
      crds: hr.spec.install?.crds,
      createNamespace: hr.spec.install?.createNamespace,
    };

    let outcome: ActionOutcome | undefined;
    let action: ReconcileAction = 'noop';
    const runAction = async (a: ReconcileAction, f: () => Promise<ActionOutcome>) => {
      action = a;
      status.lastAttemptedRevision = attempted;
      status.lastAttemptedGeneration = generation;
      cond(
        ConditionType.Reconciling,
        'True',
        'Progressing',
        `Running ${a} for ${attempted.chartName} ${attempted.version}`,
      );
      await this.writeStatus(hr, status);
      const t = process.hrtime.bigint();
      try {
        outcome = await f();
        this.o.observe?.action?.(hr, a, Number(process.hrtime.bigint() - t) / 1e9, true);
      } catch (e) {
        this.o.observe?.action?.(hr, a, Number(process.hrtime.bigint() - t) / 1e9, false);
        throw e;
      }
    };

    try {
      switch (state.kind) {
        case 'Absent': {
          const desired = await desiredFor(nextRevision, true);
          await runAction('install', () => install(ctx, desired, nextRevision, installOpts));
          break;
        }
        case 'Locked': {
          log.warn('release was left pending; unlocking', {
            revision: state.last.record.version,
            status: state.last.record.info.status,
          });
          const unlocked = await unlock(ctx, state.last);
          void this.o.events.event(
            hr,
            'Warning',
            'Unlocked',
            `Release ${ctx.release.name} v${unlocked.record.version} was ${state.last.record.info.status}; marked failed`,
          );
          return this.remediateOrRetry(
            hr,
            status,
            ctx,
            unlocked,
            desiredFor,
            attempted,
            cond,
            stalled,
            runAction,
            installOpts,
            upgradeOpts,
            log,
          );
        }
        case 'Failed':
          return this.remediateOrRetry(
            hr,
            status,
            ctx,
            state.last,
            desiredFor,
            attempted,
            cond,
            stalled,
            runAction,
            installOpts,
            upgradeOpts,
            log,
          );
        case 'OutOfSync':
        case 'ChangedOutside': {
          const deployed = [...state.history].reverse().find((r) => r.record.info.status === 'deployed');
          const desired = await desiredFor(nextRevision, false);
          await runAction('upgrade', () => upgrade(ctx, desired, state.last, deployed, upgradeOpts));
          break;
        }
        case 'InSync':
          return this.inSync(hr, status, ctx, state.last, attempted, cond, interval, log);
      }
    } catch (e) {
      return this.actionFailed(hr, status, ctx, e, action, cond, stalled, interval);
    }
    return this.succeeded(hr, status, ctx, outcome!, attempted, action, cond, interval);
  }

  /**
   * manualRollback performs a rollback the rollback annotation asks for. The result is recorded as
   * the release's applied state, so it holds until the spec changes.
   */
  private async manualRollback(
    hr: HelmRelease,
    status: HelmReleaseStatus,
    ctx: ReleaseContext,
    request: string,
    attempted: Revision,
    cond: (type: string, s: Condition['status'], reason: string, message: string) => void,
    stalled: (reason: string, message: string) => Promise<never>,
    interval: number,
  ): Promise<ReconcileResult> {
    const field = `metadata.annotations[${ROLLBACK_ANNOTATION}]`;
    const revision = Number(request.split('/')[0]);
    status.lastHandledRollback = request;
    const history = await ctx.storage.history(ctx.release.name);
    const target = history.find((r) => r.record.version === revision);
    const last = history[history.length - 1];
    if (!Number.isInteger(revision) || !target || !last) {
      return stalled(
        'InvalidRollback',
        `${field}: revision ${JSON.stringify(request)} is not in the history of release ${ctx.release.name} (${history.map((r) => r.record.version).join(', ') || 'none'})`,
      );
    }
    try {
      const outcome = await rollback(ctx, target, last, {
        disableHooks: hr.spec.upgrade?.disableHooks,
        force: hr.spec.upgrade?.forceConflicts,
      });
      cond(
        ConditionType.Remediated,
        'True',
        'RollbackSucceeded',
        `Rolled back to revision ${revision} as requested by ${field}`,
      );
      void this.o.events.event(
        hr,
        'Normal',
        'RollbackSucceeded',
        `Rolled back release ${ctx.release.name} to revision ${revision} (now revision ${outcome.stored.record.version})`,
      );
      return this.succeeded(hr, status, ctx, outcome, attempted, 'rollback', cond, interval);
    } catch (e) {
      return this.actionFailed(hr, status, ctx, e, 'rollback', cond, stalled, interval);
    }
  }

  /** determineReleaseState classifies the release; it reads, never writes. */
  async determineReleaseState(hr: HelmRelease, ctx: ReleaseContext, desired: Revision): Promise<ReleaseState> {
    const history = await ctx.storage.history(ctx.release.name);
    const last = history[history.length - 1];
    if (!last) return { kind: 'Absent', reason: 'no release in storage', history };
    const st = last.record.info.status;
    if (st === 'uninstalled') return { kind: 'Absent', reason: 'release was uninstalled (history kept)', history };
    if (PENDING_STATUSES.has(st) || st === 'uninstalling') {
      return { kind: 'Locked', reason: `revision ${last.record.version} is ${st}`, last, history };
    }
    const prev = hr.status?.lastAttemptedRevision;
    const generation = hr.metadata.generation ?? 0;
    const specChanged =
      !prev ||
      prev.digest !== desired.digest ||
      prev.valuesChecksum !== desired.valuesChecksum ||
      hr.status?.lastAttemptedGeneration !== generation;
    if (
      specChanged &&
      !(st === 'failed' && prev && prev.digest === desired.digest && prev.valuesChecksum === desired.valuesChecksum)
    ) {
      return {
        kind: 'OutOfSync',
        reason: prev ? 'chart, values or spec changed' : 'release not yet managed by this HelmRelease',
        last,
        history,
      };
    }
    if (st === 'failed') return { kind: 'Failed', reason: `revision ${last.record.version} failed`, last, history };
    const known = hr.status?.history?.find((h) => h.revision === last.record.version);
    if (!known || known.recordDigest !== last.digest) {
      return {
        kind: 'ChangedOutside',
        reason: `revision ${last.record.version} was written outside Capstan (helm rollback/upgrade?)`,
        last,
        history,
      };
    }
    return {
      kind: 'InSync',
      reason: `revision ${last.record.version} is deployed and matches the spec`,
      last,
      history,
    };
  }

  /**
   * remediateOrRetry handles a failed last revision: while retries remain, remediate per strategy
   * and try the action again; when they are exhausted, stall.
   */
  private async remediateOrRetry(
    hr: HelmRelease,
    status: HelmReleaseStatus,
    ctx: ReleaseContext,
    last: StoredRelease,
    desiredFor: (revision: number, isInstall: boolean) => Promise<Desired>,
    attempted: Revision,
    cond: (type: string, s: Condition['status'], reason: string, message: string) => void,
    stalled: (reason: string, message: string) => Promise<never>,
    runAction: (a: ReconcileAction, f: () => Promise<ActionOutcome>) => Promise<void>,
    installOpts: Parameters<typeof install>[3],
    upgradeOpts: Parameters<typeof upgrade>[4],
    log: Logger,
  ): Promise<ReconcileResult> {
    const history = await ctx.storage.history(ctx.release.name);
    const deployed = [...history]
      .reverse()
      .find((r) => r.record.info.status === 'deployed' || r.record.info.status === 'superseded');
    const wasInstall = !deployed;
    const rem = wasInstall ? hr.spec.install?.remediation : hr.spec.upgrade?.remediation;
    const retries = rem?.retries ?? 0;
    const failures = wasInstall ? (status.installFailures ?? 0) : (status.upgradeFailures ?? 0);
    const interval = parseDuration(hr.spec.interval, 600_000);
    if (retries >= 0 && failures > retries) {
      return stalled(
        wasInstall ? 'InstallFailed' : 'UpgradeFailed',
        `${wasInstall ? 'install' : 'upgrade'} retries exhausted (${failures - 1}/${retries}): ${last.record.info.description}`,
      );
    }
    const action: ReconcileAction = wasInstall ? 'install' : 'upgrade';
    try {
      if (wasInstall) {
        if ((rem?.strategy ?? 'uninstall') === 'uninstall') {
          log.info('remediating failed install by uninstalling', { revision: last.record.version });
          await uninstall(ctx, last, {
            disableHooks: hr.spec.uninstall?.disableHooks,
            keepHistory: true,
            propagation: propagationOf(hr),
          });
          cond(
            ConditionType.Remediated,
            'True',
            'UninstallSucceeded',
            `Uninstalled failed revision ${last.record.version}`,
          );
        }
        const fresh = await ctx.storage.last(ctx.release.name);
        const revision = (fresh?.record.version ?? 0) + 1;
        const desired = await desiredFor(revision, true);
        await runAction('install', () => install(ctx, desired, revision, installOpts));
      } else {
        const desired = await desiredFor(last.record.version + 1, false);
        await runAction('upgrade', () => upgrade(ctx, desired, last, deployed, upgradeOpts));
      }
    } catch (e) {
      return this.actionFailed(hr, status, ctx, e, action, cond, stalled, interval);
    }
    const stored = await ctx.storage.last(ctx.release.name);
    return this.succeeded(
      hr,
      status,
      ctx,
      {
        ok: true,
        stored: stored!,
        message: `${action} of revision ${stored?.record.version} complete`,
        statuses: [],
        objects: [],
      },
      attempted,
      action,
      cond,
      interval,
    );
  }

  /** actionFailed records a failed action, remediates per spec, and decides retry or stall. */
  private async actionFailed(
    hr: HelmRelease,
    status: HelmReleaseStatus,
    ctx: ReleaseContext,
    e: unknown,
    action: ReconcileAction,
    cond: (type: string, s: Condition['status'], reason: string, message: string) => void,
    stalled: (reason: string, message: string) => Promise<never>,
    interval: number,
  ): Promise<ReconcileResult> {
    if (e instanceof TerminalError) throw e;
    const msg = (e as Error).message;
    const stored = e instanceof ReleaseActionError ? e.stored : undefined;
    if (this.o.signal?.aborted && stored) {
      // A shutdown cut the action short: the revision is marked failed (never left pending), but
      // it does not count against the retry budget; the next process takes over.
      cond(
        ConditionType.Reconciling,
        'True',
        'Interrupted',
        `${action} of revision ${stored.record.version} was ${INTERRUPTED}; it resumes when the controller restarts`,
      );
      await this.refreshHistory(status, ctx);
      await this.writeStatus(hr, status);
      return { action };
    }
    status.failures = (status.failures ?? 0) + 1;
    const isInstall = action === 'install';
    if (isInstall) status.installFailures = (status.installFailures ?? 0) + 1;
    else status.upgradeFailures = (status.upgradeFailures ?? 0) + 1;
    const reason = isInstall ? 'InstallFailed' : 'UpgradeFailed';
    cond(ConditionType.Released, 'False', reason, msg);
    cond(ConditionType.Ready, 'False', reason, msg);
    await this.refreshHistory(status, ctx);
    void this.o.events.event(hr, 'Warning', reason, msg);
    if (!stored) {
      // Nothing was written (ownership conflict, invalid object, server rejection): a spec problem.
      return stalled(reason, msg);
    }
    const statuses = ((e as any).statuses ?? []) as ObjectStatus[];
    if (statuses.length) status.readiness = readinessSummary(statuses);
    // Upgrade remediation by rollback happens right away, as in Flux.
    const rem = isInstall ? hr.spec.install?.remediation : hr.spec.upgrade?.remediation;
    const retries = rem?.retries ?? 0;
    const failures = isInstall ? status.installFailures! : status.upgradeFailures!;
    if (
      !isInstall &&
      (rem?.strategy ?? 'rollback') === 'rollback' &&
      (retries < 0 || failures <= retries || rem?.remediateLastFailure)
    ) {
      const history = await ctx.storage.history(ctx.release.name);
      const target = [...history]
        .reverse()
        .find((r) => r.record.info.status === 'superseded' || r.record.info.status === 'deployed');
      const last = history[history.length - 1];
      if (target && last) {
        try {
          await rollback(ctx, target, last, {
            disableHooks: hr.spec.upgrade?.disableHooks,
            force: hr.spec.upgrade?.forceConflicts,
          });
          cond(
            ConditionType.Remediated,
            'True',
            'RollbackSucceeded',
            `Rolled back to revision ${target.record.version}`,
          );
          void this.o.events.event(
            hr,
            'Normal',
            'RollbackSucceeded',
            `Rolled back to revision ${target.record.version}`,
          );
        } catch (re) {
          cond(ConditionType.Remediated, 'False', 'RollbackFailed', (re as Error).message);
        }
      }
    }
    await this.refreshHistory(status, ctx);
    if (retries >= 0 && failures > retries) {
      return stalled(
        reason,
        `${isInstall ? 'install' : 'upgrade'} retries exhausted (${failures - 1}/${retries}): ${msg}`,
      );
    }
    cond(ConditionType.Reconciling, 'True', 'ProgressingWithRetry', `Retrying after failure: ${msg}`);
    status.observedGeneration = hr.metadata.generation;
    await this.writeStatus(hr, status);
    return { requeueAfterMs: Math.min(interval, 5_000 * 2 ** Math.min(failures, 6)), action };
  }

  private async succeeded(
    hr: HelmRelease,
    status: HelmReleaseStatus,
    ctx: ReleaseContext,
    outcome: ActionOutcome,
    attempted: Revision,
    action: ReconcileAction,
    cond: (type: string, s: Condition['status'], reason: string, message: string) => void,
    interval: number,
  ): Promise<ReconcileResult> {
    const rec = outcome.stored.record;
    status.lastAppliedRevision = { ...attempted, releaseRevision: rec.version };
    status.lastAttemptedRevision = { ...attempted, releaseRevision: rec.version };
    status.releaseName = ctx.release.name;
    status.storageNamespace = ctx.storage.namespace;
    const objs = await objectsOf(ctx, rec.manifest, true);
    status.inventory = {
      entries: objs.map((o) => ({
        ...splitApiVersion(o.apiVersion),
        kind: o.kind,
        namespace: o.metadata.namespace,
        name: o.metadata.name,
      })),
    };
    await this.refreshHistory(status, ctx);
    const statuses = outcome.statuses.length ? outcome.statuses : await statusesOf(ctx.client, objs);
    status.readiness = readinessSummary(statuses);
    const reason =
      action === 'install' ? 'InstallSucceeded' : action === 'rollback' ? 'RollbackSucceeded' : 'UpgradeSucceeded';
    const msg = `Helm ${action} succeeded for release ${ctx.release.namespace}/${ctx.release.name}.v${rec.version} with chart ${attempted.chartName}@${attempted.version}`;
    cond(ConditionType.Released, 'True', reason, msg);
    void this.o.events.event(hr, 'Normal', reason, msg);
    if (hr.spec.test?.enable) {
      const failure = await runTests(ctx, outcome.stored);
      // The record now holds the tests' results; its new digest is ours, not an outside change.
      await this.refreshHistory(status, ctx);
      if (failure) {
        cond(ConditionType.TestSuccess, 'False', 'TestFailed', failure);
        void this.o.events.event(hr, 'Warning', 'TestFailed', failure);
        if (!hr.spec.test.ignoreFailures) {
          cond(ConditionType.Ready, 'False', 'TestFailed', failure);
          status.observedGeneration = hr.metadata.generation;
          await this.writeStatus(hr, status);
          return { requeueAfterMs: interval, action };
        }
      } else {
        cond(
          ConditionType.TestSuccess,
          'True',
          'TestSucceeded',
          `Tests of release ${ctx.release.name} v${rec.version} passed`,
        );
      }
    }
    return this.finish(hr, status, statuses, cond, interval, action);
  }

  /** inSync corrects drift per spec.driftDetection and reports readiness. */
  private async inSync(
    hr: HelmRelease,
    status: HelmReleaseStatus,
    ctx: ReleaseContext,
    last: StoredRelease,
    attempted: Revision,
    cond: (type: string, s: Condition['status'], reason: string, message: string) => void,
    interval: number,
    log: Logger,
  ): Promise<ReconcileResult> {
    const mode = hr.spec.driftDetection?.mode ?? 'enabled';
    let action: ReconcileAction = 'noop';
    if (mode !== 'disabled') {
      const report = await correctDrift(
        ctx,
        last,
        mode,
        hr.spec.driftDetection?.ignore ?? [],
        !!hr.spec.upgrade?.forceConflicts,
      );
      status.drift = {
        objects: report.drifted.length,
        entries: report.drifted.slice(0, 20).map((d) => ({ object: refString(d.ref), fields: d.fields.slice(0, 20) })),
      };
      this.o.observe?.drift?.(hr, report.drifted.length);
      if (report.drifted.length) {
        const what = report.drifted
          .slice(0, 5)
          .map((d) => `${refString(d.ref)} (${d.fields.slice(0, 3).join(', ')})`)
          .join('; ');
        const msg =
          mode === 'enabled'
            ? `Corrected drift in ${report.corrected} objects: ${what}`
            : `Drift detected in ${report.drifted.length} objects: ${what}`;
        log.info(msg);
        void this.o.events.event(
          hr,
          mode === 'enabled' ? 'Normal' : 'Warning',
          mode === 'enabled' ? 'DriftCorrected' : 'DriftDetected',
          msg,
        );
        if (mode === 'enabled') action = 'drift';
      }
    }
    const objs = await objectsOf(ctx, last.record.manifest, true);
    const statuses = await statusesOf(ctx.client, objs);
    status.readiness = readinessSummary(statuses);
    status.lastAppliedRevision ??= { ...attempted, releaseRevision: last.record.version };
    await this.refreshHistory(status, ctx);
    return this.finish(hr, status, statuses, cond, interval, action);
  }

  private async finish(
    hr: HelmRelease,
    status: HelmReleaseStatus,
    statuses: ObjectStatus[],
    cond: (type: string, s: Condition['status'], reason: string, message: string) => void,
    interval: number,
    action: ReconcileAction,
  ): Promise<ReconcileResult> {
    const notReady = statuses.filter((s) => s.status !== 'Current');
    status.observedGeneration = hr.metadata.generation;
    status.lastAttemptedGeneration = hr.metadata.generation;
    status.conditions = (status.conditions ?? []).filter((c) => c.type !== ConditionType.Stalled);
    if (notReady.length === 0) {
      const rev = status.lastAppliedRevision;
      cond(
        ConditionType.Ready,
        'True',
        'Succeeded',
        `Release ${status.releaseName ?? releaseNameOf(hr)} revision ${rev?.releaseRevision ?? '?'} is ready (${statuses.length} objects Current)`,
      );
      status.conditions = (status.conditions ?? []).filter((c) => c.type !== ConditionType.Reconciling);
      await this.writeStatus(hr, status);
      return { requeueAfterMs: interval, action };
    }
    const msg = summarizeNotReady(statuses);
    const failed = notReady.some((s) => s.status === 'Failed');
    cond(ConditionType.Ready, 'False', failed ? 'ObjectFailed' : 'Progressing', msg);
    cond(ConditionType.Reconciling, 'True', 'Progressing', `Waiting for ${notReady.length} objects: ${msg}`);
    await this.writeStatus(hr, status);
    return { requeueAfterMs: Math.min(interval, NOT_READY_REQUEUE_MS), action };
  }

  private async refreshHistory(status: HelmReleaseStatus, ctx: ReleaseContext): Promise<void> {
    const history = await ctx.storage.history(ctx.release.name);
    status.history = history
      .slice(-MAX_STATUS_HISTORY)
      .reverse()
      .map((r): HistoryEntry => ({
        revision: r.record.version,
        chartName: String(r.record.chart.metadata.name ?? ''),
        chartVersion: String(r.record.chart.metadata.version ?? ''),
        appVersion: r.record.chart.metadata.appVersion as string | undefined,
        status: r.record.info.status,
        firstDeployed: r.record.info.first_deployed,
        lastDeployed: r.record.info.last_deployed,
        recordDigest: r.digest,
      }));
  }

  /** writeStatus server-side applies the status subresource under Capstan's field manager. */
  async writeStatus(hr: HelmRelease, status: HelmReleaseStatus): Promise<void> {
    try {
      await this.o.client.apply(
        {
          apiVersion: API_VERSION,
          kind: KIND,
          metadata: { name: hr.metadata.name, namespace: hr.metadata.namespace },
          status,
        } as any,
        { fieldManager: this.o.fieldManager, force: true, subresource: 'status' },
      );
      hr.status = status;
      this.o.observe?.status?.(hr);
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) return;
      throw e;
    }
  }

  /** dependencyCycle returns the cycle this release is part of, as `a -> b -> a`, if any. */
  private dependencyCycle(hr: HelmRelease): string | undefined {
    const start = `${hr.metadata.namespace}/${hr.metadata.name}`;
    const visit = (key: string, path: string[]): string | undefined => {
      const [ns, name] = key.split('/');
      const node = key === start ? hr : this.o.lookupRelease(ns, name);
      for (const d of node?.spec.dependsOn ?? []) {
        const k = `${d.namespace ?? ns}/${d.name}`;
        if (k === start) return [...path, k].join(' -> ');
        if (path.includes(k)) continue;
        const found = visit(k, [...path, k]);
        if (found) return found;
      }
      return undefined;
    };
    return visit(start, [start]);
  }
}

/** statusesOf reads the live status of each object of a release. */
function statusesOf(client: KubeClient, objs: KubeObject[]): Promise<ObjectStatus[]> {
  return Promise.all(objs.map((o) => statusOf(client, refOf(o))));
}

function propagationOf(hr: HelmRelease): 'Background' | 'Foreground' | 'Orphan' {
  const p = hr.spec.uninstall?.deletionPropagation ?? 'background';
  return (p[0].toUpperCase() + p.slice(1)) as 'Background' | 'Foreground' | 'Orphan';
}

/** readinessSummary counts objects by kstatus and lists the first that are not Current. */
export function readinessSummary(statuses: ObjectStatus[]): NonNullable<HelmReleaseStatus['readiness']> {
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s.status] = (counts[s.status] ?? 0) + 1;
  return {
    counts,
    notReady: statuses
      .filter((s) => s.status !== 'Current')
      .slice(0, 5)
      .map((s: ObjectStatus) => ({
        kind: s.ref.kind,
        namespace: s.ref.namespace,
        name: s.ref.name,
        status: s.status,
        message: s.message,
      })),
  };
}

/** isPermanentChartError: errors a retry cannot fix (unknown chart or tag, digest mismatch, not a chart). */
function isPermanentChartError(e: unknown): boolean {
  const msg = String((e as Error)?.message ?? '');
  const status = (e as any)?.status ?? (e as any)?.httpStatus;
  if (status === 404 || status === 401 || status === 403) return true;
  return /not found|MANIFEST_UNKNOWN|NAME_UNKNOWN|digest mismatch|does not match|no tag matches|not a Helm chart|invalid reference|unauthorized|denied/i.test(
    msg,
  );
}

export type { ObjectRef };
