import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRuntime, type PodSandboxConfig, type RemoveImageRequest } from '../cri/index.js';
import {
  ImageGCManager, defaultImageGCPolicy, evictionOrder, notEnoughFreedMessage, planImageGC, readImageFsStats, validateImageGCPolicy,
  type ImageGCCandidate, type ImageGCOptions, type ImageGCPlan,
} from './image-gc.js';

const MIN = 60_000;
const now = 100 * MIN;

function img(id: string, over: Partial<ImageGCCandidate> = {}): ImageGCCandidate {
  return { id, size: 100, firstDetected: 0, lastUsed: 0, pinned: false, inUse: false, ...over };
}

function plan(images: ImageGCCandidate[], availableBytes: number, capacityBytes = 10_000): ImageGCPlan {
  return planImageGC({ images, capacityBytes, availableBytes, policy: defaultImageGCPolicy, now });
}

function freePlan(p: ImageGCPlan): Extract<ImageGCPlan, { kind: 'free' }> {
  assert.equal(p.kind, 'free');
  return p as Extract<ImageGCPlan, { kind: 'free' }>;
}

describe('planImageGC', () => {
  test('usage below the high threshold removes nothing', () => {
    assert.deepEqual(plan([img('a')], 1600), { kind: 'belowThreshold', usagePercent: 84 });
  });

  test('usage at the high threshold frees down to the low threshold', () => {
    const p = freePlan(plan([img('a', { size: 300 }), img('b', { size: 300 })], 1500));
    assert.equal(p.usagePercent, 85);
    // capacity * (100 - 80) / 100 - available = 2000 - 1500
    assert.equal(p.bytesToFree, 500);
    assert.deepEqual(p.toRemove.map((i) => i.id), ['a', 'b']);
    assert.equal(p.plannedBytes, 600);
  });

  test('usage is computed from availability with integer division, as upstream does', () => {
    // 1450 / 10000 available is 14.5%: 100 - 14 = 86
    assert.equal(freePlan(plan([], 1450)).usagePercent, 86);
    // 15.99% available is still 85% used.
    assert.equal(freePlan(plan([], 1599)).usagePercent, 85);
  });

  test('images are removed least recently used first, never-used ones before all others', () => {
    const p = freePlan(plan([
      img('used-late', { lastUsed: 90 * MIN }),
      img('never-used', { lastUsed: 0, firstDetected: 10 * MIN }),
      img('used-early', { lastUsed: 50 * MIN }),
    ], 0));
    assert.deepEqual(p.evictionOrder.map((i) => i.id), ['never-used', 'used-early', 'used-late']);
  });

  test('images last used at the same time go in the order they were first detected', () => {
    const p = freePlan(plan([img('b', { lastUsed: 5 * MIN, firstDetected: 3 * MIN }), img('a', { lastUsed: 5 * MIN, firstDetected: 2 * MIN })], 0));
    assert.deepEqual(p.evictionOrder.map((i) => i.id), ['a', 'b']);
  });

  test('removal stops once enough bytes would be freed', () => {
    const p = freePlan(plan([img('a', { size: 400 }), img('b', { size: 200, lastUsed: 1 }), img('c', { size: 900, lastUsed: 2 })], 1400));
    assert.equal(p.bytesToFree, 600);
    assert.deepEqual(p.toRemove.map((i) => i.id), ['a', 'b']);
    assert.equal(p.plannedBytes, 600);
    assert.deepEqual(p.evictionOrder.map((i) => i.id), ['a', 'b', 'c']);
  });

  test('images in use, pinned, or used at or after now are not eligible', () => {
    const p = freePlan(plan([
      img('in-use', { inUse: true }),
      img('pinned', { pinned: true }),
      img('used-now', { lastUsed: now }),
      img('free', { size: 50 }),
    ], 0));
    assert.deepEqual(p.evictionOrder.map((i) => i.id), ['free']);
    assert.equal(p.plannedBytes, 50);
    assert.equal(p.bytesToFree, 2000);
  });

  test('an image younger than the minimum age is kept and one exactly that old is eligible', () => {
    const p = freePlan(plan([img('young', { firstDetected: now - 2 * MIN + 1 }), img('old-enough', { firstDetected: now - 2 * MIN })], 0));
    assert.deepEqual(p.evictionOrder.map((i) => i.id), ['old-enough']);
  });

  test('when not enough is eligible every eligible image is planned', () => {
    const p = freePlan(plan([img('a', { size: 10 }), img('b', { size: 20 })], 500));
    assert.deepEqual(p.toRemove.map((i) => i.id), ['a', 'b']);
    assert.equal(p.plannedBytes, 30);
    assert.ok(p.plannedBytes < p.bytesToFree);
  });

  test('a zero capacity is invalid and availability above capacity is taken as the capacity', () => {
    assert.deepEqual(plan([img('a')], 0, 0), { kind: 'invalidCapacity' });
    assert.deepEqual(plan([], 20_000), { kind: 'belowThreshold', usagePercent: 0 });
    const p = freePlan(planImageGC({ images: [], capacityBytes: 10_000, availableBytes: 20_000, policy: { highThresholdPercent: 0, lowThresholdPercent: 0, minAgeMs: 0 }, now }));
    assert.equal(p.bytesToFree, 0);
  });

  test('custom thresholds and minimum age are honoured', () => {
    const images = [img('a', { firstDetected: now - 30 * MIN }), img('b', { firstDetected: now - 5 * MIN })];
    const p = planImageGC({ images, capacityBytes: 1000, availableBytes: 500, policy: { highThresholdPercent: 50, lowThresholdPercent: 40, minAgeMs: 10 * MIN }, now });
    const f = freePlan(p);
    assert.equal(f.bytesToFree, 100);
    assert.deepEqual(f.toRemove.map((i) => i.id), ['a']);
    assert.deepEqual(evictionOrder(images, now, 0).map((i) => i.id), ['a', 'b']);
  });
});

