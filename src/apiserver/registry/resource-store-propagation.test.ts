// Cascading deletion in the registry: the orphan and foregroundDeletion finalizers a delete adds (upstream's
// deletionFinalizersForGarbageCollection), against the real embedded SQLite storage.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredObject } from '../../api/object.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { openSqliteStorage } from '../../storage/sqlite/sqlite-storage.js';
import type { Storage } from '../../storage/storage.js';
import { defaultGarbageCollectionPolicy, deletionFinalizersForGarbageCollection, ResourceStore, type Admission } from './resource-store.js';

const noAdmission: Admission = {
  async admit(): Promise<void> {
    // admits everything
  },
};

function resource(group: string, version: string, plural: string): ResourceInfo {
  const r = findResource(group, version, plural);
  assert.ok(r);
  return r;
}

function cm(name: string, finalizers?: string[]): StoredObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'gc', ...(finalizers === undefined ? {} : { finalizers }) }, data: {} };
}

describe('deletionFinalizersForGarbageCollection', () => {
  test('Foreground adds foregroundDeletion and Orphan adds orphan', () => {
    assert.deepEqual(deletionFinalizersForGarbageCollection('ConfigMap', [], { propagationPolicy: 'Foreground' }), ['foregroundDeletion']);
    assert.deepEqual(deletionFinalizersForGarbageCollection('ConfigMap', ['x'], { propagationPolicy: 'Orphan' }), ['x', 'orphan']);
  });

  test('Background removes both and leaves other finalizers alone', () => {
    assert.deepEqual(deletionFinalizersForGarbageCollection('ConfigMap', ['orphan', 'x'], { propagationPolicy: 'Background' }), ['x']);
    assert.equal(deletionFinalizersForGarbageCollection('ConfigMap', ['x'], { propagationPolicy: 'Background' }), undefined);
  });

  test('the deprecated orphanDependents overrides propagationPolicy', () => {
    assert.deepEqual(deletionFinalizersForGarbageCollection('ConfigMap', [], { orphanDependents: true, propagationPolicy: 'Foreground' }), ['orphan']);
    assert.deepEqual(deletionFinalizersForGarbageCollection('ConfigMap', ['foregroundDeletion'], { orphanDependents: false }), []);
  });

  test('without options the existing finalizers decide, then the kind default', () => {
    assert.equal(deletionFinalizersForGarbageCollection('ConfigMap', ['foregroundDeletion'], {}), undefined);
    assert.equal(deletionFinalizersForGarbageCollection('ConfigMap', [], {}), undefined);
    assert.deepEqual(deletionFinalizersForGarbageCollection('ReplicationController', [], { requestGroupVersion: { group: '', version: 'v1' } }), ['orphan']);
    assert.deepEqual(deletionFinalizersForGarbageCollection('Job', [], { requestGroupVersion: { group: 'batch', version: 'v1' } }), ['orphan']);
    assert.equal(deletionFinalizersForGarbageCollection('ReplicaSet', [], { requestGroupVersion: { group: 'apps', version: 'v1' } }), undefined);
  });

  test('older versions of the workload kinds default to orphaning, as upstream keeps them for compatibility', () => {
    assert.equal(defaultGarbageCollectionPolicy('Deployment', { group: 'extensions', version: 'v1beta1' }), 'OrphanDependents');
    assert.equal(defaultGarbageCollectionPolicy('Deployment', { group: 'apps', version: 'v1' }), 'DeleteDependents');
    assert.equal(defaultGarbageCollectionPolicy('CronJob', { group: 'batch', version: 'v1' }), 'DeleteDependents');
    assert.equal(defaultGarbageCollectionPolicy('ConfigMap', undefined), 'DeleteDependents');
  });
});

