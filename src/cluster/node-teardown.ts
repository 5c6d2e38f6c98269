// Everything a cluster's node runs, stopped and found: the node's k8ts first (so that no kubelet starts anything
// again), then its pod sandboxes through its containerd's CRI socket (StopPodSandbox + RemovePodSandbox: containerd
// kills the containers, tears their network down and unpins their network namespaces), then SIGKILL for whatever is
// left: the processes in the node's network namespace (`ip netns pids`: containerd, shims, host-network containers)
// and in the pods' cgroups (/k8ts/pod<UID>, the UIDs from the kubelet's pods dir in the node's data dir; those
// containers live in network namespaces of their own). The nodes share the host's mount table, so pod network
// namespaces still pinned under /run/netns are found by the inodes of the pods' processes and unmounted.
import { readdirSync, readFileSync, readlinkSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { containerdPaths } from '../containerd/containerd-config.js';
import { connectCri, type CriClient } from '../cri/index.js';
import { podCgroupParentOf } from '../kubelet/container-config.js';
import { removePodCgroup } from '../kubelet/pod-cgroup-cleanup.js';
import { runCommand } from './host-network.js';
import { processAlive } from '../machinery/process-alive.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The UIDs of the pods the node's kubelet knows (DATA_DIR/agent/pods/<UID>). */
export function nodePodUids(nodeDataDir: string): string[] {
  try {
    return readdirSync(join(nodeDataDir, 'agent', 'pods'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^[0-9a-zA-Z-]+$/.test(d.name))
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/** Parses `cgroup.procs` / `ip netns pids` output: one pid a line. */
export function parsePids(text: string): number[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number)
    .filter((n) => n > 1);
}

function cgroupTreePids(dir: string, out: Set<number>): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  try {
    for (const pid of parsePids(readFileSync(join(dir, 'cgroup.procs'), 'utf8'))) out.add(pid);
  } catch {
    // a cgroup removed meanwhile
  }
  for (const e of entries) if (e.isDirectory()) cgroupTreePids(join(dir, e.name), out);
}

/** The processes in the pod's cgroup (and below it) in every hierarchy. */
export function podCgroupPids(uid: string, root = CGROUP_ROOT): number[] {
  const rel = podCgroupParentOf(uid).replace(/^\/+/, '');
  const out = new Set<number>();
  cgroupTreePids(join(root, rel), out);
  let hierarchies: string[] = [];
  try {
    hierarchies = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(root, d.name));
  } catch {
    // no cgroupfs
  }
  for (const h of hierarchies) cgroupTreePids(join(h, rel), out);
  return [...out];
}

/** The processes whose network namespace is the named one. */
export async function netnsPids(netns: string): Promise<number[]> {
  try {
    return parsePids(await runCommand('ip', ['netns', 'pids', netns]));
  } catch {
    return [];
  }
}

/** The network namespace mounts (nsfs) under /run/netns in a mountinfo table: mount point and namespace inode. */
export function netnsMounts(mountinfo: string): { mountPoint: string; inode: number }[] {
  const out: { mountPoint: string; inode: number }[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fields = line.slice(0, sep).split(' ');
    if (line.slice(sep + 3).split(' ')[0] !== 'nsfs') continue;
    const inode = /^net:\[(\d+)\]$/.exec(fields[3] ?? '')?.[1];
    const mountPoint = (fields[4] ?? '').replace(/\\040/g, ' ');
    if (inode !== undefined && /^\/(var\/)?run\/netns\/[^/]+$/.test(mountPoint)) out.push({ mountPoint, inode: Number(inode) });
  }
  return out;
}

/** The inode of a process's network namespace (from its /proc/PID/ns/net link, net:[INODE]). */
function netnsInode(pid: number): number | undefined {
  try {
    const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
    return m?.[1] === undefined ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/** Whether the process's command line names `dir` (a recorded pid is killed only while it is still that k8ts). */
function commandLineNames(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dir);
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface NodeProcesses {
  readonly netns: string;
  readonly dataDir: string;
  /** The k8ts process recorded at start (killed, if its command line still names dataDir, wherever it is). */
  readonly pid?: number;
}

async function killAll(pids: Iterable<number>): Promise<void> {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Whether something accepts connections on the unix socket (a dead containerd leaves its socket file behind). */
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(socket);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** Stops and removes every pod sandbox of the node's containerd, when it still answers; at most `timeoutMs`. */
async function removeSandboxes(dataDir: string, timeoutMs: number): Promise<number> {
  const socket = containerdPaths(dataDir).socket;
  if (!(await answers(socket))) return 0;
  let removed = 0;
  let cri: CriClient | undefined;
  const work = (async (): Promise<void> => {
    cri = await connectCri(socket, { timeoutMs });
    const { items } = await cri.listPodSandbox({});
    await Promise.all(
      (items ?? []).map(async (sb) => {
        await cri?.stopPodSandbox({ podSandboxId: sb.id }).catch(() => undefined);
        await cri?.removePodSandbox({ podSandboxId: sb.id }).catch(() => undefined);
        removed++;
      }),
    );
  })();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
  // Closed either way: a call still running is abandoned (what is left gets SIGKILL next).
  (cri as CriClient | undefined)?.close();
  return removed;
}

/**
 * Stops every process of the nodes and their pods (see the top of this file), again and again until none is left or
 * `timeoutMs` passes; then removes the pods' cgroups and the pod network namespaces still pinned. Returns the
 * processes still alive (empty on success).
 */
export async function killNodeProcesses(nodes: readonly NodeProcesses[], timeoutMs = 20_000): Promise<{ survivors: number[]; sandboxesRemoved: number }> {
  const deadline = Date.now() + timeoutMs;
  const own = new Set([process.pid, process.ppid]);
  // 1. The nodes' k8ts (kubelets and the server), so that nothing is started again.
  const k8ts = nodes.flatMap((n) => (n.pid !== undefined && commandLineNames(n.pid, n.dataDir) ? [n.pid] : []));
  await killAll(k8ts);
  for (let i = 0; i < 50 && k8ts.some(processAlive); i++) await sleep(20);
  // 2. The pods, through containerd.
  const sandboxesRemoved = (await Promise.all(nodes.map((n) => removeSandboxes(n.dataDir, 10_000)))).reduce((a, b) => a + b, 0);
  // 3. Whatever is left.
  const podNetns = new Set<number>();
  let survivors: number[] = [];
  for (;;) {
    const pids = new Set<number>();
    for (const n of nodes) {
      for (const p of await netnsPids(n.netns)) pids.add(p);
      for (const uid of nodePodUids(n.dataDir)) {
        for (const p of podCgroupPids(uid)) {
          pids.add(p);
          const ino = netnsInode(p);
          if (ino !== undefined) podNetns.add(ino);
        }
      }
    }
    for (const p of own) pids.delete(p);
    survivors = [...pids].filter(processAlive);
    if (survivors.length === 0 || Date.now() > deadline) break;
    await killAll(survivors);
    await sleep(100);
  }
  for (const n of nodes) for (const uid of nodePodUids(n.dataDir)) await removePodCgroup(podCgroupParentOf(uid));
  // 4. Pod network namespaces still pinned (containerd killed before it could unpin them).
  for (const m of netnsMounts(readFileSync('/proc/self/mountinfo', 'utf8'))) {
    if (!podNetns.has(m.inode)) continue;
    await runCommand('umount', [m.mountPoint]).catch(() => runCommand('umount', ['-l', m.mountPoint]).catch(() => undefined));
    try {
      unlinkSync(m.mountPoint);
    } catch {
      // gone already
    }
  }
  return { survivors, sandboxesRemoved };
}
