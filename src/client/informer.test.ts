import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { K8tsServer, waitFor } from '../../test/e2e/support/server.js';
import { Informer, type Obj } from './informer.js';
import { readKubeconfig } from './kubeconfig.js';
import { RestClient } from './rest-client.js';

describe('shared informers against a real server', () => {
  let server: K8tsServer;
  let client: RestClient;

  before(async () => {
    server = await K8tsServer.start();
    client = new RestClient(readKubeconfig(server.kubeconfig));
  });

  after(async () => {
    client?.close();
    await server?.destroy();
  });

  const configMap = (name: string): Promise<unknown> =>
    client.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { informer: 'test' } } });

  test('informers of one collection share a cache, each hears every change, and a late one hears what is already there', async () => {
    const seenA: string[] = [];
    const seenB: string[] = [];
    const name = (o: Obj): string => o.metadata?.name ?? '';
    const a = new Informer(client, '/api/v1/configmaps', { labelSelector: 'informer=test' });
    const b = new Informer(new RestClient(client.config), '/api/v1/configmaps', { labelSelector: 'informer=test' });
    a.addHandlers({ add: (o) => seenA.push(name(o)) });
    b.addHandlers({ add: (o) => seenB.push(name(o)) });
    await configMap('before');
    a.start();
    await a.waitForSync();
    assert.deepEqual(seenA, ['before']);
    b.start();
    await b.waitForSync();
    assert.deepEqual(seenB, ['before'], 'the late informer is told of what the shared cache holds');
    await configMap('after');
    await waitFor('both informers see the new object', () => seenA.includes('after') && seenB.includes('after'));
    assert.equal(a.get('default/after'), b.get('default/after'), 'one decoded object, shared');

    a.stop();
    await configMap('after-stop');
    await waitFor('the remaining informer still sees changes', () => seenB.includes('after-stop'));
    assert.ok(!seenA.includes('after-stop'), 'a stopped informer hears nothing more');
    b.stop();
  });

  test('informers with different selectors do not share', async () => {
    const a = new Informer(client, '/api/v1/configmaps', { labelSelector: 'informer=test' });
    const b = new Informer(client, '/api/v1/configmaps', { labelSelector: 'informer=other' });
    a.start();
    b.start();
    await Promise.all([a.waitForSync(), b.waitForSync()]);
    assert.ok(a.list().length >= 3);
    assert.equal(b.list().length, 0);
    a.stop();
    b.stop();
  });

  test('the namespace and controller indexes follow adds, ownership changes and deletes', async () => {
    const ns = (n: string): Promise<unknown> => client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } });
    await ns('index-a');
    await ns('index-b');
    const cm = (namespace: string, name: string, owner?: string): Promise<unknown> =>
      client.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name,
          labels: { index: 'test' },
          ...(owner !== undefined ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner, controller: true }] } : {}),
        },
      });
    // A real owner, so that the garbage collector keeps its dependents.
    const owner = await client.request<{ metadata: { uid: string } }>('POST', '/api/v1/namespaces/index-a/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
    const uid = owner.metadata.uid;
    const inf = new Informer(client, '/api/v1/configmaps', { labelSelector: 'index=test' });
    inf.start();
    await inf.waitForSync();
    await cm('index-a', 'orphan');
    await cm('index-a', 'owned', uid);
    await cm('index-a', 'owned-too', uid);
    await cm('index-b', 'elsewhere');
    const names = (objs: Obj[]): string[] => objs.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`).sort();
    await waitFor('four objects', () => inf.list().length === 4);
    assert.deepEqual(names(inf.listNamespace('index-a')), ['index-a/orphan', 'index-a/owned', 'index-a/owned-too']);
    assert.deepEqual(names(inf.listControlledBy(uid)), ['index-a/owned', 'index-a/owned-too']);
    assert.deepEqual(names(inf.listOrphans('index-a')), ['index-a/orphan']);
    assert.deepEqual(names(inf.listOrphans('index-b')), ['index-b/elsewhere']);
    assert.deepEqual(names(inf.listClaimable('index-a', uid)), ['index-a/orphan', 'index-a/owned', 'index-a/owned-too']);
    // Released by its controller: an orphan again.
    await client.request('PATCH', '/api/v1/namespaces/index-a/configmaps/owned', { metadata: { ownerReferences: null } }, 'application/merge-patch+json');
    await waitFor('the released object is an orphan', () => inf.listOrphans('index-a').length === 2);
    assert.deepEqual(names(inf.listControlledBy(uid)), ['index-a/owned-too']);
    await client.request('DELETE', '/api/v1/namespaces/index-b/configmaps/elsewhere');
    await waitFor('the deleted object leaves the indexes', () => inf.listNamespace('index-b').length === 0);
    assert.deepEqual(inf.listOrphans('index-b'), []);
    inf.stop();
  });
});
