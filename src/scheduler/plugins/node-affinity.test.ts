import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { buildSnapshot } from '../framework.js';
import { makeNode, makePod, runFilter, runScore } from '../test-objects.js';
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity.js';

const snap = buildSnapshot(
  [
    makeNode('ssd-a', { labels: { disktype: 'ssd', 'topology.kubernetes.io/zone': 'a', cores: '16' } }),
    makeNode('hdd-b', { labels: { disktype: 'hdd', 'topology.kubernetes.io/zone': 'b', cores: '4' } }),
  ],
  [],
);
const reason = "node(s) didn't match Pod's node affinity/selector";

function withRequired(terms: NonNullable<NonNullable<NonNullable<Pod['spec']>['affinity']>['nodeAffinity']>['requiredDuringSchedulingIgnoredDuringExecution']): Pod {
  return makePod('web', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } } });
}

describe('NodeAffinity filter', () => {
  test('a pod without nodeSelector or required affinity is skipped', () => {
    assert.equal(runFilter(nodeAffinityFilter, makePod('web'), snap, 'ssd-a'), 'skip');
  });

  test('nodeSelector must match every label', () => {
    const pod = makePod('web', { spec: { nodeSelector: { disktype: 'ssd' } } });
    assert.equal(runFilter(nodeAffinityFilter, pod, snap, 'ssd-a'), null);
    assert.deepEqual(runFilter(nodeAffinityFilter, pod, snap, 'hdd-b'), { code: 'UnschedulableAndUnresolvable', reasons: [reason], plugin: 'NodeAffinity' });
  });

  test('required terms are ORed and their expressions ANDed, Gt compares integers', () => {
    const pod = withRequired({
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['nvme'] }] },
        {
          matchExpressions: [
            { key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['a'] },
            { key: 'cores', operator: 'Gt', values: ['2'] },
          ],
        },
      ],
    });
    assert.notEqual(runFilter(nodeAffinityFilter, pod, snap, 'ssd-a'), null);
    assert.equal(runFilter(nodeAffinityFilter, pod, snap, 'hdd-b'), null);
  });

  test('matchFields on metadata.name narrows the nodes at PreFilter and filters the rest', () => {
    const pod = withRequired({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['hdd-b'] }] }] });
    const r = nodeAffinityFilter.preFilter(pod, snap);
    assert.equal(r.kind, 'filter');
    assert.ok(r.kind === 'filter');
    assert.deepEqual([...(r.nodeNames ?? [])], ['hdd-b']);
    assert.equal(runFilter(nodeAffinityFilter, pod, snap, 'hdd-b'), null);
    assert.notEqual(runFilter(nodeAffinityFilter, pod, snap, 'ssd-a'), null);
  });

  test('conflicting metadata.name requirements reject the pod at PreFilter', () => {
    const pod = withRequired({
      nodeSelectorTerms: [
        {
          matchFields: [
            { key: 'metadata.name', operator: 'In', values: ['ssd-a'] },
            { key: 'metadata.name', operator: 'In', values: ['hdd-b'] },
          ],
        },
      ],
    });
    const r = nodeAffinityFilter.preFilter(pod, snap);
    assert.deepEqual(r, { kind: 'reject', status: { code: 'UnschedulableAndUnresolvable', reasons: ['pod affinity terms conflict'], plugin: 'NodeAffinity' } });
  });

  test('required affinity with no terms matches no node', () => {
    assert.notEqual(runFilter(nodeAffinityFilter, withRequired({ nodeSelectorTerms: [] }), snap, 'ssd-a'), null);
  });
});

describe('NodeAffinity score', () => {
  test('matching preferred terms add their weights, normalized to the best node', () => {
    const pod = makePod('web', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 80, preference: { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] } },
              { weight: 20, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'Exists' }] } },
            ],
          },
        },
      },
    });
    assert.deepEqual(runScore(nodeAffinityScore, pod, snap), { 'ssd-a': 100, 'hdd-b': 20 });
  });

  test('a pod without preferred terms skips the score', () => {
    assert.equal(runScore(nodeAffinityScore, makePod('web'), snap), null);
  });
});
