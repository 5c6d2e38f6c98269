import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { generatePodStatus } from './pod-status.js';
import type { KubeContainerStatus, PodRuntimeStatus } from './pod-runtime-status.js';

const now = Date.parse('2025-01-02T03:04:05.678Z');
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;

function pod(opts: { restartPolicy?: string; containers?: string[]; init?: string[]; hostNetwork?: boolean; resources?: boolean } = {}): Pod {
  const res = opts.resources === true ? { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } } : undefined;
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u' },
    spec: {
      restartPolicy: opts.restartPolicy ?? 'Always',
      hostNetwork: opts.hostNetwork,
      containers: (opts.containers ?? ['app']).map((name) => ({ name, image: 'busybox', ...(res ? { resources: res } : {}) })),
      initContainers: (opts.init ?? []).map((name) => ({ name, image: 'busybox' })),
    },
    status: { phase: 'Pending' },
  };
}

let seq = 0;
function c(name: string, state: KubeContainerStatus['state'], extra: Partial<KubeContainerStatus> = {}): KubeContainerStatus {
  seq++;
  return {
    id: `id${seq}`, name, state, createdAt: ns(now - 10_000 + seq), startedAt: ns(now - 5000), finishedAt: state === 'exited' ? ns(now - 1000) : 0n,
    exitCode: 0, reason: state === 'exited' ? 'Completed' : '', message: '', image: 'docker.io/library/busybox:latest', imageRef: 'docker.io/library/busybox@sha256:abc', restartCount: 0, ...extra,
  };
}
function rt(containers: KubeContainerStatus[], ready = true): PodRuntimeStatus {
  return { sandboxes: [{ id: 'sb', state: ready ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY', createdAt: 1n, attempt: 0, ip: '10.88.0.2' }], containers: [...containers].sort((a, b) => (a.createdAt > b.createdAt ? -1 : 1)) };
}
const condition = (s: ReturnType<typeof generatePodStatus>, type: string) => s.conditions?.find((x) => x.type === type);

describe('generatePodStatus', () => {
  test('a pod whose container runs is Running and Ready, with IPs, start time and QoS class', () => {
    const s = generatePodStatus({ pod: pod({ resources: true }), runtime: rt([c('app', 'running')]), hostIP: '192.0.2.1', nowMs: now });
    assert.equal(s.phase, 'Running');
    assert.equal(s.hostIP, '192.0.2.1');
    assert.deepEqual(s.hostIPs, [{ ip: '192.0.2.1' }]);
    assert.equal(s.podIP, '10.88.0.2');
    assert.deepEqual(s.podIPs, [{ ip: '10.88.0.2' }]);
    assert.equal(s.startTime, '2025-01-02T03:04:05Z');
    assert.equal(s.qosClass, 'Guaranteed');
    assert.deepEqual(s.conditions?.map((x) => [x.type, x.status]), [
      ['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True'],
    ]);
    const cs = s.containerStatuses?.[0];
    assert.equal(cs?.containerID, `containerd://id${seq}`);
    assert.equal(cs?.ready, true);
    assert.equal(cs?.started, true);
    assert.equal(cs?.image, 'docker.io/library/busybox:latest');
    assert.equal(cs?.imageID, 'docker.io/library/busybox@sha256:abc');
    assert.deepEqual(cs?.state, { running: { startedAt: '2025-01-02T03:04:00Z' } });
  });

  test('a host-network pod reports the host IP as its pod IP', () => {
    const s = generatePodStatus({ pod: pod({ hostNetwork: true }), runtime: rt([c('app', 'running')]), hostIP: '192.0.2.1', nowMs: now });
    assert.equal(s.podIP, '192.0.2.1');
  });

  test('a container not yet created waits in ContainerCreating and the pod is Pending and not ready', () => {
    const s = generatePodStatus({ pod: pod(), runtime: rt([]), hostIP: '192.0.2.1', nowMs: now });
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating' } });
    assert.deepEqual(condition(s, 'Ready'), { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]', lastTransitionTime: '2025-01-02T03:04:05Z' });
    assert.equal(s.qosClass, 'BestEffort');
  });

  test('restartPolicy Never with a failed container is Failed with its exit code', () => {
    const s = generatePodStatus({ pod: pod({ restartPolicy: 'Never' }), runtime: rt([c('app', 'exited', { exitCode: 3, reason: 'Error' })]), hostIP: 'h', nowMs: now });
    assert.equal(s.phase, 'Failed');
    assert.equal(s.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
    assert.equal(s.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
    assert.equal(condition(s, 'Ready')?.reason, 'PodFailed');
  });

  test('containers that all succeeded make the pod Succeeded with reason PodCompleted', () => {
    const s = generatePodStatus({ pod: pod({ restartPolicy: 'OnFailure' }), runtime: rt([c('app', 'exited')]), hostIP: 'h', nowMs: now });
    assert.equal(s.phase, 'Succeeded');
    assert.equal(condition(s, 'ContainersReady')?.reason, 'PodCompleted');
  });

  test('a crash-looping container waits in CrashLoopBackOff with its last termination and restart count', () => {
    const reasons = new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app pod=p_default(u)' }]]);
    const s = generatePodStatus({ pod: pod(), runtime: rt([c('app', 'exited', { exitCode: 1, reason: 'Error' }), c('app', 'exited', { exitCode: 1, reason: 'Error', restartCount: 1 })]), hostIP: 'h', reasons, nowMs: now });
    const cs = s.containerStatuses?.[0];
    assert.equal(s.phase, 'Running');
    assert.equal(cs?.restartCount, 1);
    assert.deepEqual(cs?.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app pod=p_default(u)' } });
    assert.equal(cs?.lastState?.terminated?.exitCode, 1);
    assert.equal(cs?.ready, false);
  });

  test('init containers hold the pod Pending and not Initialized until they complete', () => {
    const p = pod({ init: ['setup'] });
    const s = generatePodStatus({ pod: p, runtime: rt([c('setup', 'running')]), hostIP: 'h', nowMs: now });
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'PodInitializing' } });
    assert.equal(condition(s, 'Initialized')?.message, 'containers with incomplete status: [setup]');
    assert.equal(condition(s, 'Initialized')?.reason, 'ContainersNotInitialized');
    const done = generatePodStatus({ pod: p, runtime: rt([c('setup', 'exited'), c('app', 'running')]), hostIP: 'h', nowMs: now });
    assert.equal(done.phase, 'Running');
    assert.equal(condition(done, 'Initialized')?.status, 'True');
    assert.equal(done.initContainerStatuses?.[0]?.ready, true);
  });

  test('a failed init container fails a Never pod', () => {
    const s = generatePodStatus({ pod: pod({ init: ['setup'], restartPolicy: 'Never' }), runtime: rt([c('setup', 'exited', { exitCode: 1, reason: 'Error' })]), hostIP: 'h', nowMs: now });
    assert.equal(s.phase, 'Failed');
  });

  test('transition times and start time carry over while a condition keeps its status', () => {
    const p: Pod = { ...pod(), status: { phase: 'Running', startTime: '2025-01-01T00:00:00Z', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:01Z' }, { type: 'Custom', status: 'True' }] } };
    const s = generatePodStatus({ pod: p, runtime: rt([c('app', 'running')]), hostIP: 'h', nowMs: now });
    assert.equal(s.startTime, '2025-01-01T00:00:00Z');
    assert.equal(condition(s, 'Ready')?.lastTransitionTime, '2025-01-01T00:00:01Z');
    assert.equal(condition(s, 'Custom')?.status, 'True');
  });

  test('a terminal phase already reported is kept', () => {
    const p: Pod = { ...pod({ restartPolicy: 'Never' }), status: { phase: 'Failed' } };
    const s = generatePodStatus({ pod: p, runtime: rt([], false), hostIP: 'h', nowMs: now });
    assert.equal(s.phase, 'Failed');
  });
});