describe('image GC policy and messages', () => {
  test('invalid thresholds are refused with upstream words', () => {
    assert.throws(() => validateImageGCPolicy({ highThresholdPercent: 101, lowThresholdPercent: 80, minAgeMs: 0 }), /^Error: invalid HighThresholdPercent 101, must be in range \[0-100\]$/);
    assert.throws(() => validateImageGCPolicy({ highThresholdPercent: 85, lowThresholdPercent: -1, minAgeMs: 0 }), /^Error: invalid LowThresholdPercent -1, must be in range \[0-100\]$/);
    assert.throws(() => validateImageGCPolicy({ highThresholdPercent: 70, lowThresholdPercent: 80, minAgeMs: 0 }), /^Error: LowThresholdPercent 80 can not be higher than HighThresholdPercent 70$/);
    assert.doesNotThrow(() => validateImageGCPolicy(defaultImageGCPolicy));
  });

  test('the defaults are upstream kubelet defaults', () => {
    assert.deepEqual(defaultImageGCPolicy, { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 120_000 });
  });

  test('the not-enough message is upstream text', () => {
    assert.equal(notEnoughFreedMessage(500, 30), 'Failed to garbage collect required amount of images. Attempted to free 500 bytes, but only found 30 bytes eligible to free.');
  });
});

// ---- the manager against the fake runtime ------------------------------------------------------------------------

const MiB = 1024 * 1024;

function setup(opts: { capacity?: number; images?: { ref: string; size?: number }[]; manager?: Partial<ImageGCOptions> } = {}) {
  let t = 1_000 * MIN;
  const fake = new FakeRuntime({
    images: opts.images ?? [
      { ref: 'registry.k8s.io/pause:3.10', size: 1 * MiB },
      { ref: 'busybox:latest', size: 2 * MiB },
      { ref: 'nginx:1.27', size: 50 * MiB },
      { ref: 'alpine:3.20', size: 8 * MiB },
      { ref: 'redis:7', size: 30 * MiB },
    ],
    clock: () => BigInt(t) * 1_000_000n,
  });
  const capacity = opts.capacity ?? 100 * MiB;
  const events: string[] = [];
  const logs: string[] = [];
  const logFn = (level: string) => (msg: string, fields: Record<string, unknown>): void => {
    logs.push(`${level} ${msg} ${JSON.stringify(fields)}`);
  };
  const manager = new ImageGCManager({
    runtime: fake,
    images: fake,
    now: () => t,
    // The filesystem holds only the images: what they take is what is not available.
    imageFsStats: async () => {
      const used = Number((await fake.imageFsInfo({})).imageFilesystems[0]?.usedBytes?.value ?? 0);
      return { mountpoint: '/var/lib/containerd', capacityBytes: capacity, availableBytes: capacity - used, usedBytes: used };
    },
    record: (type, reason, message) => events.push(`${type} ${reason} ${message}`),
    log: { info: logFn('info'), warn: logFn('warn'), error: logFn('error') },
    ...opts.manager,
  });
  const refs = async (): Promise<string[]> => (await fake.listImages({})).images.map((i) => i.repoTags[0] ?? i.id).sort();
  const run = async (image: string, name = 'c', command?: string[]): Promise<string> => {
    const sandboxConfig: PodSandboxConfig = { metadata: { name: `p-${name}`, uid: `uid-${name}`, namespace: 'default' } };
    const { podSandboxId } = await fake.runPodSandbox({ config: sandboxConfig });
    const { containerId } = await fake.createContainer({ podSandboxId, config: { metadata: { name }, image: { image }, ...(command !== undefined ? { command } : {}) }, sandboxConfig });
    await fake.startContainer({ containerId });
    return containerId;
  };
  return { fake, manager, events, logs, refs, run, advance: (ms: number) => (t += ms) };
}

