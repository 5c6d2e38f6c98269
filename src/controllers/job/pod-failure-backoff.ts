// The pod-failure backoff of upstream's backoff_utils.go: failures since the last success delay the creation of
// replacement pods by 10 s, doubling per further failure up to 10 minutes, counted from the last failure.
import type { Pod } from 'kubernetes-types/core/v1.js';

export const defaultJobPodFailureBackOffMs = 10_000;
export const maxJobPodFailureBackOffMs = 10 * 60_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureMs: number | undefined;
}

function ms(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const v = Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
}

/** getFinishedTime: when the pod's containers finished, else when it stopped being ready, else deletion or creation. */
export function getFinishedTime(pod: Pod, nowMs: number): number {
  let latest: number | undefined;
  let allTerminated = true;
  const statuses = pod.status?.containerStatuses ?? [];
  for (const c of statuses) {
    const f = ms(c.state?.terminated?.finishedAt);
    if (f === undefined) {
      allTerminated = false;
      break;
    }
    latest = latest === undefined || f > latest ? f : latest;
  }
  if (allTerminated && latest !== undefined) return latest;
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready' && c.status === 'False');
  const readyFalse = ms(ready?.lastTransitionTime);
  if (readyFalse !== undefined) return readyFalse;
  return ms(pod.metadata?.deletionTimestamp) ?? nowMs;
}

/** newBackoffRecord: the record after these newly finished pods. */
export function nextBackoffRecord(prev: BackoffRecord | undefined, newSucceeded: readonly Pod[], newFailed: readonly Pod[], nowMs: number): BackoffRecord {
  const rec: BackoffRecord = { failuresAfterLastSuccess: prev?.failuresAfterLastSuccess ?? 0, lastFailureMs: prev?.lastFailureMs };
  const failedTimes = newFailed.map((p) => getFinishedTime(p, nowMs)).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return rec;
    rec.failuresAfterLastSuccess += failedTimes.length;
    rec.lastFailureMs = failedTimes[failedTimes.length - 1];
    return rec;
  }
  rec.failuresAfterLastSuccess = 0;
  rec.lastFailureMs = undefined;
  const lastSuccess = Math.max(...newSucceeded.map((p) => getFinishedTime(p, nowMs)));
  for (let i = failedTimes.length - 1; i >= 0; i--) {
    const t = failedTimes[i] ?? 0;
    if (t <= lastSuccess) break;
    rec.lastFailureMs ??= t;
    rec.failuresAfterLastSuccess++;
  }
  return rec;
}

/** getRemainingTime: how long pod creation must still wait (0 when it need not). */
export function remainingBackoffMs(rec: BackoffRecord | undefined, nowMs: number, baseMs = defaultJobPodFailureBackOffMs, maxMs = maxJobPodFailureBackOffMs): number {
  if (rec === undefined || rec.failuresAfterLastSuccess === 0 || rec.lastFailureMs === undefined) return 0;
  let d = baseMs;
  for (let i = 1; i < rec.failuresAfterLastSuccess; i++) {
    d *= 2;
    if (d >= maxMs) {
      d = maxMs;
      break;
    }
  }
  const elapsed = nowMs - rec.lastFailureMs;
  return d < elapsed ? 0 : d - elapsed;
}
