import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ExecSyncRequest } from '../../cri/index.js';
import { runProbe } from './probe-runner.js';
import { startHttpServer, type LocalHttpServer } from './test-servers.js';

const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u1' }, spec: { containers: [] } };

describe('runProbe', () => {
  let server: LocalHttpServer;
  before(async () => {
    server = await startHttpServer((_req, res) => res.end('up'));
  });
  after(() => server.close());

  test('httpGet goes to the pod IP and the port named in the container', async () => {
    const container: Container = { name: 'app', ports: [{ name: 'web', containerPort: server.port }] };
    const calls: ExecSyncRequest[] = [];
    const runtime = { execSync: async (req: ExecSyncRequest) => (calls.push(req), { stdout: new Uint8Array(), stderr: new Uint8Array(), exitCode: 0 }) };
    assert.deepEqual(await runProbe({ httpGet: { port: 'web', path: '/' } }, { runtime, pod, container, containerId: 'c1', podIP: '127.0.0.1' }), { result: 'success', output: 'up' });
  });

  test('tcpSocket uses its host when given', async () => {
    const runtime = { execSync: async () => ({ stdout: new Uint8Array(), stderr: new Uint8Array(), exitCode: 0 }) };
    const out = await runProbe({ tcpSocket: { host: '127.0.0.1', port: server.port } }, { runtime, pod, container: { name: 'app' }, containerId: 'c1', podIP: '192.0.2.1' });
    assert.equal(out.result, 'success');
  });

  test('a port that does not resolve is an error, not a failure', async () => {
    const runtime = { execSync: async () => ({ stdout: new Uint8Array(), stderr: new Uint8Array(), exitCode: 0 }) };
    const out = await runProbe({ tcpSocket: { port: 'admin' } }, { runtime, pod, container: { name: 'app' }, containerId: 'c1', podIP: '127.0.0.1' });
    assert.deepEqual(out, { result: 'unknown', output: '', error: 'strconv.Atoi: parsing "admin": invalid syntax' });
  });

  test('exec expands $(VAR) from the container env and passes timeoutSeconds', async () => {
    const calls: ExecSyncRequest[] = [];
    const runtime = { execSync: async (req: ExecSyncRequest) => (calls.push(req), { stdout: Buffer.from('ok'), stderr: new Uint8Array(), exitCode: 0 }) };
    const container: Container = { name: 'app', env: [{ name: 'FILE', value: '/tmp/ready' }, { name: 'FROM', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] };
    const out = await runProbe({ exec: { command: ['cat', '$(FILE)', '$(FROM)', '$(MISSING)', '$$(FILE)'] }, timeoutSeconds: 4 }, { runtime, pod, container, containerId: 'c9', podIP: '' });
    assert.deepEqual(out, { result: 'success', output: 'ok' });
    assert.deepEqual(calls, [{ containerId: 'c9', cmd: ['cat', '/tmp/ready', '', '$(MISSING)', '$(FILE)'], timeout: '4' }]);
  });

  test('a probe without a handler is an error naming the pod and container', async () => {
    const runtime = { execSync: async () => ({ stdout: new Uint8Array(), stderr: new Uint8Array(), exitCode: 0 }) };
    const out = await runProbe({}, { runtime, pod, container: { name: 'app' }, containerId: 'c1', podIP: '' });
    assert.deepEqual(out, { result: 'unknown', output: '', error: 'missing probe handler for web_default(u1):app' });
  });
});
