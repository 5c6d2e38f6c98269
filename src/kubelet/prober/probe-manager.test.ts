import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { ExecSyncRequest, ExecSyncResponse } from '../../cri/index.js';
import { FakeClock } from './fake-clock.js';
import { ProbeManager } from './probe-manager.js';
import type { ProbeResultValue, ProbeType } from './probe-worker.js';

/** An exec runtime whose commands `check NAME` exit with the code the test sets for NAME (default 0). */
class ScriptedExec {
  readonly exitCodes = new Map<string, number>();
  readonly calls: ExecSyncRequest[] = [];
  async execSync(req: ExecSyncRequest): Promise<ExecSyncResponse> {
    this.calls.push(req);
    const code = this.exitCodes.get(req.cmd[1] ?? '') ?? 0;
    return { stdout: Buffer.from(code === 0 ? '' : `${req.cmd[1]} says no`), stderr: new Uint8Array(), exitCode: code };
  }
  count(name: string): number {
    return this.calls.filter((c) => c.cmd[1] === name).length;
  }
}

const check = (name: string, extra: Partial<Probe> = {}): Probe => ({ exec: { command: ['check', name] }, periodSeconds: 10, ...extra });

function podWith(container: Partial<Container>, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return { metadata: { name: 'web', namespace: 'default', uid: 'uid-1' }, spec: { containers: [{ name: 'app', ...container }], ...spec } };
}

function setup(pod: Pod) {
  const clock = new FakeClock();
  const runtime = new ScriptedExec();
  const events: string[] = [];
  const changes: [string, ProbeType, ProbeResultValue | undefined][] = [];
  const probes = new ProbeManager({
    runtime,
    clock,
    record: (_p, type, reason, message, containerName) => events.push(`${type} ${reason} ${containerName}: ${message}`),
    onChange: (_p, name, type, result) => changes.push([name, type, result]),
  });
  probes.addPod(pod, '127.0.0.1');
  return { clock, runtime, events, changes, probes };
}

