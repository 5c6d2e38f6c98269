// The watch cache on the real SQLite store: consistent LISTs from memory see every acknowledged write.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredObject } from '../../api/object.js';
import { findResource } from '../../api/resources.js';
import { openSqliteStorage } from '../../storage/sqlite/sqlite-storage.js';
import { ResourceStore, type Admission } from './resource-store.js';
import { WatchCache } from './watch-cache.js';

const noAdmission: Admission = { admit: async () => undefined };
const configmaps = findResource('', 'v1', 'configmaps');
const secrets = findResource('', 'v1', 'secrets');

const cm = (ns: string, name: string, labels: Record<string, string> = {}): StoredObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: {} });

describe('watch cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-watch-cache-'));
  const storage = openSqliteStorage(join(dir, 'state.db'));
  assert.ok(configmaps && secrets);
  const store = new ResourceStore(configmaps, storage, noAdmission);
  const other = new ResourceStore(secrets, storage, noAdmission);

  before(async () => {
    await store.create(cm('a', 'before-start'));
    await store.startCache();
  });
  after(async () => {
    store.stopCache();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a list right after each acknowledged write sees that write', async () => {
    for (let i = 0; i < 30; i++) {
      const created = await store.create(cm('a', `x${i}`));
      const page = await store.list('a', { selection: {} });
      assert.ok(page.items.some((o) => o.metadata.name === `x${i}`), `x${i} listed`);
      assert.ok(Number(page.resourceVersion) >= Number(created.metadata.resourceVersion));
    }
  });

  test('writes to other resources advance the cache without events of its own', async () => {
    const before = await store.list('a', { selection: {} });
    await other.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'a' } });
    const after = await store.list('a', { selection: {} });
    assert.ok(Number(after.resourceVersion) > Number(before.resourceVersion), 'the list is at the store\'s latest revision');
    assert.equal(after.items.length, before.items.length);
  });

  test('deletes leave the cached list, and namespaces do not leak into each other', async () => {
    await store.create(cm('b', 'only-in-b'));
    await store.delete('a', 'x0', {});
    const a = await store.list('a', { selection: {} });
    const b = await store.list('b', { selection: {} });
    assert.equal(a.items.some((o) => o.metadata.name === 'x0'), false);
    assert.deepEqual(b.items.map((o) => o.metadata.name), ['only-in-b']);
    const all = await store.list('', { selection: {} });
    assert.equal(all.items.length, a.items.length + 1);
  });

  test('a limited list from the cache continues from storage at the same revision', async () => {
    const first = await store.list('a', { selection: {}, limit: 10 });
    assert.equal(first.items.length, 10);
    assert.ok(first.continue);
    const names = first.items.map((o) => o.metadata.name ?? '');
    let token: string | undefined = first.continue;
    while (token !== undefined) {
      const next = await store.list('a', { selection: {}, limit: 10, continue: token });
      names.push(...next.items.map((o) => o.metadata.name ?? ''));
      token = next.continue;
    }
    const full = await store.list('a', { selection: {} });
    assert.deepEqual(names, full.items.map((o) => o.metadata.name ?? ''));
  });

  test('waitFor gives up after its timeout when the revision never comes', async () => {
    const cache = new WatchCache(storage, '/registry/nothing/', (kv) => JSON.parse(kv.value) as StoredObject);
    await cache.start();
    assert.equal(await cache.waitFor((await storage.currentRevision()) + 1000, 20), false);
    cache.stop();
  });
});