describe('ResourceStore delete with a propagation policy', () => {
  let dir: string;
  let storage: Storage;
  let configmaps: ResourceStore;
  let pods: ResourceStore;
  let replicasets: ResourceStore;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-propagation-'));
    storage = openSqliteStorage(join(dir, 'db', 'state.db'));
    configmaps = new ResourceStore(resource('', 'v1', 'configmaps'), storage, noAdmission);
    pods = new ResourceStore(resource('', 'v1', 'pods'), storage, noAdmission);
    replicasets = new ResourceStore(resource('apps', 'v1', 'replicasets'), storage, noAdmission);
  });

  after(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a foreground delete keeps the object with a deletionTimestamp and the foregroundDeletion finalizer', async () => {
    await configmaps.create(cm('fg'));
    const out = await configmaps.delete('gc', 'fg', { propagationPolicy: 'Foreground' });
    assert.equal(out.deleted, false);
    assert.deepEqual(out.object.metadata.finalizers, ['foregroundDeletion']);
    assert.match(out.object.metadata.deletionTimestamp ?? '', /Z$/);
    assert.equal(out.object.metadata.deletionGracePeriodSeconds, 0);
    const stored = await configmaps.get('gc', 'fg');
    assert.deepEqual(stored.metadata.finalizers, ['foregroundDeletion']);
  });

  test('removing the last finalizer of a foreground-deleted object deletes it', async () => {
    await configmaps.guaranteedUpdate('gc', 'fg', (cur) => {
      assert.ok(cur);
      cur.metadata.finalizers = [];
      return cur;
    });
    await assert.rejects(configmaps.get('gc', 'fg'), (e: unknown) => e instanceof Error && /not found/.test(e.message));
  });

  test('an orphan delete adds the orphan finalizer', async () => {
    await configmaps.create(cm('orphaned'));
    const out = await configmaps.delete('gc', 'orphaned', { propagationPolicy: 'Orphan' });
    assert.equal(out.deleted, false);
    assert.deepEqual(out.object.metadata.finalizers, ['orphan']);
  });

  test('a second delete of an object being deleted can switch orphan to foreground', async () => {
    const out = await configmaps.delete('gc', 'orphaned', { propagationPolicy: 'Foreground' });
    assert.deepEqual(out.object.metadata.finalizers, ['foregroundDeletion']);
  });

  test('a background delete of an object without finalizers deletes it at once', async () => {
    await configmaps.create(cm('bg'));
    const out = await configmaps.delete('gc', 'bg', { propagationPolicy: 'Background' });
    assert.equal(out.deleted, true);
  });

  test('a background delete removes a pending orphan finalizer and so deletes the object', async () => {
    await configmaps.create(cm('switch', ['orphan']));
    const out = await configmaps.delete('gc', 'switch', { propagationPolicy: 'Background' });
    assert.equal(out.deleted, true);
  });

  test('a foreground delete bumps the generation of an object that tracks it', async () => {
    const created = await replicasets.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs', namespace: 'gc' },
      spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const out = await replicasets.delete('gc', 'rs', { propagationPolicy: 'Foreground', requestGroupVersion: { group: 'apps', version: 'v1' } });
    assert.equal(out.object.metadata.generation, (created.metadata.generation ?? 0) + 1);
  });

  test('a pod whose graceful deletion is pending keeps its finalizers, and grace 0 with foreground still waits', async () => {
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'gc' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] } });
    const first = await pods.delete('gc', 'p', { propagationPolicy: 'Foreground' });
    assert.equal(first.deleted, false);
    assert.deepEqual(first.object.metadata.finalizers, ['foregroundDeletion']);
    const pending = await pods.delete('gc', 'p', { propagationPolicy: 'Orphan' });
    assert.deepEqual(pending.object.metadata.finalizers, ['foregroundDeletion'], 'finalizers do not change while a graceful deletion is pending');
    const now = await pods.delete('gc', 'p', { gracePeriodSeconds: 0 });
    assert.equal(now.deleted, false, 'the foregroundDeletion finalizer holds the pod');
    assert.equal(now.object.metadata.deletionGracePeriodSeconds, 0);
  });
});
