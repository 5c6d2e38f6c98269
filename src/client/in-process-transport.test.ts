// The loopback transports against a real API server in this process: requests and watches reach the server's handler
// without a socket (in this thread, or from a worker thread over a MessagePort) and get what a client over the wire
// gets; the loopback socket itself demands the loopback token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import type { Req, Res } from '../apiserver/http.js';
import { ApiServer } from '../apiserver/server.js';
import { ApiError } from '../machinery/errors.js';
import { ensureClusterPki } from '../pki/cluster-pki.js';
import { openStorage } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import { MessageChannel, Worker } from 'node:worker_threads';
import { InProcessRequest, InProcessResponse, inProcessDispatcher } from './in-process-transport.js';
import { portDispatcher, serveInProcessPort } from './port-transport.js';
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

  test('a request that discards its result writes as request does, and still rejects with the ApiError', async () => {
    const none = await client.requestDiscardingResult('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'discarded' }, data: { a: 'b' } });
    assert.equal(none, undefined);
    const got = await client.request<{ data: Record<string, string> }>('GET', '/api/v1/namespaces/default/configmaps/discarded');
    assert.deepEqual(got.data, { a: 'b' });
    await assert.rejects(client.requestDiscardingResult('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'discarded' } }), (e: unknown) => {
      return e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists' && e.message === 'configmaps "discarded" already exists';
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

  test('a client on another thread reaches the handler over a MessagePort: answers, errors, and a watch until stopped', async () => {
    const channel = new MessageChannel();
    const closePort = serveInProcessPort(channel.port1, config.socketPath);
    // The worker runs a RestClient of the loopback config with the port dispatcher registered in its thread.
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      (async () => {
        const { RestClient } = await import(workerData.restClient);
        const { registerInProcessDispatcher } = await import(workerData.inProcess);
        const { portDispatcher } = await import(workerData.portTransport);
        registerInProcessDispatcher(workerData.config.socketPath, portDispatcher(workerData.port));
        const client = new RestClient(workerData.config);
        const out = {};
        const created = await client.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'threaded' }, data: { k: 'v'.repeat(20000) } });
        out.created = created.metadata.name;
        out.size = (await client.request('GET', '/api/v1/namespaces/default/configmaps/threaded')).data.k.length;
        out.missing = await client.request('GET', '/api/v1/namespaces/default/configmaps/nope').then(() => 'found', (e) => e.code + ' ' + e.message);
        const events = [];
        const w = client.watch('/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=' + created.metadata.resourceVersion, (ev) => events.push(ev.type + ' ' + ev.object.metadata.name), () => events.push('ended'));
        await client.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'threaded-w' } });
        for (let i = 0; i < 100 && events.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
        w.stop();
        await client.request('DELETE', '/api/v1/namespaces/default/configmaps/threaded-w');
        await new Promise((r) => setTimeout(r, 100));
        out.events = events;
        parentPort.postMessage(out);
      })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
    `;
    const worker = new Worker(code, {
      eval: true,
      workerData: {
        config,
        port: channel.port2,
        restClient: new URL('./rest-client.js', import.meta.url).href,
        inProcess: new URL('./in-process-transport.js', import.meta.url).href,
        portTransport: new URL('./port-transport.js', import.meta.url).href,
      },
      transferList: [channel.port2],
    });
    try {
      const out = await new Promise<Record<string, unknown>>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      assert.deepEqual(out, { created: 'threaded', size: 20000, missing: '404 configmaps "nope" not found', events: ['ADDED threaded-w'] });
    } finally {
      await worker.terminate();
      closePort();
    }
  });

  test('over a MessagePort, a server that is not registered answers 503 ServiceUnavailable', async () => {
    const channel = new MessageChannel();
    const closePort = serveInProcessPort(channel.port1, '@k8ts-nobody');
    try {
      const res = new InProcessResponse();
      const body = await new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('finish', () => resolve(Buffer.concat(chunks).toString('utf8')));
        portDispatcher(channel.port2)(new InProcessRequest('GET', '/api/v1/namespaces', {}, undefined) as unknown as Req, res as unknown as Res);
      });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(JSON.parse(body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the API server is not serving', reason: 'ServiceUnavailable', code: 503 });
    } finally {
      closePort();
      channel.port2.close();
    }
  });
});
