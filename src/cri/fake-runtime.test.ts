import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRuntime } from './fake-runtime.js';
import { busyboxContainerConfig, hostNetworkSandboxConfig, runtimeServiceConformance } from './runtime-service.conformance.js';

const BUSYBOX = 'docker.io/library/busybox:latest';

runtimeServiceConformance('the fake runtime', async () => {
  const logRoot = await mkdtemp(join(tmpdir(), 'k8ts-fake-cri-'));
  const fake = new FakeRuntime({ images: [{ ref: 'registry.k8s.io/pause:3.10', entrypoint: ['/pause'] }, { ref: BUSYBOX, cmd: ['sh'] }] });
  return {
    runtime: fake,
    images: fake,
    runtimeName: 'fake',
    busyboxImage: BUSYBOX,
    logRoot,
    missingImage: '127.0.0.1:1/k8ts/does-not-exist:1',
    stop: () => rm(logRoot, { recursive: true, force: true }),
  };
});

describe('the fake runtime', () => {
  async function withSandbox(fake: FakeRuntime): Promise<{ podSandboxId: string; sandboxConfig: ReturnType<typeof hostNetworkSandboxConfig> }> {
    const sandboxConfig = hostNetworkSandboxConfig('', 'unit');
    delete sandboxConfig.logDirectory;
    const { podSandboxId } = await fake.runPodSandbox({ config: sandboxConfig });
    return { podSandboxId, sandboxConfig };
  }

  test('a test can make a running container exit with a code and reason', async () => {
    const fake = new FakeRuntime({ images: [{ ref: 'registry.k8s.io/pause:3.10' }, { ref: 'busybox' }] });
    const { podSandboxId, sandboxConfig } = await withSandbox(fake);
    const config = busyboxContainerConfig('busybox', 'hog', ['sleep', '3600']);
    const { containerId } = await fake.createContainer({ podSandboxId, config, sandboxConfig });
    await fake.startContainer({ containerId });
    fake.exitContainer(containerId, 137, 'OOMKilled');
    const { status } = await fake.containerStatus({ containerId });
    assert.equal(status?.state, 'CONTAINER_EXITED');
    assert.equal(status?.exitCode, 137);
    assert.equal(status?.reason, 'OOMKilled');
  });

  test('the image command runs when the container gives none, and args replace the image cmd', async () => {
    const fake = new FakeRuntime({ images: [{ ref: 'registry.k8s.io/pause:3.10' }, { ref: 'exiter:1', entrypoint: ['sh', '-c'], cmd: ['exit 4'] }] });
    const { podSandboxId, sandboxConfig } = await withSandbox(fake);
    const run = async (name: string, args: string[]): Promise<number | undefined> => {
      const config = { ...busyboxContainerConfig('exiter:1', name, []), args };
      const { containerId } = await fake.createContainer({ podSandboxId, config, sandboxConfig });
      await fake.startContainer({ containerId });
      return (await fake.containerStatus({ containerId })).status?.exitCode;
    };
    assert.equal(await run('image-cmd', []), 4);
    assert.equal(await run('args', ['exit 7']), 7);
  });

  test('a second sandbox with the same name and attempt is refused as containerd refuses it', async () => {
    const fake = new FakeRuntime();
    await withSandbox(fake);
    await assert.rejects(withSandbox(fake), /failed to reserve sandbox name "unit_conformance_uid-unit_0"/);
  });

  test('a sandbox cannot run without the sandbox image', async () => {
    const fake = new FakeRuntime({ images: [] });
    await assert.rejects(withSandbox(fake), /failed to get sandbox image "registry.k8s.io\/pause:3.10"/);
  });

  test('pulling an image the registry has puts it on the node; removing it takes it away', async () => {
    const fake = new FakeRuntime({ registry: [{ ref: 'nginx:1.7.12' }] });
    const { imageRef } = await fake.pullImage({ image: { image: 'nginx:1.7.12' } });
    const { image } = await fake.imageStatus({ image: { image: 'docker.io/library/nginx:1.7.12' } });
    assert.equal(image?.id, imageRef);
    assert.deepEqual(image?.repoTags, ['docker.io/library/nginx:1.7.12']);
    await fake.removeImage({ image: { image: 'nginx:1.7.12' } });
    assert.equal((await fake.imageStatus({ image: { image: 'nginx:1.7.12' } })).image, undefined);
    await fake.removeImage({ image: { image: 'nginx:1.7.12' } });
  });

  test('pulling a missing image fails with the message containerd gives when the registry has no such image', async () => {
    const fake = new FakeRuntime();
    await assert.rejects(fake.pullImage({ image: { image: 'nginx:nope' } }), {
      message: 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:nope": failed to resolve reference "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found',
    });
  });

  test('timestamps come from the given clock and never go backwards', async () => {
    const fake = new FakeRuntime({ clock: () => 1_000n });
    const { podSandboxId } = await withSandbox(fake);
    const first = (await fake.podSandboxStatus({ podSandboxId })).status?.createdAt;
    assert.equal(first, '1000');
    assert.equal((await fake.podSandboxStatus({ podSandboxId })).timestamp, '1002');
  });

  test('every call is recorded with its request', async () => {
    const fake = new FakeRuntime();
    await fake.version({});
    await fake.updateRuntimeConfig({ runtimeConfig: { networkConfig: { podCidr: '10.42.0.0/24' } } });
    assert.deepEqual(fake.calls.map((c) => c.method), ['Version', 'UpdateRuntimeConfig']);
    assert.equal(fake.podCidr, '10.42.0.0/24');
  });
});
