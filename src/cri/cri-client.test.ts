import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectCri } from './cri-client.js';
import { CriError, GrpcCode, isCriError } from './cri-error.js';
import { serveCri } from './cri-server.js';
import { FakeRuntime } from './fake-runtime.js';
import { runtimeServiceConformance } from './runtime-service.conformance.js';

const BUSYBOX = 'docker.io/library/busybox:latest';

runtimeServiceConformance('the fake runtime behind a CRI socket, through CriClient', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-cri-wire-'));
  const fake = new FakeRuntime({ images: [{ ref: 'registry.k8s.io/pause:3.10' }, { ref: BUSYBOX, cmd: ['sh'] }] });
  const server = await serveCri(join(dir, 'cri.sock'), fake, fake);
  const client = await connectCri(join(dir, 'cri.sock'), { timeoutMs: 5000 });
  return {
    runtime: client,
    images: client,
    runtimeName: 'fake',
    busyboxImage: BUSYBOX,
    logRoot: join(dir, 'pods'),
    missingImage: '127.0.0.1:1/k8ts/does-not-exist:1',
    stop: async () => {
      client.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('CriClient', () => {
  test('an error carries the gRPC code and the runtime description, worded as the Go kubelet prints it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k8ts-cri-wire-'));
    const fake = new FakeRuntime();
    const server = await serveCri(join(dir, 'cri.sock'), fake, fake);
    const client = await connectCri(`unix://${join(dir, 'cri.sock')}`);
    try {
      await assert.rejects(client.containerStatus({ containerId: 'abc' }), (e: unknown) => {
        assert.ok(isCriError(e, GrpcCode.NotFound));
        assert.equal(e.codeName, 'NotFound');
        assert.equal(e.method, 'ContainerStatus');
        assert.equal(e.details, 'an error occurred when try to find container "abc": not found');
        assert.equal(e.message, 'rpc error: code = NotFound desc = an error occurred when try to find container "abc": not found');
        return true;
      });
    } finally {
      client.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('int64 values travel as decimal strings without losing digits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k8ts-cri-wire-'));
    const fake = new FakeRuntime({ clock: () => 9_007_199_254_740_993_000n });
    const server = await serveCri(join(dir, 'cri.sock'), fake, fake);
    const client = await connectCri(join(dir, 'cri.sock'));
    try {
      const { podSandboxId } = await client.runPodSandbox({ config: { metadata: { name: 'p', uid: 'u', namespace: 'n' } } });
      const { status } = await client.podSandboxStatus({ podSandboxId });
      assert.equal(status?.createdAt, '9007199254740993000');
      assert.equal(status?.network?.ip, '10.88.0.2');
    } finally {
      client.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('connecting to a socket nobody serves fails after the timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k8ts-cri-wire-'));
    try {
      await assert.rejects(connectCri(join(dir, 'none.sock'), { timeoutMs: 300 }), /failed to connect to the container runtime at unix:\/\/.*none\.sock/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('CriError names unknown codes by number', () => {
    assert.equal(new CriError(99, 'x').message, 'rpc error: code = Code(99) desc = x');
  });
});
