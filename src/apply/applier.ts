/**
 * applier: puts a release's objects into the cluster the way Helm 4 does with server-side apply,
 * under Capstan's field manager: Helm's ownership metadata on every object, an ownership check
 * before taking over objects that exist, apply in the given (install) order, prune what a new
 * revision dropped (respecting `helm.sh/resource-policy: keep`), and wait with kstatus.
 */
import { sortByKind, UNINSTALL_ORDER } from '../chart/manifests.js';
import { parseYamlDocuments } from '../chart/yaml.js';
import { computeStatus, type Status } from '../kstatus/index.js';
import { KubeApiError, splitApiVersion, type KubeClient, type KubeObject } from './kubeclient.js';

export const RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
export const RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const RESOURCE_POLICY_ANNOTATION = 'helm.sh/resource-policy';

/** ObjectRef identifies one object, as the inventory records it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** refString formats an object for messages: `Deployment ns/name`. */
export function refString(o: ObjectRef): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

export function refOf(o: KubeObject): ObjectRef {
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name };
}

const refKey = (o: ObjectRef) => `${splitApiVersion(o.apiVersion).group}/${o.kind}/${o.namespace ?? ''}/${o.name}`;

/** ApplyError names the object and step that failed, and for conflicts the fields and managers. */
export class ApplyError extends Error {
  constructor(
    message: string,
    readonly object: ObjectRef | undefined,
    readonly conflicts: { field: string; manager: string }[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApplyError';
  }
}

/**
 * parseManifest reads a multi-document YAML manifest into objects, in document order, dropping
 * empty documents. It reads YAML as Helm's kube client does (sigs.k8s.io/yaml: YAML 1.1, so
 * `mode: 0755` is 493 and `enabled: yes` is true). A document that is not a Kubernetes object is
 * an error naming it.
 */
export function parseManifest(manifest: string, source = 'manifest'): KubeObject[] {
  let docs: unknown[];
  try {
    docs = parseYamlDocuments(manifest);
  } catch (e) {
    throw new ApplyError(`${source}: ${(e as Error).message}`, undefined, [], { cause: e });
  }
  const out: KubeObject[] = [];
  docs.forEach((v: any, index) => {
    const i = index + 1;
    if (v === null || v === undefined) return;
    const isObject = (o: any) => typeof o === 'object' && o !== null && !Array.isArray(o) && o.apiVersion && o.kind;
    if (isObject(v) && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) {
      for (const [j, item] of (v.items as any[]).entries()) {
        if (!isObject(item) || !item.metadata?.name) {
          throw new ApplyError(
            `${source}: document ${i}: items[${j}] is not a Kubernetes object (needs apiVersion, kind and metadata.name)`,
            undefined,
          );
        }
        out.push(item as KubeObject);
      }
      return;
    }
    if (!isObject(v) || !v.metadata?.name) {
      throw new ApplyError(
        `${source}: document ${i} is not a Kubernetes object (needs apiVersion, kind and metadata.name)`,
        undefined,
      );
    }
    out.push(v as KubeObject);
  });
  return out;
}

export interface ReleaseIdentity {
  name: string;
  namespace: string;
}

/**
 * prepareObjects defaults the namespace of namespaced objects to the target namespace and sets
 * Helm's ownership metadata, as Helm's setMetadataVisitor does. It resolves every kind through
 * discovery, so an unknown kind fails here, before anything is written.
 */
export async function prepareObjects(
  client: KubeClient,
  objs: KubeObject[],
  release: ReleaseIdentity,
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const o of objs) {
    let res;
    try {
      res = await client.resourceFor(o.apiVersion, o.kind);
    } catch (e) {
      throw new ApplyError(`resolving ${refString(refOf(o))}: ${(e as Error).message}`, refOf(o), [], { cause: e });
    }
    const metadata = { ...o.metadata };
    if (res.namespaced) metadata.namespace ||= release.namespace;
    else delete metadata.namespace;
    metadata.labels = { ...(metadata.labels ?? {}), [MANAGED_BY_LABEL]: 'Helm' };
    metadata.annotations = {
      ...(metadata.annotations ?? {}),
      [RELEASE_NAME_ANNOTATION]: release.name,
      [RELEASE_NAMESPACE_ANNOTATION]: release.namespace,
    };
    out.push({ ...o, metadata });
  }
  return out;
}

/**
 * checkOwnership fails, with Helm's message, when an object the release is about to create already
 * exists and belongs to another release or to nobody. Objects the previous revision owned are
 * skipped (they are ours).
 */
