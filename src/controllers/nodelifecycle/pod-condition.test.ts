import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { updatePodCondition } from './pod-condition.js';

const t1 = Date.parse('2024-01-01T00:05:00Z');

describe('updating a pod condition', () => {
  test('a new condition is appended with the transition time now', () => {
    const r = updatePodCondition({ phase: 'Running' }, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager' }, t1);
    assert.equal(r.changed, true);
    assert.deepEqual(r.status.conditions, [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', lastTransitionTime: '2024-01-01T00:05:00Z' }]);
  });

  test('a status change sets a new transition time', () => {
    const r = updatePodCondition({ conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] }, { type: 'Ready', status: 'False' }, t1);
    assert.equal(r.changed, true);
    assert.deepEqual(r.status.conditions, [{ type: 'Ready', status: 'False', lastTransitionTime: '2024-01-01T00:05:00Z' }]);
  });

  test('the same condition again changes nothing and keeps its transition time', () => {
    const before = { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2024-01-01T00:00:00Z' }] };
    const r = updatePodCondition(before, { type: 'Ready', status: 'False', lastTransitionTime: 'ignored' }, t1);
    assert.equal(r.changed, false);
    assert.deepEqual(r.status.conditions, before.conditions);
  });
});
