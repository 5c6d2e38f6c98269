import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { updateStatefulSet, type StatefulPodOps } from './stateful-set-control.js';
import { makePod, makeRevision, makeSet } from './test-fixtures.js';

/** Records what the algorithm asks for. */
class FakeOps implements StatefulPodOps {
  readonly calls: string[] = [];
  async createStatefulPod(_set: StatefulSet, pod: Pod): Promise<void> {
    this.calls.push(`create ${pod.metadata?.name ?? ''} ${pod.metadata?.labels?.['controller-revision-hash'] ?? ''}`);
  }
  async updateStatefulPod(_set: StatefulSet, pod: Pod): Promise<void> {
    this.calls.push(`update ${pod.metadata?.name ?? ''}`);
  }
  async deleteStatefulPod(_set: StatefulSet, pod: Pod): Promise<void> {
    this.calls.push(`delete ${pod.metadata?.name ?? ''}`);
  }
  async createMissingPersistentVolumeClaims(): Promise<void> {}
  async updatePodClaimForRetentionPolicy(_set: StatefulSet, pod: Pod): Promise<void> {
    this.calls.push(`claims ${pod.metadata?.name ?? ''}`);
  }
}

function revisions(set: StatefulSet, updated: StatefulSet) {
  const current = makeRevision(set, 1);
  const update = makeRevision(updated, 2);
  return { current, update, cur: current.metadata?.name ?? '', upd: update.metadata?.name ?? '' };
}

