import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CriError, GrpcCode } from './cri-error.js';
import type {
  ContainerConfig, ContainerStatus, ImageService, PodSandboxConfig, RuntimeService, StringMap,
} from './runtime-service.js';

/** What one run of the suite needs from an implementation. */
export interface ConformanceTarget {
  runtime: RuntimeService;
  images: ImageService;
  /** The name Version must report ('containerd', 'fake'). */
  runtimeName: string;
  /** A busybox image present on the node. */
  busyboxImage: string;
  /** A directory the sandboxes' log directories go under. */
  logRoot: string;
  /** An image reference that exists nowhere and whose pull sends no packet off the machine. */
  missingImage: string;
  stop(): Promise<void>;
}

/** Sandboxes and containers the suite makes carry this label, so it can clean up after itself. */
const SUITE_LABEL = 'k8ts.io/cri-conformance';

/** A pod sandbox in the host's network namespace (the network safety rule: no CNI here). */
export function hostNetworkSandboxConfig(logRoot: string, name: string, labels: StringMap = {}): PodSandboxConfig {
  const uid = `uid-${name}`;
  return {
    metadata: { name, uid, namespace: 'conformance', attempt: 0 },
    logDirectory: join(logRoot, `conformance_${name}_${uid}`),
    labels: { [SUITE_LABEL]: 'true', ...labels },
    annotations: { 'k8ts.io/test': name },
    linux: { securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } },
  };
}

