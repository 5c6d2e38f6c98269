import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { ttlTimeLeftMs } from './ttl-after-finished-controller.js';

const finished = (ttl: number | undefined, type = 'Complete'): Job => {
  const job: Job = { metadata: { name: 'j' }, spec: { template: {} }, status: { conditions: [{ type, status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] } };
  if (ttl !== undefined) job.spec!.ttlSecondsAfterFinished = ttl;
  return job;
};

describe('TTL after finished', () => {
  test('a finished job expires ttlSecondsAfterFinished after its finish condition', () => {
    const t = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(ttlTimeLeftMs(finished(10), t + 4_000), 6_000);
    assert.equal(ttlTimeLeftMs(finished(10, 'Failed'), t + 11_000), -1_000);
  });

  test('jobs without a TTL, unfinished or being deleted are left alone', () => {
    const t = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(ttlTimeLeftMs(finished(undefined), t), undefined);
    assert.equal(ttlTimeLeftMs({ spec: { template: {}, ttlSecondsAfterFinished: 0 }, status: {} }, t), undefined);
    const deleting: Job = { ...finished(0), metadata: { name: 'j', deletionTimestamp: '2024-01-01T00:00:01Z' } };
    assert.equal(ttlTimeLeftMs(deleting, t), undefined);
  });
});
