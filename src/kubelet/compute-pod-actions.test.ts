import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computePodActions, shouldContainerBeRestarted } from './compute-pod-actions.js';
import type { KubeContainerStatus, PodRuntimeStatus, SandboxInfo } from './pod-runtime-status.js';

function pod(restartPolicy: string, containers: string[], initContainers: string[] = []): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u' },
    spec: {
      restartPolicy,
      containers: containers.map((name) => ({ name, image: 'busybox' })),
      initContainers: initContainers.map((name) => ({ name, image: 'busybox' })),
    },
  };
}

let seq = 0;
function sandbox(state: SandboxInfo['state'] = 'SANDBOX_READY', attempt = 0): SandboxInfo {
  return { id: `sb${attempt}`, state, createdAt: BigInt(1000 + attempt), attempt, ip: '' };
}
function container(name: string, state: KubeContainerStatus['state'], exitCode = 0, restartCount = 0): KubeContainerStatus {
  seq++;
  return { id: `c${seq}`, name, state, createdAt: BigInt(2000 - seq), startedAt: 0n, finishedAt: 0n, exitCode, reason: '', message: '', image: 'busybox', imageRef: '', restartCount };
}
function status(sandboxes: SandboxInfo[], containers: KubeContainerStatus[] = []): PodRuntimeStatus {
  return { sandboxes, containers };
}

describe('computePodActions', () => {
  test('a new pod gets a sandbox and all its containers started', () => {
    const a = computePodActions(pod('Always', ['a', 'b']), status([]));
    assert.equal(a.createSandbox, true);
    assert.equal(a.attempt, 0);
    assert.deepEqual(a.containersToStart, [0, 1]);
    assert.equal(a.nextInitContainerToStart, undefined);
  });

  test('a new pod with init containers starts the first init container only', () => {
    const a = computePodActions(pod('Always', ['a'], ['i1', 'i2']), status([]));
    assert.equal(a.createSandbox, true);
    assert.equal(a.nextInitContainerToStart, 0);
    assert.deepEqual(a.containersToStart, []);
  });

  test('init containers run in order, one at a time', () => {
    const p = pod('Always', ['a'], ['i1', 'i2']);
    assert.equal(computePodActions(p, status([sandbox()], [container('i1', 'running')])).nextInitContainerToStart, undefined);
    const next = computePodActions(p, status([sandbox()], [container('i1', 'exited', 0)]));
    assert.equal(next.nextInitContainerToStart, 1);
    const main = computePodActions(p, status([sandbox()], [container('i2', 'exited', 0), container('i1', 'exited', 0)]));
    assert.equal(main.nextInitContainerToStart, undefined);
    assert.deepEqual(main.containersToStart, [0]);
  });

  test('a failed init container is restarted, unless restartPolicy is Never, which kills the pod', () => {
    const failed = [container('i1', 'exited', 1)];
    assert.equal(computePodActions(pod('Always', ['a'], ['i1']), status([sandbox()], failed)).nextInitContainerToStart, 0);
    assert.equal(computePodActions(pod('OnFailure', ['a'], ['i1']), status([sandbox()], failed)).nextInitContainerToStart, 0);
    const never = computePodActions(pod('Never', ['a'], ['i1']), status([sandbox()], failed));
    assert.equal(never.killPod, true);
    assert.equal(never.nextInitContainerToStart, undefined);
  });

  test('a running pod needs nothing', () => {
    const a = computePodActions(pod('Always', ['a']), status([sandbox()], [container('a', 'running')]));
    assert.deepEqual(a, { killPod: false, createSandbox: false, sandboxId: 'sb0', attempt: 0, nextInitContainerToStart: undefined, containersToStart: [], containersToKill: [] });
  });

  test('an exited container restarts as its restartPolicy says', () => {
    const ok = [container('a', 'exited', 0)];
    const bad = [container('a', 'exited', 3)];
    assert.deepEqual(computePodActions(pod('Always', ['a']), status([sandbox()], ok)).containersToStart, [0]);
    assert.deepEqual(computePodActions(pod('OnFailure', ['a']), status([sandbox()], bad)).containersToStart, [0]);
    const done = computePodActions(pod('OnFailure', ['a']), status([sandbox()], ok));
    assert.deepEqual(done.containersToStart, []);
    assert.equal(done.killPod, true);
    const never = computePodActions(pod('Never', ['a']), status([sandbox()], bad));
    assert.deepEqual(never.containersToStart, []);
    assert.equal(never.killPod, true);
  });

  test('a pod whose other container still runs is not killed', () => {
    const a = computePodActions(pod('Never', ['a', 'b']), status([sandbox()], [container('a', 'exited', 0), container('b', 'running')]));
    assert.equal(a.killPod, false);
    assert.deepEqual(a.containersToStart, []);
  });

  test('a dead sandbox is replaced with the next attempt and the containers start again', () => {
    const a = computePodActions(pod('Always', ['a']), status([sandbox('SANDBOX_NOTREADY', 0)], [container('a', 'exited', 137)]));
    assert.equal(a.createSandbox, true);
    assert.equal(a.killPod, true);
    assert.equal(a.attempt, 1);
    assert.deepEqual(a.containersToStart, [0]);
  });

  test('a finished Never pod whose sandbox stopped gets no new sandbox', () => {
    const a = computePodActions(pod('Never', ['a']), status([sandbox('SANDBOX_NOTREADY', 0)], [container('a', 'exited', 0)]));
    assert.equal(a.createSandbox, false);
    assert.equal(a.killPod, true);
  });

  test('a created but never started container is killed and started again', () => {
    const c = container('a', 'created');
    const a = computePodActions(pod('Always', ['a']), status([sandbox()], [c]));
    assert.deepEqual(a.containersToKill.map((k) => k.id), [c.id]);
    assert.deepEqual(a.containersToStart, [0]);
  });

  test('shouldContainerBeRestarted follows kubecontainer', () => {
    assert.equal(shouldContainerBeRestarted('Never', undefined), true);
    assert.equal(shouldContainerBeRestarted('Always', container('a', 'running')), false);
    assert.equal(shouldContainerBeRestarted('Never', container('a', 'exited', 1)), false);
    assert.equal(shouldContainerBeRestarted('OnFailure', container('a', 'exited', 0)), false);
    assert.equal(shouldContainerBeRestarted('OnFailure', container('a', 'exited', 2)), true);
  });
});
