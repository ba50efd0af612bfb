import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { augment, computeStatus, groupKindKey, StatusError, type Status } from './index.js';

interface Case {
  name: string;
  yaml: string;
  status: Status;
  message: string;
  /** reason of the Reconciling (InProgress) or Stalled (Failed) condition */
  reason?: string;
  now?: string;
}

const deploy = (spec: string, status: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, generation: 2}
spec:
  selector: {matchLabels: {app: web}}
${spec}
status:
  observedGeneration: 2
${status}`;

const availableConds = `
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable, message: Deployment has minimum availability.}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable, message: ReplicaSet "web-5d8f" has successfully progressed.}`;

const cases: Case[] = [
  // generic rules
  {
    name: 'deletionTimestamp wins over everything',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata: {name: c, deletionTimestamp: "2024-05-01T10:00:00Z", finalizers: [example.com/x]}
data: {a: b}`,
    status: 'Terminating',
    message: 'Resource scheduled for deletion',
  },
  {
    name: 'observedGeneration behind generation',
    yaml: deploy(
      '  replicas: 3',
      `  replicas: 3\n  updatedReplicas: 3\n  readyReplicas: 3\n  availableReplicas: 3`,
    ).replace('observedGeneration: 2', 'observedGeneration: 1'),
    status: 'InProgress',
    message: 'Deployment generation is 2, but latest observed generation is 1',
    reason: 'LatestGenerationNotObserved',
  },
  {
    name: 'custom resource with Reconciling True',
    yaml: `apiVersion: example.com/v1
kind: Widget
metadata: {name: w, generation: 4}
status:
  observedGeneration: 4
  conditions:
  - {type: Reconciling, status: "True", reason: Progressing, message: Creating the widget}
  - {type: Ready, status: "True", reason: Ok, message: stale}`,
    status: 'InProgress',
    message: 'Creating the widget',
    reason: 'Progressing',
  },
  {
    name: 'custom resource with Stalled True',
    yaml: `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, generation: 1}
status:
  observedGeneration: 1
  conditions:
  - {type: Stalled, status: "True", reason: InstallFailed, message: install retries exhausted}`,
    status: 'Failed',
    message: 'install retries exhausted',
    reason: 'InstallFailed',
  },
  {
    name: 'custom resource with Reconciling False and Stalled False is current',
    yaml: `apiVersion: example.com/v1
kind: Widget
metadata: {name: w, generation: 1}
status:
  observedGeneration: 1
  conditions:
  - {type: Reconciling, status: "False", reason: Done, message: ""}
  - {type: Stalled, status: "False", reason: Ok, message: ""}`,
    status: 'Current',
    message: 'Resource is current',
  },
  {
    name: 'generation without observedGeneration is not judged by the generic rule',
    yaml: `apiVersion: example.com/v1
kind: Widget
metadata: {name: w, generation: 7}
spec: {size: 3}`,
    status: 'Current',
    message: 'Resource is current',
  },
  {
    name: 'Ready True on a custom resource',
    yaml: `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: tls, generation: 1}
status:
  conditions:
  - {type: Ready, status: "True", reason: Ready, message: Certificate is up to date and has not expired}`,
    status: 'Current',
    message: 'Certificate is up to date and has not expired',
  },
  {
    name: 'Ready False on a custom resource is in progress',
    yaml: `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: tls, generation: 1}
status:
  conditions:
  - {type: Ready, status: "False", reason: DoesNotExist, message: Issuing certificate as Secret does not exist}`,
    status: 'InProgress',
    message: 'Issuing certificate as Secret does not exist',
    reason: 'DoesNotExist',
  },
  {
    name: 'Ready Unknown without message or reason',
    yaml: `apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status:
  conditions:
  - {type: Ready, status: Unknown}`,
    status: 'InProgress',
    message: 'Ready condition is Unknown',
    reason: 'NotReady',
  },
  {
    name: 'Ready condition is ignored for kinds with their own rule',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: p}
