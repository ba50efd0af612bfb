/**
 * types: the HelmRelease API (`helm.capstan.dev/v1alpha1`) as TypeScript, in one place, used by the
 * controller and the tests. The CRD in `crds/helmreleases.helm.capstan.dev.yaml` is its schema;
 * keep the two in step. Field names follow Flux's HelmRelease where the idea is the same.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export const GROUP = 'helm.capstan.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'HelmRelease';
export const PLURAL = 'helmreleases';
/** FINALIZER makes deleting a HelmRelease uninstall its release first. */
export const FINALIZER = 'helm.capstan.dev/finalizer';
/** REQUESTED_AT_ANNOTATION: setting it to a new value asks for an immediate reconcile. */
export const REQUESTED_AT_ANNOTATION = 'reconcile.helm.capstan.dev/requestedAt';
/**
 * ROLLBACK_ANNOTATION asks for a rollback to the named Helm revision (`"3"`, or `"3/any-nonce"` to
 * repeat a request). The rolled-back release is kept until the spec changes.
 */
export const ROLLBACK_ANNOTATION = 'rollback.helm.capstan.dev/revision';
/** WATCH_LABEL marks ConfigMaps/Secrets whose changes trigger reconciles of releases that use them. */
export const WATCH_LABEL = 'reconcile.helm.capstan.dev/watch';

export interface LocalObjectReference {
  name: string;
}

export interface ChartSpec {
  ref: string;
  digest?: string;
  version?: string;
  secretRef?: LocalObjectReference;
  certSecretRef?: LocalObjectReference;
  insecure?: boolean;
}

export interface ValuesReference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  valuesKey?: string;
  targetPath?: string;
  optional?: boolean;
}

export interface Remediation {
  retries?: number;
  strategy?: 'rollback' | 'uninstall';
  ignoreTestFailures?: boolean;
  remediateLastFailure?: boolean;
}

export type CRDPolicy = 'Skip' | 'Create' | 'CreateReplace';

export interface InstallSpec {
  crds?: CRDPolicy;
  createNamespace?: boolean;
  disableWait?: boolean;
  disableHooks?: boolean;
  forceConflicts?: boolean;
  forceReplace?: boolean;
  remediation?: Remediation;
}

export interface UpgradeSpec {
  crds?: CRDPolicy;
  disableWait?: boolean;
  disableHooks?: boolean;
  forceConflicts?: boolean;
  forceReplace?: boolean;
  cleanupOnFail?: boolean;
  remediation?: Remediation;
}

export interface UninstallSpec {
  keepHistory?: boolean;
  disableHooks?: boolean;
  disableWait?: boolean;
  deletionPropagation?: 'background' | 'foreground' | 'orphan';
}

export interface TestSpec {
  enable?: boolean;
  ignoreFailures?: boolean;
  timeout?: string;
}

export interface DriftIgnoreRule {
  paths: string[];
  target?: { group?: string; kind?: string; name?: string; namespace?: string };
}

export interface DriftDetection {
  mode?: 'enabled' | 'warn' | 'disabled';
  ignore?: DriftIgnoreRule[];
}

export interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface PostRendererSpec {
  wasm?: {
    ref: string;
    digest: string;
    config?: Record<string, unknown>;
    allowedHosts?: string[];
    timeout?: string;
    memoryPages?: number;
  };
  patches?: { patch: string; target?: PatchTarget }[];
}

export interface HelmReleaseSpec {
  chart: ChartSpec;
  values?: Record<string, unknown>;
  valuesFrom?: ValuesReference[];
  releaseName?: string;
  targetNamespace?: string;
  storageNamespace?: string;
  interval: string;
  timeout?: string;
  suspend?: boolean;
  dependsOn?: { name: string; namespace?: string }[];
  serviceAccountName?: string;
  maxHistory?: number;
  install?: InstallSpec;
  upgrade?: UpgradeSpec;
  uninstall?: UninstallSpec;
  test?: TestSpec;
  driftDetection?: DriftDetection;
  postRenderers?: PostRendererSpec[];
  postRenderStrategy?: 'IncludeHooks' | 'ManifestsOnly';
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** Revision identifies what was rendered: chart, resolved digest and a checksum of the values. */
export interface Revision {
  chartRef: string;
  chartName?: string;
  version?: string;
  digest: string;
  shortDigest?: string;
  valuesChecksum: string;
  /** releaseRevision is the Helm revision this attempt produced (when it got that far). */
  releaseRevision?: number;
}

export interface HistoryEntry {
  revision: number;
  chartName: string;
  chartVersion: string;
  appVersion?: string;
  digest?: string;
  status: string;
  firstDeployed?: string;
  lastDeployed?: string;
  /** recordDigest is the sha256 of the stored release record, to notice changes made outside Capstan. */
  recordDigest: string;
}

export interface InventoryEntry {
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface ReadinessSummary {
  counts: Record<string, number>;
  /** notReady: the first objects that are not Current, with kstatus' message. */
  notReady: { kind: string; namespace?: string; name: string; status: string; message: string }[];
}

export interface HelmReleaseStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  releaseName?: string;
  storageNamespace?: string;
  lastAttemptedRevision?: Revision;
  lastAppliedRevision?: Revision;
  lastAttemptedGeneration?: number;
  lastHandledReconcileAt?: string;
  /** lastHandledRollback is the value of the rollback annotation last acted on. */
  lastHandledRollback?: string;
  history?: HistoryEntry[];
  inventory?: { entries: InventoryEntry[] };
  readiness?: ReadinessSummary;
  drift?: { objects: number; entries: { object: string; fields: string[] }[] };
  failures?: number;
  installFailures?: number;
  upgradeFailures?: number;
}

export interface HelmRelease extends KubernetesObject {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: NonNullable<KubernetesObject['metadata']> & { name: string; namespace: string };
  spec: HelmReleaseSpec;
  status?: HelmReleaseStatus;
}

/** Condition types the HelmRelease reports. */
export const ConditionType = {
  Ready: 'Ready',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
  Released: 'Released',
  Remediated: 'Remediated',
  TestSuccess: 'TestSuccess',
} as const;
