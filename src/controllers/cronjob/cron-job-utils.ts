// The pure parts of upstream's pkg/controller/cronjob/utils.go: which scheduled time is due, when to look again,
// the Job made for a scheduled time (named `<cronjob>-<minutes since the epoch>`), and job bookkeeping.
import type { CronJob, Job, JobTemplateSpec } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { CronSchedule } from './cron-schedule.js';
import { formatRfc3339InZone, localTimeZone } from './zoned-time.js';

/** batch.kubernetes.io/cronjob-scheduled-timestamp (CronJobsScheduledAnnotation, on in 1.32). */
export const cronJobScheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** The padding added to every requeue, for clock skew (nextScheduleDelta). */
export const nextScheduleDeltaMs = 100;

export type MissedSchedules = 'none' | 'few' | 'many';

function timeMs(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface MostRecentSchedule {
  /** The last schedule time or the creation time (moved up to the starting deadline when asked). */
  earliestMs: number;
  /** The most recent time a Job should have been created, or undefined when that is after now. */
  mostRecentMs: number | undefined;
  missed: MissedSchedules;
}

/**
 * mostRecentScheduleTime. Throws "time difference between two schedules is less than 1 second" for a schedule that
 * parses but never really fires (such as 31 February).
 */
export function mostRecentScheduleTime(cj: CronJob, nowMs: number, schedule: CronSchedule, includeStartingDeadlineSeconds: boolean): MostRecentSchedule {
  let earliestMs = timeMs(cj.status?.lastScheduleTime) ?? timeMs(cj.metadata?.creationTimestamp) ?? 0;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadlineSeconds && deadline !== undefined) {
    const schedulingDeadline = nowMs - deadline * 1000;
    if (schedulingDeadline > earliestMs) earliestMs = schedulingDeadline;
  }
  const t1 = schedule.next(earliestMs);
  if (t1 === undefined || nowMs < t1) return { earliestMs, mostRecentMs: undefined, missed: 'none' };
  const t2 = schedule.next(t1);
  if (t2 === undefined || nowMs < t2) return { earliestMs, mostRecentMs: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) throw new Error('time difference between two schedules is less than 1 second');
  const elapsed = Math.trunc((nowMs - t1) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  let mostRecentMs: number | undefined;
  const potentialEarliest = t1 + (missedCount - 1 - 1) * between * 1000;
  for (let t = schedule.next(potentialEarliest); t !== undefined && t <= nowMs; t = schedule.next(t)) mostRecentMs = t;
  const missed: MissedSchedules = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliestMs, mostRecentMs, missed };
}

/** nextScheduleTimeDuration: how long until the next schedule (plus 100 ms), in milliseconds. */
export function nextScheduleTimeDurationMs(cj: CronJob, nowMs: number, schedule: CronSchedule): number {
  let from: number;
  try {
    const r = mostRecentScheduleTime(cj, nowMs, schedule, false);
    from = r.mostRecentMs ?? (r.missed === 'none' ? r.earliestMs : nowMs);
  } catch {
    from = nowMs;
  }
  const next = schedule.next(from);
  // A schedule that never fires again: look again in a day rather than never.
  if (next === undefined) return 24 * 3_600_000;
  return next + nextScheduleDeltaMs - nowMs;
}

/** nextScheduleTime: the scheduled time that is due now, if any (with the starting deadline applied). */
export function nextScheduleTime(cj: CronJob, nowMs: number, schedule: CronSchedule): { scheduledMs: number | undefined; tooManyMissed: boolean } {
  const r = mostRecentScheduleTime(cj, nowMs, schedule, true);
  if (r.mostRecentMs === undefined || r.mostRecentMs > nowMs) return { scheduledMs: undefined, tooManyMissed: false };
  return { scheduledMs: r.mostRecentMs, tooManyMissed: r.missed === 'many' };
}

/** getJobName: `<cronjob>-<scheduled time in minutes since the epoch>`. */
export function getJobName(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(Math.floor(scheduledMs / 1000) / 60)}`;
}

/** formatSchedule: the schedule with the time zone as a TZ= prefix (a TZ in the schedule itself is kept as is). */
export function formatSchedule(cj: CronJob, isValidZone: (zone: string) => boolean): string {
  const schedule = cj.spec?.schedule ?? '';
  if (schedule.includes('TZ')) return schedule;
  const tz = cj.spec?.timeZone;
  if (tz !== undefined && tz !== null) {
    if (!isValidZone(tz)) return schedule;
    return `TZ=${tz} ${schedule}`;
  }
  return schedule;
}

/** getJobFromTemplate2: the Job to create for a scheduled time, owned by the CronJob. */
export function getJobFromTemplate(cj: CronJob, scheduledMs: number): Job {
  const template: JobTemplateSpec = cj.spec?.jobTemplate ?? {};
  const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}) };
  const annotations: Record<string, string> = { ...(template.metadata?.annotations ?? {}) };
  const tz = cj.spec?.timeZone;
  const zone = tz === undefined || tz === null || tz === '' || tz === 'Local' ? (tz === '' ? 'UTC' : localTimeZone()) : tz;
  annotations[cronJobScheduledTimestampAnnotation] = formatRfc3339InZone(scheduledMs, zone);
  const ownerRef: OwnerReference = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    name: cj.metadata?.name ?? '',
    uid: cj.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: getJobName(cj.metadata?.name ?? '', scheduledMs), labels, annotations, ownerReferences: [ownerRef] },
  };
  if (template.spec !== undefined) (job as { spec?: Job['spec'] }).spec = structuredClone(template.spec);
  return job;
}

/** The finished condition of a Job: Complete or Failed with status True. */
export function getFinishedStatus(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

export function isJobFinished(job: Job): boolean {
  return getFinishedStatus(job) !== undefined;
}

export function isJobSucceeded(job: Job): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True');
}

/** byJobStartTime: jobs with a start time first, earlier first, names breaking ties. */
export function compareByJobStartTime(a: Job, b: Job): number {
  const sa = timeMs(a.status?.startTime);
  const sb = timeMs(b.status?.startTime);
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa === sb) return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0;
  return (sa ?? 0) - (sb ?? 0);
}

/** The finished jobs to delete so that at most `limit` of each kind remain, oldest first. */
export function jobsOverHistoryLimit(jobs: readonly Job[], limit: number): Job[] {
  const n = jobs.length - limit;
  if (n <= 0) return [];
  return [...jobs].sort(compareByJobStartTime).slice(0, n);
}

/** ref.GetReference of a Job, as status.active holds it. */
export function jobReference(job: Job): ObjectReference {
  const ref: ObjectReference = { kind: 'Job', apiVersion: 'batch/v1' };
  const m = job.metadata ?? {};
  if (m.namespace !== undefined) ref.namespace = m.namespace;
  if (m.name !== undefined) ref.name = m.name;
  if (m.uid !== undefined) ref.uid = m.uid;
  if (m.resourceVersion !== undefined) ref.resourceVersion = m.resourceVersion;
  return ref;
}
