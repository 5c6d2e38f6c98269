// Pod predicates and the deletion ranking of upstream's controller_utils.go (IsPodActive, IsPodReady,
// IsPodAvailable, ActivePodsWithRanks): which pods count, and which to delete first when scaling down.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';

export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

/** Neither Succeeded nor Failed, and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata?.deletionTimestamp === undefined;
}

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** Ready for at least minReadySeconds at `nowMs`. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const c = podReadyCondition(pod);
  const since = c?.lastTransitionTime === undefined ? NaN : Date.parse(c.lastTransitionTime);
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < nowMs;
}

/** The pod's deletion cost annotation as an int32; absent or invalid is 0. */
export function podDeletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[podDeletionCostAnnotation];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n < -2147483648 || n > 2147483647 ? 0 : n;
}

const phaseOrdinal: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

function ordinal(pod: Pod): number {
  return phaseOrdinal[pod.status?.phase ?? ''] ?? 0;
}

/** Milliseconds of a metav1.Time; 0 for the zero time. */
function timeMs(t: string | undefined): number {
  if (t === undefined) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

function readyTimeMs(pod: Pod): number {
  const c = podReadyCondition(pod);
  return c !== undefined && c.status === 'True' ? timeMs(c.lastTransitionTime) : 0;
}

/** afterOrZero: the zero time sorts first, then the later time. */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

/** The difference of floor(log2(age in nanoseconds)) of two times (LogarithmicScaleDown). */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number): number => {
    const d = (now - t) * 1e6;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return rank(t1) - rank(t2);
}

function maxContainerRestarts(pod: Pod): { regular: number; sidecar: number } {
  let regular = 0;
  let sidecar = 0;
  for (const c of pod.status?.containerStatuses ?? []) regular = Math.max(regular, c.restartCount ?? 0);
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  for (const c of pod.status?.initContainerStatuses ?? []) if (sidecars.has(c.name)) sidecar = Math.max(sidecar, c.restartCount ?? 0);
  return { regular, sidecar };
}

function compareTimes(t1: number, t2: number, uid1: string, uid2: string, now: number): boolean {
  if (now === 0 || t1 === 0 || t2 === 0) return afterOrZero(t1, t2);
  const diff = logarithmicRankDiff(t1, t2, now);
  if (diff === 0) return uid1 < uid2;
  return diff < 0;
}

/**
 * ActivePodsWithRanks.Less: whether pod i should be deleted before pod j. `rankI`/`rankJ` count the related active
 * pods on each pod's node (more co-located first).
 */
export function deleteBefore(pi: Pod, rankI: number, pj: Pod, rankJ: number, nowMs: number): boolean {
  const ni = pi.spec?.nodeName ?? '';
  const nj = pj.spec?.nodeName ?? '';
  // 1. Unassigned < assigned.
  if (ni !== nj && (ni === '' || nj === '')) return ni === '';
  // 2. Pending < Unknown < Running.
  if (ordinal(pi) !== ordinal(pj)) return ordinal(pi) < ordinal(pj);
  // 3. Not ready < ready.
  if (isPodReady(pi) !== isPodReady(pj)) return !isPodReady(pi);
  // 4. Lower pod-deletion-cost < higher.
  const ci = podDeletionCost(pi);
  const cj = podDeletionCost(pj);
  if (ci !== cj) return ci < cj;
  // 5. Doubled up < not doubled up.
  if (rankI !== rankJ) return rankI > rankJ;
  const ui = pi.metadata?.uid ?? '';
  const uj = pj.metadata?.uid ?? '';
  // 6. Ready for a shorter time < longer (in logarithmic buckets).
  if (isPodReady(pi) && isPodReady(pj)) {
    const ri = readyTimeMs(pi);
    const rj = readyTimeMs(pj);
    if (ri !== rj) return compareTimes(ri, rj, ui, uj, nowMs);
  }
  // 7. More container restarts < fewer (regular containers, then sidecars).
  const mi = maxContainerRestarts(pi);
  const mj = maxContainerRestarts(pj);
  if (mi.regular !== mj.regular) return mi.regular > mj.regular;
  if (mi.sidecar !== mj.sidecar) return mi.sidecar > mj.sidecar;
  // 8. Empty creation time < newer < older (in logarithmic buckets).
  const ti = timeMs(pi.metadata?.creationTimestamp);
  const tj = timeMs(pj.metadata?.creationTimestamp);
  if (ti !== tj) return compareTimes(ti, tj, ui, uj, nowMs);
  return false;
}

/**
 * getPodsToDelete: the `diff` pods to delete first out of `filteredPods`, ranked with the number of active
 * `relatedPods` sharing each pod's node.
 */
export function getPodsToDelete(filteredPods: readonly Pod[], relatedPods: readonly Pod[], diff: number, nowMs = Date.now()): Pod[] {
  if (diff >= filteredPods.length) return filteredPods.slice(0, diff);
  const onNode = new Map<string, number>();
  for (const p of relatedPods) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked = filteredPods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => (deleteBefore(a.pod, a.rank, b.pod, b.rank, nowMs) ? -1 : deleteBefore(b.pod, b.rank, a.pod, a.rank, nowMs) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
