/**
 * release: the Helm actions Capstan performs on a release — install, upgrade, rollback, uninstall —
 * each a small function whose doc comment is its contract (what it writes, what counts as failure).
 * They work on a ReleaseContext (cluster client acting for the release, storage, identity, spec
 * options) and a desired state (rendered chart). Records are stored `pending-*` before any object is
 * written, so an interrupted controller leaves a lock that the next one recognises and clears.
 */
import type { Hook } from '../chart/manifests.js';
import type { RenderedRelease } from '../chart/render.js';
import type { Chart } from '../chart/types.js';
import {
  applyFailure,
  applyObjects,
  checkOwnership,
  HELM_MANAGERS,
  deleteObjects,
  parseManifest,
  prepareObjects,
  prune,
  refOf,
  summarizeNotReady,
  waitReady,
  type ObjectRef,
  type ObjectStatus,
  type ReleaseIdentity,
} from '../apply/applier.js';
import { hookRecord, runHooks } from '../apply/hooks.js';
import { KubeApiError, splitApiVersion, type KubeClient, type KubeObject } from '../apply/kubeclient.js';
import { intValue, type GoMap } from '../gotemplate/value.js';
import { goTime, type ChartRecord, type ReleaseRecord, type ReleaseStatus } from '../release/record.js';
import type { ReleaseStorage, StoredRelease } from '../release/storage.js';
import type { CRDPolicy } from './types.js';

/** ReleaseContext is everything an action needs besides the desired state. */
export interface ReleaseContext {
  /** client acts for the release (impersonating spec.serviceAccountName when set). */
  client: KubeClient;
  storage: ReleaseStorage;
  release: ReleaseIdentity;
  fieldManager: string;
  timeoutMs: number;
  maxHistory: number;
  log: (msg: string) => void;
  /** onHook observes hook starts (tests). */
  onHook?: (h: Hook) => void;
  /** signal aborts waits when the controller shuts down. */
  signal?: AbortSignal;
}

export interface ActionOptions {
  disableHooks?: boolean;
  disableWait?: boolean;
  force?: boolean;
  forceReplace?: boolean;
  crds?: CRDPolicy;
  createNamespace?: boolean;
  cleanupOnFail?: boolean;
}

/** ActionOutcome is what an action leaves behind. */
export interface ActionOutcome {
  ok: boolean;
  stored: StoredRelease;
  /** message: what happened, for conditions and events. */
  message: string;
  statuses: ObjectStatus[];
  objects: ObjectRef[];
}

/** INTERRUPTED is the record description of an action cut short by a controller shutdown. */
export const INTERRUPTED = 'interrupted by controller shutdown';

/** ReleaseActionError: the action failed after storing a record (now `failed`). */
export class ReleaseActionError extends Error {
  constructor(
    message: string,
    readonly stored: StoredRelease | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReleaseActionError';
  }
}

/** manifestText joins rendered manifests the way Helm stores them in the record. */
export function manifestText(r: Pick<RenderedRelease, 'manifests'>): string {
  return r.manifests.map((m) => `---\n# Source: ${m.name}\n${m.content}\n`).join('');
}

/** chartRecord is the chart as stored in the release record. */
export function chartRecord(chart: Chart): ChartRecord {
  const b64 = (d: Uint8Array) => Buffer.from(d).toString('base64');
  const md: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(chart.metadata)) {
    if (v === undefined) continue;
    if (k === 'dependencies' && Array.isArray(v)) {
      md[k] = v.map(({ importValues, ...d }: any) => ({
        ...d,
        ...(importValues ? { 'import-values': importValues } : {}),
      }));
    } else md[k] = v;
  }
  return {
    metadata: md,
    lock: chart.lock ?? null,
    templates: chart.templates.map((t) => ({ name: t.name, data: b64(t.data) })),
    values: jsonSafe(chart.values) as Record<string, unknown>,
    schema: chart.schema ? b64(chart.schema) : null,
    files: chart.files.map((f) => ({ name: f.name, data: b64(f.data) })),
  };
}

/** jsonSafe converts the Go value model (bigint ints) into JSON-encodable data. */
export function jsonSafe(v: unknown): unknown {
  v = intValue(v);
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  }
  return v;
}

