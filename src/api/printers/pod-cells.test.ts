import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podCells, podRowConditions } from './pod-cells.js';

const now = new Date('2024-05-01T12:00:00Z');
const created = '2024-05-01T11:00:00Z';

function pod(p: Partial<Pod> & { spec?: Pod['spec'] }): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', creationTimestamp: created, ...p.metadata },
    spec: p.spec ?? { containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }] },
    status: p.status ?? {},
  };
}

const readyRunning = { name: 'a', image: 'a', imageID: '', ready: true, restartCount: 3, state: { running: {} } };

describe('podCells', () => {
  test('counts ready containers and sums restarts with the phase as status', () => {
    const cells = podCells(pod({
      status: { phase: 'Running', containerStatuses: [readyRunning, { ...readyRunning, name: 'b', ready: false, state: { running: {} } }] },
    }), now);
    assert.deepEqual(cells, ['p', '1/2', 'Running', '6', '60m', '<none>', '<none>', '<none>', '<none>']);
  });

  test('shows a waiting container reason such as CrashLoopBackOff with the last restart age', () => {
    const cells = podCells(pod({
      spec: { containers: [{ name: 'a' }], nodeName: 'node-1' },
      status: {
        phase: 'Running',
        podIP: '10.0.0.5',
        containerStatuses: [{
          name: 'a', image: 'a', imageID: '', ready: false, restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:55:00Z' } },
        }],
      },
    }), now);
    assert.deepEqual(cells.slice(0, 7), ['p', '0/1', 'CrashLoopBackOff', '5 (5m ago)', '60m', '10.0.0.5', 'node-1']);
  });

  test('shows ContainerCreating, Completed and exit codes from container states', () => {
    const waiting = podCells(pod({
      spec: { containers: [{ name: 'a' }] },
      status: { phase: 'Pending', containerStatuses: [{ name: 'a', image: 'a', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] },
    }), now);
    assert.equal(waiting[2], 'ContainerCreating');
    const completed = podCells(pod({
      spec: { containers: [{ name: 'a' }] },
      status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', image: 'a', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
    }), now);
    assert.deepEqual(completed.slice(0, 4), ['p', '0/1', 'Completed', '0']);
    const signal = podCells(pod({
      spec: { containers: [{ name: 'a' }] },
      status: { phase: 'Failed', containerStatuses: [{ name: 'a', image: 'a', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] },
    }), now);
    assert.equal(signal[2], 'Signal:9');
  });

  test('prints Pending for a pod not yet scheduled and SchedulingGated for a gated one', () => {
    assert.deepEqual(podCells(pod({ spec: { containers: [{ name: 'a' }] }, status: { phase: 'Pending' } }), now).slice(0, 4), ['p', '0/1', 'Pending', '0']);
    const gated = podCells(pod({
      spec: { containers: [{ name: 'a' }] },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
    }), now);
    assert.equal(gated[2], 'SchedulingGated');
  });

  test('reports init container progress as Init:N/M and failures as Init:reason', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] };
    const progress = podCells(pod({
      spec,
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'i1', image: 'i', imageID: '', ready: true, restartCount: 0, state: { terminated: { exitCode: 0 } } },
          { name: 'i2', image: 'i', imageID: '', ready: false, restartCount: 0, state: { running: {} } },
        ],
      },
    }), now);
    assert.deepEqual(progress.slice(0, 4), ['p', '0/1', 'Init:1/2', '0']);
    const failed = podCells(pod({
      spec,
      status: {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'i1', image: 'i', imageID: '', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    }), now);
    assert.deepEqual(failed.slice(0, 4), ['p', '0/1', 'Init:CrashLoopBackOff', '2']);
    const exit = podCells(pod({
      spec,
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }] },
    }), now);
    assert.equal(exit[2], 'Init:ExitCode:2');
  });

  test('counts a started sidecar init container among the ready containers', () => {
    const cells = podCells(pod({
      spec: { initContainers: [{ name: 'side', restartPolicy: 'Always' }], containers: [{ name: 'a' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
        initContainerStatuses: [{ name: 'side', image: 's', imageID: '', ready: true, started: true, restartCount: 1, state: { running: {} } }],
        containerStatuses: [{ ...readyRunning, restartCount: 0 }],
      },
    }), now);
    assert.deepEqual(cells.slice(0, 4), ['p', '2/2', 'Running', '1']);
  });

  test('turns Completed back into Running or NotReady while a container still runs', () => {
    const status = (ready: boolean): Pod['status'] => ({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        { ...readyRunning, name: 'a', restartCount: 0 },
        { name: 'b', image: 'b', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    });
    assert.equal(podCells(pod({ status: status(true) }), now)[2], 'Running');
    assert.equal(podCells(pod({ status: status(false) }), now)[2], 'NotReady');
  });

  test('prints Terminating for a deleted running pod and Unknown for one on a lost node', () => {
    const deleting = { name: 'p', creationTimestamp: created, deletionTimestamp: '2024-05-01T11:59:00Z' };
    assert.equal(podCells(pod({ metadata: deleting, status: { phase: 'Running' } }), now)[2], 'Terminating');
    assert.equal(podCells(pod({ metadata: deleting, status: { phase: 'Running', reason: 'NodeLost' } }), now)[2], 'Unknown');
    assert.equal(podCells(pod({ metadata: deleting, status: { phase: 'Succeeded' } }), now)[2], 'Succeeded');
  });

  test('prints the wide columns: first pod IP, nominated node and readiness gates', () => {
    const cells = podCells(pod({
      spec: { containers: [{ name: 'a' }], readinessGates: [{ conditionType: 'x' }, { conditionType: 'y' }] },
      status: {
        phase: 'Pending',
        podIPs: [{ ip: 'fd00::1' }, { ip: '10.0.0.1' }],
        nominatedNodeName: 'node-2',
        conditions: [{ type: 'x', status: 'True' }, { type: 'y', status: 'False' }],
      },
    }), now);
    assert.deepEqual(cells.slice(5), ['fd00::1', '<none>', 'node-2', '1/2']);
  });
});

describe('podRowConditions', () => {
  test('marks succeeded and failed pods Completed as upstream does', () => {
    assert.deepEqual(podRowConditions(pod({ status: { phase: 'Succeeded' } })), [
      { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
    ]);
    assert.equal(podRowConditions(pod({ status: { phase: 'Running' } })), undefined);
  });
});
