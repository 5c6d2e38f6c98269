import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { clearedDisruptionTarget, staleDisruptionConditionWait, stalePodDisruptionTimeoutMs } from './stale-disruption-condition.js';

const now = Date.parse('2025-01-01T00:10:00Z');
const since = (ms: number): string => new Date(now - ms).toISOString().replace('.000Z', 'Z');

const pod = (cond: PodCondition | undefined, opts: { phase?: string; deleting?: boolean } = {}): Pod => ({
  metadata: { name: 'p', namespace: 'ns', ...(opts.deleting === true ? { deletionTimestamp: since(0) } : {}) },
  status: { phase: opts.phase ?? 'Running', conditions: cond === undefined ? [] : [cond] },
});
const target = (ago: number, reason = 'EvictionByEvictionAPI'): PodCondition => ({ type: 'DisruptionTarget', status: 'True', lastTransitionTime: since(ago), reason, message: 'Eviction API: evicting' });

describe('staleDisruptionConditionWait', () => {
  test('says how long until a True DisruptionTarget on a live pod goes stale', () => {
    assert.equal(staleDisruptionConditionWait(pod(target(30_000)), now), stalePodDisruptionTimeoutMs - 30_000);
    assert.equal(staleDisruptionConditionWait(pod(target(stalePodDisruptionTimeoutMs + 1000)), now), 0);
  });

  test('ignores pods being deleted, terminal pods, the kubelet\'s conditions and False ones', () => {
    assert.equal(staleDisruptionConditionWait(pod(target(0), { deleting: true }), now), undefined);
    assert.equal(staleDisruptionConditionWait(pod(target(0), { phase: 'Failed' }), now), undefined);
    assert.equal(staleDisruptionConditionWait(pod(target(0, 'TerminationByKubelet')), now), undefined);
    assert.equal(staleDisruptionConditionWait(pod({ type: 'DisruptionTarget', status: 'False' }), now), undefined);
    assert.equal(staleDisruptionConditionWait(pod(undefined), now), undefined);
  });
});

describe('clearedDisruptionTarget', () => {
  test('sets the condition False with a new transition time and no reason', () => {
    const next = clearedDisruptionTarget(pod(target(200_000)), now);
    assert.deepEqual(next?.status?.conditions, [{ type: 'DisruptionTarget', status: 'False', lastTransitionTime: '2025-01-01T00:10:00Z' }]);
  });

  test('changes nothing on a condition that is already False', () => {
    assert.equal(clearedDisruptionTarget(pod({ type: 'DisruptionTarget', status: 'False', lastTransitionTime: since(5000) }), now), undefined);
  });
});
