/**
 * kstatus: readiness of Kubernetes objects as sigs.k8s.io/cli-utils kstatus computes it, plus the
 * condition helpers the controller uses for its own status.
 *
 * @example
 * import { computeStatus } from './kstatus/index.js';
 * const { status, message } = computeStatus(liveDeployment); // 'Current', 'Deployment is available. Replicas: 3'
 */
export { augment, compute, computeStatus, groupKindKey, kindRules, SCHEDULE_WINDOW_MS, StatusError } from './status.js';
export type { ComputeOptions, KindRule, KubeObject, Result, RuleContext, Status, StatusCondition } from './status.js';
export { findCondition, isConditionTrue, removeCondition, rfc3339, setCondition } from './conditions.js';
export type { Condition, ConditionInput, ConditionStatus } from './conditions.js';
