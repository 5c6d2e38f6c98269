import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkQueue } from './work-queue.js';

/**
 * The queue's delay timers are unref'd (they must not keep a process alive); tests that wait on them hold the event
 * loop open with a timer of their own.
 */
async function keepingAlive<T>(work: () => Promise<T>): Promise<T> {
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    return await work();
  } finally {
    clearInterval(keepAlive);
  }
}

async function getWithin(q: WorkQueue, ms: number): Promise<string | undefined | 'timeout'> {
  return Promise.race([q.get(), sleep(ms).then(() => 'timeout' as const)]);
}

describe('WorkQueue', () => {
  test('a key added twice while queued is handed out once', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.length, 0);
  });

  test('keys come out in the order they were first added', async () => {
    const q = new WorkQueue();
    for (const k of ['c', 'a', 'b', 'a', 'c']) q.add(k);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['c', 'a', 'b']);
  });

  test('a key added while it is processed is not handed to a second worker', async () => {
    const q = new WorkQueue();
    q.add('a');
    assert.equal(await q.get(), 'a');
    q.add('a');
    assert.equal(q.length, 0);
    assert.equal(await getWithin(q, 30), 'timeout');
  });

  test('a key dirtied while processed is queued again, once, when done', async () => {
    const q = new WorkQueue();
    q.add('a');
    assert.equal(await q.get(), 'a');
    q.add('a');
    q.add('a');
    q.done('a');
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(q.length, 0);
  });

  test('done on a clean key does not requeue it', async () => {
    const q = new WorkQueue();
    q.add('a');
    await q.get();
    q.done('a');
    assert.equal(q.length, 0);
  });

  test('a waiting worker is woken by an add', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    setTimeout(() => q.add('late'), 10);
    assert.equal(await waiting, 'late');
  });

  test('two waiting workers each get a different key', async () => {
    const q = new WorkQueue();
    const w1 = q.get();
    const w2 = q.get();
    q.add('x');
    q.add('y');
    assert.deepEqual([await w1, await w2].sort(), ['x', 'y']);
  });

  test('addAfter delays the key', () => keepingAlive(async () => {
    const q = new WorkQueue();
    const started = Date.now();
    q.addAfter('later', 40);
    assert.equal(q.length, 0);
    assert.equal(await q.get(), 'later');
    assert.ok(Date.now() - started >= 35);
  }));

  test('addAfter with no delay adds at once', () => {
    const q = new WorkQueue();
    q.addAfter('now', 0);
    assert.equal(q.length, 1);
  });

  test('rate-limited re-adds back off exponentially from the base delay, per key, until forgotten', () => keepingAlive(async () => {
    const q = new WorkQueue(20, 1000);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      q.addRateLimited('flaky');
      assert.equal(await q.get(), 'flaky');
      waits.push(Date.now() - t);
      q.done('flaky');
    }
    assert.ok((waits[0] ?? 0) >= 15 && (waits[0] ?? 0) < 120, `first retry after about 20 ms, was ${waits[0]}`);
    assert.ok((waits[1] ?? 0) >= 35, `second retry after about 40 ms, was ${waits[1]}`);
    assert.ok((waits[2] ?? 0) >= 75, `third retry after about 80 ms, was ${waits[2]}`);
    const other = Date.now();
    q.addRateLimited('fresh');
    assert.equal(await q.get(), 'fresh');
    assert.ok(Date.now() - other < 120, 'another key starts at the base delay (not at the 160 ms flaky has reached)');
    q.done('fresh');
    q.forget('flaky');
    const t = Date.now();
    q.addRateLimited('flaky');
    assert.equal(await q.get(), 'flaky');
    assert.ok(Date.now() - t < 120, 'a forgotten key starts over (not at 160 ms)');
  }));

  test('the backoff is capped at the maximum delay', () => keepingAlive(async () => {
    const q = new WorkQueue(10, 30);
    for (let i = 0; i < 5; i++) {
      q.addRateLimited('k');
      await q.get();
      q.done('k');
    }
    const t = Date.now();
    q.addRateLimited('k');
    assert.equal(await q.get(), 'k');
    assert.ok(Date.now() - t < 200, 'capped at about 30 ms (uncapped would be 320 ms)');
  }));

  test('shutdown wakes waiting workers with undefined and ignores later adds', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutdown();
    assert.equal(await waiting, undefined);
    q.add('after');
    assert.equal(q.length, 0);
    assert.equal(await q.get(), undefined);
  });

  test('keys queued before shutdown are still handed out, then undefined', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.shutdown();
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(await q.get(), undefined);
  });

  test('shutdown cancels delayed adds', () => keepingAlive(async () => {
    const q = new WorkQueue();
    q.addAfter('delayed', 20);
    q.shutdown();
    await sleep(40);
    assert.equal(q.length, 0);
  }));
});
