import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatMicroTime, formatTime } from './go-json-formats.js';

describe('Go JSON time formats', () => {
  test('Time is RFC 3339 in UTC with whole seconds', () => {
    assert.equal(formatTime(0n, 0), '1970-01-01T00:00:00Z');
    assert.equal(formatTime(1136214245n, 999999999), '2006-01-02T15:04:05Z');
    assert.equal(formatTime(-62135596800n, 0), '0001-01-01T00:00:00Z');
  });

  test('MicroTime keeps six fractional digits', () => {
    assert.equal(formatMicroTime(1136214245n, 0), '2006-01-02T15:04:05.000000Z');
    assert.equal(formatMicroTime(1136214245n, 123456789), '2006-01-02T15:04:05.123456Z');
  });

  test('Duration is spelled as time.Duration.String()', () => {
    assert.equal(formatDuration(0n), '0s');
    assert.equal(formatDuration(999n), '999ns');
    assert.equal(formatDuration(1500n), '1.5µs');
    assert.equal(formatDuration(100000000n), '100ms');
    assert.equal(formatDuration(1000000000n), '1s');
    assert.equal(formatDuration(90000000000n), '1m30s');
    assert.equal(formatDuration(3600000000000n), '1h0m0s');
    assert.equal(formatDuration(3723500000000n), '1h2m3.5s');
    assert.equal(formatDuration(-2000000000n), '-2s');
  });
});
