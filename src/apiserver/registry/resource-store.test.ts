// ResourceStore against the real embedded SQLite storage in a temporary directory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredObject } from '../../api/object.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import { openSqliteStorage } from '../../storage/sqlite/sqlite-storage.js';
import type { Storage } from '../../storage/storage.js';
import { parseSelection } from '../handlers/selectors.js';
import { ResourceStore, type Admission, type ObjectEvent } from './resource-store.js';

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

const configmapsR = resource('', 'v1', 'configmaps');
const podsR = resource('', 'v1', 'pods');
const namespacesR = resource('', 'v1', 'namespaces');
const deploymentsR = resource('apps', 'v1', 'deployments');

interface Env {
  storage: Storage;
  configmaps: ResourceStore;
  pods: ResourceStore;
  namespaces: ResourceStore;
  deployments: ResourceStore;
  close(): Promise<void>;
}

function openEnv(): Env {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-resource-store-'));
  const storage = openSqliteStorage(join(dir, 'db', 'state.db'));
  return {
    storage,
    configmaps: new ResourceStore(configmapsR, storage, noAdmission),
    pods: new ResourceStore(podsR, storage, noAdmission),
    namespaces: new ResourceStore(namespacesR, storage, noAdmission),
    deployments: new ResourceStore(deploymentsR, storage, noAdmission),
    async close() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function cm(namespace: string, name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): StoredObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}

function pod(namespace: string, name: string, nodeName = ''): StoredObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { ...(nodeName === '' ? {} : { nodeName }), containers: [{ name: 'c', image: 'nginx:1.27' }] } };
}

