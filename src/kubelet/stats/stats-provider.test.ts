import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRuntime } from '../../cri/fake-runtime.js';
import { containerCgroupPath, isStatsRuntime, podCgroupPath, startStatsProvider, type StatsProvider } from './stats-provider.js';

describe('the stats provider over a fake runtime and a fixture cgroup v1 tree', () => {
  let dir = '';
  let clock = 1_700_000_000_000;
  const runtime = new FakeRuntime({ images: [{ ref: 'registry.k8s.io/pause:3.10' }, { ref: 'docker.io/library/busybox:latest' }] });
  let provider: StatsProvider;
  let busyId = '';
  let idleId = '';

  const setCgroup = async (path: string, cpuNs: number, usage: number, inactiveFile: number): Promise<void> => {
    const cpu = join(dir, 'cgroup', 'cpuacct', path);
    const mem = join(dir, 'cgroup', 'memory', path);
    await mkdir(cpu, { recursive: true });
    await mkdir(mem, { recursive: true });
    await writeFile(join(cpu, 'cpuacct.usage'), `${cpuNs}\n`);
    await writeFile(join(mem, 'memory.usage_in_bytes'), `${usage}\n`);
    await writeFile(join(mem, 'memory.stat'), `total_inactive_file ${inactiveFile}\ntotal_rss 4096\ntotal_pgfault 3\ntotal_pgmajfault 0\n`);
    await writeFile(join(mem, 'memory.limit_in_bytes'), '9223372036854771712\n');
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stats-provider-'));
    await mkdir(join(dir, 'proc'));
    await writeFile(join(dir, 'proc', 'meminfo'), 'MemTotal: 8388608 kB\nMemFree: 4194304 kB\n');
    await writeFile(join(dir, 'proc', 'stat'), 'cpu 1 2 3\nbtime 1699999000\n');
    const sandboxConfig = { metadata: { name: 'web', namespace: 'default', uid: 'u-1', attempt: 0 }, labels: {}, annotations: {} };
    const { podSandboxId } = await runtime.runPodSandbox({ config: sandboxConfig });
    const mk = async (name: string): Promise<string> => {
      const { containerId } = await runtime.createContainer({
        podSandboxId,
        sandboxConfig,
        config: { metadata: { name, attempt: 0 }, image: { image: 'docker.io/library/busybox:latest' }, command: ['sh'], labels: {}, annotations: {} },
      });
      await runtime.startContainer({ containerId });
      return containerId;
    };
    busyId = await mk('busy');
    idleId = await mk('idle');
    await setCgroup('/', 100e9, 4e9, 1e9);
    await setCgroup(podCgroupPath('u-1'), 1e9, 3e6, 1e6);
    await setCgroup(containerCgroupPath('u-1', busyId), 1e9, 2e6, 1e6);
    await setCgroup(containerCgroupPath('u-1', idleId), 0, 1e6, 0);
    provider = await startStatsProvider({
      runtime,
      nodeName: 'node-a',
      rootDir: dir,
      cgroupRoot: join(dir, 'cgroup'),
      procRoot: join(dir, 'proc'),
      cgroupVersion: 1,
      housekeepingMs: 3_600_000,
      now: () => clock,
    });
    await provider.housekeep();
  });
  after(async () => {
    provider.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('pod and container cgroups are the kubelet parent /k8ts/pod<uid> and the container id under it', () => {
    assert.equal(podCgroupPath('u-1'), '/k8ts/podu-1');
    assert.equal(containerCgroupPath('u-1', 'abc'), '/k8ts/podu-1/abc');
  });

  test('the runtime check accepts the fake and refuses an object without the stats calls', () => {
    assert.equal(isStatsRuntime(runtime), true);
    assert.equal(isStatsRuntime({ containerStatus: () => undefined }), false);
  });

  test('after ten seconds the summary carries cumulative CPU, nanocores from the housekeeping sample and memory', async () => {
    clock += 10_000;
    await setCgroup('/', 110e9, 4e9, 1e9);
    await setCgroup(podCgroupPath('u-1'), 11e9 + 1e7, 3e6, 1e6);
    await setCgroup(containerCgroupPath('u-1', busyId), 11e9, 2e6, 1e6);
    await setCgroup(containerCgroupPath('u-1', idleId), 1e7, 1e6, 0);
    const s = await provider.summary();
    const time = new Date(clock).toISOString().replace('.000Z', 'Z');
    assert.equal(s.node.nodeName, 'node-a');
    assert.equal(s.node.startTime, '2023-11-14T21:56:40Z');
    assert.deepEqual(s.node.cpu, { time, usageNanoCores: 1_000_000_000, usageCoreNanoSeconds: 110e9 });
    assert.deepEqual(s.node.memory, { time, availableBytes: 8388608 * 1024 - 3e9, usageBytes: 4e9, workingSetBytes: 3e9, rssBytes: 4096, pageFaults: 3, majorPageFaults: 0 });
    assert.ok((s.node.fs?.capacityBytes ?? 0) > 0, 'the node fs is the root dir filesystem');
    assert.equal(s.pods.length, 1);
    const pod = s.pods[0];
    assert.deepEqual(pod?.podRef, { name: 'web', namespace: 'default', uid: 'u-1' });
    assert.equal(pod?.cpu?.usageNanoCores, 1_001_000_000);
    assert.equal(pod?.memory?.workingSetBytes, 2e6);
    const byName = new Map(pod?.containers.map((c) => [c.name, c]));
    assert.equal(byName.get('busy')?.cpu?.usageNanoCores, 1_000_000_000);
    assert.equal(byName.get('busy')?.cpu?.usageCoreNanoSeconds, 11e9);
    assert.equal(byName.get('idle')?.cpu?.usageNanoCores, 1_000_000);
    assert.equal(byName.get('idle')?.memory?.workingSetBytes, 1e6);
    assert.equal(byName.get('busy')?.rootfs?.usedBytes, 0);
    assert.equal(pod?.['ephemeral-storage'], undefined, 'the fake image filesystem does not exist here, so no capacity is known');
  });

  test('only_cpu_and_memory leaves the filesystems out', async () => {
    const s = await provider.summary(true);
    assert.equal(s.node.fs, undefined);
    assert.equal(s.node.runtime, undefined);
    assert.equal(s.pods[0]?.containers[0]?.rootfs, undefined);
    assert.ok(s.pods[0]?.containers[0]?.cpu !== undefined);
  });

  test("a container whose cgroup is gone falls back to the runtime's own numbers", async () => {
    await rm(join(dir, 'cgroup', 'cpuacct', containerCgroupPath('u-1', idleId)), { recursive: true });
    await rm(join(dir, 'cgroup', 'memory', containerCgroupPath('u-1', idleId)), { recursive: true });
    const s = await provider.summary(true);
    const idle = s.pods[0]?.containers.find((c) => c.name === 'idle');
    assert.equal(typeof idle?.cpu?.usageCoreNanoSeconds, 'number');
    assert.equal(typeof idle?.memory?.workingSetBytes, 'number');
  });
});
