import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { arrivedLines } from './watch-fanout.js';

describe('watch fan-out arrivals', () => {
  test('each line gets the time of the piece that brought its last byte', () => {
    const chunks = [Buffer.from('{"a":1}\n{"b"'), Buffer.from(':2}\n'), Buffer.from('{"c":3}\n{"d":4}\n')];
    assert.deepEqual(arrivedLines(chunks, [10n, 20n, 30n]), [
      { text: '{"a":1}', at: 10n },
      { text: '{"b":2}', at: 20n },
      { text: '{"c":3}', at: 30n },
      { text: '{"d":4}', at: 30n },
    ]);
  });

  test('a multi-byte character split between pieces decodes whole, and an unfinished last line is left out', () => {
    const snowman = Buffer.from('{"n":"☃"}\n');
    const chunks = [snowman.subarray(0, 7), snowman.subarray(7), Buffer.from('{"partial"')];
    assert.deepEqual(arrivedLines(chunks, [1n, 2n, 3n]), [{ text: '{"n":"☃"}', at: 2n }]);
  });
});
