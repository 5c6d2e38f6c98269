// The CronJob controller (upstream's cronjob_controllerv2.go): for each CronJob, the Jobs it owns are reconciled
// against status.active, finished Jobs beyond the history limits are deleted, and when a scheduled time is due a
// Job named after it is created (concurrencyPolicy Allow, Forbid or Replace; startingDeadlineSeconds; suspend); the
// key is then queued again for the next scheduled time.
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { log } from '../../cli/log.js';
import { Informer, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { EventRecorder } from '../events/event-recorder.js';
import { getControllerOf } from '../podcontrol/controller-ref-manager.js';
import { errorMessage, isNamespaceTerminating } from '../podcontrol/pod-control.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import {
  formatSchedule,
  getFinishedStatus,
  getJobFromTemplate,
  getJobName,
  isJobFinished,
  isJobSucceeded,
  jobReference,
  jobsOverHistoryLimit,
  nextScheduleTime,
  nextScheduleTimeDurationMs,
} from './cron-job-utils.js';
import { parseStandard, type CronSchedule } from './cron-schedule.js';
import { isValidTimeZone } from './zoned-time.js';
import { runWithInformers } from '../runtime/run-with-informers.js';

export const cronJobControllerName = 'cronjob-controller';

export interface CronJobControllerOptions {
  /** The clock (epoch ms); tests move it forward to make a schedule due. */
  now?: () => number;
  /**
   * The longest wait before a CronJob is looked at again (ms). Upstream waits exactly until the next scheduled
   * time; a test with a moving clock sets this short so that a schedule it made due is noticed promptly.
   */
  maxRequeueMs?: number;
}

export interface CronJobControllerHandle {
  stop(): void;
  waitForSync(): Promise<void>;
  readonly recorder: EventRecorder;
}

