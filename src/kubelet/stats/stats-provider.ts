// The Summary behind /stats/summary and /metrics/resource, built like upstream's CRI stats provider with cAdvisor's
// cgroup readings: the node from the root cgroup and statfs of the kubelet's root dir, the runtime's image filesystem
// from CRI ImageFsInfo, each ready pod sandbox (CRI ListPodSandbox) with its cgroup /k8ts/pod<uid> and each running
// container with /k8ts/pod<uid>/<id>; the containers' writable layers from CRI ListContainerStats. CPU rates
// (usageNanoCores) come from a housekeeping sampler that reads every cgroup each 10 s, as cAdvisor does.
import { readFile, statfs } from 'node:fs/promises';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStats as CriContainerStats, RuntimeService, ImageService } from '../../cri/runtime-service.js';
import { detectCgroupVersion, type CgroupVersion } from '../../node-status/machine-info.js';
import { podCgroupParent } from '../container-config.js';
import { readCgroupStats, type CgroupStats } from './cgroup-stats.js';
import { CpuUsageSampler } from './cpu-usage-sampler.js';
import { formatTime, type ContainerStats, type CpuStats, type FsStats, type MemoryStats, type NodeStats, type PodStats, type Summary } from './summary.js';

export type StatsRuntime = Pick<RuntimeService, 'listPodSandbox' | 'listContainers' | 'listContainerStats'> & Pick<ImageService, 'imageFsInfo'>;

