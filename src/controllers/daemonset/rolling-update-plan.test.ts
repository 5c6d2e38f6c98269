import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { rollingUpdatePlan, updatedDesiredNodeCounts } from './rolling-update-plan.js';
import { testDaemonPod, testDaemonSet, testNode } from './test-objects.js';

const now = Date.parse('2024-01-02T00:00:00Z');
const nodes = [testNode('n1'), testNode('n2'), testNode('n3')];

function byNode(pods: Pod[]): Map<string, Pod[]> {
  const m = new Map<string, Pod[]>();
  for (const p of pods) m.set(p.spec?.nodeName ?? '', [...(m.get(p.spec?.nodeName ?? '') ?? []), p]);
  return m;
}

describe('rollingUpdatePlan without surge', () => {
  test('deletes one available old pod at a time with maxUnavailable 1', () => {
    const pods = [testDaemonPod('a', 'n1', { hash: 'old' }), testDaemonPod('b', 'n2', { hash: 'old' }), testDaemonPod('c', 'n3', { hash: 'old' })];
    const plan = rollingUpdatePlan(testDaemonSet(), nodes, byNode(pods), 'new', now);
    assert.equal(plan.oldPodsToDelete.length, 1);
    assert.deepEqual(plan.newNodesToCreate, []);
  });

  test('waits while a new pod is not available yet', () => {
    const pods = [testDaemonPod('a', 'n1', { hash: 'new', ready: false }), testDaemonPod('b', 'n2', { hash: 'old' }), testDaemonPod('c', 'n3', { hash: 'old' })];
    assert.deepEqual(rollingUpdatePlan(testDaemonSet(), nodes, byNode(pods), 'new', now).oldPodsToDelete, []);
  });

  test('a node without a pod counts as unavailable', () => {
    const pods = [testDaemonPod('b', 'n2', { hash: 'old' }), testDaemonPod('c', 'n3', { hash: 'old' })];
    assert.deepEqual(rollingUpdatePlan(testDaemonSet(), nodes, byNode(pods), 'new', now).oldPodsToDelete, []);
  });

  test('unavailable old pods are replaced at once, beyond maxUnavailable', () => {
    const pods = [testDaemonPod('a', 'n1', { hash: 'old', ready: false }), testDaemonPod('b', 'n2', { hash: 'old', ready: false }), testDaemonPod('c', 'n3', { hash: 'old' })];
    assert.deepEqual(rollingUpdatePlan(testDaemonSet(), nodes, byNode(pods), 'new', now).oldPodsToDelete.sort(), ['a', 'b']);
  });

  test('maxUnavailable as a percentage rounds up', () => {
    const ds = testDaemonSet({ spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } } } });
    const pods = [testDaemonPod('a', 'n1', { hash: 'old' }), testDaemonPod('b', 'n2', { hash: 'old' }), testDaemonPod('c', 'n3', { hash: 'old' })];
    assert.equal(rollingUpdatePlan(ds, nodes, byNode(pods), 'new', now).oldPodsToDelete.length, 2);
  });

  test('an up-to-date DaemonSet has nothing to do', () => {
    const pods = [testDaemonPod('a', 'n1'), testDaemonPod('b', 'n2'), testDaemonPod('c', 'n3')];
    assert.deepEqual(rollingUpdatePlan(testDaemonSet(), nodes, byNode(pods), 'new', now), { oldPodsToDelete: [], newNodesToCreate: [] });
  });
});

describe('rollingUpdatePlan with surge', () => {
  const surge = testDaemonSet({ spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } } });

  test('creates a new pod next to one available old pod', () => {
    const pods = [testDaemonPod('a', 'n1', { hash: 'old' }), testDaemonPod('b', 'n2', { hash: 'old' }), testDaemonPod('c', 'n3', { hash: 'old' })];
    const plan = rollingUpdatePlan(surge, nodes, byNode(pods), 'new', now);
    assert.equal(plan.newNodesToCreate.length, 1);
    assert.deepEqual(plan.oldPodsToDelete, []);
  });

  test('deletes the old pod once the new one beside it is available', () => {
    const pods = [testDaemonPod('a', 'n1', { hash: 'old' }), testDaemonPod('a2', 'n1', { hash: 'new' }), testDaemonPod('b', 'n2', { hash: 'old' }), testDaemonPod('c', 'n3', { hash: 'old' })];
    const plan = rollingUpdatePlan(surge, nodes, byNode(pods), 'new', now);
    assert.deepEqual(plan.oldPodsToDelete, ['a']);
    // The surge budget is free again only after the deletion is observed.
    assert.equal(plan.newNodesToCreate.length, 1);
  });

  test('a new pod that is not available yet uses up the surge', () => {
    const pods = [testDaemonPod('a', 'n1', { hash: 'old' }), testDaemonPod('a2', 'n1', { hash: 'new', ready: false }), testDaemonPod('b', 'n2', { hash: 'old' })];
    assert.deepEqual(rollingUpdatePlan(surge, nodes, byNode(pods), 'new', now), { oldPodsToDelete: [], newNodesToCreate: [] });
  });
});

describe('updatedDesiredNodeCounts', () => {
  test('defaults to one unavailable when surge and unavailability are both zero', () => {
    const ds = testDaemonSet({ spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } });
    const m = new Map<string, Pod[]>();
    assert.deepEqual(updatedDesiredNodeCounts(ds, nodes, m), { maxSurge: 0, maxUnavailable: 1, desiredNumberScheduled: 3 });
    assert.deepEqual([...m.keys()], ['n1', 'n2', 'n3']);
  });
});
