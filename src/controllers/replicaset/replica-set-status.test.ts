import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { calculateStatus, statusUpToDate, type StatusInput } from './replica-set-status.js';

const now = Date.parse('2026-01-01T12:00:00Z');

function pod(labels: Record<string, string>, readyAgoSeconds?: number): Pod {
  const p: Pod = { metadata: { name: 'p', labels }, status: { phase: 'Running' } };
  if (readyAgoSeconds !== undefined) {
    (p.status as { conditions?: unknown[] }).conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(now - readyAgoSeconds * 1000).toISOString() }];
  }
  return p;
}

const rs = (over: Partial<StatusInput> = {}): StatusInput => ({ replicas: 3, minReadySeconds: 0, templateLabels: { app: 'web', tier: 'fe' }, status: {}, ...over });

describe('calculateStatus', () => {
  test('counts replicas, fully labelled, ready and available pods', () => {
    const pods = [pod({ app: 'web', tier: 'fe' }, 100), pod({ app: 'web' }, 5), pod({ app: 'web', tier: 'fe' })];
    const s = calculateStatus(rs({ minReadySeconds: 10 }), pods, undefined, now);
    assert.deepEqual(s, { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1 });
  });

  test('a create error sets ReplicaFailure with reason FailedCreate and the error message', () => {
    const s = calculateStatus(rs(), [pod({ app: 'web' })], new Error('pods "web-" is forbidden: nope'), now);
    assert.deepEqual(s.conditions, [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2026-01-01T12:00:00Z', reason: 'FailedCreate', message: 'pods "web-" is forbidden: nope' }]);
  });

  test('a delete error gives reason FailedDelete', () => {
    const pods = [pod({}), pod({}), pod({}), pod({})];
    assert.equal(calculateStatus(rs(), pods, new Error('x'), now).conditions?.[0]?.reason, 'FailedDelete');
  });

  test('an existing ReplicaFailure is kept as it is while errors continue and removed on success', () => {
    const existing = { type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'FailedCreate', message: 'old' };
    assert.deepEqual(calculateStatus(rs({ status: { conditions: [existing] } }), [], new Error('new'), now).conditions, [existing]);
    assert.equal(calculateStatus(rs({ status: { conditions: [existing] } }), [], undefined, now).conditions, undefined);
  });
});

describe('statusUpToDate', () => {
  test('is true only when counts, conditions and the observed generation all agree', () => {
    const s = { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 1, availableReplicas: 1, observedGeneration: 3 };
    assert.equal(statusUpToDate(s, 3, { ...s }), true);
    assert.equal(statusUpToDate(s, 4, { ...s }), false);
    assert.equal(statusUpToDate(s, 3, { ...s, readyReplicas: 2 }), false);
    assert.equal(statusUpToDate(s, 3, { ...s, conditions: [{ type: 'ReplicaFailure', status: 'True' }] }), false);
    assert.equal(statusUpToDate({}, 0, { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0 }), true);
  });
});