status:
  phase: Succeeded
  conditions:
  - {type: Ready, status: "False", reason: PodCompleted}`,
    status: 'Current',
    message: 'Pod has completed successfully',
  },
  {
    name: 'unknown kind without status',
    yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]`,
    status: 'Current',
    message: 'Resource is current',
  },
  {
    name: 'string generation is unreadable',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata: {name: c, generation: "3"}`,
    status: 'Unknown',
    message:
      'looking up metadata.generation from resource: .metadata.generation accessor error: 3 is of the type string, expected int64',
  },
  {
    name: 'conditions that are not a list are unreadable',
    yaml: `apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {conditions: {type: Ready}}`,
    status: 'Unknown',
    message: 'decoding status.conditions: expected a list, got map[string]interface {}',
  },

  // always ready
  {
    name: 'ConfigMap',
    yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}`,
    status: 'Current',
    message: 'Resource is always ready',
  },
  {
    name: 'Secret',
    yaml: `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\ndata: {k: dg==}`,
    status: 'Current',
    message: 'Resource is always ready',
  },
  {
    name: 'CronJob',
    yaml: `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, generation: 1}
spec: {schedule: "0 * * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: b, image: busybox}]}}}}}`,
    status: 'Current',
    message: 'Resource is always ready',
  },

  // Deployment
  {
    name: 'Deployment available',
    yaml: deploy(
      '  replicas: 3\n  progressDeadlineSeconds: 600',
      `  replicas: 3\n  updatedReplicas: 3\n  readyReplicas: 3\n  availableReplicas: 3${availableConds}`,
    ),
    status: 'Current',
    message: 'Deployment is available. Replicas: 3',
  },
  {
    name: 'Deployment with no status yet',
    yaml: deploy('  replicas: 3', '  {}').replace('status:\n  observedGeneration: 2\n  {}', 'status: {}'),
    status: 'InProgress',
    message: 'Replicas: 0/3',
    reason: 'LessReplicas',
  },
  {
    name: 'Deployment default replicas is 1',
    yaml: deploy('', `  replicas: 0`),
    status: 'InProgress',
    message: 'Replicas: 0/1',
    reason: 'LessReplicas',
  },
  {
    name: 'Deployment rolling out',
    yaml: deploy('  replicas: 3', `  replicas: 4\n  updatedReplicas: 1\n  readyReplicas: 3\n  availableReplicas: 3`),
    status: 'InProgress',
    message: 'Updated: 1/3',
    reason: 'LessUpdated',
  },
  {
    name: 'Deployment old pods terminating',
    yaml: deploy('  replicas: 3', `  replicas: 4\n  updatedReplicas: 3\n  readyReplicas: 4\n  availableReplicas: 4`),
    status: 'InProgress',
    message: 'Pending termination: 1',
    reason: 'ExtraPods',
  },
  {
    name: 'Deployment updated pods not yet available',
    yaml: deploy('  replicas: 3', `  replicas: 3\n  updatedReplicas: 3\n  readyReplicas: 3\n  availableReplicas: 2`),
    status: 'InProgress',
    message: 'Available: 2/3',
    reason: 'LessAvailable',
  },
  {
    name: 'Deployment not ready (minReadySeconds 0, ready lags available)',
    yaml: deploy('  replicas: 3', `  replicas: 3\n  updatedReplicas: 3\n  readyReplicas: 2\n  availableReplicas: 3`),
    status: 'InProgress',
    message: 'Ready: 2/3',
    reason: 'LessReady',
  },
  {
    name: 'Deployment with a deadline waits for NewReplicaSetAvailable',
    yaml: deploy(
      '  replicas: 1\n  progressDeadlineSeconds: 600',
      `  replicas: 1\n  updatedReplicas: 1\n  readyReplicas: 1\n  availableReplicas: 1
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "True", reason: ReplicaSetUpdated, message: ReplicaSet "web-5d8f" is progressing.}`,
    ),
    status: 'InProgress',
    message: 'ReplicaSet not Available',
    reason: 'ReplicaSetNotAvailable',
  },
  {
    name: 'Deployment without a deadline needs no Progressing condition',
    yaml: deploy(
      '  replicas: 1',
      `  replicas: 1\n  updatedReplicas: 1\n  readyReplicas: 1\n  availableReplicas: 1
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}`,
    ),
    status: 'Current',
    message: 'Deployment is available. Replicas: 1',
  },
  {
    name: 'Deployment progressDeadlineSeconds MaxInt32 means no deadline',
    yaml: deploy(
      '  replicas: 1\n  progressDeadlineSeconds: 2147483647',
      `  replicas: 1\n  updatedReplicas: 1\n  readyReplicas: 1\n  availableReplicas: 1
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}`,
    ),
    status: 'Current',
    message: 'Deployment is available. Replicas: 1',
  },
  {
    name: 'Deployment not Available',
    yaml: deploy(
      '  replicas: 1\n  progressDeadlineSeconds: 600',
      `  replicas: 1\n  updatedReplicas: 1\n  readyReplicas: 1\n  availableReplicas: 1
  conditions:
  - {type: Available, status: "False", reason: MinimumReplicasUnavailable}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}`,
    ),
    status: 'InProgress',
    message: 'Deployment not Available',
    reason: 'DeploymentNotAvailable',
  },
  {
    name: 'Deployment progress deadline exceeded',
    yaml: deploy(
      '  replicas: 3\n  progressDeadlineSeconds: 60',
      `  replicas: 3\n  updatedReplicas: 1\n  readyReplicas: 2\n  availableReplicas: 2
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: ReplicaSet "web-7c9" has timed out progressing.}`,
    ),
    status: 'Failed',
    message: 'Progress deadline exceeded',
    reason: 'ProgressDeadlineExceeded',
  },
  {
    name: 'Deployment scaled to zero',
    yaml: deploy('  replicas: 0', `  replicas: 0${availableConds}`),
    status: 'Current',
    message: 'Deployment is available. Replicas: 0',
  },
  {
    name: 'extensions/v1beta1 Deployment uses the same rule',
    yaml: deploy('  replicas: 2', '  replicas: 1').replace('apps/v1', 'extensions/v1beta1'),
    status: 'InProgress',
    message: 'Replicas: 1/2',
    reason: 'LessReplicas',
  },

  // StatefulSet
  {
    name: 'StatefulSet rolled out',
    yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 3}