export async function checkOwnership(
  client: KubeClient,
  objs: KubeObject[],
  release: ReleaseIdentity,
  owned: ReadonlySet<string>,
  action: 'install' | 'upgrade',
): Promise<void> {
  for (const o of objs) {
    if (owned.has(refKey(refOf(o)))) continue;
    const live = await client.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
    if (!live) continue;
    const problems: string[] = [];
    const labels = live.metadata.labels ?? {};
    const ann = live.metadata.annotations ?? {};
    if (labels[MANAGED_BY_LABEL] !== 'Helm') {
      problems.push(
        labels[MANAGED_BY_LABEL] === undefined
          ? `label validation error: missing key "${MANAGED_BY_LABEL}": must be set to "Helm"`
          : `label validation error: key "${MANAGED_BY_LABEL}" must equal "Helm": current value is "${labels[MANAGED_BY_LABEL]}"`,
      );
    }
    for (const [key, want] of [
      [RELEASE_NAME_ANNOTATION, release.name],
      [RELEASE_NAMESPACE_ANNOTATION, release.namespace],
    ] as const) {
      if (ann[key] === undefined)
        problems.push(`annotation validation error: missing key "${key}": must be set to "${want}"`);
      else if (ann[key] !== want)
        problems.push(`annotation validation error: key "${key}" must equal "${want}": current value is "${ann[key]}"`);
    }
    if (problems.length) {
      const where = o.metadata.namespace ? ` in namespace "${o.metadata.namespace}"` : '';
      throw new ApplyError(
        `Unable to continue with ${action}: ${o.kind} "${o.metadata.name}"${where} exists and cannot be imported into the current release: invalid ownership metadata; ${problems.join('; ')}`,
        refOf(o),
      );
    }
  }
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
  /**
   * takeoverManagers: field managers whose fields Capstan takes over on conflict even without
   * force — Helm's own (`helm`), so a release installed by the helm CLI is adopted, not fought.
   */
  takeoverManagers?: ReadonlySet<string>;
  /**
   * takeImperative also takes over fields whose conflicting managers only ever wrote with `Update`
   * (kubectl create/edit/scale): imperative edits, not another declarative owner.
   */
  takeImperative?: boolean;
  /**
   * forceReplace deletes and recreates an object the API server refuses to update in place
   * (immutable fields: HTTP 422), as Helm's --force-replace does.
   */
  forceReplace?: boolean;
  /** onApplied is called after each object, for progress logs. */
  onApplied?: (obj: KubeObject, index: number, total: number) => void;
}

/** HELM_MANAGERS are the field managers the helm CLI applies with (Helm 4 SSA, and Helm 3 CSA). */
export const HELM_MANAGERS: ReadonlySet<string> = new Set(['helm']);

/** applyObjects server-side applies each object in order and returns the server's results. */
export async function applyObjects(client: KubeClient, objs: KubeObject[], opts: ApplyOptions): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (let i = 0; i < objs.length; i++) {
    const o = objs[i];
    try {
      out.push(await client.apply(o, { fieldManager: opts.fieldManager, force: opts.force, dryRun: opts.dryRun }));
    } catch (e) {
      if (opts.forceReplace && !opts.dryRun && e instanceof KubeApiError && e.code === 422) {
        out.push(await replaceObject(client, o, opts));
        opts.onApplied?.(o, i, objs.length);
        continue;
      }
      const failure = applyFailure(o, e);
      if (!failure.conflicts.length || !(await mayTakeOver(client, o, failure, opts))) throw failure;
      try {
        out.push(await client.apply(o, { fieldManager: opts.fieldManager, force: true, dryRun: opts.dryRun }));
      } catch (e2) {
        throw applyFailure(o, e2);
      }
    }
    opts.onApplied?.(o, i, objs.length);
  }
  return out;
}

/** mayTakeOver says whether every conflicting manager is one Capstan takes fields from without force. */
async function mayTakeOver(
  client: KubeClient,
  o: KubeObject,
  failure: ApplyError,
  opts: ApplyOptions,
): Promise<boolean> {
  const takeover = opts.takeoverManagers ?? new Set<string>();
  let imperative = new Set<string>();
  if (opts.takeImperative && !failure.conflicts.every((c) => takeover.has(c.manager))) {
    const live = await client.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
    const entries = live?.metadata.managedFields ?? [];
    imperative = new Set(
      entries
        .filter(
          (f) => f.operation === 'Update' && !entries.some((g) => g.manager === f.manager && g.operation === 'Apply'),
        )
        .map((f) => f.manager),
    );
  }
  return failure.conflicts.every((c) => takeover.has(c.manager) || imperative.has(c.manager));
}

