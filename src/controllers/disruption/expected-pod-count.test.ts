import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec } from 'kubernetes-types/policy/v1.js';
import type { PodControllerFinder } from './controller-finders.js';
import { getExpectedPodCount, getExpectedScale } from './expected-pod-count.js';

const scales: Record<string, number> = { a: 3, b: 2 };
const finders: PodControllerFinder[] = [async (ref) => (scales[ref.uid] !== undefined ? { uid: ref.uid, scale: scales[ref.uid] ?? 0 } : undefined)];
const pod = (name: string, owner?: string): Pod => ({
  metadata: { name, namespace: 'ns', ...(owner !== undefined ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] } : {}) },
});
const pdb = (spec: PodDisruptionBudgetSpec): PodDisruptionBudget => ({ metadata: { name: 'p', namespace: 'ns' }, spec: { selector: {}, ...spec } });

describe('getExpectedScale', () => {
  test('sums the scale of each controller once', async () => {
    assert.deepEqual(await getExpectedScale([pod('1', 'a'), pod('2', 'a'), pod('3', 'b')], finders), { expectedCount: 5, unmanagedPods: [] });
  });

  test('reports pods without a controller instead of counting them', async () => {
    assert.deepEqual(await getExpectedScale([pod('1', 'a'), pod('lonely')], finders), { expectedCount: 3, unmanagedPods: ['lonely'] });
  });

  test('fails for a pod whose controller no finder knows', async () => {
    await assert.rejects(getExpectedScale([pod('x', 'unknown')], finders), { message: 'found no controllers for pod "x"' });
  });
});

describe('getExpectedPodCount', () => {
  test('an integer minAvailable expects the selected pods and needs that many healthy', async () => {
    assert.deepEqual(await getExpectedPodCount(pdb({ minAvailable: 2 }), [pod('1', 'a'), pod('2'), pod('3', 'zzz')], finders), { expectedCount: 3, desiredHealthy: 2, unmanagedPods: [] });
  });

  test('a percentage minAvailable is taken of the controllers\' scale, rounded up', async () => {
    assert.deepEqual(await getExpectedPodCount(pdb({ minAvailable: '50%' }), [pod('1', 'a'), pod('2', 'b')], finders), { expectedCount: 5, desiredHealthy: 3, unmanagedPods: [] });
  });

  test('maxUnavailable leaves the rest of the scale to be healthy, never below zero', async () => {
    assert.deepEqual(await getExpectedPodCount(pdb({ maxUnavailable: 1 }), [pod('1', 'a')], finders), { expectedCount: 3, desiredHealthy: 2, unmanagedPods: [] });
    assert.deepEqual(await getExpectedPodCount(pdb({ maxUnavailable: '34%' }), [pod('1', 'a')], finders), { expectedCount: 3, desiredHealthy: 1, unmanagedPods: [] });
    assert.deepEqual(await getExpectedPodCount(pdb({ maxUnavailable: 10 }), [pod('1', 'a')], finders), { expectedCount: 3, desiredHealthy: 0, unmanagedPods: [] });
  });

  test('a string that is not a percentage is an error', async () => {
    await assert.rejects(getExpectedPodCount(pdb({ minAvailable: 'two' }), [pod('1', 'a')], finders), { message: 'invalid value for IntOrString: invalid type: string is not a percentage' });
  });

  test('a budget with neither field expects nothing', async () => {
    assert.deepEqual(await getExpectedPodCount(pdb({}), [pod('1', 'a')], finders), { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] });
  });
});
