// Live: the CronJob controller (with the Job controller) against a real k8ts server with virtual nodes; the
// controller's clock is moved forward so that a schedule falls due within the test.
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { controllerNames } from '../index.js';
import { startJobController, type JobControllerHandle } from '../job/job-controller.js';
import { K8tsServer, waitFor } from '../../../test/e2e/support/server.js';
import { startCronJobController, type CronJobControllerHandle } from './cron-job-controller.js';
import { getJobName } from './cron-job-utils.js';

interface EventJson {
  reason: string;
  message: string;
  involvedObject: { kind?: string; name?: string };
}

/** kubectl without blocking the event loop (the controllers under test run in this process). */
function kubectlAsync(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('CronJob controller against a real server with virtual nodes', () => {
  let server: K8tsServer;
  let client: RestClient;
  let jc: JobControllerHandle;
  let cjc: CronJobControllerHandle;
  let offsetMs = 0;
  const ns = 'default';

  before(async () => {
    const flags = ['job-controller', 'cronjob-controller'].filter((n) => controllerNames.includes(n)).flatMap((n) => ['--disable-controller', n]);
    server = await K8tsServer.start({ extraArgs: ['--virtual-nodes', '3', ...flags] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    jc = startJobController(client);
    cjc = startCronJobController(client, { now: () => Date.now() + offsetMs, maxRequeueMs: 250 });
    await jc.waitForSync();
    await cjc.waitForSync();
  });

  after(async () => {
    cjc.stop();
    jc.stop();
    client.close();
    await server.destroy();
  });

  const eventsOf = async (name: string): Promise<EventJson[]> =>
    (await client.request<{ items: EventJson[] }>('GET', `/api/v1/namespaces/${ns}/events`)).items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === 'CronJob');
  const jobsOf = async (): Promise<Job[]> => (await client.request<{ items: Job[] }>('GET', `/apis/batch/v1/namespaces/${ns}/jobs`)).items;

  test('a CronJob every minute creates its Job when the schedule falls due, and records it in status', async () => {
    const cj = await client.request<CronJob>('POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick' },
      spec: {
        schedule: '*/1 * * * *',
        successfulJobsHistoryLimit: 1,
        jobTemplate: {
          spec: {
            template: {
              metadata: { annotations: { 'k8ts.io/virtual-complete-after': '1s' } },
              spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
            },
          },
        },
      },
    });
    // Nothing is due yet (created within this minute).
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await jobsOf()).filter((j) => j.metadata?.name?.startsWith('tick-')).length, 0);
    // Move the clock past the next minute boundary.
    const created = Date.parse(cj.metadata?.creationTimestamp ?? '');
    const due = (Math.floor(created / 60_000) + 1) * 60_000;
    offsetMs = due + 1_000 - Date.now();
    const name = getJobName('tick', due);
    await waitFor('the scheduled job', async () => (await jobsOf()).some((j) => j.metadata?.name === name), 10_000);
    const job = (await jobsOf()).find((j) => j.metadata?.name === name);
    assert.equal(job?.metadata?.ownerReferences?.[0]?.kind, 'CronJob');
    assert.equal(job?.metadata?.ownerReferences?.[0]?.uid, cj.metadata?.uid);
    assert.ok(job?.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'] !== undefined);
    await waitFor('status', async () => {
      const cur = await client.request<CronJob>('GET', `/apis/batch/v1/namespaces/${ns}/cronjobs/tick`);
      return cur.status?.lastScheduleTime === new Date(due).toISOString().replace('.000Z', 'Z');
    });
    // The job runs to completion; the CronJob notices it.
    const r = await kubectlAsync(server.kubeconfig, ['wait', '--for=condition=complete', `job/${name}`, '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('SawCompletedJob and lastSuccessfulTime', async () => {
      const cur = await client.request<CronJob>('GET', `/apis/batch/v1/namespaces/${ns}/cronjobs/tick`);
      const ev = await eventsOf('tick');
      return (
        cur.status?.lastSuccessfulTime !== undefined &&
        (cur.status.active ?? []).length === 0 &&
        ev.some((e) => e.reason === 'SuccessfulCreate' && e.message === `Created job ${name}`) &&
        ev.some((e) => e.reason === 'SawCompletedJob' && e.message === `Saw completed job: ${name}, status: Complete`)
      );
    }, 20_000);
    // The next minute: a second job, and the history limit of 1 deletes the first once the second completed.
    offsetMs += 60_000;
    const second = getJobName('tick', due + 60_000);
    await waitFor('the second job', async () => (await jobsOf()).some((j) => j.metadata?.name === second), 10_000);
    await waitFor('the first job deleted', async () => !(await jobsOf()).some((j) => j.metadata?.name === name), 30_000);
    await waitFor('SuccessfulDelete', async () => (await eventsOf('tick')).some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted job ${name}`));
  });

  test('kubectl create job --from=cronjob makes a Job that runs to completion', async () => {
    const r1 = await kubectlAsync(server.kubeconfig, ['create', 'job', 'manual', '--from=cronjob/tick']);
    assert.equal(r1.code, 0, r1.stderr);
    const r2 = await kubectlAsync(server.kubeconfig, ['wait', '--for=condition=complete', 'job/manual', '--timeout=60s']);
    assert.equal(r2.code, 0, r2.stderr);
    const job = await client.request<Job>('GET', `/apis/batch/v1/namespaces/${ns}/jobs/manual`);
    assert.equal(job.status?.succeeded, 1);
    assert.equal(job.metadata?.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
  });
});
