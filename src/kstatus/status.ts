/**
 * status: readiness of one Kubernetes object, computed as sigs.k8s.io/cli-utils kstatus does.
 *
 * Rules run in a fixed order and the first to decide wins:
 * 1. generic rules: deletionTimestamp → Terminating; metadata.generation ≠ status.observedGeneration
 *    → InProgress; a `Reconciling: True` condition → InProgress; a `Stalled: True` → Failed;
 * 2. the kind's rule from {@link kindRules} (keyed `group/Kind`, core kinds by `Kind` alone);
 * 3. the object's own `Ready` condition (an extension over kstatus for custom resources that only
 *    report `Ready`, such as cert-manager's Certificate);
 * 4. default Current: an object with no status we understand is taken as reconciled.
 *
 * Every rule is a pure function of the object (and the clock, for the Pod scheduling grace).
 */
import type { ConditionStatus } from './conditions.js';

/** Status is kstatus' verdict on an object. */
export type Status = 'InProgress' | 'Current' | 'Failed' | 'Terminating' | 'NotFound' | 'Unknown';

/**
 * StatusCondition is one of kstatus' "abnormal-true" conditions (`Reconciling`, `Stalled`) that
 * explains a non-Current verdict; {@link augment} writes them onto the object.
 */
export interface StatusCondition {
  type: 'Reconciling' | 'Stalled';
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** Result is the status of one object, the human message kstatus words, and its conditions. */
export interface Result {
  status: Status;
  message: string;
  conditions: StatusCondition[];
}

/** KubeObject is any Kubernetes object as JSON (an unstructured object). */
export type KubeObject = Record<string, unknown>;

/** ComputeOptions carries the clock, so the Pod scheduling grace period is testable. */
export interface ComputeOptions {
  now?: Date;
}

/**
 * StatusError says the object's fields have a shape kstatus cannot read (a string generation,
 * a Pod phase nobody knows). computeStatus reports it as Unknown; augment throws it.
 */
export class StatusError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StatusError';
  }
}

/** KindRule decides the status of one kind; it always decides (kstatus' "legacy" functions). */
export type KindRule = (obj: KubeObject, ctx: RuleContext) => Result;

/** RuleContext is what a rule may know besides the object. */
export interface RuleContext {
  now: Date;
}

/** SCHEDULE_WINDOW_MS is how long a Pod may be Unschedulable before it counts as Failed. */
export const SCHEDULE_WINDOW_MS = 15_000;

/** MAX_INT32 is the progressDeadlineSeconds the Deployment controller treats as "no deadline". */
const MAX_INT32 = 2147483647;

// ---------------------------------------------------------------------------------------------
// Field access with unstructured's rules: integers are whole numbers (or bigint), a wrong type
// reads as the default in the lenient getters and is an error in the strict ones.

type Path = readonly string[];

function nested(obj: unknown, path: Path): { found: boolean; value: unknown; err?: string } {
  let cur: unknown = obj;
  for (let i = 0; i < path.length; i++) {
    if (cur === null || cur === undefined) return { found: false, value: undefined };
    if (typeof cur !== 'object' || Array.isArray(cur)) {
      return {
        found: false,
        value: undefined,
        err: `.${path.slice(0, i).join('.')} accessor error: ${describe(cur)} is of the type ${jsonType(cur)}, expected map[string]interface{}`,
      };
    }
    const m = cur as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(m, path[i])) return { found: false, value: undefined };
    cur = m[path[i]];
  }
  if (cur === undefined) return { found: false, value: undefined };
  return { found: true, value: cur };
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function jsonType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int64';
    case 'number':
      return Number.isInteger(v) ? 'int64' : 'float64';
    case 'object':
      return 'map[string]interface {}';
  }
  return typeof v;
}

function asInt(v: unknown): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return undefined;
}

