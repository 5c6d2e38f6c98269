import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { healthCheckMethod, type HealthCheckRequest, type HealthCheckResponse, type ServingStatus } from './grpc-health-proto.js';
import { grpcProbe } from './grpc-probe.js';
import { closedPort } from './test-servers.js';

async function serve(register: (server: grpc.Server) => void): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  register(server);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { port, server };
}

describe('grpcProbe', () => {
  const statuses: Record<string, ServingStatus> = { '': 'SERVING', db: 'NOT_SERVING' };
  const seen: { service: string; userAgent: string }[] = [];
  let health: { port: number; server: grpc.Server };
  let bare: { port: number; server: grpc.Server };
  before(async () => {
    health = await serve((s) => s.addService({ Check: healthCheckMethod }, {
      Check: (call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, cb: grpc.sendUnaryData<HealthCheckResponse>) => {
        seen.push({ service: call.request.service, userAgent: String(call.metadata.get('user-agent')[0] ?? '') });
        if (call.request.service === 'slow') return; // never answers
        const status = statuses[call.request.service];
        if (status === undefined) cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        else cb(null, { status });
      },
    }));
    bare = await serve(() => undefined);
  });
  after(() => {
    health.server.forceShutdown();
    bare.server.forceShutdown();
  });

  test('SERVING is a success, asked for the probe service with the kube-probe user agent', async () => {
    assert.deepEqual(await grpcProbe('127.0.0.1', '', health.port, 1), { result: 'success', output: 'service is serving' });
    assert.equal(seen.at(-1)?.service, '');
    assert.match(seen.at(-1)?.userAgent ?? '', /^kube-probe\/1\.32 /);
  });

  test('another status is a failure naming it', async () => {
    assert.deepEqual(await grpcProbe('127.0.0.1', 'db', health.port, 1), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
  });

  test('an error status is a failure with the rpc error', async () => {
    assert.deepEqual(await grpcProbe('127.0.0.1', 'nope', health.port, 1), { result: 'failure', output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
  });

  test('a server without the health service fails as not implementing the protocol', async () => {
    const out = await grpcProbe('127.0.0.1', '', bare.port, 1);
    assert.equal(out.result, 'failure');
    assert.match(out.output, /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /);
  });

  test('a check that does not finish within the timeout fails', async () => {
    assert.deepEqual(await grpcProbe('127.0.0.1', 'slow', health.port, 0.3), { result: 'failure', output: 'timeout: health rpc did not complete within 300ms' });
  });

  test('a port nobody listens on fails to connect within the timeout', async () => {
    const port = await closedPort();
    assert.deepEqual(await grpcProbe('127.0.0.1', '', port, 0.3), { result: 'failure', output: `timeout: failed to connect service "127.0.0.1:${port}" within 300ms: context deadline exceeded` });
  });
});
