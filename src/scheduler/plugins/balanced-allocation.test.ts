import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot } from '../framework.js';
import { makeNode, makePod, runScore } from '../test-objects.js';
import { balancedAllocationScore, balancedResourceScore } from './balanced-allocation.js';

describe('NodeResourcesBalancedAllocation', () => {
  test('equal cpu and memory fractions score 100, uneven ones lose half the difference', () => {
    assert.equal(balancedResourceScore([1000, 2], [4000, 8]), 100);
    assert.equal(balancedResourceScore([3000, 3], [4000, 8]), 81);
    assert.equal(balancedResourceScore([8000, 0], [4000, 8]), 50);
  });

  test('nodes are scored with the pod added to their actual requests', () => {
    const snap = buildSnapshot([makeNode('cpu-heavy'), makeNode('empty')], [makePod('batch', { nodeName: 'cpu-heavy', cpu: '2', memory: '1Gi' })]);
    assert.deepEqual(runScore(balancedAllocationScore, makePod('web', { cpu: '1', memory: '2Gi' }), snap), { 'cpu-heavy': 81, empty: 100 });
  });
});
