import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FailedPodsBackoff } from './failed-pods-backoff.js';
import { podsShouldBeOnNode } from './pods-should-be-on-node.js';
import { testDaemonPod, testDaemonSet, testNode } from './test-objects.js';

const now = Date.parse('2024-01-02T00:00:00Z');

describe('podsShouldBeOnNode', () => {
  test('a node without a daemon pod needs one', () => {
    const plan = podsShouldBeOnNode(testNode('n1'), undefined, testDaemonSet(), 'new', new FailedPodsBackoff(), now);
    assert.deepEqual(plan.nodesNeedingDaemonPods, ['n1']);
    assert.deepEqual(plan.podsToDelete, []);
  });

  test('extra running pods go, the oldest stays', () => {
    const pods = [testDaemonPod('young', 'n1', { created: '2024-01-01T00:00:05Z' }), testDaemonPod('old', 'n1')];
    const plan = podsShouldBeOnNode(testNode('n1'), pods, testDaemonSet(), 'new', new FailedPodsBackoff(), now);
    assert.deepEqual(plan.podsToDelete, ['young']);
    assert.deepEqual(plan.nodesNeedingDaemonPods, []);
  });

  test('a failed pod is deleted once, then held back by the backoff', () => {
    const backoff = new FailedPodsBackoff();
    const failed = [testDaemonPod('f', 'n1', { phase: 'Failed' })];
    const first = podsShouldBeOnNode(testNode('n1'), failed, testDaemonSet(), 'new', backoff, now);
    assert.deepEqual(first.podsToDelete, ['f']);
    assert.equal(first.failedPods.length, 1);
    const again = podsShouldBeOnNode(testNode('n1'), failed, testDaemonSet(), 'new', backoff, now + 500);
    assert.deepEqual(again.podsToDelete, []);
    assert.equal(again.requeueAfterMs, 1000);
    const later = podsShouldBeOnNode(testNode('n1'), failed, testDaemonSet(), 'new', backoff, now + 1500);
    assert.deepEqual(later.podsToDelete, ['f']);
    assert.equal(backoff.get(`ds-uid/0/n1`), 2000);
  });

  test('a succeeded pod is deleted, and a pod being deleted is left alone', () => {
    const pods = [testDaemonPod('s', 'n1', { phase: 'Succeeded' }), testDaemonPod('d', 'n1', { deleting: true })];
    const plan = podsShouldBeOnNode(testNode('n1'), pods, testDaemonSet(), 'new', new FailedPodsBackoff(), now);
    assert.deepEqual(plan.podsToDelete, ['s']);
    assert.deepEqual(plan.succeededPods.map((p) => p.metadata?.name), ['s']);
  });

  test('a NoSchedule taint keeps the running pod, a NoExecute taint deletes it', () => {
    const pods = [testDaemonPod('p', 'n1')];
    const noSchedule = testNode('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] });
    assert.deepEqual(podsShouldBeOnNode(noSchedule, pods, testDaemonSet(), 'new', new FailedPodsBackoff(), now).podsToDelete, []);
    assert.deepEqual(podsShouldBeOnNode(noSchedule, undefined, testDaemonSet(), 'new', new FailedPodsBackoff(), now).nodesNeedingDaemonPods, []);
    const noExecute = testNode('n1', { taints: [{ key: 'k', effect: 'NoExecute' }] });
    assert.deepEqual(podsShouldBeOnNode(noExecute, pods, testDaemonSet(), 'new', new FailedPodsBackoff(), now).podsToDelete, ['p']);
  });

  test('with surge, a ready old pod and an unavailable new pod both stay', () => {
    const ds = testDaemonSet({ spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } });
    const pods = [testDaemonPod('old', 'n1', { hash: 'old' }), testDaemonPod('new', 'n1', { hash: 'new', ready: false, created: '2024-01-01T00:00:05Z' })];
    assert.deepEqual(podsShouldBeOnNode(testNode('n1'), pods, ds, 'new', new FailedPodsBackoff(), now).podsToDelete, []);
    const readyNew = [pods[0]!, testDaemonPod('new', 'n1', { hash: 'new', created: '2024-01-01T00:00:05Z' })];
    assert.deepEqual(podsShouldBeOnNode(testNode('n1'), readyNew, ds, 'new', new FailedPodsBackoff(), now).podsToDelete, ['old']);
  });
});