/** replaceObject deletes an object (foreground), waits until it is gone, and applies it anew. */
async function replaceObject(client: KubeClient, o: KubeObject, opts: ApplyOptions): Promise<KubeObject> {
  try {
    await client.delete(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name, 'Foreground');
    for (let i = 0; i < 600 && (await client.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return await client.apply(o, { fieldManager: opts.fieldManager, force: true });
  } catch (e) {
    throw applyFailure(o, e);
  }
}

/** applyFailure turns an API error into an ApplyError; conflicts name each field and its manager. */
export function applyFailure(o: KubeObject, e: unknown): ApplyError {
  const ref = refOf(o);
  if (e instanceof KubeApiError && e.code === 409 && e.status?.details?.causes?.length) {
    const conflicts = e.status.details.causes
      .filter((c) => c.reason === 'FieldManagerConflict')
      .map((c) => ({ field: c.field ?? '', manager: /conflict with "([^"]+)"/.exec(c.message ?? '')?.[1] ?? '' }));
    if (conflicts.length) {
      const list = conflicts.map((c) => `${c.field} (owned by "${c.manager}")`).join(', ');
      return new ApplyError(
        `applying ${refString(ref)}: conflict with other field managers on ${list}; set forceConflicts to take these fields`,
        ref,
        conflicts,
        { cause: e },
      );
    }
  }
  const msg = e instanceof KubeApiError ? (e.status?.message ?? e.message) : (e as Error).message;
  return new ApplyError(`applying ${refString(ref)}: ${msg}`, ref, [], { cause: e });
}

/**
 * prune deletes the objects of `previous` that `current` no longer has, in Helm's uninstall order,
 * except those annotated `helm.sh/resource-policy: keep`. Returns what it deleted.
 */
export async function prune(
  client: KubeClient,
  previous: KubeObject[],
  current: KubeObject[],
  propagation: 'Background' | 'Foreground' | 'Orphan' = 'Background',
): Promise<ObjectRef[]> {
  const keep = new Set(current.map((o) => refKey(refOf(o))));
  const gone = previous.filter((o) => !keep.has(refKey(refOf(o))));
  return deleteObjects(client, gone, propagation);
}

/** deleteObjects deletes objects in Helm's uninstall order, honouring the keep resource policy. */
export async function deleteObjects(
  client: KubeClient,
  objs: KubeObject[],
  propagation: 'Background' | 'Foreground' | 'Orphan' = 'Background',
): Promise<ObjectRef[]> {
  const deleted: ObjectRef[] = [];
  for (const o of sortByKind([...objs], (x) => x.kind, UNINSTALL_ORDER)) {
    if (o.metadata.annotations?.[RESOURCE_POLICY_ANNOTATION] === 'keep') continue;
    try {
      if (await client.delete(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name, propagation))
        deleted.push(refOf(o));
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) continue;
      throw new ApplyError(`deleting ${refString(refOf(o))}: ${(e as Error).message}`, refOf(o), [], { cause: e });
    }
  }
  return deleted;
}

export interface ObjectStatus {
  ref: ObjectRef;
  status: Status;
  message: string;
}

export interface WaitResult {
  ok: boolean;
  /** timedOut: the deadline passed before every object was Current. */
  timedOut: boolean;
  statuses: ObjectStatus[];
}

/** statusOf reads one object and computes its kstatus. */
export async function statusOf(client: KubeClient, ref: ObjectRef): Promise<ObjectStatus> {
  const live = await client.get(ref.apiVersion, ref.kind, ref.namespace, ref.name);
  if (!live) return { ref, status: 'NotFound', message: 'Resource not found' };
  const r = computeStatus(live as any);
  return { ref, status: r.status, message: r.message };
}

/**
 * waitReady polls the objects' kstatus until all are Current, one is Failed, or the timeout
 * passes. `onProgress` gets the statuses after each round.
 */
export async function waitReady(
  client: KubeClient,
  refs: ObjectRef[],
  timeoutMs: number,
  opts: { intervalMs?: number; signal?: AbortSignal; onProgress?: (s: ObjectStatus[]) => void } = {},
): Promise<WaitResult> {
  const deadline = Date.now() + timeoutMs;
  const interval = opts.intervalMs ?? 1000;
  let statuses: ObjectStatus[] = [];
  for (;;) {
    statuses = await Promise.all(refs.map((r) => statusOf(client, r)));
    opts.onProgress?.(statuses);
    if (statuses.every((s) => s.status === 'Current')) return { ok: true, timedOut: false, statuses };
    if (statuses.some((s) => s.status === 'Failed')) return { ok: false, timedOut: false, statuses };
    if (Date.now() >= deadline || opts.signal?.aborted) return { ok: false, timedOut: true, statuses };
    await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()))));
  }
}

/** summarizeNotReady describes the first objects that are not Current: `Deployment ns/x: Replicas: 1/3`. */
export function summarizeNotReady(statuses: ObjectStatus[], max = 3): string {
  const bad = statuses.filter((s) => s.status !== 'Current');
  const parts = bad.slice(0, max).map((s) => `${refString(s.ref)} is ${s.status}: ${s.message}`);
  if (bad.length > max) parts.push(`and ${bad.length - max} more`);
  return parts.join('; ');
}
