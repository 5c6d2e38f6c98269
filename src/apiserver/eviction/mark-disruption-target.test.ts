import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { markDisruptionTarget } from './mark-disruption-target.js';

const now = Date.parse('2025-01-01T00:10:00Z');
const pod: Pod = { metadata: { name: 'web-1', namespace: 'ns', uid: 'u1', resourceVersion: '42' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };

describe('markDisruptionTarget', () => {
  test('adds DisruptionTarget=True with the eviction API reason', () => {
    const got = markDisruptionTarget(pod, undefined, now);
    assert.deepEqual(got.status?.conditions?.[1], { type: 'DisruptionTarget', status: 'True', lastTransitionTime: '2025-01-01T00:10:00Z', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
    assert.equal(pod.status?.conditions?.length, 1);
  });

  test('refuses a pod whose UID or resourceVersion is not the precondition\'s, as upstream words it', () => {
    assert.throws(() => markDisruptionTarget(pod, { uid: 'u2' }, now), {
      code: 409,
      message: 'Operation cannot be fulfilled on Pod "web-1": the UID in the precondition (u2) does not match the UID in record (u1). The object might have been deleted and then recreated',
    });
    assert.throws(() => markDisruptionTarget(pod, { resourceVersion: '41' }, now), {
      code: 409,
      message: 'Operation cannot be fulfilled on Pod "web-1": the ResourceVersion in the precondition (41) does not match the ResourceVersion in record (42). The object might have been modified',
    });
  });
});
