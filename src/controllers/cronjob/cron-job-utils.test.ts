import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { parseStandard } from './cron-schedule.js';
import { formatSchedule, getJobFromTemplate, getJobName, jobsOverHistoryLimit, mostRecentScheduleTime, nextScheduleTime, nextScheduleTimeDurationMs } from './cron-job-utils.js';
import { formatRfc1123zUtc } from './cron-job-controller.js';

function cronJob(created: string, extra: { lastScheduleTime?: string; startingDeadlineSeconds?: number; timeZone?: string; schedule?: string } = {}): CronJob {
  const cj: CronJob = {
    metadata: { name: 'tick', namespace: 'default', uid: 'u1', creationTimestamp: created },
    spec: { schedule: extra.schedule ?? '*/1 * * * *', jobTemplate: { metadata: { labels: { a: 'b' } }, spec: { template: {} } } },
  };
  if (extra.startingDeadlineSeconds !== undefined) cj.spec!.startingDeadlineSeconds = extra.startingDeadlineSeconds;
  if (extra.timeZone !== undefined) cj.spec!.timeZone = extra.timeZone;
  if (extra.lastScheduleTime !== undefined) cj.status = { lastScheduleTime: extra.lastScheduleTime };
  return cj;
}

const everyMinute = parseStandard('TZ=UTC */1 * * * *');

describe('CronJob schedule bookkeeping', () => {
  test('the most recent due time is the last minute boundary since creation, with a few missed', () => {
    const r = mostRecentScheduleTime(cronJob('2024-05-01T10:00:30Z'), Date.parse('2024-05-01T10:05:10Z'), everyMinute, false);
    assert.equal(new Date(r.mostRecentMs ?? 0).toISOString(), '2024-05-01T10:05:00.000Z');
    assert.equal(r.missed, 'few');
  });

  test('nothing is due before the first scheduled time', () => {
    const cj = cronJob('2024-05-01T10:00:30Z');
    assert.equal(nextScheduleTime(cj, Date.parse('2024-05-01T10:00:50Z'), everyMinute).scheduledMs, undefined);
    // The next look is at 10:01:00 plus 100 ms.
    assert.equal(nextScheduleTimeDurationMs(cj, Date.parse('2024-05-01T10:00:50Z'), everyMinute), 10_100);
  });

  test('exactly one scheduled time since the last schedule is due without misses', () => {
    const cj = cronJob('2024-05-01T09:00:00Z', { lastScheduleTime: '2024-05-01T10:04:00Z' });
    const r = mostRecentScheduleTime(cj, Date.parse('2024-05-01T10:05:10Z'), everyMinute, true);
    assert.equal(new Date(r.mostRecentMs ?? 0).toISOString(), '2024-05-01T10:05:00.000Z');
    assert.equal(r.missed, 'none');
  });

  test('more than 100 missed times are reported as many, and startingDeadlineSeconds bounds the search', () => {
    const cj = cronJob('2024-05-01T00:00:00Z');
    const now = Date.parse('2024-05-01T05:00:30Z');
    assert.equal(nextScheduleTime(cj, now, everyMinute).tooManyMissed, true);
    cj.spec!.startingDeadlineSeconds = 200;
    const r = nextScheduleTime(cj, now, everyMinute);
    assert.equal(r.tooManyMissed, false);
    assert.equal(new Date(r.scheduledMs ?? 0).toISOString(), '2024-05-01T05:00:00.000Z');
  });

  test('a schedule that parses but cannot fire twice is an error', () => {
    const cj = cronJob('2020-01-01T00:00:00Z');
    assert.throws(() => mostRecentScheduleTime(cj, Date.parse('2029-01-01T00:00:00Z'), { next: (t) => (t < Date.parse('2021-01-01T00:00:00Z') ? Date.parse('2021-01-01T00:00:00Z') : t) }, false), {
      message: 'time difference between two schedules is less than 1 second',
    });
  });

  test('job names carry the scheduled time in minutes since the epoch', () => {
    assert.equal(getJobName('tick', Date.parse('2024-01-01T00:00:00Z')), 'tick-28401120');
  });

  test('the time zone becomes a TZ prefix unless the schedule names one itself', () => {
    const valid = (z: string): boolean => z !== 'Mars/Base';
    assert.equal(formatSchedule(cronJob('2024-01-01T00:00:00Z', { timeZone: 'Europe/Berlin' }), valid), 'TZ=Europe/Berlin */1 * * * *');
    assert.equal(formatSchedule(cronJob('2024-01-01T00:00:00Z', { timeZone: 'Mars/Base' }), valid), '*/1 * * * *');
    assert.equal(formatSchedule(cronJob('2024-01-01T00:00:00Z', { schedule: 'TZ=UTC 0 * * * *', timeZone: 'Europe/Berlin' }), valid), 'TZ=UTC 0 * * * *');
  });

  test('the job from the template is owned by the CronJob and annotated with the scheduled time in its zone', () => {
    const job = getJobFromTemplate(cronJob('2024-01-01T00:00:00Z', { timeZone: 'Asia/Kolkata' }), Date.parse('2024-01-01T03:30:00Z'));
    assert.equal(job.metadata?.name, 'tick-28401330');
    assert.deepEqual(job.metadata?.labels, { a: 'b' });
    assert.equal(job.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-01-01T09:00:00+05:30');
    assert.deepEqual(job.metadata?.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
  });

  test('history limits delete the oldest finished jobs first', () => {
    const mk = (name: string, start?: string): Job => ({ metadata: { name }, status: start === undefined ? {} : { startTime: start } });
    const jobs = [mk('c', '2024-01-03T00:00:00Z'), mk('a', '2024-01-01T00:00:00Z'), mk('n'), mk('b', '2024-01-02T00:00:00Z')];
    assert.deepEqual(jobsOverHistoryLimit(jobs, 2).map((j) => j.metadata?.name), ['a', 'b']);
    assert.deepEqual(jobsOverHistoryLimit(jobs, 5), []);
  });

  test('missed schedule times are written as Go RFC1123Z in UTC', () => {
    assert.equal(formatRfc1123zUtc(Date.parse('2024-01-02T03:04:05Z')), 'Tue, 02 Jan 2024 03:04:05 +0000');
  });
});
