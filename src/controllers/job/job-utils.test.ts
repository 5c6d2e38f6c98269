import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ensureJobConditionStatus, newCondition } from './job-conditions.js';
import { firstPendingIndexes, formatIndexes, getCompletionIndex, indexedPodsForRemoval, parseIndexes, podGenerateNameWithIndex, totalIndexes, withIndexes } from './indexed-job-utils.js';
import { nextBackoffRecord, remainingBackoffMs } from './pod-failure-backoff.js';
import { isPodFailed, pastBackoffLimitOnFailure, wantActivePods } from './job-controller.js';

const podAt = (ix: number | string, extra: Partial<Pod> = {}): Pod => ({ metadata: { annotations: { 'batch.kubernetes.io/job-completion-index': String(ix) } }, ...extra });

describe('completion indexes', () => {
  test('completedIndexes parse into intervals and print back compressed', () => {
    const iv = parseIndexes('0-2,4,6-9', 8);
    assert.deepEqual(iv, [[0, 2], [4, 4], [6, 7]]);
    assert.equal(formatIndexes(iv), '0-2,4,6-7');
    assert.equal(totalIndexes(iv), 6);
    assert.equal(formatIndexes(withIndexes(iv, [3, 5])), '0-7');
  });

  test('the lowest indexes neither succeeded nor running are created first', () => {
    assert.deepEqual(firstPendingIndexes([podAt(1)], parseIndexes('0,3', 6), 3, 6), [2, 4, 5]);
  });

  test('pods with a bad, duplicate or already succeeded index are removed', () => {
    const pods = [podAt(0), podAt(1), podAt(1), podAt('x'), podAt(9)];
    assert.equal(indexedPodsForRemoval(pods, parseIndexes('0', 3), 3).length, 4);
  });

  test('a completion index is a non-negative integer annotation', () => {
    assert.equal(getCompletionIndex({ 'batch.kubernetes.io/job-completion-index': '7' }), 7);
    assert.equal(getCompletionIndex({ 'batch.kubernetes.io/job-completion-index': '-1' }), -1);
    assert.equal(getCompletionIndex({}), -1);
  });

  test('indexed pod names are <job>-<index>- cut to fit', () => {
    assert.equal(podGenerateNameWithIndex('pi', 3), 'pi-3-');
    assert.equal(podGenerateNameWithIndex('x'.repeat(70), 12).length, 58);
  });
});

describe('pod-failure backoff', () => {
  const failedAt = (iso: string): Pod => ({ status: { phase: 'Failed', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt: iso } } }] } });
  const t0 = Date.parse('2024-01-01T00:00:00Z');

  test('the delay starts at 10 s after the last failure and doubles per failure', () => {
    const one = nextBackoffRecord(undefined, [], [failedAt('2024-01-01T00:00:00Z')], t0);
    assert.equal(remainingBackoffMs(one, t0 + 4_000), 6_000);
    const two = nextBackoffRecord(one, [], [failedAt('2024-01-01T00:00:00Z')], t0);
    assert.equal(remainingBackoffMs(two, t0), 20_000);
    assert.equal(remainingBackoffMs(two, t0 + 25_000), 0);
  });

  test('the delay is capped at 10 minutes and reset by a later success', () => {
    const many = { failuresAfterLastSuccess: 20, lastFailureMs: t0 };
    assert.equal(remainingBackoffMs(many, t0), 600_000);
    const ok: Pod = { status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, finishedAt: '2024-01-01T00:01:00Z' } } }] } };
    assert.equal(remainingBackoffMs(nextBackoffRecord(many, [ok], [], t0), t0), 0);
  });
});

describe('job status computation', () => {
  const job = (spec: Job['spec']): Job => ({ spec: spec ?? { template: {} } });

  test('wanted active pods never exceed parallelism or the remaining completions', () => {
    assert.equal(wantActivePods(job({ template: {}, completions: 3, parallelism: 2 }), 0, 0), 2);
    assert.equal(wantActivePods(job({ template: {}, completions: 3, parallelism: 2 }), 2, 1), 1);
    assert.equal(wantActivePods(job({ template: {}, parallelism: 4 }), 0, 0), 4);
    // A work queue job keeps what runs once a pod succeeded.
    assert.equal(wantActivePods(job({ template: {}, parallelism: 4 }), 1, 2), 2);
  });

  test('a pod being deleted before it succeeded counts as failed, unless only failed pods are replaced', () => {
    const terminating: Pod = { metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' }, status: { phase: 'Running' } };
    assert.equal(isPodFailed(terminating, job({ template: {} })), true);
    assert.equal(isPodFailed(terminating, job({ template: {}, podReplacementPolicy: 'Failed' })), false);
  });

  test('container restarts of OnFailure pods reach the backoff limit', () => {
    const running: Pod = { status: { phase: 'Running', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: true, restartCount: 2 }] } };
    assert.equal(pastBackoffLimitOnFailure(job({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [] } } }), [running]), true);
    assert.equal(pastBackoffLimitOnFailure(job({ backoffLimit: 3, template: { spec: { restartPolicy: 'OnFailure', containers: [] } } }), [running]), false);
  });

  test('a condition is replaced when it changes and a False one is never added', () => {
    const t = Date.parse('2024-01-01T00:00:00Z');
    assert.deepEqual(ensureJobConditionStatus([], 'Suspended', 'False', 'JobResumed', 'Job resumed', t), { conditions: [], updated: false });
    const added = ensureJobConditionStatus([], 'Suspended', 'True', 'JobSuspended', 'Job suspended', t);
    assert.deepEqual(added.conditions, [newCondition('Suspended', 'True', 'JobSuspended', 'Job suspended', t)]);
    const resumed = ensureJobConditionStatus(added.conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', t + 5000);
    assert.equal(resumed.updated, true);
    assert.equal(resumed.conditions[0]?.lastTransitionTime, '2024-01-01T00:00:05Z');
    assert.equal(ensureJobConditionStatus(resumed.conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', t).updated, false);
  });
});
