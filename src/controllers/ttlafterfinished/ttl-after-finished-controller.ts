// The TTL-after-finished controller (upstream's pkg/controller/ttlafterfinished): a finished Job with
// spec.ttlSecondsAfterFinished is deleted that many seconds after its Complete or Failed condition, after a fresh read
// confirms the TTL still expired. Upstream deletes with Foreground propagation; k8ts uses Background by default.
import type { Job } from 'kubernetes-types/batch/v1.js';
import { log } from '../../cli/log.js';
import { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { isJobFinished, jobFinishTimeMs } from '../job/job-conditions.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';

export const ttlAfterFinishedControllerName = 'ttl-after-finished-controller';

export interface TtlAfterFinishedOptions {
  now?: () => number;
  propagationPolicy?: 'Background' | 'Foreground';
}

/** needsCleanup and timeLeft: undefined when the Job is not due for cleanup, else ms until it expires (<= 0: now). */
export function ttlTimeLeftMs(job: Job, nowMs: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp !== undefined || !isJobFinished(job)) return undefined;
  const finishAt = jobFinishTimeMs(job);
  if (finishAt === undefined) return undefined;
  return finishAt + ttl * 1000 - nowMs;
}

export function startTtlAfterFinishedController(client: RestClient, opts: TtlAfterFinishedOptions = {}): { stop(): void; waitForSync(): Promise<void> } {
  const now = opts.now ?? Date.now;
  const jobs = new Informer(client, '/apis/batch/v1/jobs');
  const controller = new Controller(ttlAfterFinishedControllerName, (key) => processJob(key), 5);
  const keyOf = (j: Job): string => `${j.metadata?.namespace ?? ''}/${j.metadata?.name ?? ''}`;
  const enqueue = (j: Job): void => {
    if (ttlTimeLeftMs(j, now()) !== undefined) controller.queue.add(keyOf(j));
  };
  jobs.addHandlers({ add: (o) => enqueue(o as Job), update: (_o, n) => enqueue(n as Job) });

  const processJob = async (key: string): Promise<ReconcileResult> => {
    const cached = jobs.get(key) as Job | undefined;
    if (cached === undefined) return;
    const left = ttlTimeLeftMs(cached, now());
    if (left === undefined) return;
    if (left > 0) return { requeueAfterMs: left };
    // The cache may be stale: check the TTL on a fresh read before deleting.
    const [ns = '', name = ''] = key.split('/');
    const path = `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}/jobs/${encodeURIComponent(name)}`;
    let fresh: Job;
    try {
      fresh = await client.request<Job>('GET', path);
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 404) return;
      throw e;
    }
    const freshLeft = ttlTimeLeftMs(fresh, now());
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfterMs: freshLeft };
    log.info('cleaning up job', { controller: ttlAfterFinishedControllerName, job: key });
    try {
      await client.request('DELETE', path, {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: opts.propagationPolicy ?? 'Background',
        preconditions: { uid: fresh.metadata?.uid },
      });
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 404) return;
      throw e;
    }
    return;
  };

  jobs.start();
  const synced = jobs.waitForSync();
  let stopped = false;
  void synced.then(() => {
    if (!stopped) controller.run();
  });
  return {
    stop: () => {
      stopped = true;
      jobs.stop();
      controller.stop();
    },
    waitForSync: () => synced,
  };
}
