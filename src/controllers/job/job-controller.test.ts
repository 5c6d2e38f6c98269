// Live: the Job controller (and the TTL-after-finished controller) against a real k8ts server with three virtual
// nodes, whose pods run, succeed or fail as the template's annotations say.
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { controllerNames } from '../index.js';
import { K8tsServer, waitFor } from '../../../test/e2e/support/server.js';
import { startTtlAfterFinishedController } from '../ttlafterfinished/ttl-after-finished-controller.js';
import { jobCountedAnnotation, startJobController, type JobControllerHandle } from './job-controller.js';

interface EventJson {
  reason: string;
  message: string;
  type: string;
  involvedObject: { kind?: string; name?: string };
}

function jobManifest(name: string, spec: Record<string, unknown>, annotations: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      ...spec,
      template: {
        metadata: { annotations },
        spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  };
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

/** The controllers of ours the server may already run (once the lead wires them), to turn off there. */
function disableFlags(names: readonly string[]): string[] {
  return names.filter((n) => controllerNames.includes(n)).flatMap((n) => ['--disable-controller', n]);
}

describe('Job controller against a real server with virtual nodes', () => {
  let server: K8tsServer;
  let client: RestClient;
  let jc: JobControllerHandle;
  let ttl: { stop(): void; waitForSync(): Promise<void> };
  const ns = 'default';

  before(async () => {
    server = await K8tsServer.start({ extraArgs: ['--virtual-nodes', '3', ...disableFlags(['job-controller', 'ttl-after-finished-controller'])] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    jc = startJobController(client);
    ttl = startTtlAfterFinishedController(client);
    await jc.waitForSync();
    await ttl.waitForSync();
  });

  after(async () => {
    jc.stop();
    ttl.stop();
    client.close();
    await server.destroy();
  });

  const getJob = (name: string): Promise<Job> => client.request<Job>('GET', `/apis/batch/v1/namespaces/${ns}/jobs/${name}`);
  const podsOf = async (name: string): Promise<Pod[]> =>
    (await client.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${name}`)}`)).items;
  const eventsOf = async (name: string): Promise<EventJson[]> =>
    (await client.request<{ items: EventJson[] }>('GET', `/api/v1/namespaces/${ns}/events`)).items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === 'Job');

  test('a job with completions 3 and parallelism 2 completes, never running more than 2 pods at once', async () => {
    await client.request('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, jobManifest('three', { completions: 3, parallelism: 2 }, { 'k8ts.io/virtual-complete-after': '1s' }));
    let maxActive = 0;
    const watch = setInterval(() => {
      void getJob('three').then((j) => (maxActive = Math.max(maxActive, j.status?.active ?? 0)), () => undefined);
    }, 200);
    const r = await kubectlAsync(server.kubeconfig, ['wait', '--for=condition=complete', 'job/three', '--timeout=60s']);
    clearInterval(watch);
    assert.equal(r.code, 0, r.stderr);
    const job = await getJob('three');
    assert.equal(job.status?.succeeded, 3);
    assert.equal(job.status?.active ?? 0, 0);
    assert.equal(job.status?.failed ?? 0, 0);
    assert.ok(maxActive <= 2, `at most 2 active, saw ${maxActive}`);
    assert.ok(job.status?.startTime !== undefined && job.status.completionTime !== undefined);
    const conds = (job.status?.conditions ?? []).map((c) => `${c.type}/${c.status}/${c.reason ?? ''}`);
    assert.deepEqual(conds, ['SuccessCriteriaMet/True/CompletionsReached', 'Complete/True/CompletionsReached']);
    assert.deepEqual(job.status?.uncountedTerminatedPods ?? {}, {});
    const pods = await podsOf('three');
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.equal(p.metadata?.labels?.['batch.kubernetes.io/controller-uid'], job.metadata?.uid);
      assert.equal(p.metadata?.labels?.['job-name'], 'three');
      assert.equal(p.metadata?.annotations?.[jobCountedAnnotation], 'true');
      assert.ok(p.metadata?.name?.startsWith('three-'));
    }
    await waitFor('events', async () => {
      const ev = await eventsOf('three');
      return ev.filter((e) => e.reason === 'SuccessfulCreate' && e.message.startsWith('Created pod: three-')).length === 3 && ev.some((e) => e.reason === 'Completed' && e.message === 'Job completed');
    });
  });

  test('a failing job stops at backoffLimit 1 with the BackoffLimitExceeded condition', async () => {
    await client.request('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, jobManifest('failing', { backoffLimit: 1 }, { 'k8ts.io/virtual-fail-after': '1s' }));
    const r = await kubectlAsync(server.kubeconfig, ['wait', '--for=condition=failed', 'job/failing', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    const job = await getJob('failing');
    assert.equal(job.status?.failed, 2);
    assert.equal(job.status?.succeeded ?? 0, 0);
    const failed = job.status?.conditions?.find((c) => c.type === 'Failed');
    assert.equal(failed?.reason, 'BackoffLimitExceeded');
    assert.equal(failed?.message, 'Job has reached the specified backoff limit');
    assert.equal(job.status?.conditions?.find((c) => c.type === 'FailureTarget')?.reason, 'BackoffLimitExceeded');
    assert.equal(job.status?.completionTime, undefined);
    const pods = await podsOf('failing');
    assert.equal(pods.length, 2);
    // The replacement waited out the 10 s pod-failure backoff.
    const created = pods.map((p) => Date.parse(p.metadata?.creationTimestamp ?? '')).sort((a, b) => a - b);
    assert.ok((created[1] ?? 0) - (created[0] ?? 0) >= 10_000, `second pod ${(created[1] ?? 0) - (created[0] ?? 0)} ms after the first`);
    await waitFor('event', async () => (await eventsOf('failing')).some((e) => e.type === 'Warning' && e.reason === 'BackoffLimitExceeded' && e.message === 'Job has reached the specified backoff limit'));
  });

  test('an indexed job completes with completedIndexes 0-2 and one pod per index', async () => {
    await client.request('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, jobManifest('indexed', { completions: 3, parallelism: 3, completionMode: 'Indexed' }, { 'k8ts.io/virtual-complete-after': '1s' }));
    const r = await kubectlAsync(server.kubeconfig, ['wait', '--for=condition=complete', 'job/indexed', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    const job = await getJob('indexed');
    assert.equal(job.status?.completedIndexes, '0-2');
    assert.equal(job.status?.succeeded, 3);
    const pods = await podsOf('indexed');
    const indexes = pods.map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
    assert.deepEqual(indexes, ['0', '1', '2']);
    for (const p of pods) {
      const ix = p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] ?? '';
      assert.equal(p.spec?.hostname, `indexed-${ix}`);
      assert.ok(p.metadata?.name?.startsWith(`indexed-${ix}-`));
      assert.equal(p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], ix);
      assert.ok(p.spec?.containers[0]?.env?.some((e) => e.name === 'JOB_COMPLETION_INDEX'));
    }
  });

  test('activeDeadlineSeconds fails a running job with DeadlineExceeded', async () => {
    await client.request('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, jobManifest('deadline', { activeDeadlineSeconds: 2, parallelism: 2, completions: 2 }, {}));
    const r = await kubectlAsync(server.kubeconfig, ['wait', '--for=condition=failed', 'job/deadline', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    const job = await getJob('deadline');
    const failed = job.status?.conditions?.find((c) => c.type === 'Failed');
    assert.equal(failed?.reason, 'DeadlineExceeded');
    assert.equal(failed?.message, 'Job was active longer than specified deadline');
    assert.equal(job.status?.active ?? 0, 0);
    assert.equal(job.status?.failed, 2);
  });

  test('a suspended job runs no pods until it is resumed', async () => {
    await client.request('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, jobManifest('paused', { suspend: true }, { 'k8ts.io/virtual-complete-after': '1s' }));
    await waitFor('Suspended condition', async () => (await getJob('paused')).status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True' && c.reason === 'JobSuspended') === true);
    assert.equal((await podsOf('paused')).length, 0);
    assert.equal((await getJob('paused')).status?.startTime, undefined);
    await client.request('PATCH', `/apis/batch/v1/namespaces/${ns}/jobs/paused`, { spec: { suspend: false } }, 'application/merge-patch+json');
    const r = await kubectlAsync(server.kubeconfig, ['wait', '--for=condition=complete', 'job/paused', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    const job = await getJob('paused');
    const s = job.status?.conditions?.find((c) => c.type === 'Suspended');
    assert.equal(s?.status, 'False');
    assert.equal(s?.reason, 'JobResumed');
  });

  test('a finished job with ttlSecondsAfterFinished is deleted by the TTL controller', async () => {
    await client.request('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, jobManifest('shortlived', { ttlSecondsAfterFinished: 1 }, { 'k8ts.io/virtual-complete-after': '1s' }));
    await waitFor(
      'job deleted',
      async () => {
        try {
          await getJob('shortlived');
          return false;
        } catch (e: unknown) {
          return e instanceof ApiError && e.code === 404;
        }
      },
      30_000,
    );
  });
});