/** hooksOf reads a stored record's hooks back into the form the hook runner takes. */
export function hooksOf(rec: ReleaseRecord): Hook[] {
  return (rec.hooks ?? []).map((h) => ({
    name: h.name,
    kind: h.kind,
    path: h.path,
    manifest: h.manifest,
    events: h.events as Hook['events'],
    weight: h.weight,
    deletePolicies: h.delete_policies ?? [],
    outputLogPolicies: h.output_log_policies ?? [],
  }));
}

/** Desired is a rendered chart ready to become a revision. */
export interface Desired {
  rendered: RenderedRelease;
  /** config is the user-supplied values (Helm's `config`), before coalescing with chart defaults. */
  config: GoMap;
}

function newRecord(
  ctx: ReleaseContext,
  d: Desired,
  version: number,
  status: ReleaseStatus,
  description: string,
  first?: string,
): ReleaseRecord {
  const now = goTime();
  return {
    name: ctx.release.name,
    namespace: ctx.release.namespace,
    version,
    info: {
      first_deployed: first ?? now,
      last_deployed: now,
      description,
      status,
      notes: d.rendered.notes || undefined,
    },
    chart: chartRecord(d.rendered.chart),
    config: jsonSafe(d.config) as Record<string, unknown>,
    manifest: manifestText(d.rendered),
    hooks: d.rendered.hooks.map(hookRecord),
    apply_method: 'ssa',
  };
}

/**
 * installCrds applies the chart's crds/ files per policy (Create: only absent ones; CreateReplace:
 * apply all, never delete; Skip: none) and waits until each is Established.
 */
export async function installCrds(
  ctx: ReleaseContext,
  crds: RenderedRelease['crds'],
  policy: CRDPolicy,
): Promise<void> {
  if (policy === 'Skip' || crds.length === 0) return;
  const objs = crds.flatMap((f) => parseManifest(f.content, f.filename));
  const names: string[] = [];
  for (const o of objs) {
    if (o.kind !== 'CustomResourceDefinition') continue;
    if (policy === 'Create' && (await ctx.client.get(o.apiVersion, o.kind, undefined, o.metadata.name))) continue;
    try {
      await ctx.client.apply(o, { fieldManager: ctx.fieldManager, force: true });
    } catch (e) {
      throw applyFailure(o, e);
    }
    names.push(o.metadata.name);
  }
  await waitCrdsEstablished(ctx, names);
}

/** waitCrdsEstablished waits for CRDs to be Established and refreshes discovery. */
export async function waitCrdsEstablished(ctx: ReleaseContext, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const deadline = Date.now() + ctx.timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd: any = await ctx.client.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, name);
      if (crd?.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline)
        throw new Error(`waiting for CustomResourceDefinition ${name} to be Established: timed out`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  ctx.client.invalidateDiscovery();
  ctx.log(`CustomResourceDefinitions established: ${names.join(', ')}`);
}

/** applyTemplateCrds applies CRDs rendered from templates and waits until they are Established. */
async function applyTemplateCrds(ctx: ReleaseContext, crds: KubeObject[], force: boolean): Promise<void> {
  for (const o of crds) {
    try {
      await ctx.client.apply(o, { fieldManager: ctx.fieldManager, force });
    } catch (e) {
      throw applyFailure(o, e);
    }
  }
  await waitCrdsEstablished(
    ctx,
    crds.map((c) => c.metadata.name),
  );
}

async function ensureNamespace(ctx: ReleaseContext): Promise<void> {
  if (await ctx.client.get('v1', 'Namespace', undefined, ctx.release.namespace)) return;
  await ctx.client.apply(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ctx.release.namespace } },
    { fieldManager: ctx.fieldManager },
  );
}

/** objectsOf parses a stored manifest into objects ready to apply (or delete). */
export async function objectsOf(
  ctx: ReleaseContext,
  manifest: string,
  tolerateUnknownKinds = false,
): Promise<KubeObject[]> {
  const objs = parseManifest(manifest, 'release manifest');
  if (!tolerateUnknownKinds) return prepareObjects(ctx.client, objs, ctx.release);
  const out: KubeObject[] = [];
  for (const o of objs) {
    try {
      out.push(...(await prepareObjects(ctx.client, [o], ctx.release)));
    } catch {
      // The kind is gone (its CRD was removed): nothing of it can be left to prune.
    }
  }
  return out;
}