function apiError(code: number, reason: string, message?: string | RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof ApiError, `an ApiError, not ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.reason, reason);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message !== undefined) assert.match(e.message, message);
    return true;
  };
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const everything = parseSelection(new URLSearchParams(), configmapsR);
const labels = (s: string, r: ResourceInfo = configmapsR) => parseSelection(new URLSearchParams({ labelSelector: s }), r);

describe('ResourceStore on SQLite', () => {
  let env: Env;
  before(() => {
    env = openEnv();
  });
  after(async () => {
    await env.close();
  });

  describe('create', () => {
    test('stamps a uid, a second-precision creationTimestamp and a resourceVersion', async () => {
      const out = await env.configmaps.create(cm('create', 'a'));
      assert.match(out.metadata.uid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(out.metadata.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.match(out.metadata.resourceVersion ?? '', /^\d+$/);
      assert.equal(out.apiVersion, 'v1');
      assert.equal(out.kind, 'ConfigMap');
    });

    test('generateName gets five random characters from upstream\'s alphabet', async () => {
      const o = cm('create', '');
      delete o.metadata.name;
      o.metadata.generateName = 'web-';
      const out = await env.configmaps.create(o);
      assert.match(out.metadata.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.equal(out.metadata.generateName, 'web-');
    });

    test('ignores client-set uid, deletionTimestamp and managedFields', async () => {
      const o = cm('create', 'stamped');
      o.metadata.uid = 'mine';
      o.metadata.deletionTimestamp = '2020-01-01T00:00:00Z';
      o.metadata.managedFields = [];
      const out = await env.configmaps.create(o);
      assert.notEqual(out.metadata.uid, 'mine');
      assert.equal(out.metadata.deletionTimestamp, undefined);
      assert.equal(out.metadata.managedFields, undefined);
    });

    test('a second object with the same name is 409 AlreadyExists with upstream\'s message', async () => {
      await env.configmaps.create(cm('create', 'dup'));
      await assert.rejects(env.configmaps.create(cm('create', 'dup')), apiError(409, 'AlreadyExists', 'configmaps "dup" already exists'));
    });

    test('the same name in another namespace is fine', async () => {
      await env.configmaps.create(cm('create-2', 'dup'));
      assert.equal((await env.configmaps.get('create-2', 'dup')).metadata.namespace, 'create-2');
    });

    test('a deployment in another group says so in the AlreadyExists message', async () => {
      const d: StoredObject = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'create' },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
      };
      const out = await env.deployments.create(structuredClone(d));
      assert.equal(out.metadata.generation, 1);
      await assert.rejects(env.deployments.create(structuredClone(d)), apiError(409, 'AlreadyExists', 'deployments.apps "web" already exists'));
    });

    test('an invalid object is 422 Invalid and not stored', async () => {
      await assert.rejects(env.configmaps.create(cm('create', 'Bad_Name')), apiError(422, 'Invalid', /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/));
      await assert.rejects(env.configmaps.get('create', 'Bad_Name'), apiError(404, 'NotFound'));
    });

    test('a dry run validates and returns the object without storing it', async () => {
      const out = await env.configmaps.create(cm('create', 'dry'), { dryRun: true });
      assert.equal(out.metadata.name, 'dry');
      await assert.rejects(env.configmaps.get('create', 'dry'), apiError(404, 'NotFound', 'configmaps "dry" not found'));
    });
  });

  describe('get and list', () => {
    before(async () => {
      await env.configmaps.create(cm('list-a', 'one', { app: 'web', tier: 'front' }));
      await env.configmaps.create(cm('list-a', 'two', { app: 'db' }));
      await env.configmaps.create(cm('list-b', 'three', { app: 'web' }));
    });

    test('get of a missing object is 404 with upstream\'s message', async () => {
      await assert.rejects(env.configmaps.get('list-a', 'nope'), apiError(404, 'NotFound', 'configmaps "nope" not found'));
      assert.equal(await env.configmaps.tryGet('list-a', 'nope'), undefined);
    });

    test('a namespaced list returns that namespace\'s objects in name order', async () => {
      const page = await env.configmaps.list('list-a', { selection: everything });
      assert.deepEqual(page.items.map((o) => o.metadata.name), ['one', 'two']);
      assert.match(page.resourceVersion, /^\d+$/);
      assert.equal(page.continue, undefined);
    });

    test('a label selector filters the list, across namespaces too', async () => {
      assert.deepEqual((await env.configmaps.list('list-a', { selection: labels('app=web') })).items.map((o) => o.metadata.name), ['one']);
      const all = await env.configmaps.list('', { selection: labels('app=web') });
      assert.deepEqual(all.items.filter((o) => o.metadata.namespace?.startsWith('list-')).map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['list-a/one', 'list-b/three']);
    });

    test('a field selector on metadata.name filters the list', async () => {
      const sel = parseSelection(new URLSearchParams({ fieldSelector: 'metadata.name=two' }), configmapsR);
      assert.deepEqual((await env.configmaps.list('list-a', { selection: sel })).items.map((o) => o.metadata.name), ['two']);
    });

    test('a resourceVersion newer than the store is 504 Timeout "Too large resource version"', async () => {
      const current = await env.storage.currentRevision();
      await assert.rejects(env.configmaps.list('list-a', { selection: everything, resourceVersion: String(current + 1000) }), apiError(504, 'Timeout', `Too large resource version: ${current + 1000}, current: ${current}`));
    });

    test('an exact resourceVersion lists the state as it was then', async () => {
      const before = await env.configmaps.list('list-a', { selection: everything });
      await env.configmaps.create(cm('list-a', 'zzz-later'));
      const then = await env.configmaps.list('list-a', { selection: everything, resourceVersion: before.resourceVersion, resourceVersionMatch: 'Exact' });
      assert.deepEqual(then.items.map((o) => o.metadata.name), ['one', 'two']);
      assert.equal(then.resourceVersion, before.resourceVersion);
    });
  });

  describe('limit and continue', () => {
    before(async () => {
      const names = Array.from({ length: 120 }, (_, i) => i);
      await Promise.all(names.map((i) => env.configmaps.create(cm('paged', `cm-${String(i).padStart(3, '0')}`, { parity: i % 2 === 0 ? 'even' : 'odd' }))));
    });

    test('pages are filled even when the selector drops items, and the tokens walk the whole selection', async () => {
      const sel = labels('parity=even');
      const seen: string[] = [];
      const sizes: number[] = [];
      let token: string | undefined;
      let firstRV: string | undefined;
      do {
        const page = await env.configmaps.list('paged', { selection: sel, limit: 25, ...(token === undefined ? {} : { continue: token }) });
        firstRV ??= page.resourceVersion;
        assert.equal(page.resourceVersion, firstRV, 'every page is read at the first page\'s resourceVersion');
        sizes.push(page.items.length);
        seen.push(...page.items.map((o) => o.metadata.name ?? ''));
        token = page.continue;
      } while (token !== undefined);
      assert.deepEqual(sizes, [25, 25, 10]);
      assert.deepEqual(seen, Array.from({ length: 60 }, (_, i) => `cm-${String(i * 2).padStart(3, '0')}`));
    });

    test('a continued list is a consistent snapshot: objects created after the first page do not appear', async () => {
      const first = await env.configmaps.list('paged', { selection: everything, limit: 50 });
      assert.equal(first.items.length, 50);
      assert.ok(first.continue !== undefined);
      await env.configmaps.create(cm('paged', 'cm-999-late'));
      const rest: string[] = [];
      let token: string | undefined = first.continue;
      while (token !== undefined) {
        const page = await env.configmaps.list('paged', { selection: everything, limit: 50, continue: token });
        rest.push(...page.items.map((o) => o.metadata.name ?? ''));
        token = page.continue;
      }
      assert.equal(rest.length, 70);
      assert.ok(!rest.includes('cm-999-late'));
      assert.ok((await env.configmaps.list('paged', { selection: everything })).items.some((o) => o.metadata.name === 'cm-999-late'));
    });

    test('a list without a limit returns everything at once', async () => {
      const page = await env.configmaps.list('paged', { selection: labels('parity=odd') });
      assert.equal(page.items.length, 60);
      assert.equal(page.continue, undefined);
    });

    test('a continue token cannot be combined with a resourceVersion', async () => {
      const first = await env.configmaps.list('paged', { selection: everything, limit: 10 });
      await assert.rejects(
        env.configmaps.list('paged', { selection: everything, limit: 10, continue: first.continue, resourceVersion: first.resourceVersion }),
        apiError(400, 'BadRequest', 'specifying resource version is not allowed when using continue'),
      );
    });

    test('a garbled continue token is 400 BadRequest', async () => {
      await assert.rejects(env.configmaps.list('paged', { selection: everything, limit: 10, continue: 'not-a-token' }), apiError(400, 'BadRequest'));
    });
  });

  describe('guaranteedUpdate', () => {
    test('an update pinned to a stale resourceVersion is 409 Conflict with upstream\'s message', async () => {
      const created = await env.configmaps.create(cm('update', 'pinned', {}, { n: '0' }));
      const stale = created.metadata.resourceVersion;
      await env.configmaps.guaranteedUpdate('update', 'pinned', (cur) => {
        assert.ok(cur);
        cur['data'] = { n: '1' };
        return cur;
      });
      await assert.rejects(
        env.configmaps.guaranteedUpdate('update', 'pinned', (cur) => {
          assert.ok(cur);
          return { ...cur, metadata: { ...cur.metadata, resourceVersion: stale }, data: { n: '2' } };
        }),
        apiError(409, 'Conflict', 'Operation cannot be fulfilled on configmaps "pinned": the object has been modified; please apply your changes to the latest version and try again'),
      );
      assert.deepEqual((await env.configmaps.get('update', 'pinned'))['data'], { n: '1' });
    });

    test('of two writers pinned to the same resourceVersion, one wins and the other gets 409 Conflict', async () => {
      const created = await env.configmaps.create(cm('update', 'race', {}, { who: 'nobody' }));
      // Both clients read the same object and send it back with its resourceVersion (a PUT with a pin).
      const readRV = created.metadata.resourceVersion;
      const writer = (who: string) =>
        env.configmaps.guaranteedUpdate('update', 'race', async (cur) => {
          assert.ok(cur);
          cur['data'] = { who };
          return { ...cur, metadata: { ...cur.metadata, resourceVersion: readRV } };
        });
      const results = await Promise.allSettled([writer('a'), writer('b')]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.ok(rejected);
      apiError(409, 'Conflict', /^Operation cannot be fulfilled on configmaps "race": the object has been modified/)(rejected.reason);
    });

    test('unpinned concurrent updates are all applied', async () => {
      await env.configmaps.create(cm('update', 'counter', {}, { n: '0' }));
      const bump = () =>
        env.configmaps.guaranteedUpdate('update', 'counter', (cur) => {
          assert.ok(cur);
          delete cur.metadata.resourceVersion;
          const data = cur['data'] as Record<string, string>;
          cur['data'] = { n: String(Number(data['n']) + 1) };
          return cur;
        });
      await Promise.all(Array.from({ length: 20 }, bump));
      assert.deepEqual((await env.configmaps.get('update', 'counter'))['data'], { n: '20' });
    });

    // Upstream's GuaranteedUpdate retries with fresh state on every compare-and-swap failure; only Store.Update's
    // check of the client's resourceVersion conflicts. In-process callers such as pods/binding and namespaces/finalize
    // return the copy they were handed (with its resourceVersion) and so get a 409 on any concurrent write.
    test('a mutate that keeps the resourceVersion it was handed is retried after a concurrent write, as upstream\'s GuaranteedUpdate is', async () => {
      await env.configmaps.create(cm('update', 'handed', {}, { a: '0', b: '0' }));
      let release: () => void = () => undefined;
      const barrier = new Promise<void>((r) => {
        release = r;
      });
      const slow = env.configmaps.guaranteedUpdate('update', 'handed', async (cur) => {
        assert.ok(cur);
        cur['data'] = { ...(cur['data'] as Record<string, string>), a: '1' };
        await barrier;
        return cur;
      });
      // The concurrent write comes from another server on the same store (one store serializes its own writes).
      const otherServer = new ResourceStore(configmapsR, env.storage, noAdmission);
      await otherServer.guaranteedUpdate('update', 'handed', (cur) => {
        assert.ok(cur);
        delete cur.metadata.resourceVersion;
        cur['data'] = { ...(cur['data'] as Record<string, string>), b: '1' };
        return cur;
      });
      release();
      await slow;
      assert.deepEqual((await env.configmaps.get('update', 'handed'))['data'], { a: '1', b: '1' });
    });

    test('an update that changes nothing keeps the resourceVersion', async () => {
      const created = await env.configmaps.create(cm('update', 'same', {}, { a: '1' }));
      const { object } = await env.configmaps.guaranteedUpdate('update', 'same', (cur) => {
        assert.ok(cur);
        return cur;
      });
      assert.equal(object.metadata.resourceVersion, created.metadata.resourceVersion);
    });

    test('an update keeps creationTimestamp, takes the uid when none is given, and rejects a different uid as immutable', async () => {
      const created = await env.configmaps.create(cm('update', 'identity'));
      const { object } = await env.configmaps.guaranteedUpdate('update', 'identity', (cur) => {
        assert.ok(cur);
        delete cur.metadata.uid;
        cur.metadata.creationTimestamp = '2000-01-01T00:00:00Z';
        cur['data'] = { x: 'y' };
        return cur;
      });
      assert.equal(object.metadata.uid, created.metadata.uid);
      assert.equal(object.metadata.creationTimestamp, created.metadata.creationTimestamp);
      await assert.rejects(
        env.configmaps.guaranteedUpdate('update', 'identity', (cur) => {
          assert.ok(cur);
          cur.metadata.uid = 'other';
          return cur;
        }),
        apiError(422, 'Invalid', /^ConfigMap "identity" is invalid: metadata.uid: Invalid value: "other": field is immutable/),
      );
    });

    test('an update of a missing object is 404 unless creation is allowed', async () => {
      await assert.rejects(env.configmaps.guaranteedUpdate('update', 'missing', () => cm('update', 'missing')), apiError(404, 'NotFound', 'configmaps "missing" not found'));
      const { created } = await env.configmaps.guaranteedUpdate('update', 'missing', () => cm('update', 'missing'), { allowCreate: true });
      assert.equal(created, true);
    });

    test('a deployment\'s generation moves with its spec, and a status update keeps the spec', async () => {
      const d: StoredObject = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'gen', namespace: 'update' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'gen' } }, template: { metadata: { labels: { app: 'gen' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      };
      await env.deployments.create(d);
      const scaled = await env.deployments.guaranteedUpdate('update', 'gen', (cur) => {
        assert.ok(cur);
        (cur['spec'] as { replicas: number }).replicas = 3;
        return cur;
      });
      assert.equal(scaled.object.metadata.generation, 2);
      const labelled = await env.deployments.guaranteedUpdate('update', 'gen', (cur) => {
        assert.ok(cur);
        cur.metadata.labels = { touched: 'yes' };
        return cur;
      });
      assert.equal(labelled.object.metadata.generation, 2);
      const status = await env.deployments.guaranteedUpdate(
        'update',
        'gen',
        (cur) => {
          assert.ok(cur);
          (cur['spec'] as { replicas: number }).replicas = 99;
          cur['status'] = { replicas: 3, observedGeneration: 2 };
          return cur;
        },
        { subresource: 'status' },
      );
      assert.equal((status.object['spec'] as { replicas: number }).replicas, 3);
      assert.deepEqual(status.object['status'], { replicas: 3, observedGeneration: 2 });
      assert.equal(status.object.metadata.generation, 2);
    });
  });

  describe('delete', () => {
    test('deletes an object and returns it', async () => {
      await env.configmaps.create(cm('delete', 'plain'));
      const { object, deleted } = await env.configmaps.delete('delete', 'plain', {});
      assert.equal(deleted, true);
      assert.equal(object.metadata.name, 'plain');
      await assert.rejects(env.configmaps.get('delete', 'plain'), apiError(404, 'NotFound'));
    });

    test('deleting a missing object is 404', async () => {
      await assert.rejects(env.configmaps.delete('delete', 'never', {}), apiError(404, 'NotFound', 'configmaps "never" not found'));
    });

    test('a failed uid or resourceVersion precondition is 409 Conflict and keeps the object', async () => {
      const created = await env.configmaps.create(cm('delete', 'guarded'));
      await assert.rejects(env.configmaps.delete('delete', 'guarded', { preconditions: { uid: 'not-the-uid' } }), apiError(409, 'Conflict'));
      await assert.rejects(env.configmaps.delete('delete', 'guarded', { preconditions: { resourceVersion: '1' } }), apiError(409, 'Conflict'));
      const ok = await env.configmaps.delete('delete', 'guarded', { preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion } });
      assert.equal(ok.deleted, true);
    });

    // rest.BeforeDelete: NewConflict(GroupResource{Group: gvk.Group, Resource: gvk.Kind}, name, "the UID in the
    // precondition (X) does not match the UID in record (Y). The object might have been deleted and then recreated").
    test('a failed uid precondition has upstream\'s message', async () => {
      const created = await env.configmaps.create(cm('delete', 'uid-msg'));
      await assert.rejects(
        env.configmaps.delete('delete', 'uid-msg', { preconditions: { uid: 'abc' } }),
        apiError(409, 'Conflict', `Operation cannot be fulfilled on ConfigMap "uid-msg": the UID in the precondition (abc) does not match the UID in record (${created.metadata.uid ?? ''}). The object might have been deleted and then recreated`),
      );
    });

    test('a failed resourceVersion precondition has upstream\'s message', async () => {
      const created = await env.configmaps.create(cm('delete', 'rv-msg'));
      await assert.rejects(
        env.configmaps.delete('delete', 'rv-msg', { preconditions: { resourceVersion: '1' } }),
        apiError(409, 'Conflict', `Operation cannot be fulfilled on ConfigMap "rv-msg": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${created.metadata.resourceVersion ?? ''}). The object might have been modified`),
      );
    });

    test('finalizers keep the object, with a deletionTimestamp, until they are removed', async () => {
      const o = cm('delete', 'held');
      o.metadata.finalizers = ['example.com/hold'];
      await env.configmaps.create(o);
      const first = await env.configmaps.delete('delete', 'held', {});
      assert.equal(first.deleted, false);
      assert.match(first.object.metadata.deletionTimestamp ?? '', /Z$/);
      assert.equal(first.object.metadata.deletionGracePeriodSeconds, 0);
      const still = await env.configmaps.get('delete', 'held');
      assert.equal(still.metadata.deletionTimestamp, first.object.metadata.deletionTimestamp);
      const again = await env.configmaps.delete('delete', 'held', {});
      assert.equal(again.deleted, false);
      assert.equal(again.object.metadata.deletionTimestamp, first.object.metadata.deletionTimestamp);
      await assert.rejects(
        env.configmaps.guaranteedUpdate('delete', 'held', (cur) => {
          assert.ok(cur);
          cur.metadata.finalizers = ['example.com/hold', 'example.com/new'];
          return cur;
        }),
        apiError(422, 'Invalid', /no new finalizers can be added if the object is being deleted/),
      );
      await env.configmaps.guaranteedUpdate('delete', 'held', (cur) => {
        assert.ok(cur);
        cur.metadata.finalizers = [];
        return cur;
      });
      await assert.rejects(env.configmaps.get('delete', 'held'), apiError(404, 'NotFound'));
    });

    test('a dry-run delete leaves the object in place', async () => {
      await env.configmaps.create(cm('delete', 'dry'));
      const { deleted } = await env.configmaps.delete('delete', 'dry', { dryRun: true });
      assert.equal(deleted, true);
      assert.equal((await env.configmaps.get('delete', 'dry')).metadata.name, 'dry');
    });

    test('an unscheduled pod is deleted at once', async () => {
      await env.pods.create(pod('pods', 'unbound'));
      const { deleted } = await env.pods.delete('pods', 'unbound', {});
      assert.equal(deleted, true);
    });

    test('a bound pod is deleted gracefully with its termination grace period, then at once with grace 0', async () => {
      await env.pods.create(pod('pods', 'bound', 'node-1'));
      const graceful = await env.pods.delete('pods', 'bound', {});
      assert.equal(graceful.deleted, false);
      assert.equal(graceful.object.metadata.deletionGracePeriodSeconds, 30);
      const deadline = Date.parse(graceful.object.metadata.deletionTimestamp ?? '');
      assert.ok(deadline > Date.now() + 25_000 && deadline < Date.now() + 35_000, 'deletionTimestamp is now plus the grace period');
      const shorter = await env.pods.delete('pods', 'bound', { gracePeriodSeconds: 5 });
      assert.equal(shorter.deleted, false);
      assert.equal(shorter.object.metadata.deletionGracePeriodSeconds, 5);
      const longer = await env.pods.delete('pods', 'bound', { gracePeriodSeconds: 60 });
      assert.equal(longer.object.metadata.deletionGracePeriodSeconds, 5, 'a longer grace period does not extend the deletion');
      const now = await env.pods.delete('pods', 'bound', { gracePeriodSeconds: 0 });
      assert.equal(now.deleted, true);
      await assert.rejects(env.pods.get('pods', 'bound'), apiError(404, 'NotFound', 'pods "bound" not found'));
    });

    test('deleting a namespace marks it Terminating until its finalizers are gone', async () => {
      await env.namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
      const { object, deleted } = await env.namespaces.delete('', 'doomed', {});
      assert.equal(deleted, false);
      assert.equal((object['status'] as { phase: string }).phase, 'Terminating');
      assert.ok(object.metadata.deletionTimestamp !== undefined);
      assert.equal((await env.namespaces.get('', 'doomed')).metadata.deletionTimestamp, object.metadata.deletionTimestamp);
      const finalized = await env.namespaces.guaranteedUpdate(
        '',
        'doomed',
        (ns) => {
          assert.ok(ns);
          ns['spec'] = { finalizers: [] };
          return ns;
        },
        { subresource: 'finalize' },
      );
      assert.equal(finalized.created, false);
      await assert.rejects(env.namespaces.get('', 'doomed'), apiError(404, 'NotFound', 'namespaces "doomed" not found'));
    });
  });

  describe('watch', () => {
    test('a label-selected watch sees objects enter and leave the selection as ADDED and DELETED', async () => {
      const from = await env.storage.currentRevision();
      const events: ObjectEvent[] = [];
      const errors: ApiError[] = [];
      const handle = env.configmaps.watch('watched', from, labels('app=web'), (evs) => events.push(...evs), (e) => errors.push(e));
      try {
        await env.configmaps.create(cm('watched', 'other', { app: 'db' }));
        await env.configmaps.create(cm('watched', 'w', { app: 'web' }));
        await env.configmaps.guaranteedUpdate('watched', 'w', (cur) => {
          assert.ok(cur);
          cur['data'] = { v: '1' };
          return cur;
        });
        await env.configmaps.guaranteedUpdate('watched', 'w', (cur) => {
          assert.ok(cur);
          cur.metadata.labels = { app: 'db' };
          return cur;
        });
        await env.configmaps.guaranteedUpdate('watched', 'w', (cur) => {
          assert.ok(cur);
          cur['data'] = { v: '2' };
          return cur;
        });
        await env.configmaps.guaranteedUpdate('watched', 'w', (cur) => {
          assert.ok(cur);
          cur.metadata.labels = { app: 'web' };
          return cur;
        });
        await env.configmaps.delete('watched', 'w', {});
        await env.configmaps.create(cm('elsewhere', 'w', { app: 'web' }));
        await until('five events', () => events.length >= 5);
        await sleep(100);
        assert.deepEqual(
          events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.labels?.['app'], (e.object['data'] as Record<string, string> | undefined)?.['v']]),
          [
            ['ADDED', 'w', 'web', undefined],
            ['MODIFIED', 'w', 'web', '1'],
            ['DELETED', 'w', 'db', '1'],
            ['ADDED', 'w', 'web', '2'],
            ['DELETED', 'w', 'web', '2'],
          ],
        );
        const revisions = events.map((e) => e.revision);
        assert.deepEqual([...revisions].sort((a, b) => a - b), revisions, 'events arrive in revision order');
        assert.ok(events.every((e) => e.object.metadata.resourceVersion === String(e.revision)));
        assert.deepEqual(errors, []);
      } finally {
        handle.cancel();
      }
    });

    test('a watch of everything reports create, update and delete in order', async () => {
      const from = await env.storage.currentRevision();
      const events: ObjectEvent[] = [];
      const handle = env.configmaps.watch('watched-all', from, everything, (evs) => events.push(...evs), () => undefined);
      try {
        await env.configmaps.create(cm('watched-all', 'x'));
        await env.configmaps.guaranteedUpdate('watched-all', 'x', (cur) => {
          assert.ok(cur);
          cur['data'] = { a: 'b' };
          return cur;
        });
        await env.configmaps.delete('watched-all', 'x', {});
        await until('three events', () => events.length >= 3);
        assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
      } finally {
        handle.cancel();
      }
    });

    test('a watch from an earlier revision replays what happened since', async () => {
      const from = await env.storage.currentRevision();
      await env.configmaps.create(cm('replayed', 'r1'));
      await env.configmaps.create(cm('replayed', 'r2'));
      const events: ObjectEvent[] = [];
      const handle = env.configmaps.watch('replayed', from, everything, (evs) => events.push(...evs), () => undefined);
      try {
        await until('two replayed events', () => events.length >= 2);
        assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'r1'], ['ADDED', 'r2']]);
      } finally {
        handle.cancel();
      }
    });
  });
});

describe('ResourceStore after compaction', () => {
  let env: Env;
  before(() => {
    env = openEnv();
  });
  after(async () => {
    await env.close();
  });

  test('a continue token from before a compaction is 410 Expired with upstream\'s message', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => env.configmaps.create(cm('c', `cm-${String(i).padStart(2, '0')}`))));
    const first = await env.configmaps.list('c', { selection: everything, limit: 10 });
    assert.ok(first.continue !== undefined);
    await env.configmaps.create(cm('c', 'after'));
    await env.storage.compact(await env.storage.currentRevision());
    await assert.rejects(
      env.configmaps.list('c', { selection: everything, limit: 10, continue: first.continue }),
      apiError(
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      ),
    );
  });

  test('a watch from a compacted revision is 410 Expired "too old resource version: X (Y)"', async () => {
    const old = await env.storage.currentRevision();
    await env.configmaps.create(cm('c', 'w1'));
    await env.configmaps.create(cm('c', 'w2'));
    const compacted = await env.storage.currentRevision();
    await env.storage.compact(compacted);
    const asyncErrors: ApiError[] = [];
    let thrown: unknown;
    try {
      const h = env.configmaps.watch('c', old - 1, everything, () => undefined, (e) => asyncErrors.push(e));
      await until('the watch to fail', () => asyncErrors.length > 0, 2000).finally(() => h.cancel());
    } catch (e: unknown) {
      thrown = e;
    }
    const err = thrown instanceof ApiError ? thrown : asyncErrors[0];
    assert.ok(err instanceof ApiError, `an ApiError, not ${String(thrown)}`);
    assert.equal(err.code, 410);
    assert.equal(err.reason, 'Expired');
    assert.equal(err.message, `too old resource version: ${old - 1} (${await env.storage.compactedRevision()})`);
  });
});
