import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { missingNodeNames, NodeQuarantine, terminatedPodsToDelete, terminatingPodsOnOutOfServiceNodes, unscheduledTerminatingPods } from './pod-gc-selection.js';

function pod(name: string, phase: string, created: string, extra: { reason?: string; nodeName?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', creationTimestamp: created, ...(extra.deleting === true ? { deletionTimestamp: created } : {}) },
    spec: { containers: [], nodeName: extra.nodeName },
    status: { phase, reason: extra.reason },
  };
}

describe('terminated pods above the threshold', () => {
  const pods = [
    pod('c', 'Succeeded', '2024-01-01T00:00:03Z'),
    pod('running', 'Running', '2024-01-01T00:00:00Z'),
    pod('b', 'Failed', '2024-01-01T00:00:02Z'),
    pod('a2', 'Succeeded', '2024-01-01T00:00:01Z'),
    pod('a1', 'Succeeded', '2024-01-01T00:00:01Z'),
    pod('evicted', 'Failed', '2024-01-01T00:00:09Z', { reason: 'Evicted' }),
  ];

  test('evicted pods go first, then the oldest, names breaking ties', () => {
    assert.deepEqual(terminatedPodsToDelete(pods, 1).map((p) => p.metadata?.name), ['evicted', 'a1', 'a2', 'b']);
  });

  test('nothing is deleted at or below the threshold, and a threshold of 0 turns it off', () => {
    assert.deepEqual(terminatedPodsToDelete(pods, 5), []);
    assert.deepEqual(terminatedPodsToDelete(pods, 0), []);
  });

  test('running and pending pods never count', () => {
    assert.deepEqual(terminatedPodsToDelete([pod('r', 'Running', '2024-01-01T00:00:00Z'), pod('p', 'Pending', '2024-01-01T00:00:00Z')], 1), []);
  });
});

describe('terminating pods', () => {
  test('only terminating pods on not-ready, out-of-service nodes are picked', () => {
    const oos: Node = { metadata: { name: 'oos' }, spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
    const ready: Node = { metadata: { name: 'ok' }, spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    const nodes = new Map([['oos', oos], ['ok', ready]]);
    const pods = [
      pod('x', 'Running', '2024-01-01T00:00:00Z', { nodeName: 'oos', deleting: true }),
      pod('y', 'Running', '2024-01-01T00:00:00Z', { nodeName: 'oos' }),
      pod('z', 'Running', '2024-01-01T00:00:00Z', { nodeName: 'ok', deleting: true }),
    ];
    assert.deepEqual(terminatingPodsOnOutOfServiceNodes(pods, (n) => nodes.get(n)).map((p) => p.metadata?.name), ['x']);
  });

  test('unscheduled terminating pods are picked, bound ones are not', () => {
    const pods = [pod('u', 'Pending', '2024-01-01T00:00:00Z', { deleting: true }), pod('b', 'Running', '2024-01-01T00:00:00Z', { nodeName: 'n', deleting: true })];
    assert.deepEqual(unscheduledTerminatingPods(pods).map((p) => p.metadata?.name), ['u']);
  });
});

describe('orphaned pods', () => {
  test('nodes that pods are bound to but that are not known are missing', () => {
    const pods = [pod('a', 'Running', '2024-01-01T00:00:00Z', { nodeName: 'gone' }), pod('b', 'Running', '2024-01-01T00:00:00Z', { nodeName: 'here' }), pod('c', 'Pending', '2024-01-01T00:00:00Z')];
    assert.deepEqual([...missingNodeNames(pods, new Set(['here']))], ['gone']);
  });

  test('a missing node is due once its quarantine is over, and adding it again does not restart the wait', () => {
    const q = new NodeQuarantine(40_000);
    q.add('gone', 0);
    q.add('gone', 20_000);
    assert.deepEqual(q.takeDue(39_999), []);
    assert.deepEqual(q.takeDue(40_000), ['gone']);
    assert.equal(q.size, 0);
  });
});
