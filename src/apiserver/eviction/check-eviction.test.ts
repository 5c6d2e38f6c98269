import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { ApiError } from '../../machinery/errors.js';
import { checkAndDecrement, checkEviction, maxDisruptedPodSize } from './check-eviction.js';

const now = Date.parse('2025-01-01T00:10:00Z');

const pod = (opts: { phase?: string; ready?: boolean; deleting?: boolean; labels?: Record<string, string> } = {}): Pod => ({
  metadata: { name: 'web-1', namespace: 'ns', resourceVersion: '42', labels: opts.labels ?? { app: 'web' }, ...(opts.deleting === true ? { deletionTimestamp: '2025-01-01T00:09:00Z' } : {}) },
  status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});

const pdb = (status: Partial<PodDisruptionBudgetStatus>, opts: { name?: string; generation?: number; policy?: string } = {}): PodDisruptionBudget => ({
  metadata: { name: opts.name ?? 'web-pdb', namespace: 'ns', generation: opts.generation ?? 1, resourceVersion: '9' },
  spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } }, ...(opts.policy !== undefined ? { unhealthyPodEvictionPolicy: opts.policy } : {}) },
  status: { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, ...status },
});

function refused(c: ReturnType<typeof checkEviction>): ApiError {
  assert.equal(c.outcome, 'refused');
  if (c.outcome !== 'refused') throw new Error('unreachable');
  return c.error;
}

describe('checkEviction', () => {
  test('terminal pods are evicted without looking at budgets', () => {
    for (const phase of ['Succeeded', 'Failed']) assert.deepEqual(checkEviction(pod({ phase }), [pdb({ disruptionsAllowed: 0 })], now), { outcome: 'ignoreBudgets' });
    assert.deepEqual(checkEviction(pod({ deleting: true }), [pdb({ disruptionsAllowed: 0 })], now), { outcome: 'ignoreBudgets' });
  });

  test('pending pods are evicted without budgets but guarded by their resourceVersion unless the client gave one', () => {
    assert.deepEqual(checkEviction(pod({ phase: 'Pending' }), [pdb({ disruptionsAllowed: 0 })], now), { outcome: 'ignoreBudgets', resourceVersion: '42' });
    assert.deepEqual(checkEviction(pod({ phase: 'Pending' }), [], now, { requestResourceVersion: '41' }), { outcome: 'ignoreBudgets' });
  });

  test('a pod no budget selects is simply deleted', () => {
    assert.deepEqual(checkEviction(pod({ labels: { app: 'db' } }), [pdb({ disruptionsAllowed: 0 })], now), { outcome: 'noBudget' });
  });

  test('a pod with two budgets gets upstream\'s 500', () => {
    const e = refused(checkEviction(pod(), [pdb({}), pdb({}, { name: 'other' })], now));
    assert.deepEqual(e.toStatus(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 });
  });

  test('a budget that allows a disruption is decremented and records the pod', () => {
    const c = checkEviction(pod(), [pdb({})], now);
    assert.equal(c.outcome, 'budget');
    if (c.outcome !== 'budget') return;
    assert.equal(c.pdbName, 'web-pdb');
    assert.equal(c.pdbUpdate?.metadata?.resourceVersion, '9');
    assert.equal(c.pdbUpdate?.status?.disruptionsAllowed, 0);
    assert.deepEqual(c.pdbUpdate?.status?.disruptedPods, { 'web-1': '2025-01-01T00:10:00Z' });
    // Down to zero: the condition says so at once.
    assert.equal(c.pdbUpdate?.status?.conditions?.[0]?.reason, 'InsufficientPods');
  });

  test('a dry run checks the budget but writes nothing', () => {
    assert.deepEqual(checkEviction(pod(), [pdb({})], now, { dryRun: true }), { outcome: 'budget', pdbName: 'web-pdb' });
  });

  test('a budget that allows no disruption refuses with 429 and the DisruptionBudget cause', () => {
    const e = refused(checkEviction(pod(), [pdb({ disruptionsAllowed: 0, currentHealthy: 2 })], now));
    assert.deepEqual(e.toStatus(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      reason: 'TooManyRequests',
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently' }] },
      code: 429,
    });
  });

  test('a budget whose generation the controller has not processed refuses with 429 and a retry after 10 s', () => {
    const e = refused(checkEviction(pod(), [pdb({}, { generation: 2 })], now));
    assert.equal(e.code, 429);
    assert.deepEqual(e.details, { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb is still being processed by the server.' }], retryAfterSeconds: 10 });
  });

  test('a negative disruptionsAllowed or an overfull disruptedPods is forbidden', () => {
    assert.equal(refused(checkEviction(pod(), [pdb({ disruptionsAllowed: -1 })], now)).message, 'poddisruptionbudget.policy "web-pdb" is forbidden: pdb disruptions allowed is negative');
    const many: Record<string, string> = {};
    for (let i = 0; i <= maxDisruptedPodSize; i++) many[`p${i}`] = '2025-01-01T00:09:00Z';
    assert.equal(
      refused(checkEviction(pod(), [pdb({ disruptedPods: many })], now)).message,
      'poddisruptionbudget.policy "web-pdb" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller',
    );
  });

  test('an unready pod goes without a decrement while the budget is satisfied', () => {
    assert.deepEqual(checkEviction(pod({ ready: false }), [pdb({ disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 })], now), { outcome: 'unhealthyPod', pdbName: 'web-pdb', resourceVersion: '42' });
  });

  test('an unready pod of a disrupted application is refused by the default policy', () => {
    assert.equal(refused(checkEviction(pod({ ready: false }), [pdb({ disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2 })], now)).code, 429);
    assert.equal(refused(checkEviction(pod({ ready: false }), [pdb({ disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2 }, { policy: 'IfHealthyBudget' })], now)).code, 429);
  });

  test('an unready pod is always evictable under AlwaysAllow', () => {
    assert.deepEqual(checkEviction(pod({ ready: false }), [pdb({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 2 }, { policy: 'AlwaysAllow' })], now), {
      outcome: 'unhealthyPod',
      pdbName: 'web-pdb',
      resourceVersion: '42',
    });
  });
});

describe('checkAndDecrement', () => {
  test('keeps earlier disrupted pods and leaves the condition alone while disruptions remain', () => {
    const next = checkAndDecrement(pdb({ disruptionsAllowed: 2, disruptedPods: { old: '2025-01-01T00:09:00Z' } }), 'web-1', now, false);
    assert.ok(!(next instanceof ApiError));
    assert.equal(next.status?.disruptionsAllowed, 1);
    assert.deepEqual(next.status?.disruptedPods, { old: '2025-01-01T00:09:00Z', 'web-1': '2025-01-01T00:10:00Z' });
    assert.equal(next.status?.conditions, undefined);
  });
});