describe('updateStatefulSet', () => {
  test('OrderedReady creates only the first missing pod and waits for it to be Running and Ready', async () => {
    const set = makeSet('web', 3);
    const r = makeRevision(set, 1);
    const name = r.metadata?.name ?? '';
    const ops = new FakeOps();
    await updateStatefulSet(set, r, r, 0, [], ops);
    assert.deepEqual(ops.calls, [`create web-0 ${name}`]);

    const pending = new FakeOps();
    await updateStatefulSet(set, r, r, 0, [makePod(set, 0, name, 'Pending')], pending);
    assert.deepEqual(pending.calls, []);

    const ready = new FakeOps();
    const res = await updateStatefulSet(set, r, r, 0, [makePod(set, 0, name)], ready);
    assert.deepEqual(ready.calls, [`create web-1 ${name}`]);
    assert.equal(res.status.replicas, 1);
    assert.equal(res.status.readyReplicas, 1);
    assert.equal(res.status.currentRevision, name);
  });

  test('Parallel creates every missing pod at once', async () => {
    const set = makeSet('web', 3, { podManagementPolicy: 'Parallel' });
    const r = makeRevision(set, 1);
    const ops = new FakeOps();
    await updateStatefulSet(set, r, r, 0, [], ops);
    assert.deepEqual(ops.calls.map((c) => c.split(' ')[1]).sort(), ['web-0', 'web-1', 'web-2']);
  });

  test('scaling down deletes the highest ordinal first, one at a time', async () => {
    const set = makeSet('web', 1);
    const r = makeRevision(set, 1);
    const name = r.metadata?.name ?? '';
    const ops = new FakeOps();
    await updateStatefulSet(set, r, r, 0, [0, 1, 2].map((i) => makePod(set, i, name)), ops);
    assert.deepEqual(ops.calls, ['delete web-2']);
  });

  test('scaling down waits while a higher pod is still terminating', async () => {
    const set = makeSet('web', 1);
    const r = makeRevision(set, 1);
    const name = r.metadata?.name ?? '';
    const p2 = makePod(set, 2, name);
    const terminating = { ...p2, metadata: { ...p2.metadata, deletionTimestamp: '2020-01-01T00:00:00Z' } };
    const ops = new FakeOps();
    await updateStatefulSet(set, r, r, 0, [makePod(set, 0, name), makePod(set, 1, name), terminating], ops);
    assert.deepEqual(ops.calls, []);
  });

  test('a rolling update deletes the highest-ordinal pod not at the update revision', async () => {
    const set = makeSet('web', 3, {}, 'nginx:1');
    const updated = makeSet('web', 3, {}, 'nginx:2');
    const { current, update, cur, upd } = revisions(set, updated);
    const ops = new FakeOps();
    const res = await updateStatefulSet(updated, current, update, 0, [makePod(set, 0, cur), makePod(set, 1, cur), makePod(set, 2, cur)], ops);
    assert.deepEqual(ops.calls, ['delete web-2']);
    assert.equal(res.status.currentReplicas, 2);

    const next = new FakeOps();
    await updateStatefulSet(updated, current, update, 0, [makePod(set, 0, cur), makePod(set, 1, cur), makePod(updated, 2, upd)], next);
    assert.deepEqual(next.calls, ['delete web-1']);
  });

  test('a rolling update waits for the updated pod to become healthy', async () => {
    const set = makeSet('web', 3, {}, 'nginx:1');
    const updated = makeSet('web', 3, {}, 'nginx:2');
    const { current, update, cur, upd } = revisions(set, updated);
    const ops = new FakeOps();
    await updateStatefulSet(updated, current, update, 0, [makePod(set, 0, cur), makePod(set, 1, cur), makePod(updated, 2, upd, 'Running', false)], ops);
    assert.deepEqual(ops.calls, []);
  });

  test('the partition holds the ordinals below it at the current revision', async () => {
    const strategy = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } };
    const set = makeSet('web', 3, strategy, 'nginx:1');
    const updated = makeSet('web', 3, strategy, 'nginx:2');
    const { current, update, cur, upd } = revisions(set, updated);
    const ops = new FakeOps();
    await updateStatefulSet(updated, current, update, 0, [makePod(set, 0, cur), makePod(set, 1, cur), makePod(updated, 2, upd)], ops);
    assert.deepEqual(ops.calls, []);
    // A deleted pod below the partition comes back at the current revision.
    const recreate = new FakeOps();
    await updateStatefulSet(updated, current, update, 0, [makePod(set, 0, cur), makePod(updated, 2, upd)], recreate);
    assert.deepEqual(recreate.calls, [`create web-1 ${cur}`]);
  });

  test('OnDelete leaves old pods alone and recreates a deleted one at the update revision', async () => {
    const strategy = { updateStrategy: { type: 'OnDelete' } };
    const set = makeSet('web', 2, strategy, 'nginx:1');
    const updated = makeSet('web', 2, strategy, 'nginx:2');
    const { current, update, cur, upd } = revisions(set, updated);
    const ops = new FakeOps();
    await updateStatefulSet(updated, current, update, 0, [makePod(set, 0, cur), makePod(set, 1, cur)], ops);
    assert.deepEqual(ops.calls, []);
    const recreate = new FakeOps();
    await updateStatefulSet(updated, current, update, 0, [makePod(set, 0, cur)], recreate);
    assert.deepEqual(recreate.calls, [`create web-1 ${upd}`]);
  });

  test('a failed pod is deleted so that it is created again', async () => {
    const set = makeSet('web', 1);
    const r = makeRevision(set, 1);
    const ops = new FakeOps();
    await updateStatefulSet(set, r, r, 0, [makePod(set, 0, r.metadata?.name ?? '', 'Failed')], ops);
    assert.deepEqual(ops.calls, ['delete web-0']);
  });

  test('a create error is returned with the status computed so far', async () => {
    const set = makeSet('web', 1);
    const r = makeRevision(set, 1);
    const ops = new FakeOps();
    ops.createStatefulPod = async () => {
      throw new Error('boom');
    };
    const res = await updateStatefulSet(set, r, r, 0, [], ops);
    assert.equal(res.error?.message, 'boom');
    assert.equal(res.status.replicas, 0);
    assert.equal(res.status.observedGeneration, 1);
  });

  test('claims of condemned pods are brought in line with a Delete retention policy before the pods go', async () => {
    const set = makeSet('web', 1, { persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete', whenDeleted: 'Retain' } });
    const r = makeRevision(set, 1);
    const name = r.metadata?.name ?? '';
    const ops = new FakeOps();
    await updateStatefulSet(set, r, r, 0, [makePod(set, 0, name), makePod(set, 1, name)], ops);
    assert.deepEqual(ops.calls, ['claims web-1', 'delete web-1']);
  });
});
