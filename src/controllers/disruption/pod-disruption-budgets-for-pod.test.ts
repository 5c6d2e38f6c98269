import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { podDisruptionBudgetsForPod, podsForPdb } from './pod-disruption-budgets-for-pod.js';

const pdb = (name: string, selector: LabelSelector | undefined, namespace = 'default'): PodDisruptionBudget => ({
  metadata: { name, namespace },
  spec: { minAvailable: 1, ...(selector !== undefined ? { selector } : {}) },
});
const pod = (name: string, labels: Record<string, string>, namespace = 'default'): Pod => ({ metadata: { name, namespace, labels } });

describe('podDisruptionBudgetsForPod', () => {
  test('finds the budgets of the namespace whose selector matches, by name', () => {
    const got = podDisruptionBudgetsForPod(pod('p', { app: 'web' }), [
      pdb('z', { matchLabels: { app: 'web' } }),
      pdb('a', { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] }),
      pdb('other-app', { matchLabels: { app: 'db' } }),
      pdb('other-ns', { matchLabels: { app: 'web' } }, 'kube-system'),
    ]);
    assert.deepEqual(got.map((p) => p.metadata?.name), ['a', 'z']);
  });

  test('an empty selector matches every pod and a missing one none', () => {
    const got = podDisruptionBudgetsForPod(pod('p', { app: 'web' }), [pdb('empty', {}), pdb('missing', undefined)]);
    assert.deepEqual(got.map((p) => p.metadata?.name), ['empty']);
  });

  test('a budget with an invalid selector matches nothing', () => {
    assert.deepEqual(podDisruptionBudgetsForPod(pod('p', { app: 'web' }), [pdb('bad', { matchExpressions: [{ key: 'app', operator: 'Near', values: ['web'] }] })]), []);
  });
});

describe('podsForPdb', () => {
  test('selects the matching pods of the budget namespace', () => {
    const got = podsForPdb(pdb('web', { matchLabels: { app: 'web' } }), [pod('a', { app: 'web' }), pod('b', { app: 'db' }), pod('c', { app: 'web' }, 'other')]);
    assert.deepEqual(got.map((p) => p.metadata?.name), ['a']);
  });

  test('throws the selector error for an invalid selector', () => {
    assert.throws(() => podsForPdb(pdb('bad', { matchExpressions: [{ key: 'app', operator: 'Near', values: ['web'] }] }), []), /"Near" is not a valid label selector operator/);
  });
});