describe('ProbeManager', () => {
  test('a container without probes is started and ready once it runs, and not after it stopped', async () => {
    const pod = podWith({});
    const { probes, clock } = setup(pod);
    assert.equal(probes.workerCount(), 0);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    assert.equal(probes.isStarted('uid-1', 'app'), true);
    assert.equal(probes.isReady('uid-1', 'app'), true);
    probes.containerStopped(pod, 'app', 'c1');
    assert.equal(probes.isReady('uid-1', 'app'), false);
    assert.equal(probes.isStarted('uid-1', 'app'), false);
  });

  test('readiness is false until the probe succeeds, then a result change calls onChange', async () => {
    const pod = podWith({ readinessProbe: check('ready') });
    const { probes, clock, runtime, changes } = setup(pod);
    assert.equal(probes.isReady('uid-1', 'app', 'c1'), false);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    assert.equal(probes.isReady('uid-1', 'app', 'c1'), false);
    await clock.advance(0);
    assert.equal(runtime.count('ready'), 1, 'a new container is probed at once');
    assert.equal(probes.isReady('uid-1', 'app', 'c1'), true);
    assert.deepEqual(changes, [['app', 'readiness', 'success']]);
  });

  test('readiness needs successThreshold successes in a row and falls back after failureThreshold failures', async () => {
    const pod = podWith({ readinessProbe: check('ready', { successThreshold: 2, failureThreshold: 2 }) });
    const { probes, clock, runtime, events } = setup(pod);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    await clock.advance(0);
    assert.equal(probes.result('uid-1', 'app', 'readiness'), 'failure');
    await clock.advance(10_000);
    assert.equal(probes.result('uid-1', 'app', 'readiness'), 'success');
    runtime.exitCodes.set('ready', 1);
    await clock.advance(10_000);
    assert.equal(probes.result('uid-1', 'app', 'readiness'), 'success', 'one failure is below the threshold');
    await clock.advance(10_000);
    assert.equal(probes.result('uid-1', 'app', 'readiness'), 'failure');
    assert.deepEqual(events, ['Warning Unhealthy app: Readiness probe failed: ready says no', 'Warning Unhealthy app: Readiness probe failed: ready says no']);
  });

  test('no probe runs before initialDelaySeconds have passed since the container started', async () => {
    const pod = podWith({ livenessProbe: check('live', { initialDelaySeconds: 15, periodSeconds: 5 }) });
    const { probes, clock, runtime } = setup(pod);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    await clock.advance(14_000);
    assert.equal(runtime.count('live'), 0);
    await clock.advance(1_000);
    assert.equal(runtime.count('live'), 1);
    await clock.advance(5_000);
    assert.equal(runtime.count('live'), 2, 'then every periodSeconds');
  });

  test('liveness fails after failureThreshold failures with the kubelet kill message, holds, and resets for a new container', async () => {
    const pod = podWith({ livenessProbe: check('live', { failureThreshold: 3, terminationGracePeriodSeconds: 7 }) });
    const { probes, clock, runtime, events, changes } = setup(pod);
    runtime.exitCodes.set('live', 1);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    await clock.advance(0);
    await clock.advance(10_000);
    assert.deepEqual(probes.livenessFailed('uid-1', 'app', 'c1'), { failed: false });
    await clock.advance(10_000);
    assert.deepEqual(probes.livenessFailed('uid-1', 'app', 'c1'), { failed: true, reason: 'LivenessProbe', message: 'Container app failed liveness probe, will be restarted', gracePeriodSeconds: 7 });
    assert.deepEqual(changes, [['app', 'liveness', 'failure']]);
    assert.equal(events.length, 3);
    assert.equal(events[0], 'Warning Unhealthy app: Liveness probe failed: live says no');
    await clock.advance(30_000);
    assert.equal(runtime.count('live'), 3, 'the worker holds until a new container runs');
    assert.deepEqual(probes.livenessFailed('uid-1', 'app', 'c2'), { failed: false }, 'the result is about c1 only');

    runtime.exitCodes.set('live', 0);
    probes.containerStarted(pod, 'app', 'c2', clock.now());
    assert.deepEqual(probes.livenessFailed('uid-1', 'app'), { failed: false });
    await clock.advance(0);
    assert.equal(runtime.count('live'), 4);
    assert.equal(probes.result('uid-1', 'app', 'liveness'), 'success');
  });

  test('under restartPolicy Never the kill message does not promise a restart', async () => {
    const pod = podWith({ livenessProbe: check('live', { failureThreshold: 1 }) }, { restartPolicy: 'Never' });
    const { probes, clock, runtime } = setup(pod);
    runtime.exitCodes.set('live', 1);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    await clock.advance(0);
    assert.deepEqual(probes.livenessFailed('uid-1', 'app', 'c1'), { failed: true, reason: 'LivenessProbe', message: 'Container app failed liveness probe' });
    probes.containerStopped(pod, 'app', 'c1');
    assert.deepEqual(probes.livenessFailed('uid-1', 'app', 'c1'), { failed: false }, 'a stopped container is not killed again');
  });

  test('the startup probe gates liveness and readiness, and its failure kills the container', async () => {
    const pod = podWith({ startupProbe: check('startup', { failureThreshold: 2 }), livenessProbe: check('live'), readinessProbe: check('ready') });
    const { probes, clock, runtime } = setup(pod);
    runtime.exitCodes.set('startup', 1);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    await clock.advance(0);
    assert.equal(probes.isStarted('uid-1', 'app', 'c1'), false);
    assert.equal(probes.isReady('uid-1', 'app', 'c1'), false);
    await clock.advance(0);
    assert.equal(runtime.count('live') + runtime.count('ready'), 0, 'liveness and readiness wait for the startup probe');
    await clock.advance(10_000);
    assert.deepEqual(probes.livenessFailed('uid-1', 'app', 'c1'), { failed: true, reason: 'StartupProbe', message: 'Container app failed startup probe, will be restarted' });

    runtime.exitCodes.set('startup', 0);
    probes.containerStarted(pod, 'app', 'c2', clock.now());
    await clock.advance(0);
    assert.equal(probes.isStarted('uid-1', 'app', 'c2'), true);
    await clock.advance(10_000);
    assert.ok(runtime.count('live') >= 1 && runtime.count('ready') >= 1, 'the other probes run once started');
    assert.equal(probes.isReady('uid-1', 'app', 'c2'), true);
    const startupRuns = runtime.count('startup');
    await clock.advance(30_000);
    assert.equal(runtime.count('startup'), startupRuns, 'the startup probe stops probing a started container');
  });

  test('a probe that errors keeps the previous result and reports the error', async () => {
    const pod = podWith({ readinessProbe: { tcpSocket: { port: 'admin' }, periodSeconds: 10 } });
    const { probes, clock, events, changes } = setup(pod);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    await clock.advance(0);
    assert.equal(probes.result('uid-1', 'app', 'readiness'), 'failure');
    assert.deepEqual(events, ['Warning Unhealthy app: Readiness probe errored and resulted in unknown state: strconv.Atoi: parsing "admin": invalid syntax']);
    assert.deepEqual(changes, []);
  });

  test('a pod being deleted stops its liveness probes but not its readiness probes', async () => {
    const pod = podWith({ livenessProbe: check('live'), readinessProbe: check('ready') });
    const { probes, clock, runtime } = setup(pod);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    await clock.advance(0);
    const deleting: Pod = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(clock.now()).toISOString() } };
    probes.addPod(deleting);
    const live = runtime.count('live');
    await clock.advance(20_000);
    assert.equal(runtime.count('live'), live);
    assert.ok(runtime.count('ready') > 1);
    assert.deepEqual(probes.livenessFailed('uid-1', 'app', 'c1'), { failed: false });
  });

  test('a container that will not restart ends its workers, and addPod does not start them again', async () => {
    const pod = podWith({ readinessProbe: check('ready') }, { restartPolicy: 'Never' });
    const { probes, clock } = setup(pod);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    await clock.advance(0);
    probes.containerStopped(pod, 'app', 'c1');
    await clock.advance(0);
    assert.equal(probes.workerCount('uid-1'), 0);
    probes.addPod(pod);
    assert.equal(probes.workerCount('uid-1'), 0);
    assert.equal(probes.isReady('uid-1', 'app', 'c1'), false);
  });

  test('sidecar init containers are probed and a liveness failure names the init container', async () => {
    const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'uid-1' }, spec: { initContainers: [{ name: 'proxy', restartPolicy: 'Always', livenessProbe: check('live', { failureThreshold: 1 }) }], containers: [{ name: 'app' }] } };
    const { probes, clock, runtime } = setup(pod);
    runtime.exitCodes.set('live', 1);
    probes.containerStarted(pod, 'proxy', 'p1', clock.now());
    await clock.advance(0);
    assert.deepEqual(probes.livenessFailed('uid-1', 'proxy', 'p1'), { failed: true, reason: 'LivenessProbe', message: 'Init container proxy failed liveness probe' });
  });

  test('removePod stops every worker and its timers', async () => {
    const pod = podWith({ livenessProbe: check('live'), readinessProbe: check('ready') });
    const { probes, clock, runtime } = setup(pod);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    await clock.advance(0);
    probes.removePod('uid-1');
    assert.equal(clock.pending(), 0);
    const calls = runtime.calls.length;
    await clock.advance(60_000);
    assert.equal(runtime.calls.length, calls);
    assert.equal(probes.workerCount(), 0);
  });

  test('containerStarted is idempotent: the same container is not reset', async () => {
    const pod = podWith({ readinessProbe: check('ready') });
    const { probes, clock, runtime } = setup(pod);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    await clock.advance(0);
    assert.equal(probes.isReady('uid-1', 'app'), true);
    probes.containerStarted(pod, 'app', 'c1', clock.now());
    assert.equal(probes.isReady('uid-1', 'app'), true);
    assert.equal(runtime.count('ready'), 1);
  });
});