describe('ImageGCManager', () => {
  test('images just detected are too young: nothing is removed and the failure is a FreeDiskSpaceFailed warning', async () => {
    // 91 MiB of images on 100 MiB: 91% used; down to 80% means freeing 11 MiB.
    const { manager, events, refs } = setup();
    const before = await refs();
    await assert.rejects(manager.garbageCollect(), { message: notEnoughFreedMessage(11 * MiB, 0) });
    assert.deepEqual(await refs(), before);
    assert.deepEqual(events, [`Warning FreeDiskSpaceFailed ${notEnoughFreedMessage(11 * MiB, 0)}`]);
  });

  test('above the high threshold unused images are removed least recently used first until usage is at the low threshold', async () => {
    const { manager, events, logs, refs, run, fake, advance } = setup({
      images: [
        { ref: 'registry.k8s.io/pause:3.10', size: 1 * MiB },
        { ref: 'busybox:latest', size: 2 * MiB },
        { ref: 'nginx:1.27', size: 50 * MiB },
        { ref: 'redis:7', size: 30 * MiB },
      ],
    });
    await run('busybox:latest', 'b');
    await manager.detectImages(1_000 * MIN);
    advance(MIN);
    fake.addImage({ ref: 'alpine:3.20', size: 8 * MiB });
    // redis was used by a container that is gone now; nginx and alpine were never used, nginx was seen first.
    const redis = await run('redis:7', 'r');
    await manager.detectImages(1_001 * MIN);
    await fake.stopContainer({ containerId: redis });
    await fake.removeContainer({ containerId: redis });
    advance(3 * MIN);
    await manager.garbageCollect();
    // nginx (50 MiB) alone frees the 11 MiB.
    assert.equal((await refs()).includes('docker.io/library/nginx:1.27'), false);
    assert.deepEqual(await refs(), ['docker.io/library/alpine:3.20', 'docker.io/library/busybox:latest', 'docker.io/library/redis:7', 'registry.k8s.io/pause:3.10']);
    assert.deepEqual(events, []);
    assert.equal(logs.filter((l) => l.includes('Removing image to free bytes')).length, 1);
    assert.ok(logs.some((l) => l.includes('Disk usage on image filesystem is over the high threshold') && l.includes('"usage":91') && l.includes(`"amountToFree":${11 * MiB}`)));
  });

  test('images used by containers, running or exited, the pinned sandbox image and young images are never removed', async () => {
    const { manager, events, refs, run, fake, advance } = setup({
      images: [
        { ref: 'registry.k8s.io/pause:3.10', size: 10 * MiB },
        { ref: 'busybox:latest', size: 30 * MiB },
        { ref: 'nginx:1.27', size: 30 * MiB },
        { ref: 'alpine:3.20', size: 5 * MiB },
      ],
    });
    await manager.detectImages(1_000 * MIN);
    const running = await run('busybox:latest', 'running', ['sleep', '3600']);
    assert.equal((await fake.containerStatus({ containerId: running })).status?.state, 'CONTAINER_RUNNING');
    const exited = await run('nginx:1.27', 'exited');
    // nginx has no command in the fake: its container exits at once.
    assert.equal((await fake.containerStatus({ containerId: exited })).status?.state, 'CONTAINER_EXITED');
    advance(3 * MIN);
    fake.addImage({ ref: 'redis:7', size: 10 * MiB });
    // 85 MiB used on 100 MiB: 5 MiB to free; alpine is the only eligible image (redis is too young).
    await manager.garbageCollect();
    assert.deepEqual(await refs(), ['docker.io/library/busybox:latest', 'docker.io/library/nginx:1.27', 'docker.io/library/redis:7', 'registry.k8s.io/pause:3.10']);
    assert.deepEqual(events, []);
  });

  test('when too little is eligible the images that are eligible go and the upstream warning names both amounts', async () => {
    const { manager, events, refs, run, advance } = setup({
      images: [
        { ref: 'registry.k8s.io/pause:3.10', size: 40 * MiB },
        { ref: 'busybox:latest', size: 45 * MiB },
        { ref: 'alpine:3.20', size: 5 * MiB },
      ],
    });
    await manager.detectImages(1_000 * MIN);
    await run('busybox:latest');
    advance(3 * MIN);
    const message = notEnoughFreedMessage(10 * MiB, 5 * MiB);
    await assert.rejects(manager.garbageCollect(), { message });
    assert.deepEqual(await refs(), ['docker.io/library/busybox:latest', 'registry.k8s.io/pause:3.10']);
    assert.deepEqual(events, [`Warning FreeDiskSpaceFailed ${message}`]);
  });

  test('the configured sandbox image is kept even when the runtime does not pin it', async () => {
    const { manager, refs, advance, fake } = setup({
      images: [{ ref: 'example.com/k8ts/pause:1', size: 60 * MiB }, { ref: 'alpine:3.20', size: 30 * MiB }],
      manager: { sandboxImage: 'example.com/k8ts/pause:1' },
    });
    assert.equal((await fake.listImages({})).images.some((i) => i.pinned), false);
    await manager.detectImages(1_000 * MIN);
    advance(3 * MIN);
    await manager.garbageCollect();
    assert.deepEqual(await refs(), ['example.com/k8ts/pause:1']);
    assert.equal([...manager.imageRecords().values()][0]?.pinned, true);
  });

  test('below the high threshold nothing is removed', async () => {
    const { manager, refs, advance } = setup({ capacity: 200 * MiB });
    await manager.detectImages(1_000 * MIN);
    advance(10 * MIN);
    const before = await refs();
    await manager.garbageCollect();
    assert.deepEqual(await refs(), before);
  });

  test('a failed removal is skipped, the next image is removed, and the error says what failed', async () => {
    // 81 MiB on 90 MiB is 90% used: 9 MiB to free. nginx goes first (seen first) but cannot be removed.
    const { manager, fake, refs, advance } = setup({ capacity: 90 * MiB, images: [{ ref: 'registry.k8s.io/pause:3.10', size: 1 * MiB }, { ref: 'nginx:1.27', size: 50 * MiB }] });
    const nginxId = (await fake.imageStatus({ image: { image: 'nginx:1.27' } })).image?.id ?? '';
    const remove = fake.removeImage.bind(fake);
    fake.removeImage = async (req: RemoveImageRequest) => {
      if (req.image.image === nginxId) throw new Error('image is locked');
      return remove(req);
    };
    await manager.detectImages(1_000 * MIN);
    advance(MIN);
    fake.addImage({ ref: 'redis:7', size: 30 * MiB });
    await manager.detectImages(1_001 * MIN);
    advance(3 * MIN);
    await assert.rejects(manager.garbageCollect(), { message: `wanted to free ${9 * MiB} bytes, but freed ${30 * MiB} bytes space with errors in image deletion: image is locked` });
    assert.deepEqual(await refs(), ['docker.io/library/nginx:1.27', 'registry.k8s.io/pause:3.10']);
  });

  test('detection records first-detected and last-used times and forgets images that are gone', async () => {
    const { manager, fake, run, advance } = setup({ images: [{ ref: 'registry.k8s.io/pause:3.10' }, { ref: 'busybox:latest' }, { ref: 'alpine:3.20' }] });
    const busybox = (await fake.imageStatus({ image: { image: 'busybox' } })).image?.id ?? '';
    const alpine = (await fake.imageStatus({ image: { image: 'alpine:3.20' } })).image?.id ?? '';
    await manager.detectImages(5);
    advance(MIN);
    await run('busybox');
    const inUse = await manager.detectImages(7);
    assert.deepEqual([...inUse], [busybox]);
    assert.deepEqual(manager.imageRecords().get(busybox), { firstDetected: 5, lastUsed: 1_001 * MIN, size: MiB, pinned: false });
    assert.deepEqual(manager.imageRecords().get(alpine), { firstDetected: 5, lastUsed: 0, size: MiB, pinned: false });
    await fake.removeImage({ image: { image: alpine } });
    await manager.detectImages(9);
    assert.equal(manager.imageRecords().has(alpine), false);
    assert.equal(manager.imageRecords().size, 2);
  });

  test('deleteUnusedImages removes every eligible image whatever the usage', async () => {
    const { manager, refs, run, advance } = setup({ capacity: 10_000 * MiB });
    await manager.detectImages(1_000 * MIN);
    await run('busybox');
    advance(3 * MIN);
    await manager.deleteUnusedImages();
    assert.deepEqual(await refs(), ['docker.io/library/busybox:latest', 'registry.k8s.io/pause:3.10']);
  });

  test('a failed round is logged, and a second failure in a row is an ImageGCFailed warning on the node', async () => {
    const { manager, events, logs, advance } = setup();
    await manager.runOnce();
    assert.ok(logs.some((l) => l.startsWith('error Image garbage collection failed once. Stats initialization may not have completed yet')));
    assert.deepEqual(events.map((e) => e.split(' ').slice(0, 2).join(' ')), ['Warning FreeDiskSpaceFailed']);
    await manager.runOnce();
    assert.ok(logs.some((l) => l.startsWith('error Image garbage collection failed multiple times in a row')));
    assert.deepEqual(events.slice(1), [`Warning FreeDiskSpaceFailed ${notEnoughFreedMessage(11 * MiB, 0)}`, `Warning ImageGCFailed ${notEnoughFreedMessage(11 * MiB, 0)}`]);
    advance(3 * MIN);
    await manager.runOnce();
    assert.ok(logs.some((l) => l.startsWith('info Image garbage collection succeeded')));
    assert.equal(events.length, 3);
  });

  test('a zero-capacity filesystem is an InvalidDiskCapacity warning', async () => {
    const { manager, events } = setup({ manager: { imageFsStats: async () => ({ mountpoint: '/x', capacityBytes: 0, availableBytes: 0 }) } });
    await assert.rejects(manager.garbageCollect(), { message: 'invalid capacity 0 on image filesystem' });
    assert.deepEqual(events, ['Warning InvalidDiskCapacity invalid capacity 0 on image filesystem']);
  });

  test('start collects at once and stop waits for the round', async () => {
    const { manager, fake } = setup();
    manager.start();
    await manager.stop();
    assert.ok(fake.calls.some((c) => c.method === 'ImageFsInfo'));
    assert.ok(fake.calls.some((c) => c.method === 'ListContainers'));
  });

  test('an invalid policy is refused when the manager is made', () => {
    const fake = new FakeRuntime();
    assert.throws(() => new ImageGCManager({ runtime: fake, images: fake, policy: { lowThresholdPercent: 90 } }), /LowThresholdPercent 90 can not be higher than HighThresholdPercent 85/);
  });
});

describe('readImageFsStats', () => {
  test('capacity and availability come from statfs of the mountpoint ImageFsInfo names, usage from the runtime', async () => {
    const fake = new FakeRuntime({ images: [{ ref: 'busybox', size: 3000 }] });
    const paths: string[] = [];
    const fs = await readImageFsStats(fake, async (path) => {
      paths.push(path);
      return { blocks: 1000, bsize: 4096, bavail: 250 };
    });
    assert.deepEqual(paths, ['/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs']);
    assert.deepEqual(fs, { mountpoint: '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs', capacityBytes: 4_096_000, availableBytes: 1_024_000, usedBytes: 3000 });
  });

  test('a runtime without an image filesystem is an error', async () => {
    await assert.rejects(readImageFsStats({ imageFsInfo: async () => ({ imageFilesystems: [], containerFilesystems: [] }) }), /the runtime reported no image filesystem/);
  });
});
