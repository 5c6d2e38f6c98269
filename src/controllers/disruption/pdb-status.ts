// The status the disruption controller computes for a PodDisruptionBudget (upstream's countHealthyPods,
// buildDisruptedPodMap, updatePdbStatus and failSafe), as pure functions of the budget, its pods and the time.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { isPodReady } from '../podcontrol/active-pods.js';
import { DisruptionAllowedCondition, conditionsAreUpToDate, setStatusCondition, SyncFailedReason, updateDisruptionAllowedCondition } from './disruption-allowed-condition.js';

/**
 * DeletionTimeout: how long after the eviction subresource recorded a pod in status.disruptedPods the pod is expected
 * to be seen being deleted. Until then it does not count as healthy; after that the entry is dropped.
 */
export const deletionTimeoutMs = 2 * 60 * 1000;

export type DisruptedPods = Record<string, string>;

const timeOf = (t: string): number => {
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
};

/** Ready pods that are neither being deleted nor recently disrupted (evicted and not yet seen deleting). */
export function countHealthyPods(pods: readonly Pod[], disruptedPods: DisruptedPods, nowMs: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp !== undefined) continue;
    const disrupted = disruptedPods[pod.metadata?.name ?? ''];
    if (disrupted !== undefined && timeOf(disrupted) + deletionTimeoutMs > nowMs) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

export interface DisruptedPodMap {
  disruptedPods: DisruptedPods;
  /** When the earliest kept entry expires: the budget is to be synced again then. */
  recheckAtMs?: number;
  /** Pods whose entry expired without them being deleted (upstream records a NotDeleted event for each). */
  notDeleted: Pod[];
}

/**
 * The disruptedPods to keep: entries of selected pods that are not yet being deleted and whose timeout has not passed.
 * Entries of pods that are gone or already being deleted are dropped, as are expired ones.
 */
export function buildDisruptedPodMap(pods: readonly Pod[], pdb: PodDisruptionBudget, nowMs: number): DisruptedPodMap {
  const previous = pdb.status?.disruptedPods;
  const result: DisruptedPodMap = { disruptedPods: {}, notDeleted: [] };
  if (previous === undefined) return result;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp !== undefined) continue;
    const name = pod.metadata?.name ?? '';
    const disruptionTime = Object.prototype.hasOwnProperty.call(previous, name) ? previous[name] : undefined;
    if (disruptionTime === undefined) continue;
    const expectedDeletion = timeOf(disruptionTime) + deletionTimeoutMs;
    if (expectedDeletion < nowMs) {
      result.notDeleted.push(pod);
    } else {
      if (result.recheckAtMs === undefined || expectedDeletion < result.recheckAtMs) result.recheckAtMs = expectedDeletion;
      result.disruptedPods[name] = disruptionTime;
    }
  }
  return result;
}

export interface PdbCounts {
  currentHealthy: number;
  desiredHealthy: number;
  expectedCount: number;
  disruptedPods: DisruptedPods;
}

function sameDisruptedPods(a: DisruptedPods | undefined, b: DisruptedPods): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && timeOf(a?.[k] ?? '') === timeOf(b[k] ?? ''));
}

/**
 * updatePdbStatus: the budget with its new status, or undefined when the status already says all this. Disruptions
 * are allowed only while pods are expected (a budget that matches no pods yet is safe when its first pods appear).
 */
export function computePdbStatus(pdb: PodDisruptionBudget, counts: PdbCounts, nowMs: number): PodDisruptionBudget | undefined {
  const { currentHealthy, desiredHealthy, expectedCount, disruptedPods } = counts;
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const st = pdb.status;
  const generation = pdb.metadata?.generation ?? 0;
  if (
    st !== undefined &&
    st.currentHealthy === currentHealthy &&
    st.desiredHealthy === desiredHealthy &&
    st.expectedPods === expectedCount &&
    st.disruptionsAllowed === disruptionsAllowed &&
    sameDisruptedPods(st.disruptedPods, disruptedPods) &&
    (st.observedGeneration ?? 0) === generation &&
    conditionsAreUpToDate(pdb)
  ) {
    return undefined;
  }
  const next = structuredClone(pdb);
  // Field order as the Go struct serializes.
  const status: PodDisruptionBudgetStatus = { disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods: expectedCount };
  const ordered: PodDisruptionBudgetStatus = {
    ...(generation !== 0 ? { observedGeneration: generation } : {}),
    ...(Object.keys(disruptedPods).length > 0 ? { disruptedPods: { ...disruptedPods } } : {}),
    ...status,
    ...(next.status?.conditions !== undefined ? { conditions: next.status.conditions } : {}),
  };
  next.status = ordered;
  updateDisruptionAllowedCondition(next, nowMs);
  return next;
}

/**
 * failSafe: when the status cannot be computed, at least allow no disruptions, with a False DisruptionAllowed
 * condition of reason SyncFailed carrying the error.
 */
export function failSafePdb(pdb: PodDisruptionBudget, err: Error, nowMs: number): PodDisruptionBudget {
  const next = structuredClone(pdb);
  const status = (next.status ??= { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });
  status.disruptionsAllowed = 0;
  const conditions = (status.conditions ??= []);
  setStatusCondition(conditions, { type: DisruptionAllowedCondition, status: 'False', reason: SyncFailedReason, message: err.message, observedGeneration: status.observedGeneration ?? 0 }, nowMs);
  return next;
}
