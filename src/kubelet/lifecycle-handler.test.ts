import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ExecSyncRequest, ExecSyncResponse } from '../cri/index.js';
import { CriError, GrpcCode } from '../cri/index.js';
import { formatPod, lifecycleUserAgent, runLifecycleHandler, type LifecycleHandlerContext } from './lifecycle-handler.js';

const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u-1' }, spec: { containers: [] } };
const container: Container = { name: 'main', ports: [{ name: 'http', containerPort: 0 }] };

function execRuntime(fn: (req: ExecSyncRequest) => ExecSyncResponse | Promise<ExecSyncResponse>): LifecycleHandlerContext['runtime'] {
  return { execSync: async (req) => fn(req) };
}
const ok = (stdout = '', stderr = '', exitCode = 0): ExecSyncResponse => ({ stdout: Buffer.from(stdout), stderr: Buffer.from(stderr), exitCode });

let server: Server;
let port = 0;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
before(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.statusCode = req.url === '/broken' ? 500 : 200;
    res.end('body');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.close();
});

describe('lifecycle hooks', () => {
  test('format.Pod names a pod as NAME_NAMESPACE(UID)', () => {
    assert.equal(formatPod(pod), 'web_default(u-1)');
  });

  test('an exec hook runs its command through ExecSync with no timeout and succeeds on exit 0', async () => {
    const calls: ExecSyncRequest[] = [];
    const ctx = { runtime: execRuntime((req) => (calls.push(req), ok('hi'))), podIP: async () => '' };
    assert.deepEqual(await runLifecycleHandler(ctx, 'cid', pod, container, { exec: { command: ['touch', '/tmp/x'] } }), { ok: true });
    assert.deepEqual(calls, [{ containerId: 'cid', cmd: ['touch', '/tmp/x'], timeout: '0' }]);
  });

  test('a failing exec hook reports upstream message with the exit code, stderr and output', async () => {
    const ctx = { runtime: execRuntime(() => ok('out', 'err', 3)), podIP: async () => '' };
    const r = await runLifecycleHandler(ctx, 'cid', pod, container, { exec: { command: ['sh', '-c', 'exit 3'] } });
    assert.deepEqual(r, {
      ok: false,
      error: "command 'sh -c exit 3' exited with 3: err",
      message: 'Exec lifecycle hook ([sh -c exit 3]) for Container "main" in Pod "web_default(u-1)" failed - error: command \'sh -c exit 3\' exited with 3: err, message: "outerr"',
    });
  });

  test('an exec hook the runtime cannot run fails with the runtime error', async () => {
    const ctx = { runtime: execRuntime(() => { throw new CriError(GrpcCode.NotFound, 'container not found'); }), podIP: async () => '' };
    const r = await runLifecycleHandler(ctx, 'cid', pod, container, { exec: { command: ['true'] } });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error, 'rpc error: code = NotFound desc = container not found');
  });

  test('an httpGet hook GETs the pod IP with the lifecycle user agent, whatever status comes back', async () => {
    seen.length = 0;
    const ctx = { runtime: execRuntime(() => ok()), podIP: async () => '127.0.0.1' };
    const c = { ...container, ports: [{ name: 'http', containerPort: port }] };
    assert.deepEqual(await runLifecycleHandler(ctx, 'cid', pod, c, { httpGet: { path: 'started', port: 'http' } }), { ok: true });
    assert.deepEqual(await runLifecycleHandler(ctx, 'cid', pod, c, { httpGet: { path: '/broken', port, httpHeaders: [{ name: 'x-hook', value: 'yes' }] } }), { ok: true });
    assert.equal(seen[0]?.url, '/started');
    assert.equal(seen[0]?.headers['user-agent'], lifecycleUserAgent);
    assert.equal(seen[1]?.headers['x-hook'], 'yes');
  });

  test('an httpGet hook that cannot connect fails with Go words', async () => {
    const ctx = { runtime: execRuntime(() => ok()), podIP: async () => '127.0.0.1' };
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const dead = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await runLifecycleHandler(ctx, 'cid', pod, container, { httpGet: { path: '/x', port: dead } });
    assert.deepEqual(r, {
      ok: false,
      error: `Get "http://127.0.0.1:${dead}/x": dial tcp 127.0.0.1:${dead}: connect: connection refused`,
      message: `HTTP lifecycle hook (/x) for Container "main" in Pod "web_default(u-1)" failed - error: Get "http://127.0.0.1:${dead}/x": dial tcp 127.0.0.1:${dead}: connect: connection refused`,
    });
  });

  test('an https hook answered in plain HTTP is retried over http, with a LifecycleHTTPFallback warning', async () => {
    const events: string[] = [];
    const ctx = { runtime: execRuntime(() => ok()), podIP: async () => '127.0.0.1', record: (t: string, reason: string, m: string) => events.push(`${t} ${reason} ${m}`) };
    const r = await runLifecycleHandler(ctx, 'cid', pod, container, { httpGet: { path: '/tls', port, scheme: 'HTTPS' } });
    assert.deepEqual(r, { ok: true });
    assert.deepEqual(events, [`Warning LifecycleHTTPFallback request to HTTPS lifecycle hook 127.0.0.1:${port} got HTTP response, retry with HTTP succeeded`]);
  });

  test('a sleep hook waits its seconds, and fails when the container is stopped first', async () => {
    const ctx = { runtime: execRuntime(() => ok()), podIP: async () => '' };
    const t0 = Date.now();
    assert.deepEqual(await runLifecycleHandler(ctx, 'cid', pod, container, { sleep: { seconds: 1 } }), { ok: true });
    assert.ok(Date.now() - t0 >= 990);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const r = await runLifecycleHandler({ ...ctx, signal: abort.signal }, 'cid', pod, container, { sleep: { seconds: 30 } });
    assert.deepEqual(r, {
      ok: false,
      error: 'container terminated before sleep hook finished',
      message: 'Sleep lifecycle hook (30) for Container "main" in Pod "web_default(u-1)" failed - error: container terminated before sleep hook finished',
    });
  });
});