spec: {replicas: 3, serviceName: db}
status: {observedGeneration: 3, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: db-6c7, updateRevision: db-6c7}`,
    status: 'Current',
    message: 'All replicas scheduled as expected. Replicas: 3',
  },
  {
    name: 'StatefulSet OnDelete is left to the user',
    yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 3}
spec: {replicas: 3, updateStrategy: {type: OnDelete}}
status: {observedGeneration: 3, replicas: 1}`,
    status: 'Current',
    message: 'StatefulSet is using the ondelete update strategy',
  },
  {
    name: 'StatefulSet missing replicas',
    yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 3}
status: {observedGeneration: 1, replicas: 2, readyReplicas: 2}`,
    status: 'InProgress',
    message: 'Replicas: 2/3',
    reason: 'LessReplicas',
  },
  {
    name: 'StatefulSet not ready',
    yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 3}
status: {observedGeneration: 1, replicas: 3, readyReplicas: 1}`,
    status: 'InProgress',
    message: 'Ready: 1/3',
    reason: 'LessReady',
  },
  {
    name: 'StatefulSet scaling down',
    yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 1}
status: {observedGeneration: 1, replicas: 3, readyReplicas: 3}`,
    status: 'InProgress',
    message: 'Pending termination: 2',
    reason: 'ExtraPods',
  },
  {
    name: 'StatefulSet partition rollout in progress',
    yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 5, updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 3}}}
status: {observedGeneration: 2, replicas: 5, readyReplicas: 5, currentReplicas: 4, updatedReplicas: 1, currentRevision: a, updateRevision: b}`,
    status: 'InProgress',
    message: 'updated: 1/2',
    reason: 'PartitionRollout',
  },
  {
    name: 'StatefulSet partition rollout complete despite revision mismatch',
    yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 5, updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 3}}}
