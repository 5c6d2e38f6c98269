import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { EndpointSliceTracker } from './endpoint-slice-tracker.js';

const slice = (uid: string, rv: string): EndpointSlice => ({
  metadata: { name: uid, namespace: 'ns', uid, resourceVersion: rv, labels: { 'kubernetes.io/service-name': 'svc' } },
  addressType: 'IPv4',
  endpoints: [],
});

describe('EndpointSliceTracker', () => {
  test('a Service never written for is never stale', () => {
    assert.equal(new EndpointSliceTracker().staleSlices('ns', 'svc', [slice('a', '1')]), false);
  });

  test('a cache older than the last write is stale, an equal or newer one is not', () => {
    const t = new EndpointSliceTracker();
    t.update(slice('a', '10'));
    assert.equal(t.staleSlices('ns', 'svc', [slice('a', '9')]), true);
    assert.equal(t.staleSlices('ns', 'svc', [slice('a', '10')]), false);
    assert.equal(t.staleSlices('ns', 'svc', []), true);
  });

  test('a slice expected deleted but still cached is stale', () => {
    const t = new EndpointSliceTracker();
    t.expectDeletion(slice('a', '10'));
    assert.equal(t.staleSlices('ns', 'svc', [slice('a', '10')]), true);
    assert.equal(t.staleSlices('ns', 'svc', []), false);
  });

  test('own writes do not need a sync, changes by others do', () => {
    const t = new EndpointSliceTracker();
    t.update(slice('a', '10'));
    assert.equal(t.shouldSync(slice('a', '10')), false);
    assert.equal(t.shouldSync(slice('a', '12')), true);
    assert.equal(t.shouldSync(slice('b', '1')), true);
  });

  test('a deletion is expected only after expectDeletion', () => {
    const t = new EndpointSliceTracker();
    t.update(slice('a', '10'));
    t.expectDeletion(slice('b', '3'));
    assert.equal(t.handleDeletion(slice('a', '10')), false);
    assert.equal(t.handleDeletion(slice('b', '3')), true);
    assert.equal(t.has(slice('a', '10')), false);
  });
});
