import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { parseGroupVersion, verifyGroupKind, workloadFinders, type ObjectLookup, type PodControllerFinder } from './controller-finders.js';

const lookup = (objs: Record<string, unknown>): ObjectLookup => ({ get: (key) => objs[key] });
const ref = (apiVersion: string, kind: string, name: string, uid: string): OwnerReference => ({ apiVersion, kind, name, uid, controller: true });

const dep = { metadata: { name: 'web', uid: 'dep-uid' }, spec: { replicas: 5 } };
const depRs = { metadata: { name: 'web-abc', uid: 'rs-uid', ownerReferences: [ref('apps/v1', 'Deployment', 'web', 'dep-uid')] }, spec: { replicas: 5 } };
const bareRs = { metadata: { name: 'bare', uid: 'bare-uid' }, spec: { replicas: 3 } };
const rc = { metadata: { name: 'old', uid: 'rc-uid' }, spec: { replicas: 2 } };
const ss = { metadata: { name: 'db', uid: 'ss-uid' }, spec: { replicas: 4 } };

const finders = workloadFinders({
  replicationControllers: lookup({ 'ns/old': rc }),
  replicaSets: lookup({ 'ns/web-abc': depRs, 'ns/bare': bareRs }),
  deployments: lookup({ 'ns/web': dep }),
  statefulSets: lookup({ 'ns/db': ss }),
});

async function first(fs: readonly PodControllerFinder[], r: OwnerReference): Promise<{ uid: string; scale: number } | undefined> {
  for (const f of fs) {
    const got = await f(r, 'ns');
    if (got !== undefined) return got;
  }
  return undefined;
}

describe('the workload finders', () => {
  test('find a ReplicationController by its controllerRef', async () => {
    assert.deepEqual(await first(finders, ref('v1', 'ReplicationController', 'old', 'rc-uid')), { uid: 'rc-uid', scale: 2 });
  });

  test('count a Deployment through its ReplicaSet, not the ReplicaSet itself', async () => {
    assert.deepEqual(await first(finders, ref('apps/v1', 'ReplicaSet', 'web-abc', 'rs-uid')), { uid: 'dep-uid', scale: 5 });
  });

  test('count a ReplicaSet without a Deployment by its own scale', async () => {
    assert.deepEqual(await first(finders, ref('apps/v1', 'ReplicaSet', 'bare', 'bare-uid')), { uid: 'bare-uid', scale: 3 });
    assert.deepEqual(await first(finders, ref('extensions/v1beta1', 'ReplicaSet', 'bare', 'bare-uid')), { uid: 'bare-uid', scale: 3 });
  });

  test('find a StatefulSet', async () => {
    assert.deepEqual(await first(finders, ref('apps/v1', 'StatefulSet', 'db', 'ss-uid')), { uid: 'ss-uid', scale: 4 });
  });

  test('ignore a controllerRef whose UID is not the cached object', async () => {
    assert.equal(await first(finders, ref('apps/v1', 'StatefulSet', 'db', 'another-uid')), undefined);
  });

  test('ignore a kind in the wrong group', async () => {
    assert.equal(await first(finders, ref('example.com/v1', 'StatefulSet', 'db', 'ss-uid')), undefined);
  });

  test('a ReplicaSet controlled by a missing Deployment is no finder\'s', async () => {
    const orphaned = workloadFinders({
      replicationControllers: lookup({}),
      replicaSets: lookup({ 'ns/web-abc': depRs }),
      deployments: lookup({}),
      statefulSets: lookup({}),
    });
    assert.equal(await first(orphaned, ref('apps/v1', 'ReplicaSet', 'web-abc', 'rs-uid')), undefined);
  });
});

describe('parseGroupVersion', () => {
  test('parses core, grouped and empty versions', () => {
    assert.deepEqual(parseGroupVersion('v1'), { group: '', version: 'v1' });
    assert.deepEqual(parseGroupVersion('apps/v1'), { group: 'apps', version: 'v1' });
    assert.deepEqual(parseGroupVersion(''), { group: '', version: '' });
  });

  test('rejects more than one slash with upstream\'s message', () => {
    assert.throws(() => parseGroupVersion('a/b/c'), { message: 'unexpected GroupVersion string: a/b/c' });
    assert.throws(() => verifyGroupKind(ref('a/b/c', 'ReplicaSet', 'x', 'y'), 'ReplicaSet', ['apps']), /unexpected GroupVersion string/);
  });
});