/** Go's time.RFC1123Z of an instant in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
export function formatRfc1123zUtc(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()] ?? ''}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()] ?? ''} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

const cronJobsPath = '/apis/batch/v1/cronjobs';
const jobsPath = '/apis/batch/v1/jobs';

function cronJobPath(ns: string, name: string): string {
  return `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}/cronjobs/${encodeURIComponent(name)}`;
}
function jobPath(ns: string, name = ''): string {
  const base = `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}/jobs`;
  return name === '' ? base : `${base}/${encodeURIComponent(name)}`;
}

function keyOf(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

export function startCronJobController(client: RestClient, opts: CronJobControllerOptions = {}): CronJobControllerHandle {
  const now = opts.now ?? Date.now;
  const cronJobs = new Informer(client, cronJobsPath);
  const jobs = new Informer(client, jobsPath);
  const recorder = new EventRecorder(client, { component: cronJobControllerName });
  const controller = new Controller(cronJobControllerName, (key) => sync(key), 5);
  const involved = (cj: CronJob): CronJob => ({ ...cj, apiVersion: 'batch/v1', kind: 'CronJob' });
  const requeueAfter = (ms: number): number => (opts.maxRequeueMs !== undefined ? Math.min(ms, opts.maxRequeueMs) : ms);

  const resolveControllerRef = (ns: string, ref: OwnerReference): CronJob | undefined => {
    if (ref.kind !== 'CronJob') return undefined;
    const cj = cronJobs.get(`${ns}/${ref.name}`) as CronJob | undefined;
    return cj?.metadata?.uid === ref.uid ? cj : undefined;
  };
  const enqueueOwner = (job: Job): void => {
    const ref = getControllerOf(job);
    if (ref === undefined) return;
    const cj = resolveControllerRef(job.metadata?.namespace ?? '', ref);
    if (cj !== undefined) controller.queue.add(keyOf(cj));
  };

  jobs.addHandlers({
    add: (o) => enqueueOwner(o as Job),
    update: (o, n) => {
      const oldJob = o as Job;
      const curJob = n as Job;
      if (oldJob.metadata?.resourceVersion === curJob.metadata?.resourceVersion) return;
      const oldRef = getControllerOf(oldJob);
      const curRef = getControllerOf(curJob);
      if (oldRef !== undefined && JSON.stringify(oldRef) !== JSON.stringify(curRef ?? null)) enqueueOwner(oldJob);
      enqueueOwner(curJob);
    },
    delete: (o) => enqueueOwner(o as Job),
  });
  cronJobs.addHandlers({
    add: (o) => controller.queue.add(keyOf(o as CronJob)),
    update: (o, n) => {
      const oldCj = o as CronJob;
      const newCj = n as CronJob;
      if (oldCj.spec?.schedule !== newCj.spec?.schedule || oldCj.spec?.timeZone !== newCj.spec?.timeZone) {
        // The schedule changed: look again at its next time.
        let sched: CronSchedule;
        try {
          sched = parseStandard(formatSchedule(newCj, isValidTimeZone));
        } catch (e: unknown) {
          recorder.event(involved(newCj), 'Warning', 'UnParseableCronJobSchedule', 'unparseable schedule for cronjob: %s', newCj.spec?.schedule ?? '');
          return;
        }
        controller.queue.addAfter(keyOf(newCj), requeueAfter(nextScheduleTimeDurationMs(newCj, now(), sched)));
        return;
      }
      controller.queue.add(keyOf(newCj));
    },
    delete: (o) => controller.queue.add(keyOf(o as CronJob)),
  });

  /** getJobsToBeReconciled: the jobs of the namespace whose controller reference names this CronJob. */
  const jobsOf = (cj: CronJob): Job[] => {
    const ns = cj.metadata?.namespace ?? '';
    const out: Job[] = [];
    for (const o of jobs.list()) {
      const j = o as Job;
      if (j.metadata?.namespace !== ns) continue;
      const ref = getControllerOf(j);
      if (ref !== undefined && ref.name === cj.metadata?.name) out.push(j);
    }
    return out;
  };

  const deleteFromActiveList = (cj: CronJob, uid: string | undefined): void => {
    const status = (cj.status ??= {});
    status.active = (status.active ?? []).filter((r) => r.uid !== uid);
  };

  /** deleteJob: deletes the Job (its pods go with it in the background) and its active-list entry. */
  const deleteJob = async (cj: CronJob, job: Job): Promise<boolean> => {
    try {
      await client.request('DELETE', jobPath(job.metadata?.namespace ?? '', job.metadata?.name ?? ''), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
    } catch (e: unknown) {
      recorder.event(involved(cj), 'Warning', 'FailedDelete', 'Deleted job: %v', errorMessage(e));
      log.warn('error deleting job from cronjob', { controller: cronJobControllerName, job: keyOf(job), err: errorMessage(e) });
      return false;
    }
    deleteFromActiveList(cj, job.metadata?.uid);
    recorder.event(involved(cj), 'Normal', 'SuccessfulDelete', 'Deleted job %v', job.metadata?.name ?? '');
    return true;
  };

  /** cleanupFinishedJobs: enforces successfulJobsHistoryLimit and failedJobsHistoryLimit. */
  const cleanupFinishedJobs = async (cj: CronJob, js: readonly Job[]): Promise<boolean> => {
    const succLimit = cj.spec?.successfulJobsHistoryLimit;
    const failLimit = cj.spec?.failedJobsHistoryLimit;
    if (succLimit === undefined && failLimit === undefined) return false;
    let update = false;
    const successful = js.filter((j) => getFinishedStatus(j) === 'Complete');
    const failed = js.filter((j) => getFinishedStatus(j) === 'Failed');
    if (succLimit !== undefined) for (const j of jobsOverHistoryLimit(successful, succLimit)) if (await deleteJob(cj, j)) update = true;
    if (failLimit !== undefined) for (const j of jobsOverHistoryLimit(failed, failLimit)) if (await deleteJob(cj, j)) update = true;
    return update;
  };

  const getCronJob = (ns: string, name: string): Promise<CronJob> => client.request<CronJob>('GET', cronJobPath(ns, name));
  const getJob = (ns: string, name: string): Promise<Job> => client.request<Job>('GET', jobPath(ns, name));

  interface SyncResult {
    requeueMs: number | undefined;
    updateStatus: boolean;
    cronJob: CronJob;
    error?: Error;
  }

  /** syncCronJob: mutates `cronJob` (a copy) and says whether its status must be written and when to look again. */
  const syncCronJob = async (cronJobIn: CronJob, js: readonly Job[]): Promise<SyncResult> => {
    let cronJob = cronJobIn;
    const nowMs = now();
    let updateStatus = false;
    const ns = cronJob.metadata?.namespace ?? '';
    const inActive = (cj: CronJob, uid: string | undefined): boolean => (cj.status?.active ?? []).some((r) => r.uid === uid);
    const children = new Set<string>();
    for (const j of js) {
      const uid = j.metadata?.uid ?? '';
      children.add(uid);
      const found = inActive(cronJob, uid);
      if (!found && !isJobFinished(j)) {
        const fresh = await getCronJob(ns, cronJob.metadata?.name ?? '');
        if (inActive(fresh, uid)) {
          cronJob = structuredClone(fresh);
          continue;
        }
        recorder.event(involved(cronJob), 'Warning', 'UnexpectedJob', 'Saw a job that the controller did not create or forgot: %s', j.metadata?.name ?? '');
      } else if (found && isJobFinished(j)) {
        deleteFromActiveList(cronJob, uid);
        recorder.event(involved(cronJob), 'Normal', 'SawCompletedJob', 'Saw completed job: %s, status: %v', j.metadata?.name ?? '', getFinishedStatus(j) ?? '');
        updateStatus = true;
      } else if (isJobSucceeded(j)) {
        // A job need not be in the active list for its completion time to count.
        const completion = j.status?.completionTime;
        const status = (cronJob.status ??= {});
        if (status.lastSuccessfulTime === undefined && completion !== undefined) {
          status.lastSuccessfulTime = completion;
          updateStatus = true;
        }
        if (completion !== undefined && status.lastSuccessfulTime !== undefined && Date.parse(completion) > Date.parse(status.lastSuccessfulTime)) {
          status.lastSuccessfulTime = completion;
          updateStatus = true;
        }
      }
    }
    // Active entries whose Job is gone (checked against the API, the cache may be late).
    for (const ref of [...(cronJob.status?.active ?? [])]) {
      if (children.has(ref.uid ?? '')) continue;
      try {
        await getJob(ref.namespace ?? ns, ref.name ?? '');
      } catch (e: unknown) {
        if (e instanceof ApiError && e.code === 404) {
          recorder.event(involved(cronJob), 'Normal', 'MissingJob', 'Active job went missing: %v', ref.name ?? '');
          deleteFromActiveList(cronJob, ref.uid);
          updateStatus = true;
          continue;
        }
        return { requeueMs: undefined, updateStatus, cronJob, error: e instanceof Error ? e : new Error(String(e)) };
      }
    }
    if (cronJob.metadata?.deletionTimestamp !== undefined) return { requeueMs: undefined, updateStatus, cronJob };

    const tz = cronJob.spec?.timeZone;
    if (tz !== undefined && tz !== null && tz !== '' && tz !== 'Local' && tz !== 'UTC' && !isValidTimeZone(tz)) {
      recorder.event(involved(cronJob), 'Warning', 'UnknownTimeZone', 'invalid timeZone: %q: %s', tz, `unknown time zone ${tz}`);
      return { requeueMs: undefined, updateStatus, cronJob };
    }
    if (cronJob.spec?.suspend === true) return { requeueMs: undefined, updateStatus, cronJob };

    const schedule = cronJob.spec?.schedule ?? '';
    if (schedule.includes('TZ')) {
      recorder.event(
        involved(cronJob),
        'Warning',
        'UnsupportedSchedule',
        'CRON_TZ or TZ used in schedule %q is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details',
        schedule,
      );
    }
    let sched: CronSchedule;
    try {
      sched = parseStandard(formatSchedule(cronJob, isValidTimeZone));
    } catch (e: unknown) {
      recorder.event(involved(cronJob), 'Warning', 'UnparseableSchedule', 'unparseable schedule: %q : %s', schedule, errorMessage(e));
      return { requeueMs: undefined, updateStatus, cronJob };
    }
    let scheduledMs: number | undefined;
    try {
      const r = nextScheduleTime(cronJob, nowMs, sched);
      scheduledMs = r.scheduledMs;
      if (r.tooManyMissed) {
        recorder.event(involved(cronJob), 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
        log.info('too many missed times', { controller: cronJobControllerName, cronjob: keyOf(cronJob) });
      }
    } catch (e: unknown) {
      recorder.event(involved(cronJob), 'Warning', 'InvalidSchedule', 'invalid schedule: %s : %s', schedule, errorMessage(e));
      return { requeueMs: undefined, updateStatus, cronJob };
    }
    const next = (): number => nextScheduleTimeDurationMs(cronJob, nowMs, sched);
    if (scheduledMs === undefined) return { requeueMs: next(), updateStatus, cronJob };

    const deadline = cronJob.spec?.startingDeadlineSeconds;
    if (deadline !== undefined && scheduledMs + deadline * 1000 < nowMs) {
      recorder.event(involved(cronJob), 'Warning', 'MissSchedule', 'Missed scheduled time to start a job: %s', formatRfc1123zUtc(scheduledMs));
      return { requeueMs: next(), updateStatus, cronJob };
    }
    const jobName = getJobName(cronJob.metadata?.name ?? '', scheduledMs);
    const lastSchedule = cronJob.status?.lastScheduleTime;
    if ((cronJob.status?.active ?? []).some((r) => r.name === jobName && (r.namespace ?? ns) === ns) || (lastSchedule !== undefined && Date.parse(lastSchedule) === scheduledMs)) {
      return { requeueMs: next(), updateStatus, cronJob };
    }
    const policy = cronJob.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && (cronJob.status?.active ?? []).length > 0) {
      recorder.event(involved(cronJob), 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return { requeueMs: next(), updateStatus, cronJob };
    }
    if (policy === 'Replace') {
      for (const ref of [...(cronJob.status?.active ?? [])]) {
        let job: Job;
        try {
          job = await getJob(ref.namespace ?? ns, ref.name ?? '');
        } catch (e: unknown) {
          recorder.event(involved(cronJob), 'Warning', 'FailedGet', 'Get job: %v', errorMessage(e));
          return { requeueMs: undefined, updateStatus, cronJob, error: e instanceof Error ? e : new Error(String(e)) };
        }
        if (!(await deleteJob(cronJob, job))) {
          return { requeueMs: undefined, updateStatus, cronJob, error: new Error(`could not replace job ${job.metadata?.namespace ?? ''}/${job.metadata?.name ?? ''}`) };
        }
        updateStatus = true;
      }
    }

    const jobReq = getJobFromTemplate(cronJob, scheduledMs);
    let jobResp: Job;
    let alreadyExists = false;
    try {
      jobResp = await client.request<Job>('POST', jobPath(ns), jobReq);
    } catch (e: unknown) {
      if (isNamespaceTerminating(e)) return { requeueMs: undefined, updateStatus, cronJob, error: e instanceof Error ? e : new Error(String(e)) };
      if (e instanceof ApiError && e.code === 409) {
        // Created before (by us, before a status write was lost, or by someone else).
        alreadyExists = true;
        try {
          jobResp = await getJob(ns, jobReq.metadata?.name ?? '');
        } catch (e2: unknown) {
          return { requeueMs: undefined, updateStatus, cronJob, error: e2 instanceof Error ? e2 : new Error(String(e2)) };
        }
        const ref = getControllerOf(jobResp);
        if (ref === undefined || ref.uid !== cronJob.metadata?.uid) return { requeueMs: undefined, updateStatus, cronJob };
        if (inActive(cronJob, jobResp.metadata?.uid)) return { requeueMs: undefined, updateStatus, cronJob };
      } else {
        recorder.event(involved(cronJob), 'Warning', 'FailedCreate', 'Error creating job: %v', errorMessage(e));
        return { requeueMs: undefined, updateStatus, cronJob, error: e instanceof Error ? e : new Error(String(e)) };
      }
    }
    if (alreadyExists) log.info('job already exists', { controller: cronJobControllerName, cronjob: keyOf(cronJob), job: jobReq.metadata?.name });
    else recorder.event(involved(cronJob), 'Normal', 'SuccessfulCreate', 'Created job %v', jobResp.metadata?.name ?? '');
    const status = (cronJob.status ??= {});
    status.active = [...(status.active ?? []), jobReference(jobResp)];
    status.lastScheduleTime = new Date(scheduledMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { requeueMs: next(), updateStatus: true, cronJob };
  };

  const sync = async (key: string): Promise<ReconcileResult> => {
    const o = cronJobs.get(key);
    if (o === undefined) return;
    const cronJob = structuredClone(o) as CronJob;
    const js = jobsOf(cronJob);
    const cleanupUpdate = await cleanupFinishedJobs(cronJob, js);
    const r = await syncCronJob(cronJob, js);
    if (r.error !== undefined) log.info('error reconciling cronjob', { controller: cronJobControllerName, cronjob: key, err: r.error.message });
    if (cleanupUpdate || r.updateStatus) {
      const body = { ...r.cronJob, apiVersion: 'batch/v1', kind: 'CronJob' };
      await client.request<Obj>('PUT', `${cronJobPath(r.cronJob.metadata?.namespace ?? '', r.cronJob.metadata?.name ?? '')}/status`, body);
    }
    if (r.requeueMs !== undefined) return { requeueAfterMs: Math.max(1, requeueAfter(r.requeueMs)) };
    if (r.error !== undefined) throw r.error;
    return;
  };

  return { ...runWithInformers(controller, [jobs, cronJobs], recorder), recorder };
}
