import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { slowStartBatch } from './slow-start-batch.js';

describe('slowStartBatch', () => {
  test('runs the calls in batches of 1, 2, 4 and the rest', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    let current = 0;
    const r = await slowStartBatch(10, 1, async () => {
      inFlight++;
      current++;
      await new Promise((res) => setImmediate(res));
      if (inFlight === current) batches.push(current);
      inFlight--;
      if (inFlight === 0) current = 0;
    });
    assert.deepEqual(r, { successes: 10 });
    assert.deepEqual(batches, [1, 2, 4, 3]);
  });

  test('stops after the first batch with a failure and reports the successes so far', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, 1, async () => {
      calls++;
      if (calls >= 3) throw new Error('quota exceeded');
    });
    assert.equal(calls, 3);
    assert.equal(r.successes, 2);
    assert.equal(r.error?.message, 'quota exceeded');
  });

  test('nothing to do makes no calls', async () => {
    assert.deepEqual(await slowStartBatch(0, 1, async () => assert.fail('no call expected')), { successes: 0 });
  });
});
