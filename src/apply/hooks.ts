/**
 * hooks: runs a release's hooks for one event as Helm 4 does: sorted by `helm.sh/hook-weight`, then
 * name; one at a time; `before-hook-creation` (the default) deletes the previous instance first;
 * applied with server-side apply; a Job must reach Complete and a Pod Succeeded, other kinds are
 * done once created; `hook-succeeded`/`hook-failed` delete the hook afterwards. A failed hook fails
 * the action with the hook's name and the object's message. Results are recorded like Helm's
 * `last_run` so `helm get hooks` shows them.
 */
import type { Hook, HookEvent } from '../chart/manifests.js';
import type { HookRecord } from '../release/record.js';
import { goTime } from '../release/record.js';
import { applyFailure, parseManifest, prepareObjects, refOf, refString, type ReleaseIdentity } from './applier.js';
import type { KubeClient, KubeObject } from './kubeclient.js';

export class HookError extends Error {
  constructor(
    message: string,
    readonly hook: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HookError';
  }
}

export interface HookRunOptions {
  fieldManager: string;
  release: ReleaseIdentity;
  timeoutMs: number;
  /** onHook observes each hook as it starts (tests watch the creation order). */
  onHook?: (hook: Hook) => void;
  log?: (msg: string) => void;
  /** signal ends waits early (controller shutdown); the hook then counts as failed. */
  signal?: AbortSignal;
}

/** sortHooks orders hooks by weight, then name, as Helm runs them. */
export function sortHooks(hooks: Hook[]): Hook[] {
  return [...hooks].sort((a, b) => a.weight - b.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** hookRecord is the release record entry of a hook (before it ran). */
export function hookRecord(h: Hook): HookRecord {
  return {
    name: h.name,
    kind: h.kind,
    path: h.path,
    manifest: h.manifest,
    events: h.events,
    last_run: { started_at: '', completed_at: '', phase: '' },
    weight: h.weight,
    delete_policies: h.deletePolicies.length ? h.deletePolicies : undefined,
    output_log_policies: h.outputLogPolicies.length ? h.outputLogPolicies : undefined,
  };
}

/**
 * runHooks runs every hook of `event` and updates `records` (matched by path+name) with each run.
 * Throws HookError on the first failure, after applying its delete policy.
 */
export async function runHooks(
  client: KubeClient,
  hooks: Hook[],
  event: HookEvent,
  records: HookRecord[],
  opts: HookRunOptions,
): Promise<void> {
  const selected = sortHooks(hooks.filter((h) => h.events.includes(event)));
  for (const h of selected) {
    const rec = records.find((r) => r.path === h.path && r.name === h.name && r.kind === h.kind);
    const policies = h.deletePolicies.length ? h.deletePolicies : ['before-hook-creation'];
    const [obj] = await prepareObjects(client, parseManifest(h.manifest, h.path), opts.release);
    if (!obj) continue;
    opts.onHook?.(h);
    opts.log?.(`running ${event} hook ${refString(refOf(obj))} (weight ${h.weight})`);
    if (policies.includes('before-hook-creation')) await deleteAndWait(client, obj, opts.timeoutMs);
    const startedAt = goTime();
    if (rec) rec.last_run = { started_at: startedAt, completed_at: '', phase: 'Running' };
    let failure: string | undefined;
    try {
      await client.apply(obj, { fieldManager: opts.fieldManager, force: true });
      failure = await waitHook(client, obj, opts.timeoutMs, opts.signal);
    } catch (e) {
      failure = e instanceof HookError ? e.message : applyFailure(obj, e).message;
    }
    if (rec) rec.last_run = { started_at: startedAt, completed_at: goTime(), phase: failure ? 'Failed' : 'Succeeded' };
    if (failure) {
      if (policies.includes('hook-failed'))
        await client.delete(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name, 'Background');
      throw new HookError(`${event} hook ${h.path} (${refString(refOf(obj))}) failed: ${failure}`, h.name);
    }
    if (policies.includes('hook-succeeded'))
      await client.delete(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name, 'Background');
  }
}

/** waitHook returns undefined when the hook succeeded, or its failure message. */
async function waitHook(
  client: KubeClient,
  obj: KubeObject,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (obj.kind !== 'Job' && obj.kind !== 'Pod') return undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live: any = await client.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    if (obj.kind === 'Job' && live) {
      const conds: any[] = live.status?.conditions ?? [];
      if (conds.some((c) => c.type === 'Complete' && c.status === 'True')) return undefined;
      const failed = conds.find((c) => c.type === 'Failed' && c.status === 'True');
      if (failed)
        return `job failed: ${failed.reason ?? 'BackoffLimitExceeded'}${failed.message ? `: ${failed.message}` : ''}`;
    }
    if (obj.kind === 'Pod' && live) {
      const phase = live.status?.phase;
      if (phase === 'Succeeded') return undefined;
      if (phase === 'Failed') return `pod failed${live.status?.message ? `: ${live.status.message}` : ''}`;
    }
    if (Date.now() >= deadline) return `timed out waiting for the condition after ${Math.round(timeoutMs / 1000)}s`;
    if (signal?.aborted) return 'interrupted by controller shutdown';
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function deleteAndWait(client: KubeClient, obj: KubeObject, timeoutMs: number): Promise<void> {
  const existed = await client.delete(
    obj.apiVersion,
    obj.kind,
    obj.metadata.namespace,
    obj.metadata.name,
    'Background',
  );
  if (!existed) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await client.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name))) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new HookError(
    `deleting previous ${refString(refOf(obj))}: still present after ${Math.round(timeoutMs / 1000)}s`,
    obj.metadata.name,
  );
}
