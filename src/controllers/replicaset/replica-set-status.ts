// The status of a ReplicaSet (or ReplicationController) as upstream's replica_set_utils.go computes it:
// replicas, fullyLabeledReplicas, readyReplicas, availableReplicas and the ReplicaFailure condition.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { LabelSelector } from '../../machinery/label-selector.js';
import { formatTime } from '../events/event-correlator.js';
import { isPodAvailable, isPodReady } from '../podcontrol/active-pods.js';

export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The status fields of both kinds (apps/v1 ReplicaSetStatus and core/v1 ReplicationControllerStatus). */
export interface ReplicaStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
  [field: string]: unknown;
}

/** What status needs of the owner: desired replicas, minReadySeconds, template labels, current status. */
export interface StatusInput {
  replicas: number;
  minReadySeconds: number;
  templateLabels: Readonly<Record<string, string>>;
  status: ReplicaStatus;
}

export const ReplicaFailure = 'ReplicaFailure';

/**
 * calculateStatus: counts over the controller's active pods; a manageReplicas error sets ReplicaFailure (reason
 * FailedCreate or FailedDelete by the direction of the diff) when none is set, and success removes it.
 */
export function calculateStatus(rs: StatusInput, filteredPods: readonly Pod[], manageReplicasErr: Error | undefined, nowMs = Date.now()): ReplicaStatus {
  const newStatus: ReplicaStatus = { ...rs.status };
  const conditions = [...(rs.status.conditions ?? [])];
  const templateLabel = LabelSelector.fromSet(rs.templateLabels);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of filteredPods) {
    if (templateLabel.matches(pod.metadata?.labels ?? {})) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, rs.minReadySeconds, nowMs)) available++;
    }
  }
  const failure = conditions.find((c) => c.type === ReplicaFailure);
  if (manageReplicasErr !== undefined && failure === undefined) {
    const diff = filteredPods.length - rs.replicas;
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: ReplicaFailure, status: 'True', lastTransitionTime: formatTime(nowMs), reason, message: manageReplicasErr.message });
    newStatus.conditions = conditions;
  } else if (manageReplicasErr === undefined && failure !== undefined) {
    const rest = conditions.filter((c) => c.type !== ReplicaFailure);
    if (rest.length === 0) delete newStatus.conditions;
    else newStatus.conditions = rest;
  }
  newStatus.replicas = filteredPods.length;
  newStatus.fullyLabeledReplicas = fullyLabeled;
  newStatus.readyReplicas = ready;
  newStatus.availableReplicas = available;
  return newStatus;
}

function conditionsEqual(a: readonly ReplicaSetCondition[] | undefined, b: readonly ReplicaSetCondition[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  return x.every((c, i) => {
    const d = y[i];
    return d !== undefined && c.type === d.type && c.status === d.status && (c.reason ?? '') === (d.reason ?? '') && (c.message ?? '') === (d.message ?? '') && (c.lastTransitionTime ?? '') === (d.lastTransitionTime ?? '');
  });
}

/** updateReplicaSetStatus's early return: nothing changed and the generation is already observed. */
export function statusUpToDate(current: ReplicaStatus, generation: number, next: ReplicaStatus): boolean {
  return (
    (current.replicas ?? 0) === (next.replicas ?? 0) &&
    (current.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (current.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (current.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    generation === (current.observedGeneration ?? 0) &&
    conditionsEqual(current.conditions, next.conditions)
  );
}
