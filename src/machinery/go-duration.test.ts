import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration } from './go-duration.js';

describe('parseGoDuration', () => {
  test('reads single and combined units in milliseconds', () => {
    assert.equal(parseGoDuration('2s'), 2000);
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('1h'), 3_600_000);
    assert.equal(parseGoDuration('300ms'), 300);
    assert.equal(parseGoDuration('1500us'), 1.5);
    assert.equal(parseGoDuration('0'), 0);
  });

  test('reads fractions and signs', () => {
    assert.equal(parseGoDuration('1.5s'), 1500);
    assert.equal(parseGoDuration('.5m'), 30_000);
    assert.equal(parseGoDuration('-2s'), -2000);
    assert.equal(parseGoDuration('+1s'), 1000);
  });

  test('refuses what Go refuses, with Go\'s message', () => {
    for (const bad of ['', '2', 's', '1d', '1s2', '.s', '-']) {
      assert.throws(() => parseGoDuration(bad), { message: `time: invalid duration ${JSON.stringify(bad)}` });
    }
  });
});
