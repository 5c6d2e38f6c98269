import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ringPlan, ringSlice } from './heartbeat-ring.js';

function turnsPerInterval(count: number, intervalMs: number): number[] {
  const { tickMs, perTick } = ringPlan(count, intervalMs);
  const turns = new Array<number>(count).fill(0);
  const ticks = Math.round(intervalMs / tickMs);
  for (let t = 0; t < ticks; t++) for (const i of ringSlice(count, perTick, t)) turns[i] = (turns[i] ?? 0) + 1;
  return turns;
}

describe('heartbeat ring', () => {
  test('a few nodes get one tick each, spread over the interval', () => {
    assert.deepEqual(ringPlan(4, 10_000), { tickMs: 2500, perTick: 1 });
    assert.deepEqual(turnsPerInterval(4, 10_000), [1, 1, 1, 1]);
  });

  test('a thousand nodes are served a few per tick, each once per interval', () => {
    const plan = ringPlan(1000, 10_000);
    assert.deepEqual(plan, { tickMs: 50, perTick: 5 });
    // 100 renewals per second, flat.
    assert.equal((plan.perTick * 1000) / plan.tickMs, 100);
    assert.ok(turnsPerInterval(1000, 10_000).every((n) => n === 1));
  });

  test('a count that does not divide evenly still reaches every node', () => {
    const turns = turnsPerInterval(333, 10_000);
    assert.ok(turns.every((n) => n >= 1));
  });

  test('no nodes means no turns', () => {
    assert.equal(ringPlan(0, 10_000).perTick, 0);
    assert.deepEqual(ringSlice(0, 0, 3), []);
  });
});
