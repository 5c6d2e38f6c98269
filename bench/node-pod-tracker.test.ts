import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PodTracker } from './node-pod-tracker.js';

const ready = { type: 'Ready', status: 'True' };

describe('the node bench pod tracker', () => {
  test('keeps the first sighting of bound, Running and Ready, and measures from the create', () => {
    const t = new PodTracker();
    t.observe('ADDED', { metadata: { name: 'a' } }, 1_000_000n);
    t.created('a', 2_000_000n);
    t.observe('MODIFIED', { metadata: { name: 'a' }, spec: { nodeName: 'n' } }, 5_000_000n);
    t.observe('MODIFIED', { metadata: { name: 'a' }, spec: { nodeName: 'n' }, status: { phase: 'Running' } }, 300_000_000n);
    t.observe('MODIFIED', { metadata: { name: 'a' }, spec: { nodeName: 'n' }, status: { phase: 'Running', conditions: [ready] } }, 402_000_000n);
    t.observe('MODIFIED', { metadata: { name: 'a' }, spec: { nodeName: 'n' }, status: { phase: 'Running', conditions: [ready] } }, 900_000_000n);
    assert.deepEqual(t.intervals(['a'], (x) => x.createdAt, (x) => x.boundAt), [3]);
    assert.deepEqual(t.intervals(['a'], (x) => x.createdAt, (x) => x.runningAt), [298]);
    assert.deepEqual(t.intervals(['a'], (x) => x.createdAt, (x) => x.readyAt), [400]);
  });

  test('counts only the named pods that satisfy the predicate and skips pods without both stamps', () => {
    const t = new PodTracker();
    t.created('a', 0n);
    t.created('b', 0n);
    t.observe('MODIFIED', { metadata: { name: 'a' }, status: { phase: 'Running' } }, 10n);
    t.observe('MODIFIED', { metadata: { name: 'c' }, status: { phase: 'Running' } }, 10n);
    assert.equal(t.count(['a', 'b'], (x) => x.runningAt !== undefined), 1);
    assert.equal(t.intervals(['a', 'b', 'zz'], (x) => x.createdAt, (x) => x.runningAt).length, 1);
  });

  test('the latest stamp is undefined until every named pod has it', () => {
    const t = new PodTracker();
    t.observe('MODIFIED', { metadata: { name: 'a' }, status: { phase: 'Running' } }, 10n);
    assert.equal(t.latest(['a', 'b'], (x) => x.runningAt), undefined);
    t.observe('MODIFIED', { metadata: { name: 'b' }, status: { phase: 'Running' } }, 30n);
    assert.equal(t.latest(['a', 'b'], (x) => x.runningAt), 30n);
  });

  test('records deletion and the restart count of the containers', () => {
    const t = new PodTracker();
    t.observe('MODIFIED', { metadata: { name: 'a' }, status: { containerStatuses: [{ restartCount: 2 }, { restartCount: 1 }] } }, 1n);
    t.observe('DELETED', { metadata: { name: 'a' } }, 7n);
    assert.equal(t.get('a')?.restarts, 3);
    assert.equal(t.get('a')?.deletedAt, 7n);
  });
});
