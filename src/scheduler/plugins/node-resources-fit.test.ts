import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot } from '../framework.js';
import { makeNode, makePod, runFilter, runScore } from '../test-objects.js';
import { leastAllocatedScore, nodeResourcesFitFilter } from './node-resources-fit.js';

describe('NodeResourcesFit filter', () => {
  const snap = buildSnapshot(
    [makeNode('busy', { cpu: '2', memory: '4Gi', pods: '3' }), makeNode('full', { cpu: '8', memory: '16Gi', pods: '1' })],
    [makePod('db', { nodeName: 'busy', cpu: '1500m', memory: '3Gi' }), makePod('cache', { nodeName: 'full', cpu: '100m' })],
  );

  test('a pod that fits in what is left passes', () => {
    assert.equal(runFilter(nodeResourcesFitFilter, makePod('web', { cpu: '500m', memory: '1Gi' }), snap, 'busy'), null);
  });

  test('every insufficient resource is a reason, in upstream order', () => {
    const s = runFilter(nodeResourcesFitFilter, makePod('web', { cpu: '600m', memory: '2Gi' }), snap, 'busy');
    assert.deepEqual(s, { code: 'Unschedulable', reasons: ['Insufficient cpu', 'Insufficient memory'], plugin: 'NodeResourcesFit' });
  });

  test('the pod count is checked against allocatable pods even for a pod without requests', () => {
    const s = runFilter(nodeResourcesFitFilter, makePod('web'), snap, 'full');
    assert.deepEqual(s, { code: 'Unschedulable', reasons: ['Too many pods'], plugin: 'NodeResourcesFit' });
  });

  test('extended resources must be allocatable on the node', () => {
    const gpuSnap = buildSnapshot([makeNode('gpu', { extra: { 'nvidia.com/gpu': '1' } }), makeNode('plain')], []);
    const pod = makePod('train', { spec: { containers: [{ name: 'c', image: 'pytorch', resources: { requests: { 'nvidia.com/gpu': '1' } } }] } });
    assert.equal(runFilter(nodeResourcesFitFilter, pod, gpuSnap, 'gpu'), null);
    const s = runFilter(nodeResourcesFitFilter, pod, gpuSnap, 'plain');
    assert.ok(s !== null && s !== 'skip');
    assert.deepEqual(s.reasons, ['Insufficient nvidia.com/gpu']);
  });
});

describe('NodeResourcesFit score (LeastAllocated)', () => {
  const snap = buildSnapshot([makeNode('half-used'), makeNode('empty')], [makePod('db', { nodeName: 'half-used', cpu: '2', memory: '4Gi' })]);

  test('the node with more cpu and memory left scores higher', () => {
    assert.deepEqual(runScore(leastAllocatedScore, makePod('web', { cpu: '1', memory: '2Gi' }), snap), { 'half-used': 25, empty: 75 });
  });

  test('a pod without requests counts as 100m cpu and 200Mi memory', () => {
    const scores = runScore(leastAllocatedScore, makePod('web'), snap);
    // cpu (4000-100)/4000 -> 97, memory (8192-200)/8192 -> 97
    assert.equal(scores?.['empty'], 97);
  });
});
