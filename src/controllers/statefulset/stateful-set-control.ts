// updateStatefulSet of upstream's stateful_set_control.go: the pods of a set split into replicas (ordinals in range,
// missing ones made at the right revision) and condemned ones (beyond the range, highest first); replicas are
// processed in order (OrderedReady: one at a time, each Running and Ready before the next) or all at once
// (Parallel), then condemned pods are deleted from the highest ordinal down, and a RollingUpdate deletes the
// highest-ordinal pod not at the update revision, down to the partition, one at a time once the rest are healthy.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../machinery/errors.js';
import { AggregatedErrors } from '../podcontrol/controller-ref-manager.js';
import { slowStartBatch } from '../replicaset/slow-start-batch.js';
import { applyReplicaCounts, computeReplicaStatus } from './stateful-set-status.js';
import {
  allowsBurst,
  applyRevision,
  byOrdinal,
  getEndOrdinal,
  getOrdinal,
  getPodRevision,
  getReplicas,
  getStartOrdinal,
  identityMatches,
  isCreated,
  isFailed,
  isHealthy,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  newVersionedStatefulSetPod,
  podInOrdinalRange,
  retentionPolicy,
  retainPolicy,
  storageMatches,
} from './stateful-set-utils.js';

/** What the algorithm does to pods and claims (StatefulPodControl). */
export interface StatefulPodOps {
  /** Creates the pod's missing claims, then the pod. */
  createStatefulPod(set: StatefulSet, pod: Pod): Promise<void>;
  /** Restores the pod's identity and storage (and creates missing claims). */
  updateStatefulPod(set: StatefulSet, pod: Pod): Promise<void>;
  deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void>;
  /** createMissingPersistentVolumeClaims for a pending pod. */
  createMissingPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void>;
  /** Sets the claims' owner references as persistentVolumeClaimRetentionPolicy says for this pod. */
  updatePodClaimForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void>;
}

export interface UpdateResult {
  status: StatefulSetStatus;
  error?: Error;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** runForAll: in order until one says stop (monotonic), or all in slow-start batches. */
async function runForAll(count: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < count; i++) if (await fn(i)) return true;
    return false;
  }
  let next = 0;
  const { error } = await slowStartBatch(count, 1, async () => {
    await fn(next++);
  });
  if (error !== undefined) throw error;
  return false;
}

