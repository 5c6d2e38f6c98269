import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { conditionsAreUpToDate, setStatusCondition, updateDisruptionAllowedCondition } from './disruption-allowed-condition.js';

const t0 = Date.parse('2025-01-01T00:00:00Z');
const t1 = t0 + 60_000;

const pdb = (disruptionsAllowed: number, generation = 1, observedGeneration = 1): PodDisruptionBudget => ({
  metadata: { name: 'web', namespace: 'default', generation },
  spec: { minAvailable: 1 },
  status: { observedGeneration, disruptionsAllowed, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
});

describe('setStatusCondition', () => {
  test('a new condition is appended with the current time and its observed generation', () => {
    const conds: Condition[] = [];
    assert.equal(setStatusCondition(conds, { type: 'A', status: 'True', reason: 'R', observedGeneration: 3 }, t0), true);
    assert.deepEqual(conds, [{ type: 'A', status: 'True', observedGeneration: 3, lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'R', message: '' }]);
  });

  test('the transition time moves only when the status changes', () => {
    const conds: Condition[] = [];
    setStatusCondition(conds, { type: 'A', status: 'True', reason: 'R' }, t0);
    assert.equal(setStatusCondition(conds, { type: 'A', status: 'True', reason: 'S', message: 'm' }, t1), true);
    assert.equal(conds[0]?.lastTransitionTime, '2025-01-01T00:00:00Z');
    assert.equal(conds[0]?.reason, 'S');
    assert.equal(setStatusCondition(conds, { type: 'A', status: 'False', reason: 'S', message: 'm' }, t1), true);
    assert.equal(conds[0]?.lastTransitionTime, '2025-01-01T00:01:00Z');
  });

  test('setting the same condition again changes nothing', () => {
    const conds: Condition[] = [];
    setStatusCondition(conds, { type: 'A', status: 'True', reason: 'R', observedGeneration: 2 }, t0);
    assert.equal(setStatusCondition(conds, { type: 'A', status: 'True', reason: 'R', observedGeneration: 2 }, t1), false);
  });
});

describe('the DisruptionAllowed condition', () => {
  test('is True with reason SufficientPods when disruptions are allowed', () => {
    const p = pdb(1);
    updateDisruptionAllowedCondition(p, t0);
    assert.deepEqual(p.status?.conditions, [{ type: 'DisruptionAllowed', status: 'True', observedGeneration: 1, lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'SufficientPods', message: '' }]);
    assert.equal(conditionsAreUpToDate(p), true);
  });

  test('is False with reason InsufficientPods when none are', () => {
    const p = pdb(0);
    updateDisruptionAllowedCondition(p, t0);
    assert.equal(p.status?.conditions?.[0]?.status, 'False');
    assert.equal(p.status?.conditions?.[0]?.reason, 'InsufficientPods');
    assert.equal(conditionsAreUpToDate(p), true);
  });

  test('is out of date when missing, when the generation was not observed, or when it disagrees with disruptionsAllowed', () => {
    assert.equal(conditionsAreUpToDate(pdb(1)), false);
    const stale = pdb(1, 2, 1);
    updateDisruptionAllowedCondition(stale, t0);
    assert.equal(conditionsAreUpToDate(stale), false);
    const p = pdb(1);
    updateDisruptionAllowedCondition(p, t0);
    if (p.status !== undefined) p.status.disruptionsAllowed = 0;
    assert.equal(conditionsAreUpToDate(p), false);
  });
});
