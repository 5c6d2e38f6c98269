import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import { completeRollingUpdate, computeReplicaStatus, inconsistentStatus } from './stateful-set-status.js';
import { makePod, makeSet } from './test-fixtures.js';

describe('StatefulSet status', () => {
  test('replicas count created pods, ready and available count Running and Ready ones, revisions count by label', () => {
    const set = makeSet('web', 4);
    const pods = [makePod(set, 0, 'old'), makePod(set, 1, 'old', 'Running', false), makePod(set, 2, 'new', 'Pending'), { ...makePod(set, 3, 'new'), status: {} }];
    assert.deepEqual(computeReplicaStatus(pods, 0, 'old', 'new'), { replicas: 3, readyReplicas: 1, availableReplicas: 1, currentReplicas: 2, updatedReplicas: 1 });
  });

  test('a pod ready for less than minReadySeconds is ready but not available', () => {
    const set = makeSet('web', 1);
    const pod = makePod(set, 0, 'r');
    const readyAt = Date.parse('2020-01-01T00:00:00Z');
    assert.equal(computeReplicaStatus([pod], 10, 'r', 'r', readyAt + 5000).availableReplicas, 0);
    assert.equal(computeReplicaStatus([pod], 10, 'r', 'r', readyAt + 11000).availableReplicas, 1);
  });

  test('terminating pods count as replicas but at no revision', () => {
    const set = makeSet('web', 1);
    const pod = makePod(set, 0, 'r');
    const terminating = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2020-01-01T00:00:00Z' } };
    assert.deepEqual(computeReplicaStatus([terminating], 0, 'r', 'r'), { replicas: 1, readyReplicas: 1, availableReplicas: 1, currentReplicas: 0, updatedReplicas: 0 });
  });

  test('a rolling update completes when all spec.replicas pods are updated and ready', () => {
    const set = makeSet('web', 2);
    const status: StatefulSetStatus = { replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
    completeRollingUpdate(set, status);
    assert.equal(status.currentRevision, 'b');
    assert.equal(status.currentReplicas, 2);
    const partial: StatefulSetStatus = { replicas: 2, readyReplicas: 2, updatedReplicas: 1, currentReplicas: 1, currentRevision: 'a', updateRevision: 'b' };
    completeRollingUpdate(set, partial);
    assert.equal(partial.currentRevision, 'a');
    const onDelete = makeSet('web', 2, { updateStrategy: { type: 'OnDelete' } });
    const od: StatefulSetStatus = { replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
    completeRollingUpdate(onDelete, od);
    assert.equal(od.currentRevision, 'a');
  });

  test('status is written only when a counted field, a revision or the observed generation changed', () => {
    const set = makeSet('web', 1);
    set.status = { replicas: 1, readyReplicas: 1, currentReplicas: 1, updatedReplicas: 1, availableReplicas: 1, currentRevision: 'a', updateRevision: 'a', observedGeneration: 1 };
    assert.ok(!inconsistentStatus(set, { ...set.status }));
    assert.ok(inconsistentStatus(set, { ...set.status, readyReplicas: 0 }));
    assert.ok(inconsistentStatus(set, { ...set.status, observedGeneration: 2 }));
    assert.ok(inconsistentStatus(set, { ...set.status, updateRevision: 'b' }));
  });
});
