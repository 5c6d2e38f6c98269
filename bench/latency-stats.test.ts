import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { median, percentile, summarize } from './latency-stats.js';

describe('latency statistics', () => {
  test('the nearest-rank p50 and p99 of 1..100 are 50 and 99', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(samples, 50), 50);
    assert.equal(percentile(samples, 99), 99);
    assert.equal(percentile(samples, 100), 100);
  });

  test('p99 of fewer than 100 samples is the largest sample', () => {
    assert.equal(percentile([3, 1, 2], 99), 3);
  });

  test('percentile does not reorder the caller’s array', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    assert.deepEqual(samples, [3, 1, 2]);
  });

  test('no samples give NaN rather than a made-up figure', () => {
    assert.ok(Number.isNaN(percentile([], 50)));
    const s = summarize([]);
    assert.equal(s.count, 0);
    assert.ok(Number.isNaN(s.p99));
  });

  test('summarize reports count, percentiles, max and mean', () => {
    assert.deepEqual(summarize([4, 1, 3, 2]), { count: 4, p50: 2, p99: 4, max: 4, mean: 2.5 });
  });

  test('the median of an even count is the mean of the two middle samples', () => {
    assert.equal(median([5, 1, 3, 9]), 4);
    assert.equal(median([7, 1, 3]), 3);
  });
});