/** intField is kstatus' GetIntField: the integer at path, or the default for anything else. */
function intField(obj: KubeObject, path: Path, def: number): number {
  const r = nested(obj, path);
  if (!r.found || r.err) return def;
  return asInt(r.value) ?? def;
}

/** stringField is kstatus' GetStringField. */
function stringField(obj: KubeObject, path: Path, def: string): string {
  const r = nested(obj, path);
  if (!r.found || r.err) return def;
  return typeof r.value === 'string' ? r.value : def;
}

/** strictInt is unstructured.NestedInt64: absent is fine, present and not an integer is an error. */
function strictInt(obj: KubeObject, path: Path): number | undefined {
  const field = path.join('.');
  const r = nested(obj, path);
  if (r.err) throw new StatusError(`looking up ${field} from resource: ${r.err}`, field);
  if (!r.found || r.value === null) return undefined;
  const n = asInt(r.value);
  if (n === undefined) {
    throw new StatusError(
      `looking up ${field} from resource: .${field} accessor error: ${describe(r.value)} is of the type ${jsonType(r.value)}, expected int64`,
      field,
    );
  }
  return n;
}

/** BasicCondition is the part of any status condition kstatus reads. */
interface BasicCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

/**
 * conditionsOf reads status.conditions as kstatus' GetObjectWithConditions does: missing is an
 * empty list; a list of non-objects or non-string fields cannot be decoded and is an error.
 */
function conditionsOf(obj: KubeObject): BasicCondition[] {
  const r = nested(obj, ['status', 'conditions']);
  if (r.err) throw new StatusError(`decoding status.conditions: ${r.err}`, 'status.conditions');
  if (!r.found || r.value === null) return [];
  if (!Array.isArray(r.value)) {
    throw new StatusError(`decoding status.conditions: expected a list, got ${jsonType(r.value)}`, 'status.conditions');
  }
  return r.value.map((c, i) => {
    if (c === null || typeof c !== 'object' || Array.isArray(c)) {
      throw new StatusError(
        `decoding status.conditions[${i}]: expected an object, got ${jsonType(c)}`,
        'status.conditions',
      );
    }
    const m = c as Record<string, unknown>;
    const str = (k: string): string => {
      const v = m[k];
      if (v === undefined || v === null) return '';
      if (typeof v !== 'string') {
        throw new StatusError(
          `decoding status.conditions[${i}].${k}: expected a string, got ${jsonType(v)}`,
          'status.conditions',
        );
      }
      return v;
    };
    return { type: str('type'), status: str('status'), reason: str('reason'), message: str('message') };
  });
}

function kindOf(obj: KubeObject): string {
  return typeof obj.kind === 'string' ? obj.kind : '';
}

/** groupKindKey is the {@link kindRules} key: `group/Kind`, or `Kind` for the core group. */
export function groupKindKey(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  return group ? `${group}/${kind}` : kind;
}

// ---------------------------------------------------------------------------------------------
// Result constructors (kstatus words each status with one condition).

function current(message: string): Result {
  return { status: 'Current', message, conditions: [] };
}

function inProgress(reason: string, message: string): Result {
  return { status: 'InProgress', message, conditions: [{ type: 'Reconciling', status: 'True', reason, message }] };
}

function failed(reason: string, message: string): Result {
  return { status: 'Failed', message, conditions: [{ type: 'Stalled', status: 'True', reason, message }] };
}

// ---------------------------------------------------------------------------------------------
// Generic rules.

/**
 * genericRule runs the checks that apply to every kind. An object being deleted is Terminating
 * whatever its status says (finalizers may hold it for a long time). A controller that has not yet
 * seen the latest spec (observedGeneration behind generation) has not reconciled it, so nothing
 * else in status can be trusted. Objects that follow kstatus' own convention say so directly with
 * `Reconciling` or `Stalled`.
 */
