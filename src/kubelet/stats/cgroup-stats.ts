// CPU and memory of one cgroup, read the way cAdvisor reads them: cumulative CPU time in nanoseconds, memory usage,
// the working set (usage minus inactive file pages, never below zero), RSS and page faults, on cgroup v1
// (cpuacct.usage, memory.usage_in_bytes, memory.stat total_*) and v2 (cpu.stat usage_usec, memory.current,
// memory.stat). containerd (cgroupfs driver) puts a pod's containers under the kubelet's cgroup parent
// /k8ts/pod<uid> as /k8ts/pod<uid>/<container id> (the sandbox's pause container likewise), in every v1 hierarchy.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgroupVersion } from '../../node-status/machine-info.js';

export interface CgroupMemory {
  usageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
  pageFaults: number;
  majorPageFaults: number;
  /** The cgroup's memory limit; undefined when unlimited. */
  limitBytes: number | undefined;
}

export interface CgroupStats {
  /** When the files were read (ms since the epoch). */
  timestamp: number;
  /** Cumulative CPU time of all the cgroup's tasks, nanoseconds. */
  cpuUsageNanoSeconds: number | undefined;
  memory: CgroupMemory | undefined;
}

/** A flat "key value" file (memory.stat, cpu.stat) as a map; lines that are not two fields are ignored. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 2 || f[0] === undefined || f[1] === undefined) continue;
    const v = Number(f[1]);
    if (Number.isFinite(v)) out.set(f[0], v);
  }
  return out;
}

/** A file holding one number (cpuacct.usage, memory.current); "max" and garbage are undefined. */
export function parseSingleValue(text: string): number | undefined {
  const t = text.trim();
  if (t === '' || t === 'max') return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** Limits at or above this (v1's 2^63 rounded to pages) mean "unlimited". */
const UNLIMITED = 2 ** 62;

/** Memory from v1 files: memory.usage_in_bytes, memory.stat (hierarchical total_* counters) and memory.limit_in_bytes. */
export function memoryFromV1(usageText: string, statText: string, limitText: string | undefined): CgroupMemory | undefined {
  const usage = parseSingleValue(usageText);
  if (usage === undefined) return undefined;
  const stat = parseFlatKeyed(statText);
  const inactiveFile = stat.get('total_inactive_file') ?? stat.get('inactive_file') ?? 0;
  const limit = limitText === undefined ? undefined : parseSingleValue(limitText);
  return {
    usageBytes: usage,
    workingSetBytes: Math.max(0, usage - inactiveFile),
    rssBytes: stat.get('total_rss') ?? stat.get('rss') ?? 0,
    pageFaults: stat.get('total_pgfault') ?? stat.get('pgfault') ?? 0,
    majorPageFaults: stat.get('total_pgmajfault') ?? stat.get('pgmajfault') ?? 0,
    limitBytes: limit === undefined || limit >= UNLIMITED ? undefined : limit,
  };
}

/** Memory from v2 files: memory.current, memory.stat (inactive_file, anon, pgfault) and memory.max. */
export function memoryFromV2(currentText: string, statText: string, maxText: string | undefined): CgroupMemory | undefined {
  const usage = parseSingleValue(currentText);
  if (usage === undefined) return undefined;
  const stat = parseFlatKeyed(statText);
  const limit = maxText === undefined ? undefined : parseSingleValue(maxText);
  return {
    usageBytes: usage,
    workingSetBytes: Math.max(0, usage - (stat.get('inactive_file') ?? 0)),
    rssBytes: stat.get('anon') ?? 0,
    pageFaults: stat.get('pgfault') ?? 0,
    majorPageFaults: stat.get('pgmajfault') ?? 0,
    limitBytes: limit === undefined || limit >= UNLIMITED ? undefined : limit,
  };
}

/** Cumulative CPU nanoseconds from v2's cpu.stat (usage_usec). */
export function cpuFromV2(cpuStatText: string): number | undefined {
  const usec = parseFlatKeyed(cpuStatText).get('usage_usec');
  return usec === undefined ? undefined : usec * 1000;
}

/** The root cgroup of v2 has no memory.current: /proc/meminfo stands in (usage = MemTotal - MemFree). */
export function memoryFromMeminfo(meminfo: string): CgroupMemory | undefined {
  const kb = new Map<string, number>();
  for (const line of meminfo.split('\n')) {
    const m = /^([^:]+):\s+(\d+)/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) kb.set(m[1], Number(m[2]) * 1024);
  }
  const total = kb.get('MemTotal');
  const free = kb.get('MemFree');
  if (total === undefined || free === undefined) return undefined;
  const usage = total - free;
  return {
    usageBytes: usage,
    workingSetBytes: Math.max(0, usage - (kb.get('Inactive(file)') ?? 0)),
    rssBytes: kb.get('AnonPages') ?? 0,
    pageFaults: 0,
    majorPageFaults: 0,
    limitBytes: undefined,
  };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

export interface ReadCgroupOptions {
  version: CgroupVersion;
  /** Where the hierarchies are mounted (/sys/fs/cgroup). */
  cgroupRoot?: string;
  /** Where /proc is read for the v2 root's memory ('/proc'). */
  procRoot?: string;
  now?: () => number;
}

/**
 * The stats of a cgroup path such as "/" or "/k8ts/pod<uid>/<id>"; undefined when the cgroup does not exist (the
 * container has gone). Parts that cannot be read are undefined.
 */
export async function readCgroupStats(path: string, opts: ReadCgroupOptions): Promise<CgroupStats | undefined> {
  const root = opts.cgroupRoot ?? '/sys/fs/cgroup';
  const now = opts.now ?? Date.now;
  if (opts.version === 1) {
    const cpuText = await readOptional(join(root, 'cpuacct', path, 'cpuacct.usage'));
    const mem = join(root, 'memory', path);
    const [usage, stat, limit] = await Promise.all([
      readOptional(join(mem, 'memory.usage_in_bytes')),
      readOptional(join(mem, 'memory.stat')),
      readOptional(join(mem, 'memory.limit_in_bytes')),
    ]);
    if (cpuText === undefined && usage === undefined) return undefined;
    return {
      timestamp: now(),
      cpuUsageNanoSeconds: cpuText === undefined ? undefined : parseSingleValue(cpuText),
      memory: usage === undefined ? undefined : memoryFromV1(usage, stat ?? '', limit),
    };
  }
  const dir = join(root, path);
  const [cpuStat, current, stat, max] = await Promise.all([
    readOptional(join(dir, 'cpu.stat')),
    readOptional(join(dir, 'memory.current')),
    readOptional(join(dir, 'memory.stat')),
    readOptional(join(dir, 'memory.max')),
  ]);
  if (cpuStat === undefined && current === undefined) return undefined;
  let memory: CgroupMemory | undefined;
  if (current !== undefined) memory = memoryFromV2(current, stat ?? '', max);
  else if (path === '/' || path === '') {
    const meminfo = await readOptional(join(opts.procRoot ?? '/proc', 'meminfo'));
    memory = meminfo === undefined ? undefined : memoryFromMeminfo(meminfo);
  }
  return { timestamp: now(), cpuUsageNanoSeconds: cpuStat === undefined ? undefined : cpuFromV2(cpuStat), memory };
}
