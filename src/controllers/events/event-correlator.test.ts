import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventCorrelator, LruCache, formatTime, hexUnixNanos, type CoreEvent } from './event-correlator.js';
import { sprintf } from './event-recorder.js';

const t0 = Date.parse('2026-01-02T03:04:05Z');

function makeEvent(message: string, at: number, reason = 'SuccessfulCreate'): CoreEvent {
  return {
    metadata: { name: `web.${hexUnixNanos(at)}`, namespace: 'default' },
    involvedObject: { kind: 'ReplicaSet', namespace: 'default', name: 'web', uid: 'u1', apiVersion: 'apps/v1', resourceVersion: '7' },
    reason,
    message,
    source: { component: 'replicaset-controller' },
    firstTimestamp: formatTime(at),
    lastTimestamp: formatTime(at),
    count: 1,
    type: 'Normal',
    reportingComponent: 'replicaset-controller',
    reportingInstance: '',
  };
}

function fakeClock(start = t0): { now: () => number; advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

describe('EventCorrelator', () => {
  test('a first event is created as it is, without a patch', () => {
    const c = new EventCorrelator({ clock: fakeClock().now });
    const r = c.correlate(makeEvent('Created pod: web-a', t0));
    assert.equal(r.skip, false);
    assert.equal(r.patch, undefined);
    assert.equal(r.event.count, 1);
    assert.equal(r.event.metadata.name, `web.${hexUnixNanos(t0)}`);
  });

  test('a repeat of the same event reuses the first name and timestamp and patches count, lastTimestamp and message', () => {
    const clock = fakeClock();
    const c = new EventCorrelator({ clock: clock.now });
    const first = c.correlate(makeEvent('Error creating: quota', t0));
    c.updateState({ ...first.event, metadata: { ...first.event.metadata, resourceVersion: '42' } });
    clock.advance(3000);
    const second = c.correlate(makeEvent('Error creating: quota', t0 + 3000));
    assert.equal(second.event.metadata.name, first.event.metadata.name);
    assert.equal(second.event.metadata.resourceVersion, '42');
    assert.equal(second.event.count, 2);
    assert.equal(second.event.firstTimestamp, formatTime(t0));
    assert.deepEqual(second.patch, { count: 2, lastTimestamp: formatTime(t0 + 3000), message: 'Error creating: quota' });
    const third = c.correlate(makeEvent('Error creating: quota', t0 + 4000));
    assert.equal(third.event.count, 3);
  });

  test('events that differ in message are distinct until ten of them arrive within ten minutes', () => {
    const clock = fakeClock();
    const c = new EventCorrelator({ clock: clock.now });
    for (let i = 0; i < 9; i++) {
      const r = c.correlate(makeEvent(`Created pod: web-${i}`, clock.now()));
      assert.equal(r.event.message, `Created pod: web-${i}`);
      assert.equal(r.patch, undefined);
      clock.advance(1000);
    }
    const tenth = c.correlate(makeEvent('Created pod: web-9', clock.now()));
    assert.equal(tenth.event.message, '(combined from similar events): Created pod: web-9');
    assert.equal(tenth.event.count, 1);
    assert.equal(tenth.patch, undefined);
    clock.advance(1000);
    const eleventh = c.correlate(makeEvent('Created pod: web-10', clock.now()));
    assert.equal(eleventh.event.message, '(combined from similar events): Created pod: web-10');
    assert.equal(eleventh.event.metadata.name, tenth.event.metadata.name);
    assert.equal(eleventh.event.count, 2);
    assert.deepEqual(eleventh.patch, { count: 2, lastTimestamp: formatTime(clock.now()), message: '(combined from similar events): Created pod: web-10' });
  });

  test('similar events spaced more than ten minutes apart are never aggregated', () => {
    const clock = fakeClock();
    const c = new EventCorrelator({ clock: clock.now, burstSize: 1000 });
    for (let i = 0; i < 20; i++) {
      const r = c.correlate(makeEvent(`Created pod: web-${i}`, clock.now()));
      assert.equal(r.event.message, `Created pod: web-${i}`);
      clock.advance(601_000);
    }
  });

  test('events with a different reason do not aggregate with each other', () => {
    const clock = fakeClock();
    const c = new EventCorrelator({ clock: clock.now });
    for (let i = 0; i < 5; i++) c.correlate(makeEvent(`Created pod: web-${i}`, clock.now()));
    for (let i = 0; i < 5; i++) {
      const r = c.correlate(makeEvent(`Deleted pod: web-${i}`, clock.now(), 'SuccessfulDelete'));
      assert.equal(r.event.message, `Deleted pod: web-${i}`);
    }
  });

  test('a source may burst 25 events about one object, then one more every five minutes', () => {
    const clock = fakeClock();
    const c = new EventCorrelator({ clock: clock.now });
    for (let i = 0; i < 25; i++) assert.equal(c.correlate(makeEvent('Error creating: x', clock.now())).skip, false, `event ${i}`);
    assert.equal(c.correlate(makeEvent('Error creating: x', clock.now())).skip, true);
    clock.advance(150_000);
    assert.equal(c.correlate(makeEvent('Error creating: x', clock.now())).skip, true);
    clock.advance(151_000);
    assert.equal(c.correlate(makeEvent('Error creating: x', clock.now())).skip, false);
    assert.equal(c.correlate(makeEvent('Error creating: x', clock.now())).skip, true);
  });

  test('the spam budget is per involved object', () => {
    const c = new EventCorrelator({ clock: fakeClock().now });
    for (let i = 0; i < 25; i++) c.correlate(makeEvent('m', t0));
    const other = makeEvent('m', t0);
    other.involvedObject = { ...other.involvedObject, name: 'api', uid: 'u2' };
    assert.equal(c.correlate(other).skip, false);
  });
});

describe('LruCache', () => {
  test('drops the least recently used entry beyond its size', () => {
    const lru = new LruCache<number>(2);
    lru.add('a', 1);
    lru.add('b', 2);
    lru.get('a');
    lru.add('c', 3);
    assert.equal(lru.get('b'), undefined);
    assert.equal(lru.get('a'), 1);
    assert.equal(lru.get('c'), 3);
  });
});

describe('event helpers', () => {
  test('times are written as RFC 3339 whole seconds', () => {
    assert.equal(formatTime(t0 + 999), '2026-01-02T03:04:05Z');
  });

  test('names carry the unix nanoseconds in hex, as Go formats them', () => {
    assert.equal(hexUnixNanos(1_700_000_000_000), (1_700_000_000_000n * 1_000_000n).toString(16));
  });

  test('messages are formatted with Go verbs', () => {
    assert.equal(sprintf('Created pod: %v', ['web-x']), 'Created pod: web-x');
    assert.equal(sprintf('Error creating: %v', [new Error('boom')]), 'Error creating: boom');
    assert.equal(sprintf('%d%% of %q', [5, 'a']), '5% of "a"');
    assert.equal(sprintf('%v and %v', ['x']), 'x and %!v(MISSING)');
  });
});
