import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { LabelSelector } from '../../machinery/label-selector.js';
import { ApiError } from '../../machinery/errors.js';
import { PodControllerRefManager, deleteOwnerRefPatch, getControllerOf, ownerRefControllerPatch, recheckDeletionTimestamp } from './controller-ref-manager.js';
import { getPodFromTemplate, getPodsPrefix, newControllerRef, type ControllerObject } from './pod-control.js';

const rs: ControllerObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid' } };

describe('getPodFromTemplate', () => {
  test('copies labels, annotations, finalizers and spec and sets generateName and the controller reference', () => {
    const template = { metadata: { labels: { app: 'web' }, annotations: { a: 'b' }, finalizers: ['x/y'], name: 'ignored' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    const pod = getPodFromTemplate(template, rs, newControllerRef(rs));
    assert.deepEqual(pod.metadata, {
      generateName: 'web-',
      labels: { app: 'web' },
      annotations: { a: 'b' },
      finalizers: ['x/y'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
    });
    assert.deepEqual(pod.spec, template.spec);
    assert.notEqual(pod.spec, template.spec);
  });

  test('a name too long for the dash is used bare as the prefix', () => {
    assert.equal(getPodsPrefix('web'), 'web-');
    assert.equal(getPodsPrefix('a'.repeat(253)), 'a'.repeat(253));
  });
});

function pod(name: string, labels: Record<string, string>, owner?: string): Pod {
  const p: Pod = { metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels } };
  if (owner !== undefined) (p.metadata as { ownerReferences?: unknown[] }).ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: owner, controller: true }];
  return p;
}

describe('PodControllerRefManager', () => {
  test('claims its matching pods, adopts matching orphans, releases non-matching pods and ignores others', async () => {
    const patches: { name: string; patch: Record<string, unknown> }[] = [];
    let checks = 0;
    const m = new PodControllerRefManager(
      { patchPod: async (_ns, name, patch) => patches.push({ name, patch }) },
      rs,
      LabelSelector.fromSet({ app: 'web' }),
      async () => {
        checks++;
      },
    );
    const claimed = await m.claimPods([
      pod('mine', { app: 'web' }, 'rs-uid'),
      pod('orphan', { app: 'web' }),
      pod('orphan2', { app: 'web' }),
      pod('stray', { app: 'other' }, 'rs-uid'),
      pod('theirs', { app: 'web' }, 'other-uid'),
      pod('unrelated', { app: 'other' }),
    ]);
    assert.deepEqual(claimed.map((p) => p.metadata?.name), ['mine', 'orphan', 'orphan2']);
    assert.deepEqual(patches, [
      { name: 'orphan', patch: ownerRefControllerPatch(rs, 'uid-orphan') },
      { name: 'orphan2', patch: ownerRefControllerPatch(rs, 'uid-orphan2') },
      { name: 'stray', patch: deleteOwnerRefPatch('uid-stray', ['rs-uid']) },
    ]);
    assert.equal(checks, 1, 'the fresh check runs once per claim');
  });

  test('refuses adoption when the controller has just been deleted', async () => {
    const m = new PodControllerRefManager(
      { patchPod: async () => assert.fail('no patch expected') },
      rs,
      LabelSelector.fromSet({ app: 'web' }),
      recheckDeletionTimestamp(async () => ({ ...rs, metadata: { ...rs.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } })),
    );
    await assert.rejects(m.claimPods([pod('orphan', { app: 'web' })]), {
      message: "can't adopt Pod ns/orphan (uid-orphan): ns/web has just been deleted at 2026-01-01T00:00:00Z",
    });
  });

  test('a pod that vanished while being adopted is neither claimed nor an error', async () => {
    const m = new PodControllerRefManager(
      {
        patchPod: async () => {
          throw new ApiError(404, 'NotFound', 'pods "orphan" not found');
        },
      },
      rs,
      LabelSelector.fromSet({ app: 'web' }),
      async () => undefined,
    );
    assert.deepEqual(await m.claimPods([pod('orphan', { app: 'web' })]), []);
  });

  test('the controller reference is the owner reference marked controller', () => {
    assert.equal(getControllerOf(pod('a', {}, 'u'))?.uid, 'u');
    assert.equal(getControllerOf(pod('a', {})), undefined);
  });
});
