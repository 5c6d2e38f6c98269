import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulingQueue } from './scheduling-queue.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('the scheduling queue', () => {
  test('pods come out by priority, then first come first served', async () => {
    const c = clock();
    const q = new SchedulingQueue<string>({ now: c.now });
    q.add('a', 'a', 0);
    c.advance(1);
    q.add('b', 'b', 100);
    c.advance(1);
    q.add('c', 'c', 0);
    c.advance(1);
    q.add('d', 'd', 100);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await q.pop())?.key ?? '');
    assert.deepEqual(order, ['b', 'd', 'a', 'c']);
  });

  test('pop waits for the next pod and close ends the wait with nothing', async () => {
    const q = new SchedulingQueue<string>();
    const waiting = q.pop();
    q.add('x', 'x', 0);
    assert.equal((await waiting)?.key, 'x');
    const again = q.pop();
    q.close();
    assert.equal(await again, undefined);
  });

  test('an unschedulable pod waits for a cluster event, then goes back to the active queue', async () => {
    const c = clock();
    const q = new SchedulingQueue<string>({ now: c.now });
    q.add('p', 'p', 0);
    const cycle = q.cycle;
    const item = await q.pop();
    assert.ok(item);
    q.failed(item, true, cycle);
    assert.equal(q.unschedulableCount, 1);
    c.advance(2000); // past its 1 s backoff
    q.moveAllToActiveOrBackoff();
    assert.equal(q.activeCount, 1);
    assert.equal((await q.pop())?.attempts, 1);
  });

  test('a pod that fails after an event began during its attempt is retried after backoff instead of parked', async () => {
    const c = clock();
    const q = new SchedulingQueue<string>({ now: c.now });
    q.add('p', 'p', 0);
    const cycle = q.cycle;
    const item = await q.pop();
    assert.ok(item);
    q.moveAllToActiveOrBackoff();
    q.failed(item, true, cycle);
    assert.equal(q.unschedulableCount, 0);
    assert.equal(q.backoffCount, 1);
    q.flush();
    assert.equal(q.activeCount, 0, 'still backing off');
    c.advance(1000);
    q.flush();
    assert.equal(q.activeCount, 1);
  });

  test('backoff doubles per attempt from 1 s up to 10 s', () => {
    const q = new SchedulingQueue<string>();
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => q.backoffMs(n)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  test('an unschedulable pod is tried again after five minutes without any event', async () => {
    const c = clock();
    const q = new SchedulingQueue<string>({ now: c.now });
    q.add('p', 'p', 0);
    const item = await q.pop();
    assert.ok(item);
    q.failed(item, true, q.cycle);
    c.advance(5 * 60_000 - 1);
    q.flush();
    assert.equal(q.activeCount, 0);
    c.advance(1);
    q.flush();
    assert.equal(q.activeCount, 1);
  });

  test('an update of an unschedulable pod makes it active again, and a deleted pod leaves the queue', async () => {
    const c = clock();
    const q = new SchedulingQueue<string>({ now: c.now });
    q.add('p', 'p1', 0);
    const item = await q.pop();
    assert.ok(item);
    q.failed(item, true, q.cycle);
    c.advance(1500);
    q.update('p', 'p2', 0);
    const again = await q.pop();
    assert.equal(again?.pod, 'p2');
    q.done('p');
    q.add('gone', 'gone', 0);
    q.delete('gone');
    assert.equal(q.activeCount, 0);
  });

  test('a pod deleted while it is being scheduled is not put back when its attempt fails', async () => {
    const q = new SchedulingQueue<string>();
    q.add('p', 'p', 0);
    const item = await q.pop();
    assert.ok(item);
    q.delete('p');
    q.failed(item, false, q.cycle);
    assert.equal(q.activeCount + q.backoffCount + q.unschedulableCount, 0);
  });
});
