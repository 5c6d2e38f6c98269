import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeShouldRunDaemonPod } from './node-should-run-daemon-pod.js';
import { testDaemonSet, testNode } from './test-objects.js';

describe('nodeShouldRunDaemonPod', () => {
  test('a plain node runs the daemon pod', () => {
    assert.deepEqual(nodeShouldRunDaemonPod(testNode('n1'), testDaemonSet()), { shouldRun: true, shouldContinueRunning: true });
  });

  test('an untolerated NoSchedule taint keeps new pods off but lets a running one stay', () => {
    const node = testNode('n1', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
    assert.deepEqual(nodeShouldRunDaemonPod(node, testDaemonSet()), { shouldRun: false, shouldContinueRunning: true });
  });

  test('an untolerated NoExecute taint evicts the running pod too', () => {
    const node = testNode('n1', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoExecute' }] });
    assert.deepEqual(nodeShouldRunDaemonPod(node, testDaemonSet()), { shouldRun: false, shouldContinueRunning: false });
  });

  test('a PreferNoSchedule taint does not matter', () => {
    const node = testNode('n1', { taints: [{ key: 'dedicated', effect: 'PreferNoSchedule' }] });
    assert.equal(nodeShouldRunDaemonPod(node, testDaemonSet()).shouldRun, true);
  });

  test('a matching toleration lets the pod onto a tainted node', () => {
    const node = testNode('n1', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
    const ds = testDaemonSet({ templateSpec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }] } });
    assert.equal(nodeShouldRunDaemonPod(node, ds).shouldRun, true);
    const wrongValue = testDaemonSet({ templateSpec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'y' }] } });
    assert.equal(nodeShouldRunDaemonPod(node, wrongValue).shouldRun, false);
  });

  test('the tolerations added to daemon pods cover not-ready, unreachable and unschedulable nodes', () => {
    const node = testNode('n1', {
      taints: [
        { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
      ],
    });
    assert.equal(nodeShouldRunDaemonPod(node, testDaemonSet()).shouldRun, true);
  });

  test('network-unavailable is tolerated only by host-network daemon pods', () => {
    const node = testNode('n1', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] });
    assert.equal(nodeShouldRunDaemonPod(node, testDaemonSet()).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node, testDaemonSet({ templateSpec: { hostNetwork: true } })).shouldRun, true);
  });

  test('the template nodeSelector limits the nodes, and a node that stops matching loses its pod', () => {
    const ds = testDaemonSet({ templateSpec: { nodeSelector: { disk: 'ssd' } } });
    assert.equal(nodeShouldRunDaemonPod(testNode('n1', { labels: { disk: 'ssd' } }), ds).shouldRun, true);
    assert.deepEqual(nodeShouldRunDaemonPod(testNode('n2'), ds), { shouldRun: false, shouldContinueRunning: false });
  });

  test('required node affinity of the template limits the nodes', () => {
    const ds = testDaemonSet({
      templateSpec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } } } },
    });
    assert.equal(nodeShouldRunDaemonPod(testNode('n1', { labels: { zone: 'b' } }), ds).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(testNode('n2', { labels: { zone: 'c' } }), ds).shouldRun, false);
  });

  test('a template nodeName picks that node only', () => {
    const ds = testDaemonSet({ templateSpec: { nodeName: 'n2' } });
    assert.equal(nodeShouldRunDaemonPod(testNode('n1'), ds).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(testNode('n2'), ds).shouldRun, true);
  });
});
