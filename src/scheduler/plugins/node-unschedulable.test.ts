import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot } from '../framework.js';
import { makeNode, makePod, runFilter } from '../test-objects.js';
import { nodeUnschedulable } from './node-unschedulable.js';

describe('NodeUnschedulable', () => {
  const snap = buildSnapshot([makeNode('cordoned', { unschedulable: true }), makeNode('open')], []);

  test('a cordoned node rejects ordinary pods as "node(s) were unschedulable"', () => {
    const s = runFilter(nodeUnschedulable, makePod('web'), snap, 'cordoned');
    assert.ok(s !== null && s !== 'skip');
    assert.deepEqual(s.reasons, ['node(s) were unschedulable']);
    assert.equal(s.code, 'UnschedulableAndUnresolvable');
    assert.equal(runFilter(nodeUnschedulable, makePod('web'), snap, 'open'), null);
  });

  test('a pod tolerating node.kubernetes.io/unschedulable fits a cordoned node', () => {
    const pod = makePod('ds-pod', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
    assert.equal(runFilter(nodeUnschedulable, pod, snap, 'cordoned'), null);
  });
});
