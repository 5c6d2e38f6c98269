import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot } from '../framework.js';
import { makeNode, makePod, runFilter } from '../test-objects.js';
import { nodeName } from './node-name.js';

describe('NodeName', () => {
  const snap = buildSnapshot([makeNode('node-1'), makeNode('node-2')], []);

  test('a pod without spec.nodeName fits any node', () => {
    assert.equal(runFilter(nodeName, makePod('web'), snap, 'node-1'), null);
  });

  test('a pod naming a node fits only that node, unresolvably elsewhere', () => {
    const pod = makePod('web', { spec: { nodeName: 'node-2' } });
    assert.equal(runFilter(nodeName, pod, snap, 'node-2'), null);
    assert.deepEqual(runFilter(nodeName, pod, snap, 'node-1'), {
      code: 'UnschedulableAndUnresolvable',
      reasons: ["node(s) didn't match the requested node name"],
      plugin: 'NodeName',
    });
  });
});