function genericRule(obj: KubeObject): Result | undefined {
  const del = nested(obj, ['metadata', 'deletionTimestamp']);
  if (del.err) throw new StatusError(`looking up metadata.deletionTimestamp from resource: ${del.err}`);
  if (del.found && del.value !== null) {
    // Typed client objects (@kubernetes/client-node) carry metav1.Time as a Date.
    if (del.value instanceof Date)
      return { status: 'Terminating', message: 'Resource scheduled for deletion', conditions: [] };
    if (typeof del.value !== 'string') {
      throw new StatusError(
        `looking up metadata.deletionTimestamp from resource: .metadata.deletionTimestamp accessor error: ${describe(del.value)} is of the type ${jsonType(del.value)}, expected string`,
        'metadata.deletionTimestamp',
      );
    }
    if (del.value !== '') return { status: 'Terminating', message: 'Resource scheduled for deletion', conditions: [] };
  }

  const generation = strictInt(obj, ['metadata', 'generation']);
  if (generation !== undefined) {
    const observed = strictInt(obj, ['status', 'observedGeneration']);
    if (observed !== undefined && observed !== generation) {
      const message = `${kindOf(obj)} generation is ${generation}, but latest observed generation is ${observed}`;
      return inProgress('LatestGenerationNotObserved', message);
    }
  }

  for (const c of conditionsOf(obj)) {
    if (c.type === 'Reconciling' && c.status === 'True') {
      return {
        status: 'InProgress',
        message: c.message,
        conditions: [{ type: 'Reconciling', status: 'True', reason: c.reason, message: c.message }],
      };
    }
    if (c.type === 'Stalled' && c.status === 'True') {
      return {
        status: 'Failed',
        message: c.message,
        conditions: [{ type: 'Stalled', status: 'True', reason: c.reason, message: c.message }],
      };
    }
  }
  return undefined;
}

/**
 * readyConditionRule reads a plain `Ready` condition on kinds without a rule of their own. Many
 * custom resources report only `Ready` and leave observedGeneration unset; False or Unknown means
 * the controller is still working (it would say Stalled if it had given up).
 */
function readyConditionRule(obj: KubeObject): Result | undefined {
  const ready = conditionsOf(obj).find((c) => c.type === 'Ready');
  if (!ready) return undefined;
  if (ready.status === 'True') return current(ready.message || 'Resource is Ready');
  return inProgress(ready.reason || 'NotReady', ready.message || `Ready condition is ${ready.status || 'Unknown'}`);
}

// ---------------------------------------------------------------------------------------------
// Kind rules.

/** alwaysReady: ConfigMap, Secret and CronJob have no status that could say "not yet". */
const alwaysReady: KindRule = () => current('Resource is always ready');

/**
 * deploymentRule: the Deployment controller only sets `Progressing` when progressDeadlineSeconds
 * is set (math.MaxInt32 means unset), and reports a hung rollout only as the Progressing reason
 * `ProgressDeadlineExceeded`; a rollout is done when the new ReplicaSet is available
 * (`NewReplicaSetAvailable`) and every counter has caught up with spec.replicas (default 1).
 */
const deploymentRule: KindRule = (obj) => {
  let progressing = intField(obj, ['spec', 'progressDeadlineSeconds'], MAX_INT32) === MAX_INT32;
  let available = false;
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Progressing') {
      if (c.reason === 'ProgressDeadlineExceeded') {
        return {
          status: 'Failed',
          message: 'Progress deadline exceeded',
          conditions: [{ type: 'Stalled', status: 'True', reason: c.reason, message: c.message }],
        };
      }
      if (c.status === 'True' && c.reason === 'NewReplicaSetAvailable') progressing = true;
    } else if (c.type === 'Available' && c.status === 'True') {
      available = true;
    }
  }
  const spec = intField(obj, ['spec', 'replicas'], 1);
  const replicas = intField(obj, ['status', 'replicas'], 0);
  const updated = intField(obj, ['status', 'updatedReplicas'], 0);
  const ready = intField(obj, ['status', 'readyReplicas'], 0);
  const avail = intField(obj, ['status', 'availableReplicas'], 0);
  if (spec > replicas) return inProgress('LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > updated) return inProgress('LessUpdated', `Updated: ${updated}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  if (updated > avail) return inProgress('LessAvailable', `Available: ${avail}/${updated}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (!progressing) return inProgress('ReplicaSetNotAvailable', 'ReplicaSet not Available');
  if (!available) return inProgress('DeploymentNotAvailable', 'Deployment not Available');
  return current(`Deployment is available. Replicas: ${replicas}`);
};

