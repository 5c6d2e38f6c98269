// The PodDisruptionBudget check of the pods/eviction subresource (upstream's pkg/registry/core/pod/storage/eviction.go),
// as pure functions: whether a pod may be evicted now, and which budget status must be written first.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { ApiError } from '../../machinery/errors.js';
import { updateDisruptionAllowedCondition } from '../../controllers/disruption/disruption-allowed-condition.js';
import { podDisruptionBudgetsForPod } from '../../controllers/disruption/pod-disruption-budgets-for-pod.js';
import { formatTime } from '../../controllers/events/event-correlator.js';
import { isPodReady } from '../../controllers/podcontrol/active-pods.js';

/**
 * MaxDisruptedPodSize: a budget whose status.disruptedPods holds more entries than this (evictions the disruption
 * controller has not yet seen through) refuses further evictions.
 */
export const maxDisruptedPodSize = 2000;

/** policyv1.DisruptionBudgetCause, the reason of the cause a refused eviction carries. */
export const DisruptionBudgetCause = 'DisruptionBudget';

/** policyv1.AlwaysAllow: unhealthy (not Ready) running pods may always be evicted. */
export const AlwaysAllow = 'AlwaysAllow';

const violationMessage = "Cannot evict pod as it would violate the pod's disruption budget.";

/** canIgnorePDB: terminal, pending and terminating pods are deleted without looking at budgets. */
export function canIgnorePDB(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata?.deletionTimestamp !== undefined;
}

/** shouldEnforceResourceVersion: deleting a pod that could become Ready meanwhile is guarded by its resourceVersion. */
export function shouldEnforceResourceVersion(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata?.deletionTimestamp !== undefined);
}

/** createTooManyRequestsError: 429 while a budget's new generation has not been processed (retry after 10 s). */
export function budgetStillProcessingError(pdbName: string): ApiError {
  return new ApiError(429, 'TooManyRequests', violationMessage, {
    causes: [{ reason: DisruptionBudgetCause, message: `The disruption budget ${pdbName} is still being processed by the server.` }],
    retryAfterSeconds: 10,
  });
}

/** The 429 of a budget that allows no disruption now. */
export function budgetViolationError(pdb: PodDisruptionBudget): ApiError {
  const st = pdb.status;
  return new ApiError(429, 'TooManyRequests', violationMessage, {
    causes: [{ reason: DisruptionBudgetCause, message: `The disruption budget ${pdb.metadata?.name ?? ''} needs ${st?.desiredHealthy ?? 0} healthy pods and has ${st?.currentHealthy ?? 0} currently` }],
  });
}

/** The 500 Status (no reason) of a pod covered by more than one budget. */
export function multipleBudgetsError(): ApiError {
  return new ApiError(500, '', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
}

/** errors.NewForbidden(policy.Resource("poddisruptionbudget"), name, err). */
function budgetForbidden(pdbName: string, why: string): ApiError {
  return ApiError.forbidden({ group: 'policy', name: 'poddisruptionbudget' }, pdbName, why);
}

/**
 * checkAndDecrement: the budget with one disruption fewer allowed and the pod recorded in disruptedPods at `nowMs`
 * (the status to write, compare-and-swap on its resourceVersion), or the error refusing the eviction. In a dry run
 * the decrement is checked but the pod is not recorded (and nothing is to be written).
 */
export function checkAndDecrement(pdb: PodDisruptionBudget, podName: string, nowMs: number, dryRun: boolean): PodDisruptionBudget | ApiError {
  const name = pdb.metadata?.name ?? '';
  const st = pdb.status;
  const allowed = st?.disruptionsAllowed ?? 0;
  if ((st?.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) return budgetStillProcessingError(name);
  if (allowed < 0) return budgetForbidden(name, 'pdb disruptions allowed is negative');
  if (Object.keys(st?.disruptedPods ?? {}).length > maxDisruptedPodSize) return budgetForbidden(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0) return budgetViolationError(pdb);
  const next = structuredClone(pdb);
  const status = (next.status ??= { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });
  status.disruptionsAllowed = allowed - 1;
  if (status.disruptionsAllowed === 0) updateDisruptionAllowedCondition(next, nowMs);
  if (!dryRun) status.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: formatTime(nowMs) };
  return next;
}

/** How an eviction the budgets allow goes on. */
export type EvictionCheck =
  /** The pod is terminal, pending or already terminating: delete it, guarded by `resourceVersion` when given. */
  | { outcome: 'ignoreBudgets'; resourceVersion?: string }
  /** No budget covers the pod: delete it. */
  | { outcome: 'noBudget' }
  /**
   * The pod is not Ready and the budget lets it go without counting it (AlwaysAllow, or the budget is satisfied):
   * delete it guarded by `resourceVersion` (it must not have become Ready since); a conflict there is a 429.
   */
  | { outcome: 'unhealthyPod'; pdbName: string; resourceVersion: string }
  /**
   * The budget allows a disruption: write `pdbUpdate` to its status subresource first (compare-and-swap; on a
   * conflict re-read the budget and check again), then delete the pod. No update in a dry run.
   */
  | { outcome: 'budget'; pdbName: string; pdbUpdate?: PodDisruptionBudget }
  /** Refused: respond with this error. */
  | { outcome: 'refused'; error: ApiError };

export interface CheckEvictionOptions {
  dryRun?: boolean;
  /** The resourceVersion precondition of the request's deleteOptions, if it had one. */
  requestResourceVersion?: string;
}

/**
 * Whether the pod may be evicted given the budgets of its namespace (`pdbs`, any of which may not match it), at
 * `nowMs`. One pass of upstream's EvictionREST.Create without its I/O: see evictPodWithBudgets for the retries.
 */
export function checkEviction(pod: Pod, pdbs: readonly PodDisruptionBudget[], nowMs: number, opts: CheckEvictionOptions = {}): EvictionCheck {
  if (canIgnorePDB(pod)) {
    const rv = pod.metadata?.resourceVersion;
    if (shouldEnforceResourceVersion(pod) && opts.requestResourceVersion === undefined && rv !== undefined) return { outcome: 'ignoreBudgets', resourceVersion: rv };
    return { outcome: 'ignoreBudgets' };
  }
  const matching = podDisruptionBudgetsForPod(pod, pdbs);
  if (matching.length > 1) return { outcome: 'refused', error: multipleBudgetsError() };
  const pdb = matching[0];
  if (pdb === undefined) return { outcome: 'noBudget' };
  const pdbName = pdb.metadata?.name ?? '';
  // Readiness is what "healthy" means: an unhealthy pod is not guarded like a healthy one.
  if (!isPodReady(pod)) {
    const resourceVersion = pod.metadata?.resourceVersion ?? '';
    if (pdb.spec?.unhealthyPodEvictionPolicy === AlwaysAllow) return { outcome: 'unhealthyPod', pdbName, resourceVersion };
    // IfHealthyBudget (the default): only while the application is not disrupted.
    const st = pdb.status;
    if ((st?.currentHealthy ?? 0) >= (st?.desiredHealthy ?? 0) && (st?.desiredHealthy ?? 0) > 0) return { outcome: 'unhealthyPod', pdbName, resourceVersion };
    // Otherwise checkAndDecrement confirms that no disruption is allowed.
  }
  const decided = checkAndDecrement(pdb, pod.metadata?.name ?? '', nowMs, opts.dryRun === true);
  if (decided instanceof ApiError) return { outcome: 'refused', error: decided };
  return opts.dryRun === true ? { outcome: 'budget', pdbName } : { outcome: 'budget', pdbName, pdbUpdate: decided };
}
