// The loopback transport against a real API server in this process: requests and watches reach the server's handler
// without a socket and get what a client over the wire gets; the loopback socket itself demands the loopback token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { ApiServer } from '../apiserver/server.js';
import { ApiError } from '../machinery/errors.js';
import { ensureClusterPki } from '../pki/cluster-pki.js';
import { openStorage } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import { inProcessDispatcher } from './in-process-transport.js';
import type { ClientConfig } from './kubeconfig.js';
import { RestClient, type WatchEventJson } from './rest-client.js';

describe('the in-process loopback transport', () => {
  let dir: string;
  let storage: Storage;
  let server: ApiServer;
  let config: ClientConfig & { socketPath: string };
  let client: RestClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-inproc-'));
    const pki = await ensureClusterPki(dir, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    storage = await openStorage({ dataDir: dir, datastoreEndpoint: '' });
    server = new ApiServer({
      bindAddress: '127.0.0.1',
      port: 0,
      tls: { certPem: pki.serving.certPem, keyPem: pki.serving.keyPem, caPem: pki.ca.certPem },
      storage,
      serviceCidr: '10.254.0.0/16',
      clusterCidr: '10.240.0.0/16',
      tokens: () => new Map(),
      advertiseAddress: '127.0.0.1',
    });
    const addr = await server.listen();
    await bootstrapCluster(server, '127.0.0.1', addr.port);
    server.markReady();
    server.startCaches();
    config = await server.listenLoopback();
    client = new RestClient(config);
  });

  after(async () => {
    client?.close();
    await server?.close();
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a client of the loopback config in this thread is served without a socket, with upstream answers', async () => {
    assert.notEqual(inProcessDispatcher(config.socketPath), undefined);
    const created = await client.request<{ metadata: { name: string; resourceVersion: string } }>('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'inproc' },
      data: { a: 'b' },
    });
    assert.equal(created.metadata.name, 'inproc');
    const got = await client.request<{ data: Record<string, string> }>('GET', '/api/v1/namespaces/default/configmaps/inproc');
    assert.deepEqual(got.data, { a: 'b' });
    await assert.rejects(client.request('GET', '/api/v1/namespaces/default/configmaps/missing'), (e: unknown) => {
      return e instanceof ApiError && e.code === 404 && e.reason === 'NotFound' && e.message === 'configmaps "missing" not found';
    });
    await assert.rejects(client.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }), (e: unknown) => {
      return e instanceof ApiError && e.code === 422 && e.reason === 'Invalid';
    });
  });

  test('a watch streams events until stopped, and a too old resourceVersion ends it with 410', async () => {
    const events: WatchEventJson[] = [];
    let ended = false;
    const list = await client.request<{ metadata: { resourceVersion: string } }>('GET', '/api/v1/namespaces/default/configmaps');
    const w = client.watch(`/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}`, (ev) => events.push(ev), () => (ended = true));
    await client.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' } });
    await client.request('DELETE', '/api/v1/namespaces/default/configmaps/watched');
    for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(events.map((e) => [e.type, (e.object['metadata'] as { name: string }).name]), [['ADDED', 'watched'], ['DELETED', 'watched']]);
    w.stop();
    assert.equal(ended, false, 'a stopped watch does not report its end');

    await storage.compact(await storage.currentRevision());
    const expired: WatchEventJson[] = [];
    const err = await new Promise<Error | undefined>((resolve) => {
      client.watch('/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=2', (ev) => expired.push(ev), resolve);
    });
    // Upstream answers a watch from a compacted revision with a 410 Expired: as the status or as an ERROR event.
    const viaEvent = expired[0]?.type === 'ERROR' && expired[0].object['code'] === 410;
    assert.ok(viaEvent || (err instanceof ApiError && err.code === 410), `got ${JSON.stringify(expired)} / ${String(err)}`);
  });

  test('the loopback socket refuses a request without the loopback token', async () => {
    const code = await new Promise<number>((resolve, reject) => {
      const req = request({ socketPath: config.socketPath, path: '/api/v1/namespaces', method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(code, 401);
  });
});
