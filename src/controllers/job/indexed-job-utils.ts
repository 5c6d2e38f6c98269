// Completion indexes of Indexed Jobs (upstream's indexed_job_utils.go): the completion-index annotation of a pod,
// the compressed interval form of status.completedIndexes ("0-2,4"), and the lowest indexes still to run.
import type { Pod } from 'kubernetes-types/core/v1.js';

export const jobCompletionIndexAnnotation = 'batch.kubernetes.io/job-completion-index';
export const unknownCompletionIndex = -1;

/** getCompletionIndex: the pod's index from its annotation, or -1 when absent or not a non-negative integer. */
export function getCompletionIndex(annotations: Readonly<Record<string, string>> | undefined): number {
  const v = annotations?.[jobCompletionIndexAnnotation];
  if (v === undefined || !/^\+?\d+$/.test(v)) return unknownCompletionIndex;
  const n = Number(v);
  return Number.isSafeInteger(n) && n <= 2147483647 ? n : unknownCompletionIndex;
}

/** A sorted, disjoint list of inclusive [first, last] intervals. */
export type OrderedIntervals = readonly (readonly [number, number])[];

/** parseIndexesFromString: the intervals of "1,3-5", dropping indexes at or above `completions` and bad parts. */
export function parseIndexes(s: string | undefined, completions: number): OrderedIntervals {
  const out: [number, number][] = [];
  if (s === undefined || s === '') return out;
  for (const part of s.split(',')) {
    const limits = part.split('-');
    const first = Number(limits[0]);
    if (limits[0] === '' || !Number.isInteger(first) || first >= completions) continue;
    let last = first;
    if (limits.length > 1) {
      last = Number(limits[1]);
      if (limits[1] === '' || !Number.isInteger(last)) continue;
      if (last >= completions) last = completions - 1;
    }
    const prev = out[out.length - 1];
    if (prev !== undefined && prev[1] + 1 >= first) prev[1] = Math.max(prev[1], last);
    else out.push([first, last]);
  }
  return out;
}

/** The string form: "0-2,4,6-7" (two adjacent indexes print as a range). */
export function formatIndexes(iv: OrderedIntervals): string {
  return iv.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(',');
}

export function totalIndexes(iv: OrderedIntervals): number {
  return iv.reduce((n, [a, b]) => n + b - a + 1, 0);
}

export function hasIndex(iv: OrderedIntervals, ix: number): boolean {
  return iv.some(([a, b]) => a <= ix && ix <= b);
}

/** withOrderedIndexes: the intervals with these indexes added. */
export function withIndexes(iv: OrderedIntervals, indexes: readonly number[]): OrderedIntervals {
  const all = [...iv.map(([a, b]) => [a, b] as [number, number]), ...indexes.map((i) => [i, i] as [number, number])];
  all.sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of all) {
    const prev = out[out.length - 1];
    if (prev !== undefined && prev[1] + 1 >= a) prev[1] = Math.max(prev[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** firstPendingIndexes: up to `count` lowest indexes below `completions` neither succeeded nor held by an active pod. */
export function firstPendingIndexes(activePods: readonly Pod[], succeeded: OrderedIntervals, count: number, completions: number): number[] {
  if (count === 0) return [];
  const active = new Set<number>();
  for (const p of activePods) {
    const ix = getCompletionIndex(p.metadata?.annotations);
    if (ix !== unknownCompletionIndex) active.add(ix);
  }
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) {
    if (!active.has(i) && !hasIndex(succeeded, i)) out.push(i);
  }
  return out;
}

/**
 * appendDuplicatedIndexPodsForRemoval: the active pods to remove because their index is unknown, out of range,
 * already succeeded, or held by another active pod (one pod per index is kept).
 */
export function indexedPodsForRemoval(activePods: readonly Pod[], succeeded: OrderedIntervals, completions: number): Pod[] {
  const seen = new Set<number>();
  const out: Pod[] = [];
  const sorted = [...activePods].sort((a, b) => getCompletionIndex(a.metadata?.annotations) - getCompletionIndex(b.metadata?.annotations));
  for (const p of sorted) {
    const ix = getCompletionIndex(p.metadata?.annotations);
    if (ix === unknownCompletionIndex || ix >= completions || hasIndex(succeeded, ix) || seen.has(ix)) out.push(p);
    else seen.add(ix);
  }
  return out;
}

/** podGenerateNameWithIndex: `<job>-<index>-`, the job name cut so that the prefix stays within 58 characters. */
export function podGenerateNameWithIndex(jobName: string, index: number): string {
  const appendIndex = `-${index}-`;
  const maxGeneratedNameLength = 63 - 5;
  let name = jobName;
  if (name.length + appendIndex.length > maxGeneratedNameLength) name = name.slice(0, maxGeneratedNameLength - appendIndex.length);
  return name + appendIndex;
}
