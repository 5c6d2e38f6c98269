import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { buildDisruptedPodMap, computePdbStatus, countHealthyPods, deletionTimeoutMs, failSafePdb } from './pdb-status.js';

const now = Date.parse('2025-01-01T00:10:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

const pod = (name: string, ready: boolean, extra: { deleting?: boolean } = {}): Pod => ({
  metadata: { name, namespace: 'ns', ...(extra.deleting === true ? { deletionTimestamp: iso(now) } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

const pdb = (status?: PodDisruptionBudget['status'], generation = 1): PodDisruptionBudget => ({
  metadata: { name: 'web', namespace: 'ns', generation, resourceVersion: '7' },
  spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
  ...(status !== undefined ? { status } : {}),
});

describe('countHealthyPods', () => {
  test('counts ready pods that are neither being deleted nor recently disrupted', () => {
    const pods = [pod('a', true), pod('b', true, { deleting: true }), pod('c', false), pod('d', true), pod('e', true)];
    const disrupted = { d: iso(now - 1000), e: iso(now - deletionTimeoutMs - 1000) };
    // d was evicted a second ago; e's entry has expired, so e counts again.
    assert.equal(countHealthyPods(pods, disrupted, now), 2);
  });
});

describe('buildDisruptedPodMap', () => {
  test('keeps fresh entries of pods not yet deleting and says when to look again', () => {
    const fresh = iso(now - 30_000);
    const got = buildDisruptedPodMap([pod('a', true), pod('b', true, { deleting: true })], pdb({ disruptedPods: { a: fresh, b: fresh, gone: fresh }, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }), now);
    assert.deepEqual(got.disruptedPods, { a: fresh });
    assert.equal(got.recheckAtMs, Date.parse(fresh) + deletionTimeoutMs);
    assert.deepEqual(got.notDeleted, []);
  });

  test('drops entries older than the deletion timeout and names their pods', () => {
    const old = iso(now - deletionTimeoutMs - 1000);
    const got = buildDisruptedPodMap([pod('a', true)], pdb({ disruptedPods: { a: old }, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }), now);
    assert.deepEqual(got.disruptedPods, {});
    assert.equal(got.recheckAtMs, undefined);
    assert.deepEqual(got.notDeleted.map((p) => p.metadata?.name), ['a']);
  });
});

describe('computePdbStatus', () => {
  test('writes the counts, the generation and a True DisruptionAllowed condition', () => {
    const next = computePdbStatus(pdb(), { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} }, now);
    assert.deepEqual(next?.status, {
      observedGeneration: 1,
      disruptionsAllowed: 1,
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', observedGeneration: 1, lastTransitionTime: '2025-01-01T00:10:00Z', reason: 'SufficientPods', message: '' }],
    });
    assert.equal(next?.metadata?.resourceVersion, '7');
  });

  test('allows no disruption while too few pods are healthy or none are expected', () => {
    assert.equal(computePdbStatus(pdb(), { currentHealthy: 1, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} }, now)?.status?.disruptionsAllowed, 0);
    const none = computePdbStatus(pdb(), { currentHealthy: 1, desiredHealthy: 0, expectedCount: 0, disruptedPods: {} }, now);
    assert.equal(none?.status?.disruptionsAllowed, 0);
    assert.equal(none?.status?.conditions?.[0]?.reason, 'InsufficientPods');
  });

  test('returns nothing when the status already says the same', () => {
    const once = computePdbStatus(pdb(), { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: { a: iso(now) } }, now);
    assert.ok(once !== undefined);
    assert.equal(computePdbStatus(once, { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: { a: iso(now) } }, now + 5000), undefined);
    assert.ok(computePdbStatus(once, { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} }, now + 5000) !== undefined);
  });

  test('rewrites the status when a new generation has not been observed', () => {
    const once = computePdbStatus(pdb(), { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} }, now);
    assert.ok(once !== undefined);
    const bumped: PodDisruptionBudget = { ...once, metadata: { ...once.metadata, generation: 2 } };
    const next = computePdbStatus(bumped, { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} }, now);
    assert.equal(next?.status?.observedGeneration, 2);
    assert.equal(next?.status?.conditions?.[0]?.observedGeneration, 2);
  });
});

describe('failSafePdb', () => {
  test('allows no disruption and says why in a SyncFailed condition', () => {
    const ok = computePdbStatus(pdb(), { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} }, now - 60_000);
    assert.ok(ok !== undefined);
    const failed = failSafePdb(ok, new Error('found no controllers for pod "x"'), now);
    assert.equal(failed.status?.disruptionsAllowed, 0);
    assert.equal(failed.status?.currentHealthy, 3);
    assert.deepEqual(failed.status?.conditions, [
      { type: 'DisruptionAllowed', status: 'False', observedGeneration: 1, lastTransitionTime: '2025-01-01T00:10:00Z', reason: 'SyncFailed', message: 'found no controllers for pod "x"' },
    ]);
  });
});