status: {observedGeneration: 2, replicas: 5, readyReplicas: 5, currentReplicas: 3, updatedReplicas: 2, currentRevision: a, updateRevision: b}`,
    status: 'Current',
    message: 'Partition rollout complete. updated: 2',
  },
  {
    name: 'StatefulSet current replicas lagging',
    yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, currentReplicas: 2, updatedReplicas: 1}`,
    status: 'InProgress',
    message: 'current: 2/3',
    reason: 'LessCurrent',
  },
  {
    name: 'StatefulSet revision mismatch',
    yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: db-1, updateRevision: db-2}`,
    status: 'InProgress',
    message: 'Waiting for updated revision to match current',
    reason: 'RevisionMismatch',
  },

  // DaemonSet
  {
    name: 'DaemonSet on every node',
    yaml: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4, numberReady: 4}`,
    status: 'Current',
    message: 'All replicas scheduled as expected. Replicas: 4',
  },
  {
    name: 'DaemonSet without generation',
    yaml: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
status: {observedGeneration: 1, desiredNumberScheduled: 1}`,
    status: 'InProgress',
    message: 'DaemonSet metadata.generation not found',
    reason: 'NoGeneration',
  },
  {
    name: 'DaemonSet not yet observed',
    yaml: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}`,
    status: 'InProgress',
    message: 'DaemonSet status.observedGeneration not found',
    reason: 'NoObservedGeneration',
  },
  {
    name: 'DaemonSet without desiredNumberScheduled',
    yaml: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1}`,
    status: 'InProgress',
    message: 'Missing .status.desiredNumberScheduled',
    reason: 'NoDesiredNumber',
  },
  {
    name: 'DaemonSet scheduling',
    yaml: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 4, currentNumberScheduled: 2}`,
    status: 'InProgress',
    message: 'Current: 2/4',
    reason: 'LessCurrent',
  },
  {
    name: 'DaemonSet updating',
    yaml: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 3}`,
    status: 'InProgress',
    message: 'Updated: 3/4',
    reason: 'LessUpdated',
  },
  {
    name: 'DaemonSet pods not available',
    yaml: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 1, numberReady: 4}`,
    status: 'InProgress',
    message: 'Available: 1/4',
    reason: 'LessAvailable',
  },
  {
    name: 'DaemonSet pods not ready',
    yaml: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4, numberReady: 3}`,
    status: 'InProgress',
    message: 'Ready: 3/4',
    reason: 'LessReady',
  },
  {
    name: 'DaemonSet on a cluster with no eligible nodes',
    yaml: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0}`,
    status: 'Current',
    message: 'All replicas scheduled as expected. Replicas: 0',
  },

  // ReplicaSet
  {
    name: 'ReplicaSet available',
    yaml: `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2}`,
    status: 'Current',
    message: 'ReplicaSet is available. Replicas: 2',
  },
  {
    name: 'ReplicaSet failing to create pods',
    yaml: `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f, generation: 1}
spec: {replicas: 2}
status:
  observedGeneration: 1
  replicas: 0
  conditions:
  - {type: ReplicaFailure, status: "True", reason: FailedCreate, message: 'pods "web-5d8f-" is forbidden: exceeded quota'}`,
    status: 'InProgress',
    message: 'Replica Failure condition. Check Pods',
    reason: 'ReplicaFailure',
  },
  {
    name: 'ReplicaSet pods not fully labelled',
    yaml: `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, fullyLabeledReplicas: 1}`,
    status: 'InProgress',
    message: 'Labelled: 1/2',
    reason: 'LessLabelled',
  },
  {
    name: 'ReplicaSet not available',
    yaml: `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 0}`,
    status: 'InProgress',
    message: 'Available: 0/2',
    reason: 'LessAvailable',
  },
  {
    name: 'ReplicaSet not ready',
    yaml: `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 1, availableReplicas: 2}`,
    status: 'InProgress',
    message: 'Ready: 1/2',
    reason: 'LessReady',
  },
  {
    name: 'ReplicaSet extra pods',
    yaml: `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d8f, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3}`,
    status: 'InProgress',
    message: 'Pending termination: 1',
    reason: 'ExtraPods',
  },

  // Pod
  {
    name: 'Pod running and ready',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web-5d8f-abcde, creationTimestamp: "2024-05-01T10:00:00Z"}
spec: {containers: [{name: web, image: nginx}]}
status:
  phase: Running
  conditions:
  - {type: Initialized, status: "True"}
  - {type: Ready, status: "True"}
  - {type: ContainersReady, status: "True"}
  - {type: PodScheduled, status: "True"}`,
    status: 'Current',
    message: 'Pod is Ready',
  },
  {
    name: 'Pod failed is Current (it will never change)',
    yaml: `apiVersion: v1\nkind: Pod\nmetadata: {name: migrate}\nstatus: {phase: Failed, reason: Error}`,
    status: 'Current',
    message: 'Pod has completed, but not successfully',
  },
  {
    name: 'Pod crash looping',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web}
status:
  phase: Running
  conditions:
  - {type: Ready, status: "False", reason: ContainersNotReady}
  containerStatuses:
  - {name: web, ready: false, restartCount: 5, state: {waiting: {reason: CrashLoopBackOff, message: back-off 2m40s restarting failed container}}}
  - {name: sidecar, ready: true, state: {running: {startedAt: "2024-05-01T10:00:00Z"}}}
  - {name: init-db, ready: false, state: {waiting: {reason: CrashLoopBackOff}}}`,
    status: 'Failed',
    message: 'Containers in CrashLoop state: web,init-db',
    reason: 'ContainerCrashLooping',
  },
  {
    name: 'Pod running, not ready, not crash looping',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web}
