import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Snapshot } from './framework.js';
import { buildSnapshot } from './framework.js';
import { preempt, snapshotAfterPreemption } from './preemption.js';
import { fitErrorMessage, schedulePod } from './schedule-pod.js';
import { makeNode, makePod } from './test-objects.js';

function tryPreempt(pod: Pod, snap: Snapshot) {
  const r = schedulePod(pod, snap);
  assert.ok('error' in r, 'the pod does not fit as is');
  return { fitError: r.error, result: preempt(pod, snap, r.error) };
}

const critical = (cpu: string, extra: Partial<NonNullable<Pod['spec']>> = {}) => makePod('critical', { cpu, priority: 1000, spec: extra });

describe('preempt', () => {
  test('only as many lower-priority pods as needed are victims, the least important first', () => {
    const snap = buildSnapshot(
      [makeNode('node-1', { cpu: '2' })],
      [makePod('batch-low', { nodeName: 'node-1', cpu: '1', priority: 5 }), makePod('batch-mid', { nodeName: 'node-1', cpu: '1', priority: 10 })],
    );
    const { result } = tryPreempt(critical('1'), snap);
    assert.equal(result.kind, 'candidate');
    assert.ok(result.kind === 'candidate');
    assert.equal(result.nodeName, 'node-1');
    assert.deepEqual(result.victims.map((v) => v.metadata?.name), ['batch-low']);
    const after = snapshotAfterPreemption(snap, critical('1'), result);
    assert.deepEqual(after.nodeByName.get('node-1')?.pods.map((p) => p.metadata?.name), ['batch-mid', 'critical']);
  });

  test('the node whose most important victim has the lowest priority is chosen', () => {
    const snap = buildSnapshot(
      [makeNode('node-1', { cpu: '1' }), makeNode('node-2', { cpu: '1' })],
      [makePod('api', { nodeName: 'node-1', cpu: '1', priority: 100 }), makePod('batch', { nodeName: 'node-2', cpu: '1', priority: 10 })],
    );
    const { result } = tryPreempt(critical('1'), snap);
    assert.ok(result.kind === 'candidate');
    assert.equal(result.nodeName, 'node-2');
  });

  test('with equal priorities the node needing fewer victims is chosen', () => {
    const snap = buildSnapshot(
      [makeNode('node-1', { cpu: '2' }), makeNode('node-2', { cpu: '2' })],
      [
        makePod('a-1', { nodeName: 'node-1', cpu: '1', priority: 10 }),
        makePod('a-2', { nodeName: 'node-1', cpu: '1', priority: 10 }),
        makePod('b-1', { nodeName: 'node-2', cpu: '2', priority: 10 }),
      ],
    );
    const { result } = tryPreempt(critical('2'), snap);
    assert.ok(result.kind === 'candidate');
    assert.equal(result.nodeName, 'node-2');
    assert.deepEqual(result.victims.map((v) => v.metadata?.name), ['b-1']);
  });

  test('after the victims are gone the pod fits on the chosen node', () => {
    const snap = buildSnapshot([makeNode('node-1', { cpu: '1' })], [makePod('batch', { nodeName: 'node-1', cpu: '1', priority: 1 })]);
    const pod = critical('1');
    const { result } = tryPreempt(pod, snap);
    assert.ok(result.kind === 'candidate');
    const without = buildSnapshot([makeNode('node-1', { cpu: '1' })], []);
    assert.deepEqual(schedulePod(pod, without), { node: 'node-1' });
    assert.equal(snapshotAfterPreemption(snap, pod, result).nodeByName.get('node-1')?.pods[0]?.metadata?.name, 'critical');
  });

  test('nodes rejected for unresolvable reasons are not helped, nodes without lower-priority pods have no victims', () => {
    const snap = buildSnapshot(
      [
        makeNode('node-1', { cpu: '1' }),
        makeNode('node-2', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }),
        makeNode('node-3', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }),
      ],
      [makePod('api', { nodeName: 'node-1', cpu: '1', priority: 1000 })],
    );
    const { fitError, result } = tryPreempt(critical('500m'), snap);
    assert.ok(result.kind === 'failed');
    assert.equal(
      fitErrorMessage({ ...fitError, postFilterMsg: result.message }),
      '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. ' +
        'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
    );
  });

  test('when nothing could help on any node every node is "not helpful"', () => {
    const snap = buildSnapshot([makeNode('node-1', { unschedulable: true }), makeNode('node-2', { unschedulable: true })], []);
    const { fitError, result } = tryPreempt(critical('1'), snap);
    assert.ok(result.kind === 'failed');
    assert.equal(
      fitErrorMessage({ ...fitError, postFilterMsg: result.message }),
      '0/2 nodes are available: 2 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });

  test('a node still too small without its lower-priority pods reports the filter reason', () => {
    const snap = buildSnapshot([makeNode('node-1', { cpu: '1' })], [makePod('batch', { nodeName: 'node-1', cpu: '500m', priority: 1 })]);
    const { result } = tryPreempt(critical('2'), snap);
    assert.deepEqual(result, { kind: 'failed', message: 'preemption: 0/1 nodes are available: 1 Insufficient cpu.' });
  });

  test('a pod with preemptionPolicy Never does not preempt', () => {
    const snap = buildSnapshot([makeNode('node-1', { cpu: '1' })], [makePod('batch', { nodeName: 'node-1', cpu: '1', priority: 1 })]);
    const { result } = tryPreempt(critical('1', { preemptionPolicy: 'Never' }), snap);
    assert.deepEqual(result, { kind: 'failed', message: 'preemption: not eligible due to preemptionPolicy=Never.' });
  });
});
