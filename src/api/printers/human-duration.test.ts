import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, translateTimestampSince } from './human-duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;

describe('humanDuration', () => {
  test('prints durations with two to three significant figures as upstream duration.HumanDuration does', () => {
    const cases: [number, string][] = [
      [s, '1s'],
      [70 * s, '70s'],
      [190 * s, '3m10s'],
      [5 * m, '5m'],
      [70 * m, '70m'],
      [3 * h + 20 * m, '3h20m'],
      [47 * h, '47h'],
      [49 * h, '2d1h'],
      [(8 * 24 + 2) * h, '8d'],
      [367 * 24 * h, '367d'],
      [(365 * 2 * 24 + 25) * h, '2y1d'],
      [(365 * 8 * 24 + 2) * h, '8y'],
    ];
    for (const [d, want] of cases) assert.equal(humanDuration(d), want, `${d}ms`);
  });

  test('tolerates up to two seconds of clock skew and calls anything later invalid', () => {
    assert.equal(humanDuration(-1500), '0s');
    assert.equal(humanDuration(-2000), '<invalid>');
  });
});

describe('translateTimestampSince', () => {
  test('prints <unknown> for an absent or zero timestamp', () => {
    const now = new Date('2024-01-01T00:00:00Z');
    assert.equal(translateTimestampSince(undefined, now), '<unknown>');
    assert.equal(translateTimestampSince('0001-01-01T00:00:00Z', now), '<unknown>');
  });

  test('measures from the timestamp to now, micro-time included', () => {
    const now = new Date('2024-01-01T01:00:00Z');
    assert.equal(translateTimestampSince('2024-01-01T00:00:00Z', now), '60m');
    assert.equal(translateTimestampSince('2024-01-01T00:59:30.123456Z', now), '29s');
  });
});