/** One pass of the algorithm: the status to write, and the error that stopped it, if any. */
export async function updateStatefulSet(
  set: StatefulSet,
  currentRevision: ControllerRevision,
  updateRevision: ControllerRevision,
  collisionCount: number,
  pods: readonly Pod[],
  ops: StatefulPodOps,
  nowMs = Date.now(),
): Promise<UpdateResult> {
  const currentSet = applyRevision(set, currentRevision);
  const updateSet = applyRevision(set, updateRevision);
  const currentName = currentRevision.metadata?.name ?? '';
  const updateName = updateRevision.metadata?.name ?? '';
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;

  const status: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation ?? 0,
    currentRevision: currentName,
    updateRevision: updateName,
    collisionCount,
    replicas: 0,
  };
  const recount = (lists: readonly (readonly Pod[])[]): void => applyReplicaCounts(status, computeReplicaStatus(lists.flat(), minReadySeconds, currentName, updateName, nowMs));
  recount([pods]);

  const start = getStartOrdinal(set);
  const replicaCount = getReplicas(set);
  const slots: (Pod | undefined)[] = new Array<Pod | undefined>(replicaCount).fill(undefined);
  let condemned: Pod[] = [];
  for (const pod of pods) {
    if (podInOrdinalRange(pod, set)) slots[getOrdinal(pod) - start] = pod;
    else if (getOrdinal(pod) >= 0) condemned.push(pod);
  }
  for (let ord = start; ord <= getEndOrdinal(set); ord++) {
    if (slots[ord - start] === undefined) slots[ord - start] = newVersionedStatefulSetPod(currentSet, updateSet, currentName, updateName, ord);
  }
  const replicas = slots.filter((p): p is Pod => p !== undefined);
  condemned = byOrdinal(condemned, true);

  let firstUnhealthyPod: Pod | undefined;
  for (const p of replicas) if (!isHealthy(p)) firstUnhealthyPod ??= p;
  for (let i = condemned.length - 1; i >= 0; i--) {
    const p = condemned[i];
    if (p !== undefined && !isHealthy(p)) firstUnhealthyPod ??= p;
  }

  // A set being deleted only has its status updated.
  if (set.metadata?.deletionTimestamp !== undefined && set.metadata.deletionTimestamp !== null) return { status };

  const monotonic = !allowsBurst(set);
  const done = (error?: unknown): UpdateResult => {
    recount([replicas, condemned]);
    return error === undefined ? { status } : { status, error: asError(error) };
  };

  const processReplica = async (i: number): Promise<boolean> => {
    const pod = replicas[i];
    if (pod === undefined) return false;
    // Pods that finished are deleted, and made again on a later sync once they are gone.
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!isTerminating(pod)) await ops.deleteStatefulPod(set, pod);
      return true;
    }
    if (!isCreated(pod)) {
      await ops.createStatefulPod(set, pod);
      return monotonic;
    }
    if (isPending(pod)) await ops.createMissingPersistentVolumeClaims(set, pod);
    if (isTerminating(pod) && monotonic) return true;
    if (!isRunningAndReady(pod) && monotonic) return true;
    if (!isRunningAndAvailable(pod, minReadySeconds, nowMs) && monotonic) return true;
    if (identityMatches(set, pod) && storageMatches(set, pod)) return false;
    await ops.updateStatefulPod(updateSet, structuredClone(pod));
    return false;
  };
  try {
    if (await runForAll(replicas.length, processReplica, monotonic)) return done();
  } catch (e: unknown) {
    return done(e);
  }

  // Claims of condemned pods get the owners the retention policy asks for before the pods go.
  const policy = retentionPolicy(set);
  if (policy.whenScaled !== retainPolicy || policy.whenDeleted !== retainPolicy) {
    try {
      for (const pod of condemned) await ops.updatePodClaimForRetentionPolicy(set, pod);
    } catch (e: unknown) {
      return done(e);
    }
  }

  const processCondemned = async (i: number): Promise<boolean> => {
    const pod = condemned[i];
    if (pod === undefined) return false;
    if (isTerminating(pod)) return monotonic;
    if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthyPod) return true;
    if (!isRunningAndAvailable(pod, minReadySeconds, nowMs) && monotonic && pod !== firstUnhealthyPod) return true;
    await ops.deleteStatefulPod(set, pod);
    return monotonic;
  };
  try {
    if (await runForAll(condemned.length, processCondemned, monotonic)) return done();
  } catch (e: unknown) {
    return done(e);
  }
  recount([replicas, condemned]);

  // OnDelete: pods are updated when someone deletes them.
  if (set.spec?.updateStrategy?.type === 'OnDelete') return { status };

  const updateMin = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const pod = replicas[target];
    if (pod === undefined) continue;
    if (getPodRevision(pod) !== updateName && !isTerminating(pod)) {
      try {
        await ops.deleteStatefulPod(set, pod);
      } catch (e: unknown) {
        if (!(e instanceof ApiError && e.code === 404)) return { status, error: asError(e) };
      }
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      return { status };
    }
    // Wait for an unhealthy pod before touching the next.
    if (!isHealthy(pod)) return { status };
  }
  return { status };
}

/** Joins errors as utilerrors.NewAggregate does. */
export function aggregate(errors: readonly (Error | undefined)[]): Error | undefined {
  const errs = errors.filter((e): e is Error => e !== undefined);
  if (errs.length === 0) return undefined;
  return errs.length === 1 ? errs[0] : new AggregatedErrors(errs);
}
