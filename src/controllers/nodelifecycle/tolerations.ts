// The taint eviction controller's decisions (pkg/controller/tainteviction): which tolerations a pod uses against a
// node's NoExecute taints, how long the shortest of them lets it stay, and what to do with a scheduled eviction.
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { toleratesTaint } from '../../scheduler/taints.js';

/** GetMatchingTolerations: whether every taint is tolerated, and the first toleration that tolerates each. */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): { allTolerated: boolean; used: Toleration[] } {
  if (taints.length === 0) return { allTolerated: true, used: [] };
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = (tolerations ?? []).find((tol) => toleratesTaint(tol, taint));
    if (t === undefined) return { allTolerated: false, used: [] };
    used.push(t);
  }
  return { allTolerated: true, used };
}

/** getMinTolerationTime: the shortest tolerationSeconds in ms, 0 for none given or any <= 0, -1 when all are forever. */
export function minTolerationTimeMs(tolerations: readonly Toleration[]): number {
  if (tolerations.length === 0) return 0;
  let min = Infinity;
  for (const t of tolerations) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

/** A pending eviction of a pod. */
export interface ScheduledEviction {
  createdAtMs: number;
  fireAtMs: number;
}

/** What processPodOnNode does with a pod on a node with these NoExecute taints. */
export type EvictionPlan =
  /** Cancel any pending eviction (no taints, or tolerated forever). */
  | { kind: 'cancel' }
  /** Keep the pending eviction as it is. */
  | { kind: 'keep' }
  /** Cancel any pending eviction and schedule this one (fireAtMs <= now means at once). */
  | { kind: 'schedule'; eviction: ScheduledEviction };

export function planPodEviction(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined, nowMs: number, pending: ScheduledEviction | undefined): EvictionPlan {
  if (taints.length === 0) return { kind: 'cancel' };
  const { allTolerated, used } = matchingTolerations(taints, tolerations);
  if (!allTolerated) return { kind: 'schedule', eviction: { createdAtMs: nowMs, fireAtMs: nowMs } };
  const min = minTolerationTimeMs(used);
  if (min < 0) return { kind: 'cancel' };
  const triggerMs = nowMs + min;
  if (pending !== undefined) {
    if (pending.createdAtMs + min < triggerMs) return { kind: 'keep' };
    return { kind: 'schedule', eviction: { createdAtMs: pending.createdAtMs, fireAtMs: triggerMs } };
  }
  return { kind: 'schedule', eviction: { createdAtMs: nowMs, fireAtMs: triggerMs } };
}

export function noExecuteTaints(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}