status:
  phase: Running
  containerStatuses:
  - {name: web, ready: false, state: {waiting: {reason: ContainerCreating}}}`,
    status: 'InProgress',
    message: 'Pod is running but is not Ready',
    reason: 'PodRunningNotReady',
  },
  {
    name: 'Pod unschedulable within the grace window',
    now: '2024-05-01T10:00:10Z',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, creationTimestamp: "2024-05-01T10:00:00Z"}
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "False", reason: Unschedulable, message: "0/3 nodes are available: 3 Insufficient cpu."}`,
    status: 'InProgress',
    message: 'Pod has not been scheduled',
    reason: 'PodNotScheduled',
  },
  {
    name: 'Pod unschedulable after the grace window',
    now: '2024-05-01T10:00:16Z',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, creationTimestamp: "2024-05-01T10:00:00Z"}
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "False", reason: Unschedulable, message: "0/3 nodes are available: 3 Insufficient cpu."}`,
    status: 'Failed',
    message: 'Pod could not be scheduled',
    reason: 'PodUnschedulable',
  },
  {
    name: 'Pod pending (pulling images)',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web}
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "True"}`,
    status: 'InProgress',
    message: 'Pod is in the Pending phase',
    reason: 'PodPending',
  },
  {
    name: 'Pod not yet observed',
    yaml: `apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: web, image: nginx}]}`,
    status: 'InProgress',
    message: 'Pod phase not available',
    reason: 'PodNotObserved',
  },
  {
    name: 'Pod with an unknown phase is Unknown',
    yaml: `apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nstatus: {phase: Evicted}`,
    status: 'Unknown',
    message: 'unknown phase Evicted',
  },

  // Job
  {
    name: 'Job complete',
    yaml: `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, generation: 1}
spec: {completions: 1, backoffLimit: 3}
status:
  startTime: "2024-05-01T10:00:00Z"
  succeeded: 1
  conditions:
  - {type: SuccessCriteriaMet, status: "True"}
  - {type: Complete, status: "True"}`,
    status: 'Current',
    message: 'Job Completed. succeeded: 1/1',
  },
  {
    name: 'Job failed',
    yaml: `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, generation: 1}
spec: {parallelism: 2}
status:
  startTime: "2024-05-01T10:00:00Z"
  failed: 4
  conditions:
  - {type: Failed, status: "True", reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}`,
    status: 'Failed',
    message: 'Job Failed. failed: 4/2',
    reason: 'JobFailed',
  },
  {
    name: 'Job suspended',
    yaml: `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, generation: 1}
spec: {suspend: true}
status:
  conditions:
  - {type: Suspended, status: "True", reason: JobSuspended}`,
    status: 'Current',
    message: 'Job is suspended',
  },
  {
    name: 'Job not started',
    yaml: `apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate, generation: 1}\nspec: {completions: 3}`,
    status: 'InProgress',
    message: 'Job not started',
    reason: 'JobNotStarted',
  },
  {
    name: 'Job running is Current',
    yaml: `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, generation: 1}
status:
  startTime: "2024-05-01T10:00:00Z"
  active: 1
  failed: 1
  conditions:
  - {type: Complete, status: "False"}`,
    status: 'Current',
    message: 'Job in progress. success:0, active: 1, failed: 1',
  },

  // Service
  {
    name: 'Service ClusterIP',
    yaml: `apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: 10.96.0.12, ports: [{port: 80}]}`,
    status: 'Current',
    message: 'Service is ready',
  },
  {
    name: 'Service LoadBalancer without clusterIP',
    yaml: `apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: LoadBalancer, ports: [{port: 80}]}`,
    status: 'InProgress',
    message: 'ClusterIP not set. Service type: LoadBalancer',
    reason: 'NoIPAssigned',
  },
  {
    name: 'Service LoadBalancer without ingress is Current (kstatus does not wait for it)',
    yaml: `apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: LoadBalancer, clusterIP: 10.96.0.13, ports: [{port: 80}]}
status: {loadBalancer: {}}`,
    status: 'Current',
    message: 'Service is ready',
  },

  // PVC
  {
    name: 'PVC bound',
    yaml: `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {accessModes: [ReadWriteOnce]}\nstatus: {phase: Bound}`,
    status: 'Current',
    message: 'PVC is Bound',
  },
  {
    name: 'PVC pending',
    yaml: `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nstatus: {phase: Pending}`,
    status: 'InProgress',
    message: 'PVC is not Bound. phase: Pending',
    reason: 'NotBound',
  },
  {
    name: 'PVC without status',
    yaml: `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}`,
    status: 'InProgress',
    message: 'PVC is not Bound. phase: unknown',
    reason: 'NotBound',
  },

  // PDB
  {
    name: 'PDB observed',
    yaml: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, generation: 1}