export function busyboxContainerConfig(image: string, name: string, command: string[], labels: StringMap = {}): ContainerConfig {
  return {
    metadata: { name, attempt: 0 },
    image: { image },
    command,
    envs: [{ key: 'GREETING', value: 'hello' }],
    logPath: `${name}/0.log`,
    labels: { [SUITE_LABEL]: 'true', ...labels },
    annotations: { 'k8ts.io/container': name },
    linux: { securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } },
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function assertNotFound(e: unknown): true {
  assert.ok(e instanceof CriError, `expected a CriError, got ${String(e)}`);
  assert.equal(e.codeName, 'NotFound', e.message);
  assert.equal(e.code, GrpcCode.NotFound);
  return true;
}

/**
 * The CRI conformance suite k8ts relies on, run against any RuntimeService/ImageService pair
 * (the fake in unit tests, containerd in e2e).
 */
export function runtimeServiceConformance(name: string, factory: () => Promise<ConformanceTarget>): void {
  describe(`${name} conforms to the CRI`, () => {
    let t: ConformanceTarget;
    let rt: RuntimeService;
    let images: ImageService;

    before(async () => {
      t = await factory();
      rt = t.runtime;
      images = t.images;
    });

    after(async () => {
      if (t === undefined) return;
      try {
        const { items } = await rt.listPodSandbox({ filter: { labelSelector: { [SUITE_LABEL]: 'true' } } });
        for (const sb of items) {
          await rt.stopPodSandbox({ podSandboxId: sb.id });
          await rt.removePodSandbox({ podSandboxId: sb.id });
        }
      } finally {
        await t.stop();
      }
    });

    async function runSandbox(sandboxName: string, labels?: StringMap): Promise<{ id: string; config: PodSandboxConfig }> {
      const config = hostNetworkSandboxConfig(t.logRoot, sandboxName, labels);
      const { podSandboxId } = await rt.runPodSandbox({ config });
      return { id: podSandboxId, config };
    }

    async function createContainer(sandbox: { id: string; config: PodSandboxConfig }, containerName: string, command: string[], labels?: StringMap): Promise<string> {
      const config = busyboxContainerConfig(t.busyboxImage, containerName, command, labels);
      const { containerId } = await rt.createContainer({ podSandboxId: sandbox.id, config, sandboxConfig: sandbox.config });
      return containerId;
    }

    async function status(containerId: string): Promise<ContainerStatus> {
      const { status: s } = await rt.containerStatus({ containerId });
      assert.ok(s, 'ContainerStatus returns a status');
      return s;
    }

    function exited(containerId: string): Promise<ContainerStatus> {
      return waitFor(`container ${containerId} to exit`, async () => {
        const s = await status(containerId);
        return s.state === 'CONTAINER_EXITED' ? s : undefined;
      });
    }

    async function removeSandbox(id: string): Promise<void> {
      await rt.stopPodSandbox({ podSandboxId: id });
      await rt.removePodSandbox({ podSandboxId: id });
    }

    test('version reports the runtime name and CRI API v1', async () => {
      const v = await rt.version({ version: 'v1' });
      assert.equal(v.runtimeName, t.runtimeName);
      assert.equal(v.runtimeApiVersion, 'v1');
      assert.notEqual(v.runtimeVersion, '');
    });

    test('status reports the runtime ready', async () => {
      const s = await rt.status({});
      const ready = s.status?.conditions.find((c) => c.type === 'RuntimeReady');
      assert.equal(ready?.status, true);
    });

    test('a sandbox runs, is listed, stops and is removed', async () => {
      const sb = await runSandbox('lifecycle');
      const running = await rt.podSandboxStatus({ podSandboxId: sb.id });
      assert.equal(running.status?.state, 'SANDBOX_READY');
      assert.equal(running.status?.id, sb.id);
      assert.deepEqual(running.status?.metadata, { name: 'lifecycle', uid: 'uid-lifecycle', namespace: 'conformance', attempt: 0 });
      assert.ok(BigInt(running.status?.createdAt ?? '0') > 0n, 'createdAt is set, in nanoseconds');
      assert.equal(running.status?.labels[SUITE_LABEL], 'true');
      assert.equal(running.status?.annotations['k8ts.io/test'], 'lifecycle');
      assert.equal(running.status?.linux?.namespaces?.options?.network, 'NODE');

      const listed = await rt.listPodSandbox({ filter: { id: sb.id } });
      assert.deepEqual(listed.items.map((i) => [i.id, i.state]), [[sb.id, 'SANDBOX_READY']]);

      await rt.stopPodSandbox({ podSandboxId: sb.id });
      assert.equal((await rt.podSandboxStatus({ podSandboxId: sb.id })).status?.state, 'SANDBOX_NOTREADY');
      await rt.stopPodSandbox({ podSandboxId: sb.id }); // stopping twice is allowed

      await rt.removePodSandbox({ podSandboxId: sb.id });
      await assert.rejects(rt.podSandboxStatus({ podSandboxId: sb.id }), assertNotFound);
      assert.deepEqual((await rt.listPodSandbox({ filter: { id: sb.id } })).items, []);
      await rt.removePodSandbox({ podSandboxId: sb.id }); // removing twice is allowed
    });

    test('a container in a sandbox is created, started, runs echo hello and exits with code 0', async () => {
      const sb = await runSandbox('echo');
      const id = await createContainer(sb, 'echo', ['echo', 'hello']);
      const created = await status(id);
      assert.equal(created.state, 'CONTAINER_CREATED');
      assert.equal(created.startedAt, '0');
      assert.equal(created.metadata?.name, 'echo');
      assert.ok(BigInt(created.createdAt) > 0n);

      await rt.startContainer({ containerId: id });
      const done = await exited(id);
      assert.equal(done.exitCode, 0);
      assert.equal(done.reason, 'Completed');
      assert.ok(BigInt(done.startedAt) >= BigInt(done.createdAt), 'started after it was created');
      // Both are set; their order is not compared: containerd stamps startedAt when its start call returns and
      // finishedAt from the exit event, which for a command as short as echo can come first (seen in CI).
      assert.ok(BigInt(done.finishedAt) > 0n, 'finishedAt is set');
      assert.equal(done.logPath, join(sb.config.logDirectory ?? '', 'echo/0.log'));
      assert.equal(done.labels[SUITE_LABEL], 'true');
      assert.equal(done.annotations['k8ts.io/container'], 'echo');
      await removeSandbox(sb.id);
    });

    test("the container's output is in its log file, in the CRI log format", async () => {
      const sb = await runSandbox('logs');
      const id = await createContainer(sb, 'logs', ['sh', '-c', 'echo "$GREETING world"; echo oops >&2']);
      await rt.startContainer({ containerId: id });
      const done = await exited(id);
      const lines = (await waitFor('the log to be written', async () => {
        const text = await readFile(done.logPath, 'utf8');
        return text.split('\n').length >= 3 ? text : undefined;
      })).trimEnd().split('\n');
      const records = lines.map((l) => /^(\S+) (stdout|stderr) F (.*)$/.exec(l)?.slice(2));
      assert.deepEqual(records.sort(), [['stderr', 'oops'], ['stdout', 'hello world']]);
      assert.match(lines[0] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /);
      await removeSandbox(sb.id);
    });

    test('a container whose command exits 3 reports exit code 3 and reason Error', async () => {
      const sb = await runSandbox('exit3');
      const id = await createContainer(sb, 'exit3', ['sh', '-c', 'exit 3']);
      await rt.startContainer({ containerId: id });
      const done = await exited(id);
      assert.equal(done.exitCode, 3);
      assert.equal(done.reason, 'Error');
      await removeSandbox(sb.id);
    });

    test('a container whose executable does not exist fails to start and reports StartError', async () => {
      const sb = await runSandbox('noexec');
      const id = await createContainer(sb, 'noexec', ['/no/such/program']);
      await assert.rejects(rt.startContainer({ containerId: id }), (e: unknown) => {
        assert.ok(e instanceof CriError);
        assert.match(e.details, /no such file or directory|executable file not found/);
        return true;
      });
      const s = await status(id);
      assert.equal(s.state, 'CONTAINER_EXITED');
      assert.equal(s.exitCode, 128);
      assert.equal(s.reason, 'StartError');
      await removeSandbox(sb.id);
    });

    test('ExecSync in a running container returns its stdout, stderr and exit code', async () => {
      const sb = await runSandbox('exec');
      const id = await createContainer(sb, 'exec', ['sleep', '3600']);
      await rt.startContainer({ containerId: id });
      assert.equal((await status(id)).state, 'CONTAINER_RUNNING');

      const hi = await rt.execSync({ containerId: id, cmd: ['echo', 'hi'], timeout: '10' });
      assert.equal(Buffer.from(hi.stdout).toString(), 'hi\n');
      assert.equal(hi.exitCode, 0);

      const failing = await rt.execSync({ containerId: id, cmd: ['sh', '-c', 'echo $GREETING; echo bad >&2; exit 5'], timeout: '10' });
      assert.equal(Buffer.from(failing.stdout).toString(), 'hello\n');
      assert.equal(Buffer.from(failing.stderr).toString(), 'bad\n');
      assert.equal(failing.exitCode, 5);
      await removeSandbox(sb.id);
    });

    test('stopping a running container with a timeout ends it', async () => {
      const sb = await runSandbox('stop');
      const id = await createContainer(sb, 'stop', ['sleep', '3600']);
      await rt.startContainer({ containerId: id });
      await rt.stopContainer({ containerId: id, timeout: '1' });
      const s = await status(id);
      assert.equal(s.state, 'CONTAINER_EXITED');
      assert.equal(s.exitCode, 137, 'sleep as PID 1 ignores SIGTERM, so it is killed');
      assert.equal(s.reason, 'Error');
      await rt.stopContainer({ containerId: id, timeout: '1' }); // stopping twice is allowed
      await rt.removeContainer({ containerId: id });
      await assert.rejects(rt.containerStatus({ containerId: id }), assertNotFound);
      await removeSandbox(sb.id);
    });

    test('removing a sandbox removes its containers', async () => {
      const sb = await runSandbox('cascade');
      const id = await createContainer(sb, 'cascade', ['sleep', '3600']);
      await rt.startContainer({ containerId: id });
      await rt.stopPodSandbox({ podSandboxId: sb.id });
      assert.equal((await status(id)).state, 'CONTAINER_EXITED', 'stopping the sandbox stops its containers');
      await rt.removePodSandbox({ podSandboxId: sb.id });
      await assert.rejects(rt.containerStatus({ containerId: id }), assertNotFound);
      assert.deepEqual((await rt.listContainers({ filter: { podSandboxId: sb.id } })).containers, []);
    });

    test('unknown sandbox and container ids give NotFound', async () => {
      const unknownId = 'f'.repeat(64);
      await assert.rejects(rt.podSandboxStatus({ podSandboxId: unknownId }), assertNotFound);
      await assert.rejects(rt.stopPodSandbox({ podSandboxId: unknownId }), assertNotFound);
      await assert.rejects(rt.containerStatus({ containerId: unknownId }), assertNotFound);
      await assert.rejects(rt.startContainer({ containerId: unknownId }), assertNotFound);
      await assert.rejects(rt.stopContainer({ containerId: unknownId, timeout: '0' }), assertNotFound);
      await assert.rejects(rt.containerStats({ containerId: unknownId }), assertNotFound);
    });

    test('removing an unknown container or sandbox succeeds', async () => {
      const unknownId = 'e'.repeat(64);
      await rt.removeContainer({ containerId: unknownId });
      await rt.removePodSandbox({ podSandboxId: unknownId });
    });

    test('listing filters sandboxes and containers by label and state', async () => {
      const a = await runSandbox('list-a', { app: 'a' });
      const b = await runSandbox('list-b', { app: 'b' });
      const ca = await createContainer(a, 'list-a', ['sleep', '3600'], { tier: 'web' });
      const cb = await createContainer(b, 'list-b', ['sleep', '3600'], { tier: 'db' });
      await rt.startContainer({ containerId: ca });

      const sbA = await rt.listPodSandbox({ filter: { labelSelector: { app: 'a' } } });
      assert.deepEqual(sbA.items.map((i) => i.id), [a.id]);
      const ready = await rt.listPodSandbox({ filter: { labelSelector: { [SUITE_LABEL]: 'true' }, state: { state: 'SANDBOX_READY' } } });
      assert.ok(ready.items.some((i) => i.id === a.id) && ready.items.some((i) => i.id === b.id));

      const web = await rt.listContainers({ filter: { labelSelector: { tier: 'web' } } });
      assert.deepEqual(web.containers.map((c) => [c.id, c.podSandboxId, c.state]), [[ca, a.id, 'CONTAINER_RUNNING']]);
      const created = await rt.listContainers({ filter: { state: { state: 'CONTAINER_CREATED' }, labelSelector: { [SUITE_LABEL]: 'true' } } });
      assert.deepEqual(created.containers.map((c) => c.id), [cb]);
      const inB = await rt.listContainers({ filter: { podSandboxId: b.id } });
      assert.deepEqual(inB.containers.map((c) => c.id), [cb]);
      assert.equal(inB.containers[0]?.metadata?.name, 'list-b');
      assert.equal(inB.containers[0]?.labels.tier, 'db');

      const stats = await rt.containerStats({ containerId: ca });
      assert.equal(stats.stats?.attributes?.id, ca);
      assert.ok(BigInt(stats.stats?.cpu?.timestamp ?? '0') > 0n, 'a running container has CPU statistics');
      await removeSandbox(a.id);
      await removeSandbox(b.id);
    });

    test('the status of an image on the node reports its tags, digest and size', async () => {
      const { image } = await images.imageStatus({ image: { image: t.busyboxImage } });
      assert.ok(image, 'the busybox image is present');
      assert.ok(image.repoTags.includes(t.busyboxImage), `${image.repoTags.join(',')} include ${t.busyboxImage}`);
      assert.match(image.id, /^sha256:[0-9a-f]{64}$/);
      assert.ok(BigInt(image.size) > 0n);
      const listed = await images.listImages({});
      assert.ok(listed.images.some((i) => i.id === image.id));
    });

    test('the status of a missing image is empty, not an error', async () => {
      const res = await images.imageStatus({ image: { image: t.missingImage } });
      assert.equal(res.image, undefined);
    });

    test('pulling an image that exists nowhere fails', async () => {
      await assert.rejects(images.pullImage({ image: { image: t.missingImage } }), (e: unknown) => {
        assert.ok(e instanceof CriError, String(e));
        assert.match(e.details, /^failed to pull and unpack image "/);
        return true;
      });
    });
  });
}
