import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, backOffEventMessage, crashLoopMessage, formatGoDuration } from './crash-loop-backoff.js';

const pod = { metadata: { name: 'web', namespace: 'default', uid: 'u-1' } };

describe('crash loop back-off', () => {
  test('durations print as Go prints them', () => {
    assert.equal(formatGoDuration(10_000), '10s');
    assert.equal(formatGoDuration(80_000), '1m20s');
    assert.equal(formatGoDuration(300_000), '5m0s');
    assert.equal(formatGoDuration(1500), '1.5s');
    assert.equal(formatGoDuration(0), '0s');
  });

  test('the back-off starts at 10s and doubles up to 5m0s', () => {
    let now = 0;
    const b = new Backoff({ clock: () => now });
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) {
      b.next('k', now);
      seen.push(b.get('k'));
      now += 1000;
    }
    assert.deepEqual(seen, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  test('a key is in back-off until its duration has passed since the event', () => {
    let now = 1_000_000;
    const b = new Backoff({ clock: () => now });
    assert.equal(b.isInBackOffSince('k', now), false);
    b.next('k', now);
    now += 9_999;
    assert.equal(b.isInBackOffSince('k', 1_000_000), true);
    now += 1;
    assert.equal(b.isInBackOffSince('k', 1_000_000), false);
  });

  test('a container that ran for ten minutes starts again from 10s', () => {
    let now = 0;
    const b = new Backoff({ clock: () => now });
    b.next('k', now);
    b.next('k', now);
    assert.equal(b.get('k'), 20_000);
    now += 600_001;
    b.next('k', now);
    assert.equal(b.get('k'), 10_000);
  });

  test('messages are worded as upstream words them', () => {
    assert.equal(crashLoopMessage(10_000, 'app', pod), 'back-off 10s restarting failed container=app pod=web_default(u-1)');
    assert.equal(backOffEventMessage('app', pod), 'Back-off restarting failed container app in pod web_default(u-1)');
  });
});