/**
 * statefulSetRule: the StatefulSet controller never sets conditions, so only counters say anything.
 * `OnDelete` means pods are replaced by the user, so the controller never converges on its own; a
 * `partition` rolls out only ordinals ≥ partition, so only spec.replicas − partition pods must be
 * updated; otherwise currentRevision must reach updateRevision.
 */
const statefulSetRule: KindRule = (obj) => {
  if (stringField(obj, ['spec', 'updateStrategy', 'type'], '') === 'OnDelete') {
    return current('StatefulSet is using the ondelete update strategy');
  }
  const spec = intField(obj, ['spec', 'replicas'], 1);
  const ready = intField(obj, ['status', 'readyReplicas'], 0);
  const currentReplicas = intField(obj, ['status', 'currentReplicas'], 0);
  const updated = intField(obj, ['status', 'updatedReplicas'], 0);
  const replicas = intField(obj, ['status', 'replicas'], 0);
  const partition = intField(obj, ['spec', 'updateStrategy', 'rollingUpdate', 'partition'], -1);
  if (spec > replicas) return inProgress('LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  if (partition !== -1) {
    if (updated < spec - partition) return inProgress('PartitionRollout', `updated: ${updated}/${spec - partition}`);
    return current(`Partition rollout complete. updated: ${updated}`);
  }
  if (spec > currentReplicas) return inProgress('LessCurrent', `current: ${currentReplicas}/${spec}`);
  const currentRevision = stringField(obj, ['status', 'currentRevision'], '');
  const updateRevision = stringField(obj, ['status', 'updateRevision'], '');
  if (currentRevision !== updateRevision) {
    return inProgress('RevisionMismatch', 'Waiting for updated revision to match current');
  }
  return current(`All replicas scheduled as expected. Replicas: ${replicas}`);
};

/**
 * daemonSetRule: the generic generation check forgives missing fields, but the DaemonSet
 * controller always writes observedGeneration once it has acted, so a missing one means "not yet".
 * desiredNumberScheduled is absent until the controller has counted eligible nodes.
 */
