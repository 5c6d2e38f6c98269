// A DisruptionTarget condition is stale when it says True but the pod was never deleted (an eviction or preemption
// that did not go through): after stalePodDisruptionTimeout the disruption controller sets it to False, as upstream's
// nonTerminatingPodHasStaleDisruptionCondition and syncStalePodDisruption.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DisruptionTargetCondition, updatePodCondition } from './update-pod-condition.js';

export const stalePodDisruptionTimeoutMs = 2 * 60 * 1000;
/** The reason the kubelet gives its own DisruptionTarget conditions: they are never stale. */
export const PodReasonTerminationByKubelet = 'TerminationByKubelet';

/**
 * For a pod not being deleted with a True DisruptionTarget condition (not the kubelet's, not on a terminal pod): how
 * long until it counts as stale (0: it does now). Undefined for any other pod.
 */
export function staleDisruptionConditionWait(pod: Pod, nowMs: number, timeoutMs = stalePodDisruptionTimeoutMs): number | undefined {
  if (pod.metadata?.deletionTimestamp !== undefined) return undefined;
  const cond = (pod.status?.conditions ?? []).find((c) => c.type === DisruptionTargetCondition);
  const phase = pod.status?.phase;
  if (cond === undefined || cond.status !== 'True' || cond.reason === PodReasonTerminationByKubelet || phase === 'Succeeded' || phase === 'Failed') return undefined;
  const since = cond.lastTransitionTime === undefined ? NaN : Date.parse(cond.lastTransitionTime);
  const elapsed = Number.isNaN(since) ? nowMs : nowMs - since;
  return Math.max(0, timeoutMs - elapsed);
}

/** The pod with its DisruptionTarget condition set to False, or undefined when that changes nothing. */
export function clearedDisruptionTarget(pod: Pod, nowMs: number): Pod | undefined {
  const next = structuredClone(pod);
  return updatePodCondition(next, { type: DisruptionTargetCondition, status: 'False' }, nowMs) ? next : undefined;
}