const keyOf = (o: ObjectRef) => `${splitApiVersion(o.apiVersion).group}/${o.kind}/${o.namespace ?? ''}/${o.name}`;

/**
 * deploy is the shared body of install, upgrade and rollback: store the pending record, run pre
 * hooks, apply, prune what the previous revision had, wait, run post hooks, store the result.
 * Throws ReleaseActionError (record now `failed`) on failure after the record was stored; errors
 * before that (bad objects, ownership conflicts) throw without storing anything.
 */
async function deploy(
  ctx: ReleaseContext,
  kind: 'install' | 'upgrade' | 'rollback',
  rec: ReleaseRecord,
  hooks: Hook[],
  previous: StoredRelease | undefined,
  opts: ActionOptions,
): Promise<ActionOutcome> {
  const [preEvent, postEvent] = {
    install: ['pre-install', 'post-install'] as const,
    upgrade: ['pre-upgrade', 'post-upgrade'] as const,
    rollback: ['pre-rollback', 'post-rollback'] as const,
  }[kind];
  if (opts.createNamespace) await ensureNamespace(ctx);
  // Everything that can be checked without writing is checked before the pending record exists.
  const parsed = parseManifest(rec.manifest, `${rec.name} v${rec.version} manifest`);
  const previousObjs = previous ? await objectsOf(ctx, previous.record.manifest, true) : [];
  const owned = new Set(previousObjs.map((o) => keyOf(refOf(o))));
  const action = kind === 'install' ? 'install' : 'upgrade';
  // CRDs rendered from templates go first, so discovery knows the kinds of the custom resources.
  const crds = await prepareObjects(
    ctx.client,
    parsed.filter((o) => o.kind === 'CustomResourceDefinition'),
    ctx.release,
  );
  if (crds.length) {
    await checkOwnership(ctx.client, crds, ctx.release, owned, action);
    await applyTemplateCrds(ctx, crds, !!opts.force);
  }
  const rest = await prepareObjects(
    ctx.client,
    parsed.filter((o) => o.kind !== 'CustomResourceDefinition'),
    ctx.release,
  );
  await checkOwnership(ctx.client, rest, ctx.release, owned, action);
  const objs = [...crds, ...rest];

  let stored = await ctx.storage.create(rec);
  const hookRecords = rec.hooks ?? [];
  const fail = async (message: string, cause: unknown, statuses: ObjectStatus[] = []): Promise<never> => {
    rec.info.status = 'failed';
    rec.info.description = `${cap(kind)} "${rec.name}" failed: ${message}`.slice(0, 1000);
    rec.info.last_deployed = goTime();
    stored = await ctx.storage.update(rec);
    if (kind === 'upgrade' && opts.cleanupOnFail) {
      const created = objs.filter((o) => !owned.has(keyOf(refOf(o))));
      if (created.length) {
        const gone = await deleteObjects(ctx.client, created);
        ctx.log(`cleanupOnFail: deleted ${gone.length} objects created by the failed upgrade`);
      }
    }
    const err = new ReleaseActionError(message, stored, { cause });
    (err as any).statuses = statuses;
    throw err;
  };
  const hookOpts = {
    fieldManager: ctx.fieldManager,
    release: ctx.release,
    timeoutMs: ctx.timeoutMs,
    onHook: ctx.onHook,
    log: ctx.log,
    signal: ctx.signal,
  };
  try {
    if (!opts.disableHooks) await runHooks(ctx.client, hooks, preEvent, hookRecords, hookOpts);
  } catch (e) {
    return fail((e as Error).message, e);
  }
  ctx.log(`${kind}: applying ${objs.length} objects of ${rec.name} v${rec.version}`);
  try {
    await applyObjects(ctx.client, objs, {
      fieldManager: ctx.fieldManager,
      force: opts.force,
      forceReplace: opts.forceReplace,
      takeoverManagers: HELM_MANAGERS,
      takeImperative: true,
      onApplied: (_o, i, n) => {
        if ((i + 1) % 50 === 0) ctx.log(`${kind}: applied ${i + 1}/${n} objects`);
      },
    });
  } catch (e) {
    return fail((e as Error).message, e);
  }
  if (previous) {
    const pruned = await prune(ctx.client, previousObjs, objs);
    if (pruned.length) ctx.log(`${kind}: pruned ${pruned.length} objects the new revision dropped`);
  }
  let statuses: ObjectStatus[] = [];
  const refs = objs.map(refOf);
  if (!opts.disableWait) {
    const w = await waitReady(ctx.client, refs, ctx.timeoutMs, {
      signal: ctx.signal,
      onProgress: (s) => {
        statuses = s;
      },
    });
    statuses = w.statuses;
    if (ctx.signal?.aborted) return fail(INTERRUPTED, undefined, statuses);
    if (!w.ok) {
      const why = w.timedOut
        ? `timed out after ${Math.round(ctx.timeoutMs / 1000)}s waiting for readiness`
        : 'an object failed';
      return fail(`${why}: ${summarizeNotReady(statuses)}`, undefined, statuses);
    }
  }
  try {
    if (!opts.disableHooks) await runHooks(ctx.client, hooks, postEvent, hookRecords, hookOpts);
  } catch (e) {
    return fail((e as Error).message, e, statuses);
  }
  rec.info.status = 'deployed';
  rec.info.last_deployed = goTime();
  rec.info.description = { install: 'Install complete', upgrade: 'Upgrade complete', rollback: rec.info.description }[
    kind
  ];
  stored = await ctx.storage.update(rec);
  await supersedeOthers(ctx, rec.version);
  const pruned = await ctx.storage.prune(rec.name, ctx.maxHistory);
  if (pruned) ctx.log(`history: removed ${pruned} old revisions (maxHistory ${ctx.maxHistory})`);
  return { ok: true, stored, message: `${cap(kind)} of revision ${rec.version} complete`, statuses, objects: refs };
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

/** supersedeOthers marks every other deployed revision superseded, as Helm does after a deploy. */
async function supersedeOthers(ctx: ReleaseContext, current: number): Promise<void> {
  for (const r of await ctx.storage.history(ctx.release.name)) {
    if (r.record.version !== current && r.record.info.status === 'deployed') {
      r.record.info.status = 'superseded';
      await ctx.storage.update(r.record);
    }
  }
}

/** install creates revision `version` (1, or the next after an uninstalled history). */
export async function install(
  ctx: ReleaseContext,
  d: Desired,
  version: number,
  opts: ActionOptions,
): Promise<ActionOutcome> {
  await installCrds(ctx, d.rendered.crds, opts.crds ?? 'Create');
  const rec = newRecord(ctx, d, version, 'pending-install', 'Initial install underway');
  return deploy(ctx, 'install', rec, d.rendered.hooks, undefined, opts);
}

/** upgrade creates the next revision from `last` (whatever its status), pruning what it dropped. */
export async function upgrade(
  ctx: ReleaseContext,
  d: Desired,
  last: StoredRelease,
  previousDeployed: StoredRelease | undefined,
  opts: ActionOptions,
): Promise<ActionOutcome> {
  await installCrds(ctx, d.rendered.crds, opts.crds ?? 'Skip');
  const rec = newRecord(
    ctx,
    d,
    last.record.version + 1,
    'pending-upgrade',
    'Preparing upgrade',
    last.record.info.first_deployed,
  );
  return deploy(ctx, 'upgrade', rec, d.rendered.hooks, previousDeployed ?? last, opts);
}

/**
 * rollback creates a new revision with the manifest, chart and config of revision `to` (Helm
 * rollback semantics: hooks of that revision run as pre/post-rollback).
 */
export async function rollback(
  ctx: ReleaseContext,
  to: StoredRelease,
  last: StoredRelease,
  opts: ActionOptions,
): Promise<ActionOutcome> {
  const now = goTime();
  const rec: ReleaseRecord = {
    ...structuredClone(to.record),
    version: last.record.version + 1,
    info: {
      ...to.record.info,
      first_deployed: last.record.info.first_deployed,
      last_deployed: now,
      status: 'pending-rollback',
      description: `Rollback to ${to.record.version}`,
      deleted: undefined,
    },
  };
  const hooks = hooksOf(rec);
  return deploy(ctx, 'rollback', rec, hooks, last, opts);
}

/**
 * uninstall runs pre-delete hooks, deletes the release's objects in uninstall order (waiting for
 * them to go unless disableWait), runs post-delete hooks, then deletes the history (or keeps it
 * marked `uninstalled` with keepHistory).
 */
export async function uninstall(
  ctx: ReleaseContext,
  last: StoredRelease,
  opts: {
    disableHooks?: boolean;
    disableWait?: boolean;
    keepHistory?: boolean;
    propagation?: 'Background' | 'Foreground' | 'Orphan';
  },
): Promise<void> {
  const rec = last.record;
  rec.info.status = 'uninstalling';
  rec.info.deleted = goTime();
  await ctx.storage.update(rec);
  const hooks = hooksOf(rec);
  const hookOpts = {
    fieldManager: ctx.fieldManager,
    release: ctx.release,
    timeoutMs: ctx.timeoutMs,
    onHook: ctx.onHook,
    log: ctx.log,
    signal: ctx.signal,
  };
  if (!opts.disableHooks) await runHooks(ctx.client, hooks, 'pre-delete', rec.hooks ?? [], hookOpts);
  const objs = await objectsOf(ctx, rec.manifest, true);
  const deleted = await deleteObjects(ctx.client, objs, opts.propagation ?? 'Background');
  ctx.log(`uninstall: deleted ${deleted.length} objects of ${rec.name}`);
  if (!opts.disableWait) {
    const deadline = Date.now() + ctx.timeoutMs;
    for (const ref of deleted) {
      while (
        Date.now() < deadline &&
        (await ctx.client.get(ref.apiVersion, ref.kind, ref.namespace, ref.name).catch(() => undefined))
      ) {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
  if (!opts.disableHooks) await runHooks(ctx.client, hooks, 'post-delete', rec.hooks ?? [], hookOpts);
  if (opts.keepHistory) {
    rec.info.status = 'uninstalled';
    rec.info.description = 'Uninstallation complete';
    await ctx.storage.update(rec);
    return;
  }
  for (const r of await ctx.storage.history(rec.name)) await ctx.storage.delete(rec.name, r.record.version);
}

/**
 * runTests runs the release's `test` hooks (Helm's `helm test`) and records each run in the stored
 * record. Returns undefined when every test passed, else the failure message.
 */
export async function runTests(ctx: ReleaseContext, stored: StoredRelease): Promise<string | undefined> {
  const rec = stored.record;
  const hooks = hooksOf(rec);
  if (!hooks.some((h) => h.events.includes('test'))) return undefined;
  let failure: string | undefined;
  try {
    await runHooks(ctx.client, hooks, 'test', rec.hooks ?? [], {
      fieldManager: ctx.fieldManager,
      release: ctx.release,
      timeoutMs: ctx.timeoutMs,
      onHook: ctx.onHook,
      log: ctx.log,
      signal: ctx.signal,
    });
  } catch (e) {
    failure = (e as Error).message;
  }
  await ctx.storage.update(rec);
  return failure;
}

/** unlock marks a revision left `pending-*` by an interrupted controller as failed. */
export async function unlock(ctx: ReleaseContext, last: StoredRelease): Promise<StoredRelease> {
  const rec = last.record;
  const was = rec.info.status;
  rec.info.status = 'failed';
  rec.info.description = `Release was left ${was} by an interrupted operation; marked failed by Capstan`;
  rec.info.last_deployed = goTime();
  return ctx.storage.update(rec);
}

export interface DriftReport {
  drifted: { ref: ObjectRef; fields: string[] }[];
  corrected: number;
  missing: number;
}

/**
 * correctDrift compares the stored manifest with the cluster through a server-side dry-run apply;
 * in `enabled` mode it re-applies what drifted. Fields another Apply manager owns are left alone
 * (unless force); fields taken by imperative edits (Update managers, like `kubectl edit`) are taken
 * back. `ignore` paths (JSON pointers) are removed from what is applied.
 */
export async function correctDrift(
  ctx: ReleaseContext,
  stored: StoredRelease,
  mode: 'enabled' | 'warn',
  ignore: { paths: string[]; target?: { group?: string; kind?: string; name?: string; namespace?: string } }[],
  force: boolean,
): Promise<DriftReport> {
  const objs = await objectsOf(ctx, stored.record.manifest, true);
  const report: DriftReport = { drifted: [], corrected: 0, missing: 0 };
  for (const desired of objs) {
    const live = await ctx.client.get(
      desired.apiVersion,
      desired.kind,
      desired.metadata.namespace,
      desired.metadata.name,
    );
    // Ignored paths keep their live values: neither reported nor reverted (dropping them from the
    // apply would make server-side apply delete fields Capstan owns).
    const o = live ? withIgnoredFromLive(desired, live, ignore) : desired;
    if (!live) {
      report.missing++;
      report.drifted.push({ ref: refOf(o), fields: ['(object missing)'] });
      if (mode === 'enabled') {
        await ctx.client.apply(o, { fieldManager: ctx.fieldManager, force });
        report.corrected++;
      }
      continue;
    }
    let dry: KubeObject;
    try {
      dry = await ctx.client.apply(o, { fieldManager: ctx.fieldManager, force: true, dryRun: true });
    } catch (e) {
      throw applyFailure(o, e);
    }
    const fields = diffPaths(strip(live), strip(dry));
    if (fields.length === 0) continue;
    report.drifted.push({ ref: refOf(o), fields });
    if (mode !== 'enabled') continue;
    try {
      await ctx.client.apply(o, { fieldManager: ctx.fieldManager, force });
    } catch (e) {
      // A conflict only with imperative (Update) managers: take the fields back.
      if (!force && e instanceof KubeApiError && e.code === 409 && conflictsOnlyWithUpdaters(live, e)) {
        await ctx.client.apply(o, { fieldManager: ctx.fieldManager, force: true });
      } else if (e instanceof KubeApiError && e.code === 409) {
        continue;
      } else throw applyFailure(o, e);
    }
    report.corrected++;
  }
  return report;
}

function conflictsOnlyWithUpdaters(live: KubeObject, e: KubeApiError): boolean {
  const managers = new Set(
    (e.status?.details?.causes ?? []).map((c) => /conflict with "([^"]+)"/.exec(c.message ?? '')?.[1]).filter(Boolean),
  );
  const entries = live.metadata.managedFields ?? [];
  for (const m of managers) {
    if (entries.some((f) => f.manager === m && f.operation === 'Apply')) return false;
  }
  return managers.size > 0;
}

function withIgnoredFromLive(
  o: KubeObject,
  live: KubeObject,
  rules: { paths: string[]; target?: { group?: string; kind?: string; name?: string; namespace?: string } }[],
): KubeObject {
  const applicable = rules.filter((r) => {
    const t = r.target;
    if (!t) return true;
    return (
      (t.kind === undefined || t.kind === o.kind) &&
      (t.group === undefined || t.group === splitApiVersion(o.apiVersion).group) &&
      (t.name === undefined || t.name === o.metadata.name) &&
      (t.namespace === undefined || t.namespace === o.metadata.namespace)
    );
  });
  if (applicable.length === 0) return o;
  const copy = structuredClone(o);
  for (const r of applicable) for (const p of r.paths) copyPointer(live, copy, p);
  return copy;
}

/** copyPointer sets `to`'s value at a JSON pointer to `from`'s (removing it when `from` has none). */
function copyPointer(from: any, to: any, pointer: string): void {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = parts.pop()!;
  let src = from;
  let dst = to;
  for (const p of parts) {
    src = src?.[p];
    if (dst[p] === undefined || dst[p] === null || typeof dst[p] !== 'object') {
      if (src === undefined) return;
      dst[p] = Array.isArray(src) ? [] : {};
    }
    dst = dst[p];
  }
  const v = src?.[last];
  if (v === undefined) {
    if (Array.isArray(dst)) dst.splice(Number(last), 1);
    else delete dst[last];
  } else dst[last] = structuredClone(v);
}

function strip(o: KubeObject): unknown {
  const c: any = structuredClone(o);
  delete c.status;
  for (const k of ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink'])
    delete c.metadata?.[k];
  if (c.metadata?.annotations) delete c.metadata.annotations['deployment.kubernetes.io/revision'];
  return c;
}

/** diffPaths lists the JSON pointers where two values differ. */
export function diffPaths(a: unknown, b: unknown, base = ''): string[] {
  if (a === b) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const out: string[] = [];
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys)
      out.push(...diffPaths((a as any)[k], (b as any)[k], `${base}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
    return out;
  }
  return [base || '/'];
}
