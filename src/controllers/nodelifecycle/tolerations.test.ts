import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { matchingTolerations, minTolerationTimeMs, planPodEviction } from './tolerations.js';

const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
const tolerate = (key: string, seconds?: number): Toleration => ({ key, operator: 'Exists', effect: 'NoExecute', ...(seconds === undefined ? {} : { tolerationSeconds: seconds }) });

describe('matching tolerations', () => {
  test('every taint needs a toleration, and the first matching one is used', () => {
    assert.deepEqual(matchingTolerations([unreachable], [tolerate('other'), tolerate(unreachable.key, 7), tolerate(unreachable.key, 3)]), { allTolerated: true, used: [tolerate(unreachable.key, 7)] });
    assert.deepEqual(matchingTolerations([unreachable, notReady], [tolerate(unreachable.key)]), { allTolerated: false, used: [] });
  });

  test('an empty key with Exists tolerates everything', () => {
    assert.equal(matchingTolerations([unreachable, notReady], [{ operator: 'Exists' }]).allTolerated, true);
  });
});

describe('minimum toleration time', () => {
  test('the shortest tolerationSeconds wins, in milliseconds', () => {
    assert.equal(minTolerationTimeMs([tolerate('a', 300), tolerate('b', 2)]), 2000);
  });

  test('tolerations without seconds are forever, unless another sets a time', () => {
    assert.equal(minTolerationTimeMs([tolerate('a')]), -1);
    assert.equal(minTolerationTimeMs([tolerate('a'), tolerate('b', 5)]), 5000);
  });

  test('zero or negative seconds, or no tolerations at all, mean at once', () => {
    assert.equal(minTolerationTimeMs([tolerate('a', 0), tolerate('b', 5)]), 0);
    assert.equal(minTolerationTimeMs([tolerate('a', -3)]), 0);
    assert.equal(minTolerationTimeMs([]), 0);
  });
});

describe('planning a pod eviction', () => {
  const now = 1_000_000;

  test('a pod that does not tolerate the taints is evicted at once', () => {
    assert.deepEqual(planPodEviction([unreachable], [], now, undefined), { kind: 'schedule', eviction: { createdAtMs: now, fireAtMs: now } });
  });

  test('a pod tolerating for a while is evicted after its tolerationSeconds', () => {
    assert.deepEqual(planPodEviction([unreachable], [tolerate(unreachable.key, 2)], now, undefined), { kind: 'schedule', eviction: { createdAtMs: now, fireAtMs: now + 2000 } });
  });

  test('the default 300 s tolerations keep a pod for five minutes', () => {
    const defaults = [tolerate(notReady.key, 300), tolerate(unreachable.key, 300)];
    assert.deepEqual(planPodEviction([unreachable], defaults, now, undefined), { kind: 'schedule', eviction: { createdAtMs: now, fireAtMs: now + 300_000 } });
  });

  test('a pod tolerating forever has any pending eviction cancelled', () => {
    assert.deepEqual(planPodEviction([unreachable], [tolerate(unreachable.key)], now, { createdAtMs: now - 10, fireAtMs: now + 100 }), { kind: 'cancel' });
  });

  test('an eviction scheduled earlier is kept when it still comes first', () => {
    const pending = { createdAtMs: now - 1000, fireAtMs: now + 1000 };
    assert.deepEqual(planPodEviction([unreachable], [tolerate(unreachable.key, 2)], now, pending), { kind: 'keep' });
  });

  test('no taints cancel the eviction', () => {
    assert.deepEqual(planPodEviction([], [], now, undefined), { kind: 'cancel' });
  });
});
