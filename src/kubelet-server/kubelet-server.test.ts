import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatusResponse } from '../cri/index.js';
import { createCA, issueCertificate, type KeyPairPem } from '../pki/pki.js';
import { startKubeletServer, type KubeletServer } from './kubelet-server.js';

interface Answer {
  code: number;
  body: string;
}

describe('the kubelet server', () => {
  let ca: KeyPairPem;
  let master: KeyPairPem;
  let stranger: KeyPairPem;
  let outsider: KeyPairPem;
  let server: KubeletServer;
  let dir: string;
  const state = new Map<string, 'CONTAINER_RUNNING' | 'CONTAINER_EXITED'>();
  const pods = new Map<string, Pod>();

  const get = (path: string, who: KeyPairPem | undefined, onData?: (chunk: string, stop: () => void) => void): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path, ca: ca.certPem, ...(who !== undefined ? { cert: who.certPem, key: who.keyPem } : {}), agent: false },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            body += d;
            onData?.(d, () => {
              req.destroy();
              resolve({ code: res.statusCode ?? 0, body });
            });
          });
          res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
          res.on('error', () => resolve({ code: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelet-server-'));
    ca = await createCA('test-ca');
    const serving = await issueCertificate(ca, { commonName: 'system:node:n1', organizations: ['system:nodes'], ipAddresses: ['127.0.0.1'], server: true });
    master = await issueCertificate(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], client: true });
    stranger = await issueCertificate(ca, { commonName: 'jane', organizations: ['devs'], client: true });
    outsider = await issueCertificate(await createCA('other-ca'), { commonName: 'mallory', organizations: ['system:masters'], client: true });
    writeFileSync(join(dir, 'web.log'), '2024-01-01T00:00:00.1Z stdout F hello\n2024-01-01T00:00:01Z stderr F oops\n2024-01-01T00:00:02Z stdout F bye\n');
    writeFileSync(join(dir, 'web-0.log'), '2024-01-01T00:00:00Z stdout F first run\n');
    state.set('web1', 'CONTAINER_RUNNING');
    state.set('web0', 'CONTAINER_EXITED');
    pods.set('default/p', {
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [{ name: 'web' }, { name: 'side' }] },
      status: {
        containerStatuses: [
          { name: 'web', image: '', imageID: '', ready: true, restartCount: 1, containerID: 'containerd://web1', state: { running: {} }, lastState: { terminated: { exitCode: 1, containerID: 'containerd://web0' } } },
          { name: 'side', image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
        ],
      },
    });
    server = await startKubeletServer({
      address: '127.0.0.1',
      port: 0,
      tls: serving,
      clientCaPem: ca.certPem,
      forceCheckMs: 100,
      getPod: async (ns, name) => pods.get(`${ns}/${name}`),
      runtime: {
        containerStatus: async ({ containerId }) => {
          const s = state.get(containerId);
          if (s === undefined) throw new Error('not found');
          return { info: {}, status: { state: s, logPath: join(dir, containerId === 'web1' ? 'web.log' : 'web-0.log') } as ContainerStatusResponse['status'] };
        },
      },
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('healthz answers without a client certificate', async () => {
    assert.deepEqual(await get('/healthz', undefined), { code: 200, body: 'ok' });
  });

  test('a request without a certificate the cluster CA signed is unauthorized', async () => {
    assert.deepEqual(await get('/containerLogs/default/p/web', undefined), { code: 401, body: 'Unauthorized' });
    assert.deepEqual(await get('/containerLogs/default/p/web', outsider), { code: 401, body: 'Unauthorized' });
  });

  test('a user who may not proxy to nodes is forbidden, as upstream words it', async () => {
    assert.deepEqual(await get('/containerLogs/default/p/web', stranger), { code: 403, body: 'Forbidden (user=jane, verb=get, resource=nodes, subresource(s)=[proxy])\n' });
  });

  test('the API server reads both streams of the current container, with the options applied', async () => {
    assert.deepEqual(await get('/containerLogs/default/p/web', master), { code: 200, body: 'hello\noops\nbye\n' });
    assert.deepEqual(await get('/containerLogs/default/p/web?tailLines=1&timestamps=true', master), { code: 200, body: '2024-01-01T00:00:02.000000000Z bye\n' });
    assert.deepEqual(await get('/containerLogs/default/p/web?previous=true', master), { code: 200, body: 'first run\n' });
  });

  test('unknown pods and containers are 404 and waiting containers 400, with upstream texts', async () => {
    assert.deepEqual(await get('/containerLogs/default/nope/web', master), { code: 404, body: 'pod "nope" does not exist' });
    assert.deepEqual(await get('/containerLogs/default/p/nope', master), { code: 404, body: 'container "nope" not found in pod "p"' });
    assert.deepEqual(await get('/containerLogs/default/p/side', master), { code: 400, body: 'container "side" in pod "p" is waiting to start: ContainerCreating' });
    assert.deepEqual(await get('/containerLogs/default/p/web?tailLines=-2', master), { code: 422, body: '{"message": "Invalid request."}' });
  });

  test('follow streams lines written later until the client goes', async () => {
    const seen: string[] = [];
    const answer = get('/containerLogs/default/p/web?follow=true&tailLines=0', master, (chunk, stop) => {
      seen.push(chunk);
      if (seen.join('').includes('later two\n')) stop();
    });
    await new Promise((r) => setTimeout(r, 150));
    appendFileSync(join(dir, 'web.log'), '2024-01-01T00:00:03Z stdout F later one\n');
    await new Promise((r) => setTimeout(r, 150));
    appendFileSync(join(dir, 'web.log'), '2024-01-01T00:00:04Z stdout F later two\n');
    const { code, body } = await answer;
    assert.equal(code, 200);
    assert.equal(body, 'later one\nlater two\n');
  });

  test('follow ends when the container stops running', async () => {
    state.set('web1', 'CONTAINER_EXITED');
    try {
      const { code, body } = await get('/containerLogs/default/p/web?follow=true&tailLines=1', master);
      assert.equal(code, 200);
      assert.match(body, /later two\n$/);
    } finally {
      state.set('web1', 'CONTAINER_RUNNING');
    }
  });
});
