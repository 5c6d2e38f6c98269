import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { formatRFC3339Nano, TriggerTimeTracker } from './trigger-time-tracker.js';

const service: Service = { metadata: { name: 's', namespace: 'ns', creationTimestamp: '2024-01-01T00:00:00Z' } };
const pod = (name: string, readyAt: string): Pod => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readyAt }] } });

describe('TriggerTimeTracker', () => {
  test('a Service seen for the first time triggers at its creation', () => {
    const t = new TriggerTimeTracker();
    assert.equal(t.compute('ns', service, [pod('a', '2024-01-01T00:00:05Z')]), Date.parse('2024-01-01T00:00:00Z'));
  });

  test('later the earliest Ready transition not yet seen triggers, and nothing when none changed', () => {
    const t = new TriggerTimeTracker();
    t.compute('ns', service, [pod('a', '2024-01-01T00:00:05Z')]);
    assert.equal(t.compute('ns', service, [pod('a', '2024-01-01T00:00:05Z')]), 0);
    assert.equal(t.compute('ns', service, [pod('a', '2024-01-01T00:00:09Z'), pod('b', '2024-01-01T00:00:07Z')]), Date.parse('2024-01-01T00:00:07Z'));
  });

  test('a deleted Service starts over', () => {
    const t = new TriggerTimeTracker();
    t.compute('ns', service, []);
    t.deleteService('ns', 's');
    assert.equal(t.compute('ns', service, []), Date.parse('2024-01-01T00:00:00Z'));
  });
});

describe('formatRFC3339Nano', () => {
  test('whole seconds have no fraction and a fraction loses its trailing zeros', () => {
    assert.equal(formatRFC3339Nano(Date.parse('2024-01-01T00:00:00Z')), '2024-01-01T00:00:00Z');
    assert.equal(formatRFC3339Nano(Date.parse('2024-01-01T00:00:00.120Z')), '2024-01-01T00:00:00.12Z');
  });
});
