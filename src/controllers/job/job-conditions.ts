// Job conditions as upstream's job controller sets them: newCondition, ensureJobConditionStatus, and the
// reasons and messages of the terminal conditions.
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';

export const reasonBackoffLimitExceeded = 'BackoffLimitExceeded';
export const messageBackoffLimitExceeded = 'Job has reached the specified backoff limit';
export const reasonDeadlineExceeded = 'DeadlineExceeded';
export const messageDeadlineExceeded = 'Job was active longer than specified deadline';
export const reasonCompletionsReached = 'CompletionsReached';
export const messageCompletionsReached = 'Reached expected number of succeeded pods';

/** metav1.Time of an instant: RFC 3339, whole seconds. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function newCondition(type: string, status: 'True' | 'False', reason: string, message: string, nowMs: number): JobCondition {
  const t = metaTime(nowMs);
  return { type, status, reason, message, lastProbeTime: t, lastTransitionTime: t };
}

export function findCondition(conditions: readonly JobCondition[] | undefined, type: string): JobCondition | undefined {
  return (conditions ?? []).find((c) => c.type === type);
}

/**
 * ensureJobConditionStatus: replaces the condition when its status, reason or message differ (new probe and
 * transition times); a False condition is only written over an existing one. Returns the list and whether it changed.
 */
export function ensureJobConditionStatus(list: readonly JobCondition[] | undefined, type: string, status: 'True' | 'False', reason: string, message: string, nowMs: number): { conditions: JobCondition[]; updated: boolean } {
  const conditions = [...(list ?? [])];
  const i = conditions.findIndex((c) => c.type === type);
  const c = i >= 0 ? conditions[i] : undefined;
  if (c !== undefined) {
    if (c.status !== status || c.reason !== reason || c.message !== message) {
      conditions[i] = newCondition(type, status, reason, message, nowMs);
      return { conditions, updated: true };
    }
    return { conditions, updated: false };
  }
  // A False condition is not added when there is none.
  if (status === 'False') return { conditions, updated: false };
  conditions.push(newCondition(type, status, reason, message, nowMs));
  return { conditions, updated: true };
}

/** IsJobFinished: Complete or Failed with status True. */
export function isJobFinished(job: Job): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** The time a finished Job finished: its Complete or Failed condition's transition time. */
export function jobFinishTimeMs(job: Job): number | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') {
      const t = c.lastTransitionTime === undefined ? NaN : Date.parse(c.lastTransitionTime);
      return Number.isNaN(t) ? undefined : t;
    }
  }
  return undefined;
}
