// The status half of upstream's stateful_set_control.go: counting replicas (created, ready, available, at the current
// and update revisions), completing a rolling update, and deciding whether the status must be written.
import type { StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { getPodRevision, isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating } from './stateful-set-utils.js';

export interface ReplicaCounts {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
}

/** computeReplicaStatus over the pods of any number of lists. */
export function computeReplicaStatus(pods: readonly Pod[], minReadySeconds: number, currentRevision: string, updateRevision: string, nowMs = Date.now()): ReplicaCounts {
  const c: ReplicaCounts = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (isCreated(pod)) c.replicas++;
    if (isRunningAndReady(pod)) {
      c.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, nowMs)) c.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const rev = getPodRevision(pod);
      if (rev === currentRevision) c.currentReplicas++;
      if (rev === updateRevision) c.updatedReplicas++;
    }
  }
  return c;
}

/** updateStatus: writes the counts into `status`. */
export function applyReplicaCounts(status: StatefulSetStatus, c: ReplicaCounts): void {
  status.replicas = c.replicas;
  status.readyReplicas = c.readyReplicas;
  status.availableReplicas = c.availableReplicas;
  status.currentReplicas = c.currentReplicas;
  status.updatedReplicas = c.updatedReplicas;
}

/** completeRollingUpdate: once spec.replicas pods exist, all updated and ready, the update revision becomes the current one. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  const want = set.spec?.replicas ?? 1;
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && (status.updatedReplicas ?? 0) === want && (status.readyReplicas ?? 0) === want && status.replicas === want) {
    status.currentReplicas = status.updatedReplicas ?? 0;
    if (status.updateRevision !== undefined) status.currentRevision = status.updateRevision;
  }
}

/** inconsistentStatus: whether `status` differs from the set's in a way that must be written. */
export function inconsistentStatus(set: StatefulSet, status: StatefulSetStatus): boolean {
  const cur = set.status;
  return (
    (status.observedGeneration ?? 0) > (cur?.observedGeneration ?? 0) ||
    status.replicas !== (cur?.replicas ?? 0) ||
    (status.currentReplicas ?? 0) !== (cur?.currentReplicas ?? 0) ||
    (status.readyReplicas ?? 0) !== (cur?.readyReplicas ?? 0) ||
    (status.updatedReplicas ?? 0) !== (cur?.updatedReplicas ?? 0) ||
    (status.currentRevision ?? '') !== (cur?.currentRevision ?? '') ||
    (status.availableReplicas ?? 0) !== (cur?.availableReplicas ?? 0) ||
    (status.updateRevision ?? '') !== (cur?.updateRevision ?? '')
  );
}
