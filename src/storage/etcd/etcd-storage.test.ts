import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runStorageConformance } from '../storage.conformance.js';
import { openStorage } from '../index.js';
import { EtcdStorage, openEtcdStorage, parseEtcdEndpoints } from './etcd-storage.js';
import { startEtcd, type EtcdTestServer } from './etcd-test-server.js';

let etcd: EtcdTestServer | null = null;

function endpoint(): string {
  if (!etcd) throw new Error('etcd was not started');
  return etcd.endpoint;
}

before(async () => {
  etcd = await startEtcd();
});

after(async () => {
  await etcd?.stop();
});

runStorageConformance('etcd', async () => {
  const storage = await openEtcdStorage(endpoint());
  return { storage, cleanup: () => storage.close() };
});

describe('etcd storage', () => {
  test('endpoints are comma-separated http URLs', () => {
    assert.deepEqual(parseEtcdEndpoints('http://127.0.0.1:2379, http://127.0.0.2:2379'), [
      'http://127.0.0.1:2379',
      'http://127.0.0.2:2379',
    ]);
    assert.throws(() => parseEtcdEndpoints('https://127.0.0.1:2379'), /only http:\/\/ endpoints are supported/);
    assert.throws(() => parseEtcdEndpoints(','), /empty/);
  });

  test('openStorage with an http:// endpoint talks to etcd', async () => {
    const storage = await openStorage({ dataDir: '/nonexistent', datastoreEndpoint: endpoint() });
    try {
      assert.ok(storage instanceof EtcdStorage);
      const kv = await storage.create('/open-storage/a', '{}');
      assert.equal(await storage.currentRevision(), kv.modRevision);
    } finally {
      await storage.close();
    }
  });

  test('a store closed with open watches ends them through onError', async () => {
    const storage = await openEtcdStorage(endpoint());
    const errors: Error[] = [];
    storage.watch('/closing/', await storage.currentRevision(), { onEvents: () => undefined, onError: (e) => errors.push(e) });
    await storage.close();
    assert.deepEqual(errors.map((e) => e.message), ['storage closed']);
  });

  test('an unreachable endpoint fails to open with a clear message', async () => {
    await assert.rejects(openEtcdStorage('http://127.0.0.1:1'), /cannot reach etcd at http:\/\/127\.0\.0\.1:1/);
  });
});
