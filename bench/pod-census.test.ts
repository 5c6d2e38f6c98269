import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PodCensus, type CensusPod } from './pod-census.js';

function pod(name: string, phase: string, ready: boolean, deleting = false): CensusPod {
  return {
    metadata: { name, namespace: 'ns', ...(deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

describe('pod census', () => {
  test('a pod moves between the counts as its events arrive', () => {
    const c = new PodCensus();
    c.apply('ADDED', pod('a', 'Pending', false));
    assert.deepEqual(c.current, { present: 1, running: 0, active: 1, available: 0, terminating: 0 });
    c.apply('MODIFIED', pod('a', 'Running', true));
    assert.deepEqual(c.current, { present: 1, running: 1, active: 1, available: 1, terminating: 0 });
    c.apply('MODIFIED', pod('a', 'Running', true, true));
    assert.deepEqual(c.current, { present: 1, running: 1, active: 0, available: 0, terminating: 1 });
    c.apply('DELETED', pod('a', 'Running', true, true));
    assert.deepEqual(c.current, { present: 0, running: 0, active: 0, available: 0, terminating: 0 });
    assert.equal(c.events, 4);
  });

  test('succeeded and failed pods are not active, as the Deployment controller counts', () => {
    const c = new PodCensus();
    c.apply('ADDED', pod('done', 'Succeeded', false));
    c.apply('ADDED', pod('failed', 'Failed', false));
    assert.equal(c.current.active, 0);
    assert.equal(c.current.present, 2);
  });

  test('pods of the same name in different namespaces are different pods', () => {
    const c = new PodCensus();
    c.apply('ADDED', pod('a', 'Running', true));
    c.apply('ADDED', { ...pod('a', 'Running', true), metadata: { name: 'a', namespace: 'other' } });
    assert.equal(c.current.running, 2);
  });

  test('peaks and lows are kept from the last reset on', () => {
    const c = new PodCensus();
    for (const n of ['a', 'b']) c.apply('ADDED', pod(n, 'Running', true));
    c.resetExtremes();
    assert.equal(c.lowAvailable, 2);
    c.apply('ADDED', pod('c', 'Pending', false));
    c.apply('MODIFIED', pod('a', 'Running', true, true));
    c.apply('MODIFIED', pod('c', 'Running', true));
    c.apply('DELETED', pod('a', 'Running', true, true));
    assert.equal(c.peakActive, 3);
    assert.equal(c.peakPresent, 3);
    assert.equal(c.lowAvailable, 1);
    assert.deepEqual(c.current, { present: 2, running: 2, active: 2, available: 2, terminating: 0 });
  });

  test('clearing forgets every pod', () => {
    const c = new PodCensus();
    c.apply('ADDED', pod('a', 'Running', true));
    c.clear();
    assert.deepEqual(c.current, { present: 0, running: 0, active: 0, available: 0, terminating: 0 });
    c.apply('ADDED', pod('a', 'Running', true));
    assert.equal(c.current.present, 1);
  });
});
