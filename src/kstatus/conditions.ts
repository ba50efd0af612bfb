/**
 * conditions: helpers for `status.conditions` lists, shared by the readiness rules and by the
 * controller when it writes its own HelmRelease status.
 */

/** ConditionStatus is a condition's tri-state status, as Kubernetes spells it. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/**
 * Condition is metav1.Condition: the shape the controller writes on its own resources. Transition
 * time is RFC 3339 with second precision, like metav1.Time serializes.
 */
export interface Condition {
  type: string;
  status: ConditionStatus;
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** ConditionInput is what a caller decides; setCondition fills in the transition time. */
export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** rfc3339 formats an instant as metav1.Time does: UTC, whole seconds, `Z`. */
export function rfc3339(t: Date): string {
  return t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * setCondition returns `conditions` with `next` set, like apimachinery's meta.SetStatusCondition:
 * an existing condition of the same type keeps its lastTransitionTime unless its status changes,
 * so watchers can tell "still failing" from "just failed". The input array is not modified; the
 * order of the other conditions is kept and a new type is appended.
 *
 * @example
 * conds = setCondition(conds, { type: 'Ready', status: 'True', reason: 'InstallSucceeded',
 *   message: 'Helm install succeeded', observedGeneration: 3 });
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: ConditionInput,
  now: Date = new Date(),
): Condition[] {
  const list = conditions ? [...conditions] : [];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const lastTransitionTime =
    prev && prev.status === next.status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now);
  const cond: Condition = {
    type: next.type,
    status: next.status,
    ...(next.observedGeneration !== undefined ? { observedGeneration: next.observedGeneration } : {}),
    lastTransitionTime,
    reason: next.reason,
    message: next.message,
  };
  if (i >= 0) list[i] = cond;
  else list.push(cond);
  return list;
}

/** findCondition returns the condition of the given type, if any. */
export function findCondition<C extends { type: string }>(
  conditions: readonly C[] | undefined,
  type: string,
): C | undefined {
  return conditions?.find((c) => c.type === type);
}

/** removeCondition returns `conditions` without the given type (a new array). */
export function removeCondition<C extends { type: string }>(conditions: readonly C[] | undefined, type: string): C[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** isConditionTrue tells whether a condition of that type exists with status "True". */
export function isConditionTrue(conditions: readonly { type: string; status: string }[] | undefined, type: string) {
  return conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}
