import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  completeAfterAnnotation,
  exitEndsPod,
  exitPlanOf,
  failAfterAnnotation,
  metaTime,
  readyCondition,
  restartedContainerStatuses,
  runningStatus,
  terminalStatus,
} from './virtual-pod-status.js';

const t0 = Date.parse('2025-01-01T00:00:00Z');

function pod(extra: { annotations?: Record<string, string>; restartPolicy?: string; initContainers?: Array<{ name: string; image: string; restartPolicy?: string }> } = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u-1', annotations: extra.annotations ?? {} },
    spec: {
      restartPolicy: extra.restartPolicy ?? 'Always',
      containers: [{ name: 'main', image: 'busybox' }],
      ...(extra.initContainers === undefined ? {} : { initContainers: extra.initContainers }),
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-12-31T23:59:59Z' }] },
  };
}

describe('exit plans', () => {
  test('no annotation runs forever', () => {
    assert.equal(exitPlanOf(pod()), undefined);
  });

  test('the earlier of the two annotations wins', () => {
    assert.deepEqual(exitPlanOf(pod({ annotations: { [completeAfterAnnotation]: '5s', [failAfterAnnotation]: '2s' } })), { afterMs: 2000, exitCode: 1, reason: 'Error' });
  });

  test('a bad duration is reported with Go\'s message', () => {
    assert.throws(() => exitPlanOf(pod({ annotations: { [completeAfterAnnotation]: 'soon' } })), /time: invalid duration "soon"/);
  });

  test('the restart policy decides whether an exit ends the pod', () => {
    const ok = { afterMs: 0, exitCode: 0, reason: 'Completed' } as const;
    const bad = { afterMs: 0, exitCode: 1, reason: 'Error' } as const;
    assert.equal(exitEndsPod(pod({ restartPolicy: 'Never' }), bad), true);
    assert.equal(exitEndsPod(pod({ restartPolicy: 'OnFailure' }), ok), true);
    assert.equal(exitEndsPod(pod({ restartPolicy: 'OnFailure' }), bad), false);
    assert.equal(exitEndsPod(pod({ restartPolicy: 'Always' }), ok), false);
  });
});

describe('pod statuses', () => {
  test('a started pod is Running and Ready, keeping the scheduler\'s PodScheduled transition', () => {
    const s = runningStatus(pod(), { podIP: '10.240.0.2', hostIP: '198.18.0.1', nowMs: t0 });
    assert.equal(s.phase, 'Running');
    assert.deepEqual(s.hostIPs, [{ ip: '198.18.0.1' }]);
    assert.equal(s.startTime, '2025-01-01T00:00:00Z');
    assert.equal(s.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, '2024-12-31T23:59:59Z');
    assert.ok(s.conditions?.every((c) => c.status === 'True'));
    assert.deepEqual(s.containerStatuses?.[0]?.state, { running: { startedAt: '2025-01-01T00:00:00Z' } });
  });

  test('init containers are reported Completed and sidecars running', () => {
    const p = pod({ initContainers: [{ name: 'setup', image: 'busybox' }, { name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] });
    const s = runningStatus(p, { podIP: '10.240.0.2', hostIP: '198.18.0.1', nowMs: t0 });
    assert.equal(s.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    assert.equal(s.initContainerStatuses?.[0]?.ready, true);
    assert.ok(s.initContainerStatuses?.[1]?.state?.running !== undefined);
  });

  test('an unmet readiness gate holds Ready back with upstream\'s message', () => {
    const p = pod();
    p.spec = { ...p.spec, containers: p.spec?.containers ?? [], readinessGates: [{ conditionType: 'example.com/lb' }] };
    const c = readyCondition(p, t0);
    assert.deepEqual([c.status, c.reason, c.message], ['False', 'ReadinessGatesNotReady', 'corresponding condition of pod readiness gate "example.com/lb" does not exist.']);
  });

  test('a finished pod is Succeeded with its containers terminated and Ready False PodCompleted', () => {
    const running = { ...pod(), status: runningStatus(pod(), { podIP: '10.240.0.2', hostIP: '198.18.0.1', nowMs: t0 }) };
    const s = terminalStatus(running, { afterMs: 2000, exitCode: 0, reason: 'Completed' }, t0 + 2000);
    assert.equal(s.phase, 'Succeeded');
    const term = s.containerStatuses?.[0]?.state?.terminated;
    assert.deepEqual([term?.exitCode, term?.reason, term?.startedAt, term?.finishedAt], [0, 'Completed', metaTime(t0), metaTime(t0 + 2000)]);
    assert.equal(term?.containerID, running.status.containerStatuses?.[0]?.containerID);
    const byType = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, [c.status, c.reason]]));
    assert.deepEqual(byType, {
      PodReadyToStartContainers: ['False', undefined],
      Initialized: ['True', 'PodCompleted'],
      Ready: ['False', 'PodCompleted'],
      ContainersReady: ['False', 'PodCompleted'],
    });
  });

  test('a restarted container counts the restart and remembers how it ended', () => {
    const running = { ...pod(), status: runningStatus(pod(), { podIP: '10.240.0.2', hostIP: '198.18.0.1', nowMs: t0 }) };
    const [cs] = restartedContainerStatuses(running, { afterMs: 1000, exitCode: 1, reason: 'Error' }, t0 + 1000);
    assert.equal(cs?.restartCount, 1);
    assert.equal(cs?.lastState?.terminated?.exitCode, 1);
    assert.equal(cs?.state?.running?.startedAt, metaTime(t0 + 1000));
    assert.notEqual(cs?.containerID, running.status.containerStatuses?.[0]?.containerID);
  });
});