spec: {minAvailable: 1}
status: {observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1}`,
    status: 'Current',
    message: 'AllowedDisruptions has been computed.',
  },
  {
    name: 'PDB not yet observed',
    yaml: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, generation: 2}
status: {observedGeneration: 1}`,
    status: 'InProgress',
    message: 'PodDisruptionBudget generation is 2, but latest observed generation is 1',
    reason: 'LatestGenerationNotObserved',
  },

  // CRD
  {
    name: 'CRD established',
    yaml: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com, generation: 1}
status:
  conditions:
  - {type: NamesAccepted, status: "True", reason: NoConflicts}
  - {type: Established, status: "True", reason: InitialNamesAccepted}`,
    status: 'Current',
    message: 'CRD is established',
  },
  {
    name: 'CRD installing',
    yaml: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
status:
  conditions:
  - {type: NamesAccepted, status: "True", reason: NoConflicts}
  - {type: Established, status: "False", reason: Installing, message: the initial names have been accepted}`,
    status: 'InProgress',
    message: 'Install in progress',
    reason: 'Installing',
  },
  {
    name: 'CRD names conflict',
    yaml: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
status:
  conditions:
  - {type: NamesAccepted, status: "False", reason: MultipleNamesConflict, message: '"widgets" is already in use'}
  - {type: Established, status: "False", reason: NotAccepted}`,
    status: 'Failed',
    message: '"widgets" is already in use',
    reason: 'MultipleNamesConflict',
  },
  {
    name: 'CRD not established for another reason',
    yaml: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
status:
  conditions:
  - {type: Established, status: "False", reason: NotAccepted, message: not all names are accepted}`,
    status: 'Failed',
    message: 'not all names are accepted',
    reason: 'NotAccepted',
  },
  {
    name: 'CRD without status',
    yaml: `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}`,
    status: 'InProgress',
    message: 'Install in progress',
    reason: 'Installing',
  },
];

describe('computeStatus', () => {
  for (const c of cases) {
    it(c.name, () => {
      const obj = parse(c.yaml);
      const res = computeStatus(obj, c.now ? { now: new Date(c.now) } : {});
      assert.equal(res.status, c.status);
      assert.equal(res.message, c.message);
      const reconciling = res.conditions.filter((x) => x.type === 'Reconciling');
      const stalled = res.conditions.filter((x) => x.type === 'Stalled');
      if (c.status === 'InProgress') {
        assert.deepEqual(
          reconciling.map((x) => [x.status, x.reason]),
          [['True', c.reason]],
        );
        assert.equal(stalled.length, 0);
      } else if (c.status === 'Failed') {
        assert.deepEqual(
          stalled.map((x) => [x.status, x.reason]),
          [['True', c.reason]],
        );
        assert.equal(reconciling.length, 0);
      } else {
        assert.deepEqual(res.conditions, []);
        assert.equal(c.reason, undefined, 'test case gives a reason for a status without conditions');
      }
    });
  }

  it('null object is NotFound', () => {
    assert.deepEqual(computeStatus(null), { status: 'NotFound', message: 'Resource not found', conditions: [] });
  });

  it('typed client objects: metav1.Time as Date', () => {
    const pod = parse(`apiVersion: v1
kind: Pod
metadata: {name: web}
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "False", reason: Unschedulable}`);
    pod.metadata.creationTimestamp = new Date('2024-05-01T10:00:00Z');
    assert.equal(computeStatus(pod, { now: new Date('2024-05-01T10:00:05Z') }).status, 'InProgress');
    assert.equal(computeStatus(pod, { now: new Date('2024-05-01T10:01:00Z') }).status, 'Failed');
    pod.metadata.deletionTimestamp = new Date('2024-05-01T10:02:00Z');
    assert.equal(computeStatus(pod).status, 'Terminating');
  });

  it('does not modify the object', () => {
    const obj = parse(deploy('  replicas: 3', '  replicas: 1'));
    const before = structuredClone(obj);
    computeStatus(obj);
    assert.deepEqual(obj, before);
  });
});

