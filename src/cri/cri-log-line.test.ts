import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCriLogLine, rfc3339Nano } from './cri-log-line.js';

describe('CRI log lines', () => {
  test('times are RFC3339Nano in UTC with trailing zeros dropped, as Go prints them', () => {
    assert.equal(rfc3339Nano(1_475_713_029_669_794_202n), '2016-10-06T00:17:09.669794202Z');
    assert.equal(rfc3339Nano(1_475_713_029_600_000_000n), '2016-10-06T00:17:09.6Z');
    assert.equal(rfc3339Nano(1_475_713_029_000_000_000n), '2016-10-06T00:17:09Z');
  });

  test('a line names its stream and whether it is full or partial', () => {
    assert.equal(formatCriLogLine(1_475_713_029_669_794_202n, 'stdout', 'hello'), '2016-10-06T00:17:09.669794202Z stdout F hello\n');
    assert.equal(formatCriLogLine(1_475_713_029_669_794_202n, 'stderr', 'par', true), '2016-10-06T00:17:09.669794202Z stderr P par\n');
  });
});