export interface StatsProviderOptions {
  runtime: StatsRuntime;
  nodeName: string;
  /** The kubelet's root dir: the node's fs is its filesystem. Default: the runtime's image filesystem. */
  rootDir?: string;
  cgroupRoot?: string;
  procRoot?: string;
  /** Detected from cgroupRoot when not given. */
  cgroupVersion?: CgroupVersion;
  /** Housekeeping: how often every cgroup is sampled (10 s). */
  housekeepingMs?: number;
  now?: () => number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

export interface StatsProvider {
  /** The whole Summary; onlyCpuAndMemory leaves out the filesystems (upstream's only_cpu_and_memory=true). */
  summary(onlyCpuAndMemory?: boolean): Promise<Summary>;
  /** One housekeeping round now (the timer runs them too). */
  housekeep(): Promise<void>;
  close(): void;
}

/** Whether a runtime object offers the CRI calls the stats need (the kubelet server is handed narrower types). */
export function isStatsRuntime(r: unknown): r is StatsRuntime {
  if (typeof r !== 'object' || r === null) return false;
  const o = r as Record<string, unknown>;
  return ['listPodSandbox', 'listContainers', 'listContainerStats', 'imageFsInfo'].every((k) => typeof o[k] === 'function');
}

/** The cgroup of a pod's sandbox and containers: the kubelet's cgroup parent. */
export function podCgroupPath(uid: string): string {
  return podCgroupParent({ metadata: { uid } } as Pod);
}

/** Where containerd (cgroupfs driver) puts a container of the pod: the parent joined with the container's id. */
export function containerCgroupPath(podUid: string, containerId: string): string {
  return `${podCgroupPath(podUid)}/${containerId}`;
}

/** CRI timestamps are nanoseconds since the epoch as decimal strings. */
function nsToMs(ns: string | undefined): number {
  if (ns === undefined || ns === '') return 0;
  return Number(BigInt(ns) / 1_000_000n);
}

async function fsStats(path: string, time: string, usedBytes?: number, inodesUsed?: number): Promise<FsStats | undefined> {
  try {
    const s = await statfs(path);
    const capacity = s.blocks * s.bsize;
    return {
      time,
      availableBytes: s.bavail * s.bsize,
      capacityBytes: capacity,
      usedBytes: usedBytes ?? (s.blocks - s.bfree) * s.bsize,
      inodesFree: s.ffree,
      inodes: s.files,
      inodesUsed: inodesUsed ?? s.files - s.ffree,
    };
  } catch {
    return undefined;
  }
}

async function bootTimeMs(procRoot: string): Promise<number> {
  try {
    const m = /^btime\s+(\d+)/m.exec(await readFile(`${procRoot}/stat`, 'utf8'));
    if (m?.[1] !== undefined) return Number(m[1]) * 1000;
  } catch {
    // fall through
  }
  return 0;
}

async function memTotalBytes(procRoot: string): Promise<number | undefined> {
  try {
    const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(await readFile(`${procRoot}/meminfo`, 'utf8'));
    return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}

function cpuOf(s: CgroupStats, rate: number | undefined): CpuStats | undefined {
  if (s.cpuUsageNanoSeconds === undefined) return undefined;
  return { time: formatTime(s.timestamp), ...(rate !== undefined ? { usageNanoCores: rate } : {}), usageCoreNanoSeconds: s.cpuUsageNanoSeconds };
}

function memoryOf(s: CgroupStats, capacity: number | undefined): MemoryStats | undefined {
  const m = s.memory;
  if (m === undefined) return undefined;
  const limit = m.limitBytes ?? capacity;
  return {
    time: formatTime(s.timestamp),
    ...(limit !== undefined ? { availableBytes: Math.max(0, limit - m.workingSetBytes) } : {}),
    usageBytes: m.usageBytes,
    workingSetBytes: m.workingSetBytes,
    rssBytes: m.rssBytes,
    pageFaults: m.pageFaults,
    majorPageFaults: m.majorPageFaults,
  };
}

/** The CRI's own cpu/memory of a container, for when its cgroup cannot be read. */
function criCpu(c: CriContainerStats | undefined): CpuStats | undefined {
  const u = c?.cpu;
  if (u?.usageCoreNanoSeconds === undefined) return undefined;
  return {
    time: formatTime(nsToMs(u.timestamp)),
    ...(u.usageNanoCores !== undefined ? { usageNanoCores: Number(u.usageNanoCores.value) } : {}),
    usageCoreNanoSeconds: Number(u.usageCoreNanoSeconds.value),
  };
}

function criMemory(c: CriContainerStats | undefined): MemoryStats | undefined {
  const m = c?.memory;
  if (m?.workingSetBytes === undefined) return undefined;
  const n = (v: { value: string } | undefined): number | undefined => (v === undefined ? undefined : Number(v.value));
  const out: MemoryStats = { time: formatTime(nsToMs(m.timestamp)) };
  const set = (k: Exclude<keyof MemoryStats, 'time'>, v: number | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('availableBytes', n(m.availableBytes));
  set('usageBytes', n(m.usageBytes));
  set('workingSetBytes', n(m.workingSetBytes));
  set('rssBytes', n(m.rssBytes));
  set('pageFaults', n(m.pageFaults));
  set('majorPageFaults', n(m.majorPageFaults));
  return out;
}

export async function startStatsProvider(opts: StatsProviderOptions): Promise<StatsProvider> {
  const now = opts.now ?? Date.now;
  const procRoot = opts.procRoot ?? '/proc';
  const cgroupRoot = opts.cgroupRoot ?? '/sys/fs/cgroup';
  const version = opts.cgroupVersion ?? (await detectCgroupVersion(cgroupRoot));
  const readOpts = { version, cgroupRoot, procRoot, now };
  const sampler = new CpuUsageSampler();
  const log = opts.log ?? ((): void => undefined);
  let round = 0;
  const bootTime = await bootTimeMs(procRoot);

  /** Reads a cgroup and feeds the sampler; returns the stats and the current rate. */
  const sample = async (path: string): Promise<{ stats: CgroupStats; rate: number | undefined } | undefined> => {
    const stats = await readCgroupStats(path, readOpts);
    if (stats === undefined) return undefined;
    const rate = stats.cpuUsageNanoSeconds === undefined ? undefined : sampler.observe(path, { timestamp: stats.timestamp, usageNanoSeconds: stats.cpuUsageNanoSeconds }, round);
    return { stats, rate };
  };

  const listRunning = async (): Promise<{ pods: { id: string; name: string; namespace: string; uid: string; createdMs: number }[]; containers: { id: string; podSandboxId: string; name: string; createdMs: number }[] }> => {
    const [sandboxes, containers] = await Promise.all([
      opts.runtime.listPodSandbox({ filter: { state: { state: 'SANDBOX_READY' } } }),
      opts.runtime.listContainers({ filter: { state: { state: 'CONTAINER_RUNNING' } } }),
    ]);
    return {
      pods: sandboxes.items
        .filter((s) => s.metadata !== undefined)
        .map((s) => ({ id: s.id, name: s.metadata?.name ?? '', namespace: s.metadata?.namespace ?? '', uid: s.metadata?.uid ?? '', createdMs: nsToMs(s.createdAt) })),
      containers: containers.containers.map((c) => ({ id: c.id, podSandboxId: c.podSandboxId, name: c.metadata?.name ?? '', createdMs: nsToMs(c.createdAt) })),
    };
  };

  const housekeep = async (): Promise<void> => {
    round++;
    const { pods, containers } = await listRunning();
    const uidOf = new Map(pods.map((p) => [p.id, p.uid]));
    const paths = ['/', ...pods.map((p) => podCgroupPath(p.uid))];
    for (const c of containers) {
      const uid = uidOf.get(c.podSandboxId);
      if (uid !== undefined) paths.push(containerCgroupPath(uid, c.id));
    }
    await Promise.all(paths.map((p) => sample(p)));
    sampler.prune(round);
  };

  const summary = async (onlyCpuAndMemory = false): Promise<Summary> => {
    const [{ pods, containers }, capacity] = await Promise.all([listRunning(), memTotalBytes(procRoot)]);
    const criStats = new Map<string, CriContainerStats>();
    try {
      for (const s of (await opts.runtime.listContainerStats({})).stats) if (s.attributes !== undefined) criStats.set(s.attributes.id, s);
    } catch (e: unknown) {
      log('ListContainerStats failed', { err: e instanceof Error ? e.message : String(e) });
    }
    const time = formatTime(now());

    const nodeSample = await sample('/');
    const node: NodeStats = { nodeName: opts.nodeName, startTime: formatTime(bootTime) };
    if (nodeSample !== undefined) {
      const cpu = cpuOf(nodeSample.stats, nodeSample.rate);
      const memory = memoryOf({ ...nodeSample.stats, memory: nodeSample.stats.memory === undefined ? undefined : { ...nodeSample.stats.memory, limitBytes: undefined } }, capacity);
      if (cpu !== undefined) node.cpu = cpu;
      if (memory !== undefined) node.memory = memory;
    }

    let imageFs: FsStats | undefined;
    if (!onlyCpuAndMemory) {
      try {
        const info = await opts.runtime.imageFsInfo({});
        const img = info.imageFilesystems[0];
        if (img?.fsId?.mountpoint !== undefined) {
          imageFs = await fsStats(img.fsId.mountpoint, time, img.usedBytes === undefined ? undefined : Number(img.usedBytes.value), img.inodesUsed === undefined ? undefined : Number(img.inodesUsed.value));
        }
        const nodeFs = opts.rootDir !== undefined ? await fsStats(opts.rootDir, time) : img?.fsId?.mountpoint !== undefined ? await fsStats(img.fsId.mountpoint, time) : undefined;
        if (nodeFs !== undefined) node.fs = nodeFs;
      } catch (e: unknown) {
        log('ImageFsInfo failed', { err: e instanceof Error ? e.message : String(e) });
        if (opts.rootDir !== undefined) {
          const nodeFs = await fsStats(opts.rootDir, time);
          if (nodeFs !== undefined) node.fs = nodeFs;
        }
      }
      if (imageFs !== undefined) node.runtime = { imageFs, containerFs: imageFs };
    }

    const podStats: PodStats[] = [];
    for (const p of pods) {
      const out: PodStats = { podRef: { name: p.name, namespace: p.namespace, uid: p.uid }, startTime: formatTime(p.createdMs), containers: [] };
      const ps = await sample(podCgroupPath(p.uid));
      if (ps !== undefined) {
        const cpu = cpuOf(ps.stats, ps.rate);
        const memory = memoryOf(ps.stats, undefined);
        if (cpu !== undefined) out.cpu = cpu;
        if (memory !== undefined) out.memory = memory;
      }
      let ephemeralUsed = 0;
      let ephemeralInodes = 0;
      for (const c of containers.filter((x) => x.podSandboxId === p.id)) {
        const cs: ContainerStats = { name: c.name, startTime: formatTime(c.createdMs) };
        const cri = criStats.get(c.id);
        const s = await sample(containerCgroupPath(p.uid, c.id));
        const cpu = s !== undefined ? cpuOf(s.stats, s.rate) : criCpu(cri);
        const memory = s !== undefined ? memoryOf(s.stats, undefined) : criMemory(cri);
        if (cpu !== undefined) cs.cpu = cpu;
        if (memory !== undefined) cs.memory = memory;
        const layer = cri?.writableLayer;
        if (!onlyCpuAndMemory && layer?.usedBytes !== undefined) {
          const used = Number(layer.usedBytes.value);
          const inodes = layer.inodesUsed === undefined ? undefined : Number(layer.inodesUsed.value);
          ephemeralUsed += used;
          ephemeralInodes += inodes ?? 0;
          cs.rootfs = {
            // containerd stamps the layer when its snapshot syncer last ran (zero before the first round).
            time: nsToMs(layer.timestamp) > 0 ? formatTime(nsToMs(layer.timestamp)) : time,
            ...(imageFs?.availableBytes !== undefined ? { availableBytes: imageFs.availableBytes } : {}),
            ...(imageFs?.capacityBytes !== undefined ? { capacityBytes: imageFs.capacityBytes } : {}),
            usedBytes: used,
            ...(imageFs?.inodesFree !== undefined ? { inodesFree: imageFs.inodesFree } : {}),
            ...(imageFs?.inodes !== undefined ? { inodes: imageFs.inodes } : {}),
            ...(inodes !== undefined ? { inodesUsed: inodes } : {}),
          };
        }
        out.containers.push(cs);
      }
      if (!onlyCpuAndMemory && imageFs !== undefined) {
        out['ephemeral-storage'] = {
          time,
          ...(imageFs.availableBytes !== undefined ? { availableBytes: imageFs.availableBytes } : {}),
          ...(imageFs.capacityBytes !== undefined ? { capacityBytes: imageFs.capacityBytes } : {}),
          usedBytes: ephemeralUsed,
          ...(imageFs.inodesFree !== undefined ? { inodesFree: imageFs.inodesFree } : {}),
          ...(imageFs.inodes !== undefined ? { inodes: imageFs.inodes } : {}),
          inodesUsed: ephemeralInodes,
        };
      }
      podStats.push(out);
    }
    return { node, pods: podStats };
  };

  let running: Promise<void> | undefined;
  const tick = (): void => {
    if (running !== undefined) return;
    running = housekeep()
      .catch((e: unknown) => log('stats housekeeping failed', { err: e instanceof Error ? e.message : String(e) }))
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, opts.housekeepingMs ?? 10_000);
  timer.unref();
  return {
    summary,
    housekeep,
    close: () => clearInterval(timer),
  };
}