describe('groupKindKey', () => {
  for (const [apiVersion, kind, want] of [
    ['v1', 'Pod', 'Pod'],
    ['apps/v1', 'Deployment', 'apps/Deployment'],
    ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'apiextensions.k8s.io/CustomResourceDefinition'],
    ['', 'Thing', 'Thing'],
  ]) {
    it(`${apiVersion} ${kind}`, () => assert.equal(groupKindKey(apiVersion, kind), want));
  }
});

describe('augment', () => {
  const now = new Date('2024-05-01T10:00:00.123Z');
  const cases: { name: string; yaml: string; want: unknown[] | Error }[] = [
    {
      name: 'appends Reconciling to a deployment that is scaling',
      yaml: deploy(
        '  replicas: 3',
        `  replicas: 1\n  conditions:\n  - {type: Available, status: "False", reason: MinimumReplicasUnavailable}`,
      ),
      want: [
        { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' },
        {
          lastTransitionTime: '2024-05-01T10:00:00Z',
          lastUpdateTime: '2024-05-01T10:00:00Z',
          message: 'Replicas: 1/3',
          reason: 'LessReplicas',
          status: 'True',
          type: 'Reconciling',
        },
      ],
    },
    {
      name: 'an existing Reconciling True decides by itself (kstatus reads its own condition back) and keeps its transition time',
      yaml: `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
status:
  phase: Pending
  conditions:
  - {type: Reconciling, status: "True", reason: Old, message: old, lastTransitionTime: "2024-04-01T00:00:00Z"}`,
      want: [
        {
          type: 'Reconciling',
          status: 'True',
          reason: 'Old',
          message: 'old',
          lastTransitionTime: '2024-04-01T00:00:00Z',
          lastUpdateTime: '2024-05-01T10:00:00Z',
        },
      ],
    },
    {
      name: 'an existing Reconciling False turns True with reason, message and a new transition time',
      yaml: `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
status:
  phase: Pending
  conditions:
  - {type: Reconciling, status: "False", reason: Old, message: old, lastTransitionTime: "2024-04-01T00:00:00Z"}`,
      want: [
        {
          type: 'Reconciling',
          status: 'True',
          reason: 'NotBound',
          message: 'PVC is not Bound. phase: Pending',
          lastTransitionTime: '2024-05-01T10:00:00Z',
          lastUpdateTime: '2024-05-01T10:00:00Z',
        },
      ],
    },
    {
      name: 'a current object gets an empty conditions list and no kstatus condition',
      yaml: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}`,
      want: [],
    },
    {
      name: 'a stale Reconciling condition on a current object is left alone, as kstatus does',
      yaml: `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
status:
  phase: Bound
  conditions:
  - {type: Reconciling, status: "False", reason: Done}`,
      want: [{ type: 'Reconciling', status: 'False', reason: 'Done' }],
    },
    {
      name: 'Stalled flips from False to True with a new transition time',
      yaml: `apiVersion: v1
kind: Pod
metadata: {name: web}
status:
  phase: Running
  conditions:
  - {type: Stalled, status: "False", reason: Ok, lastTransitionTime: "2024-04-01T00:00:00Z"}
  containerStatuses:
  - {name: web, state: {waiting: {reason: CrashLoopBackOff}}}`,
      want: [
        {
          type: 'Stalled',
          status: 'True',
          reason: 'ContainerCrashLooping',
          message: 'Containers in CrashLoop state: web',
          lastTransitionTime: '2024-05-01T10:00:00Z',
          lastUpdateTime: '2024-05-01T10:00:00Z',
        },
      ],
    },
    {
      name: 'unreadable objects throw',
      yaml: `apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nstatus: {phase: Exploded}`,
      want: new StatusError('unknown phase Exploded'),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const obj = parse(c.yaml);
      const before = structuredClone(obj);
      if (c.want instanceof Error) {
        assert.throws(() => augment(obj, { now }), { name: 'StatusError', message: c.want.message });
      } else {
        const out = augment(obj, { now });
        assert.deepEqual((out.status as any).conditions, c.want);
        assert.notEqual(out, obj);
      }
      assert.deepEqual(obj, before, 'augment must not modify its input');
    });
  }
});
