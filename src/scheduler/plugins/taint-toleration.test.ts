import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot } from '../framework.js';
import { makeNode, makePod, runFilter, runScore } from '../test-objects.js';
import { taintTolerationFilter, taintTolerationScore } from './taint-toleration.js';

describe('TaintToleration filter', () => {
  const snap = buildSnapshot(
    [
      makeNode('not-ready', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }),
      makeNode('gpu', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      makeNode('soft', { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] }),
    ],
    [],
  );

  test('an untolerated taint is reported as upstream formats it, with an empty value', () => {
    const s = runFilter(taintTolerationFilter, makePod('web'), snap, 'not-ready');
    assert.deepEqual(s, {
      code: 'UnschedulableAndUnresolvable',
      reasons: ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'],
      plugin: 'TaintToleration',
    });
    const g = runFilter(taintTolerationFilter, makePod('web'), snap, 'gpu');
    assert.ok(g !== null && g !== 'skip');
    assert.deepEqual(g.reasons, ['node(s) had untolerated taint {dedicated: gpu}']);
  });

  test('Equal tolerations need the same value and Exists tolerates any value', () => {
    const wrong = makePod('a', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoSchedule' }] } });
    const right = makePod('b', { spec: { tolerations: [{ key: 'dedicated', value: 'gpu' }] } });
    const exists = makePod('c', { spec: { tolerations: [{ operator: 'Exists' }] } });
    assert.notEqual(runFilter(taintTolerationFilter, wrong, snap, 'gpu'), null);
    assert.equal(runFilter(taintTolerationFilter, right, snap, 'gpu'), null);
    assert.equal(runFilter(taintTolerationFilter, exists, snap, 'gpu'), null);
  });

  test('PreferNoSchedule taints do not filter', () => {
    assert.equal(runFilter(taintTolerationFilter, makePod('web'), snap, 'soft'), null);
  });
});

describe('TaintToleration score', () => {
  const snap = buildSnapshot(
    [
      makeNode('clean'),
      makeNode('one', { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] }),
      makeNode('two', {
        taints: [
          { key: 'spot', value: 'true', effect: 'PreferNoSchedule' },
          { key: 'old-kernel', effect: 'PreferNoSchedule' },
        ],
      }),
    ],
    [],
  );

  test('nodes with fewer untolerated PreferNoSchedule taints score higher', () => {
    assert.deepEqual(runScore(taintTolerationScore, makePod('web'), snap), { clean: 100, one: 50, two: 0 });
  });

  test('tolerated PreferNoSchedule taints do not count', () => {
    const pod = makePod('web', { spec: { tolerations: [{ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }] } });
    assert.deepEqual(runScore(taintTolerationScore, pod, snap), { clean: 100, one: 100, two: 0 });
  });
});
