import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { calculateDaemonSetCounts, daemonSetStatusUpToDate, daemonSetStatusWith } from './daemon-set-status.js';
import { testDaemonPod, testDaemonSet, testNode } from './test-objects.js';

describe('calculateDaemonSetCounts', () => {
  test('counts desired, current, misscheduled, ready, available and updated pods', () => {
    const nodes = [testNode('n1'), testNode('n2'), testNode('n3'), testNode('n4', { taints: [{ key: 'k', effect: 'NoSchedule' }] })];
    const m = new Map<string, Pod[]>([
      ['n1', [testDaemonPod('a', 'n1')]],
      ['n2', [testDaemonPod('b', 'n2', { hash: 'old', ready: false })]],
      ['n4', [testDaemonPod('d', 'n4')]],
    ]);
    const counts = calculateDaemonSetCounts(testDaemonSet(), nodes, m, 'new', Date.now());
    assert.deepEqual(counts, {
      desiredNumberScheduled: 3,
      currentNumberScheduled: 2,
      numberMisscheduled: 1,
      numberReady: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberUnavailable: 2,
    });
    assert.equal(daemonSetStatusUpToDate(testDaemonSet(), counts), false);
    assert.equal(daemonSetStatusUpToDate({ ...testDaemonSet(), status: { ...counts, observedGeneration: 1 } }, counts), true);
  });

  test('a pod with the current template generation counts as updated', () => {
    const pod = testDaemonPod('a', 'n1', { hash: 'other' });
    pod.metadata!.labels!['pod-template-generation'] = '1';
    const counts = calculateDaemonSetCounts(testDaemonSet(), [testNode('n1')], new Map([['n1', [pod]]]), 'new', Date.now());
    assert.equal(counts.updatedNumberScheduled, 1);
  });
});

describe('daemonSetStatusWith', () => {
  test('leaves out the zero fields Go writes with omitempty and records the generation', () => {
    const counts = { desiredNumberScheduled: 1, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 1 };
    assert.deepEqual(daemonSetStatusWith(testDaemonSet(), counts, true), { desiredNumberScheduled: 1, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, numberUnavailable: 1, observedGeneration: 1 });
    assert.equal(daemonSetStatusWith(testDaemonSet(), counts, false).observedGeneration, undefined);
  });
});