const daemonSetRule: KindRule = (obj) => {
  const kind = kindOf(obj);
  if (strictInt(obj, ['metadata', 'generation']) === undefined) {
    return inProgress('NoGeneration', `${kind} metadata.generation not found`);
  }
  if (strictInt(obj, ['status', 'observedGeneration']) === undefined) {
    return inProgress('NoObservedGeneration', `${kind} status.observedGeneration not found`);
  }
  const desired = intField(obj, ['status', 'desiredNumberScheduled'], -1);
  const currentScheduled = intField(obj, ['status', 'currentNumberScheduled'], 0);
  const updated = intField(obj, ['status', 'updatedNumberScheduled'], 0);
  const available = intField(obj, ['status', 'numberAvailable'], 0);
  const ready = intField(obj, ['status', 'numberReady'], 0);
  if (desired === -1) return inProgress('NoDesiredNumber', 'Missing .status.desiredNumberScheduled');
  if (desired > currentScheduled) return inProgress('LessCurrent', `Current: ${currentScheduled}/${desired}`);
  if (desired > updated) return inProgress('LessUpdated', `Updated: ${updated}/${desired}`);
  if (desired > available) return inProgress('LessAvailable', `Available: ${available}/${desired}`);
  if (desired > ready) return inProgress('LessReady', `Ready: ${ready}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
};

/**
 * replicaSetRule: a ReplicaSet that cannot create pods (quota, admission) reports it only as
 * `ReplicaFailure: True`, which kstatus treats as still in progress; pods must also carry all the
 * selector's labels (fullyLabeledReplicas) before they count.
 */
const replicaSetRule: KindRule = (obj) => {
  for (const c of conditionsOf(obj)) {
    if (c.type === 'ReplicaFailure' && c.status === 'True') {
      return inProgress('ReplicaFailure', 'Replica Failure condition. Check Pods');
    }
  }
  const spec = intField(obj, ['spec', 'replicas'], 1);
  const replicas = intField(obj, ['status', 'replicas'], 0);
  const ready = intField(obj, ['status', 'readyReplicas'], 0);
  const available = intField(obj, ['status', 'availableReplicas'], 0);
  const labelled = intField(obj, ['status', 'fullyLabeledReplicas'], 0);
  if (spec > labelled) return inProgress('LessLabelled', `Labelled: ${labelled}/${spec}`);
  if (spec > available) return inProgress('LessAvailable', `Available: ${available}/${spec}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  return current(`ReplicaSet is available. Replicas: ${replicas}`);
};

/**
 * pvcRule: a claim is usable only once bound to a volume; with WaitForFirstConsumer binding it
 * stays Pending until a pod uses it, which kstatus reports as InProgress like any other phase.
 */
const pvcRule: KindRule = (obj) => {
  const phase = stringField(obj, ['status', 'phase'], 'unknown');
  if (phase !== 'Bound') return inProgress('NotBound', `PVC is not Bound. phase: ${phase}`);
  return current('PVC is Bound');
};

/**
 * podRule: a finished pod (Succeeded or Failed) is Current since it will never change again; a
 * running pod with a container in CrashLoopBackOff is Failed even though its phase stays Running;
 * an Unschedulable pod gets a grace window (the scheduler may be waiting for an autoscaler).
 */
const podRule: KindRule = (obj, ctx) => {
  const conditions = conditionsOf(obj);
  const phase = stringField(obj, ['status', 'phase'], '');
  switch (phase) {
    case 'Succeeded':
      return current('Pod has completed successfully');
    case 'Failed':
      return current('Pod has completed, but not successfully');
    case 'Running': {
      if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return current('Pod is Ready');
      const looping = crashLoopingContainers(obj);
      if (looping.length > 0) {
        return failed('ContainerCrashLooping', `Containers in CrashLoop state: ${looping.join(',')}`);
      }
      return inProgress('PodRunningNotReady', 'Pod is running but is not Ready');
    }
    case 'Pending': {
      const c = conditions.find((x) => x.type === 'PodScheduled' && x.status === 'False');
      if (c && c.reason === 'Unschedulable') {
        const ts = nested(obj, ['metadata', 'creationTimestamp']).value;
        const created = ts instanceof Date ? ts.getTime() : Date.parse(typeof ts === 'string' ? ts : '');
        if (!Number.isNaN(created) && ctx.now.getTime() - SCHEDULE_WINDOW_MS < created) {
          return inProgress('PodNotScheduled', 'Pod has not been scheduled');
        }
        return failed('PodUnschedulable', 'Pod could not be scheduled');
      }
      return inProgress('PodPending', 'Pod is in the Pending phase');
    }
    case '':
      return inProgress('PodNotObserved', 'Pod phase not available');
    default:
      throw new StatusError(`unknown phase ${phase}`, 'status.phase');
  }
};

function crashLoopingContainers(obj: KubeObject): string[] {
  const r = nested(obj, ['status', 'containerStatuses']);
  if (!r.found || r.value === null) return [];
  if (r.err || !Array.isArray(r.value)) {
    throw new StatusError(`looking up status.containerStatuses: expected a list, got ${jsonType(r.value)}`);
  }
  const names: string[] = [];
  for (const cs of r.value) {
    const name = (cs as any)?.name;
    const reason = (cs as any)?.state?.waiting?.reason;
    if (typeof name === 'string' && reason === 'CrashLoopBackOff') names.push(name);
  }
  return names;
}

/**
 * pdbRule: the disruption controller writes observedGeneration when it has computed
 * disruptionsAllowed and sets no condition when that fails, so once the generic generation check
 * has passed there is nothing more to wait for.
 */
const pdbRule: KindRule = () => current('AllowedDisruptions has been computed.');

/**
 * jobRule: a Job is Current as soon as it runs (waiting for completion is a hook's business, not
 * readiness); `Failed: True` (backoffLimit or activeDeadlineSeconds reached) is final; a suspended
 * Job is deliberately idle. spec.completions defaults to spec.parallelism, which defaults to 1.
 */
const jobRule: KindRule = (obj) => {
  const parallelism = intField(obj, ['spec', 'parallelism'], 1);
  const completions = intField(obj, ['spec', 'completions'], parallelism);
  const succeeded = intField(obj, ['status', 'succeeded'], 0);
  const active = intField(obj, ['status', 'active'], 0);
  const failedPods = intField(obj, ['status', 'failed'], 0);
  const startTime = stringField(obj, ['status', 'startTime'], '');
  for (const c of conditionsOf(obj)) {
    if (c.status !== 'True') continue;
    if (c.type === 'Complete') return current(`Job Completed. succeeded: ${succeeded}/${completions}`);
    if (c.type === 'Failed') return failed('JobFailed', `Job Failed. failed: ${failedPods}/${completions}`);
    if (c.type === 'Suspended') return current('Job is suspended');
  }
  if (startTime === '') return inProgress('JobNotStarted', 'Job not started');
  return current(`Job in progress. success:${succeeded}, active: ${active}, failed: ${failedPods}`);
};

/**
 * serviceRule: kstatus only waits for a LoadBalancer Service's clusterIP; it deliberately does not
 * wait for status.loadBalancer.ingress, which never appears on clusters without a cloud provider.
 */
const serviceRule: KindRule = (obj) => {
  const type = stringField(obj, ['spec', 'type'], 'ClusterIP');
  const clusterIP = stringField(obj, ['spec', 'clusterIP'], '');
  if (type === 'LoadBalancer' && clusterIP === '') {
    return inProgress('NoIPAssigned', 'ClusterIP not set. Service type: LoadBalancer');
  }
  return current('Service is ready');
};

/**
 * crdRule: a CRD is usable once `Established`; `Established: False` with reason `Installing` is
 * the normal first moment, any other False reason and `NamesAccepted: False` (a plural or kind
 * clashing with another CRD) will not resolve by waiting.
 */
const crdRule: KindRule = (obj) => {
  for (const c of conditionsOf(obj)) {
    if (c.type === 'NamesAccepted' && c.status === 'False') return failed(c.reason, c.message);
    if (c.type === 'Established') {
      if (c.status === 'False' && c.reason !== 'Installing') return failed(c.reason, c.message);
      if (c.status === 'True') return current('CRD is established');
    }
  }
  return inProgress('Installing', 'Install in progress');
};

/**
 * kindRules holds the rule of every kind kstatus knows, keyed by {@link groupKindKey}. The old
 * `extensions` group still appears in manifests replayed from old releases.
 */
export const kindRules: ReadonlyMap<string, KindRule> = new Map<string, KindRule>([
  ['Service', serviceRule],
  ['Pod', podRule],
  ['Secret', alwaysReady],
  ['ConfigMap', alwaysReady],
  ['PersistentVolumeClaim', pvcRule],
  ['apps/StatefulSet', statefulSetRule],
  ['apps/DaemonSet', daemonSetRule],
  ['extensions/DaemonSet', daemonSetRule],
  ['apps/Deployment', deploymentRule],
  ['extensions/Deployment', deploymentRule],
  ['apps/ReplicaSet', replicaSetRule],
  ['extensions/ReplicaSet', replicaSetRule],
  ['policy/PodDisruptionBudget', pdbRule],
  ['batch/CronJob', alwaysReady],
  ['batch/Job', jobRule],
  ['apiextensions.k8s.io/CustomResourceDefinition', crdRule],
]);

/**
 * compute is kstatus' Compute: it throws {@link StatusError} when the object cannot be read.
 * Most callers want {@link computeStatus}, which never throws.
 */
export function compute(obj: KubeObject, opts: ComputeOptions = {}): Result {
  const generic = genericRule(obj);
  if (generic) return generic;
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const rule = kindRules.get(groupKindKey(apiVersion, kindOf(obj)));
  if (rule) return rule(obj, { now: opts.now ?? new Date() });
  return readyConditionRule(obj) ?? current('Resource is current');
}

/**
 * computeStatus tells how far an object is from being reconciled: `Current` when its controller
 * has caught up, `InProgress` while it works, `Failed` when it gave up, `Terminating` while being
 * deleted, `NotFound` for a missing object (null), `Unknown` when fields have an unreadable shape.
 *
 * @example
 * computeStatus(deployment) // { status: 'InProgress', message: 'Replicas: 1/3', conditions: [...] }
 */
export function computeStatus(obj: KubeObject | null | undefined, opts: ComputeOptions = {}): Result {
  if (obj === null || obj === undefined) return { status: 'NotFound', message: 'Resource not found', conditions: [] };
  try {
    return compute(obj, opts);
  } catch (e) {
    if (e instanceof StatusError) return { status: 'Unknown', message: e.message, conditions: [] };
    throw e;
  }
}

/**
 * augment returns a copy of `obj` whose status.conditions carry kstatus' `Reconciling`/`Stalled`
 * conditions, like kstatus' Augment: an existing condition of that type is updated in place (its
 * lastTransitionTime changes only with its status), a new one is appended; other conditions and
 * stale kstatus conditions are left alone. Throws {@link StatusError} on unreadable objects.
 */
export function augment<T extends KubeObject>(obj: T, opts: ComputeOptions = {}): T {
  const res = compute(obj, opts);
  const copy = structuredClone(obj) as T;
  const now = (opts.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  let status = copy.status as Record<string, unknown> | undefined | null;
  if (status !== undefined && status !== null && (typeof status !== 'object' || Array.isArray(status))) {
    throw new StatusError('status is not an object', 'status');
  }
  const existing = status?.conditions;
  if (existing !== undefined && existing !== null && !Array.isArray(existing)) {
    throw new StatusError('status.conditions is not a list', 'status.conditions');
  }
  const conditions: Record<string, unknown>[] = (existing as Record<string, unknown>[] | undefined) ?? [];
  for (const rc of res.conditions) {
    let present = false;
    for (const c of conditions) {
      if (c === null || typeof c !== 'object' || Array.isArray(c)) {
        throw new StatusError('condition does not have the expected structure', 'status.conditions');
      }
      if (typeof c.type !== 'string')
        throw new StatusError('condition type does not have the expected type', 'status.conditions');
      if (c.type !== rc.type) continue;
      if (typeof c.status !== 'string') {
        throw new StatusError('condition status does not have the expected type', 'status.conditions');
      }
      if (c.status !== rc.status) c.lastTransitionTime = now;
      c.status = rc.status;
      c.lastUpdateTime = now;
      c.reason = rc.reason;
      c.message = rc.message;
      present = true;
    }
    if (!present) {
      conditions.push({
        lastTransitionTime: now,
        lastUpdateTime: now,
        message: rc.message,
        reason: rc.reason,
        status: rc.status,
        type: rc.type,
      });
    }
  }
  if (status === undefined || status === null) {
    status = {};
    (copy as KubeObject).status = status;
  }
  status.conditions = conditions;
  return copy;
}
