// The machine the node agent runs on, read as cAdvisor reads it for the kubelet: cores from /proc/cpuinfo, MemTotal
// from /proc/meminfo, the data dir's filesystem size (statfs), huge pages per size from /sys/kernel/mm/hugepages,
// machine-id, product_uuid, boot_id, the kernel release, PRETTY_NAME from /etc/os-release, GOARCH, and the node's
// addresses (InternalIP: --node-ip, else the first IPv4 of the default route's interface). The parsers are pure and take
// the files' text; readMachineInfo reads them under a root ('/' on a real machine, a fixture tree in tests).
import { readFile, readdir, statfs, access, mkdir } from 'node:fs/promises';
import { hostname as osHostname, networkInterfaces, release, availableParallelism } from 'node:os';
import { join } from 'node:path';

export interface HugePages {
  /** The resource name's size part, as upstream names it: "2Mi", "1Gi". */
  readonly size: string;
  /** Pages configured × page size. */
  readonly bytes: bigint;
}

export interface MachineInfo {
  readonly cpus: number;
  readonly memoryBytes: bigint;
  /** The size of the filesystem holding the data dir. */
  readonly ephemeralStorageBytes: bigint;
  readonly hugePages: readonly HugePages[];
  readonly machineId: string;
  readonly systemUuid: string;
  readonly bootId: string;
  readonly kernelVersion: string;
  readonly osImage: string;
  readonly operatingSystem: 'linux';
  /** GOARCH: amd64, arm64, … */
  readonly architecture: string;
  /** The lowercased host name (the Hostname address and the kubernetes.io/hostname label). */
  readonly hostname: string;
  readonly internalIp: string;
}

export type CgroupVersion = 1 | 2;

/** The part of os.networkInterfaces()'s entries the InternalIP is chosen from. */
export interface InterfaceAddress {
  readonly address: string;
  readonly family: string;
  readonly internal: boolean;
}

export type Interfaces = Readonly<Record<string, readonly InterfaceAddress[] | undefined>>;

/** The number of `processor` entries of /proc/cpuinfo (what cAdvisor counts); undefined when there are none. */
export function parseCpuCount(cpuinfo: string): number | undefined {
  const n = cpuinfo.split('\n').filter((l) => /^processor\s*:/.test(l)).length;
  return n > 0 ? n : undefined;
}

/** MemTotal of /proc/meminfo in bytes. */
export function parseMemTotal(meminfo: string): bigint {
  const v = meminfoField(meminfo, 'MemTotal');
  if (v === undefined) throw new Error('MemTotal not found in /proc/meminfo');
  return v;
}

/** A /proc/meminfo field in bytes (the "kB" there is KiB), or a plain count for fields without a unit. */
export function meminfoField(meminfo: string, field: string): bigint | undefined {
  for (const line of meminfo.split('\n')) {
    const m = /^([^:]+):\s*(\d+)(?:\s*(kB))?\s*$/.exec(line);
    if (m?.[1] === field && m[2] !== undefined) return BigInt(m[2]) * (m[3] === 'kB' ? 1024n : 1n);
  }
  return undefined;
}

/** The KEY=value pairs of an os-release file, quotes and escapes removed. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^([A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m === null || m[1] === undefined || m[2] === undefined) continue;
    let v = m[2];
    const q = v[0];
    if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) {
      v = v.slice(1, -1);
      if (q === '"') v = v.replace(/\\(["\\$`])/g, '$1');
    }
    out[m[1]] = v;
  }
  return out;
}

/** cAdvisor's ContainerOsVersion: PRETTY_NAME, else "Linux". */
export function osImageOf(osRelease: string | undefined): string {
  const pretty = osRelease === undefined ? undefined : parseOsRelease(osRelease)['PRETTY_NAME'];
  return pretty !== undefined && pretty !== '' ? pretty : 'Linux';
}

const goArchOf: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** Node's process.arch in Go's GOARCH names. */
export function goArch(nodeArch: string): string {
  return goArchOf[nodeArch] ?? nodeArch;
}

/** A 32-hex-digit machine id written as a UUID (8-4-4-4-12), for machines without a DMI product_uuid. */
export function uuidFromMachineId(machineId: string): string {
  const h = machineId.trim().toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(h)) return h;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The resource size of a /sys/kernel/mm/hugepages directory ("hugepages-2048kB" -> "2Mi"): the page size in the
 * largest binary unit that divides it, as upstream's HugePageResourceName writes a quantity.
 */
export function hugePageSizeOfDir(dir: string): { size: string; pageBytes: bigint } | undefined {
  const m = /^hugepages-(\d+)kB$/.exec(dir);
  if (m?.[1] === undefined) return undefined;
  const pageBytes = BigInt(m[1]) * 1024n;
  const units: [string, bigint][] = [
    ['Ei', 1n << 60n],
    ['Pi', 1n << 50n],
    ['Ti', 1n << 40n],
    ['Gi', 1n << 30n],
    ['Mi', 1n << 20n],
    ['Ki', 1n << 10n],
  ];
  for (const [suffix, unit] of units) if (pageBytes % unit === 0n) return { size: `${pageBytes / unit}${suffix}`, pageBytes };
  return { size: String(pageBytes), pageBytes };
}

/**
 * The interface of the default route in /proc/net/route (destination 0, up, lowest metric), as upstream's
 * ChooseHostInterface picks it.
 */
export function defaultRouteInterface(procNetRoute: string): string | undefined {
  let best: { iface: string; metric: number } | undefined;
  for (const line of procNetRoute.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const [iface, dest, , flags, , , metric, mask] = f;
    if (iface === undefined || dest !== '00000000' || mask !== '00000000' || flags === undefined) continue;
    if ((parseInt(flags, 16) & 0x1) === 0) continue; // RTF_UP
    const m = Number(metric ?? '0');
    if (best === undefined || m < best.metric) best = { iface, metric: m };
  }
  return best?.iface;
}

/** The node's InternalIP: the given one, else the first IPv4 of the default route's interface, else any non-loopback IPv4. */
export function chooseInternalIp(
  interfaces: Interfaces,
  defaultIface: string | undefined,
  nodeIp?: string,
): string {
  if (nodeIp !== undefined && nodeIp !== '') return nodeIp;
  const v4 = (list: readonly InterfaceAddress[] | undefined): string | undefined =>
    list?.find((a) => a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.'))?.address;
  const fromDefault = defaultIface === undefined ? undefined : v4(interfaces[defaultIface]);
  if (fromDefault !== undefined) return fromDefault;
  for (const name of Object.keys(interfaces).sort()) {
    const a = v4(interfaces[name]);
    if (a !== undefined) return a;
  }
  return '127.0.0.1';
}

/** The cgroup hierarchy: v2 when the unified root's cgroup.controllers exists, else v1. */
export async function detectCgroupVersion(cgroupRoot = '/sys/fs/cgroup'): Promise<CgroupVersion> {
  try {
    await access(join(cgroupRoot, 'cgroup.controllers'));
    return 2;
  } catch {
    return 1;
  }
}

export interface ReadMachineOptions {
  /** The data dir: its filesystem's size is the node's ephemeral-storage (created if missing). */
  dataDir: string;
  /** --node-ip */
  nodeIp?: string;
  /** The host name (default: os.hostname()). */
  hostname?: string;
  /** Where /proc, /sys and /etc are read from ('/' by default; a fixture tree in tests). */
  root?: string;
  /** The network interfaces (default: os.networkInterfaces()). */
  interfaces?: Interfaces;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function readHugePages(root: string): Promise<HugePages[]> {
  const base = join(root, 'sys/kernel/mm/hugepages');
  let dirs: string[];
  try {
    dirs = await readdir(base);
  } catch {
    return [];
  }
  const out: HugePages[] = [];
  for (const d of dirs.sort()) {
    const size = hugePageSizeOfDir(d);
    if (size === undefined) continue;
    const nr = (await readText(join(base, d, 'nr_hugepages')))?.trim() ?? '0';
    out.push({ size: size.size, bytes: (/^\d+$/.test(nr) ? BigInt(nr) : 0n) * size.pageBytes });
  }
  return out;
}

/** Reads the machine. */
export async function readMachineInfo(opts: ReadMachineOptions): Promise<MachineInfo> {
  const root = opts.root ?? '/';
  const at = (p: string): string => join(root, p);
  const meminfo = await readText(at('proc/meminfo'));
  if (meminfo === undefined) throw new Error(`cannot read ${at('proc/meminfo')}`);
  const cpuinfo = await readText(at('proc/cpuinfo'));
  const machineId = ((await readText(at('etc/machine-id'))) ?? (await readText(at('var/lib/dbus/machine-id'))) ?? '').trim();
  const productUuid = (await readText(at('sys/class/dmi/id/product_uuid')))?.trim();
  await mkdir(opts.dataDir, { recursive: true });
  const fs = await statfs(opts.dataDir, { bigint: true });
  const route = await readText(at('proc/net/route'));
  return {
    cpus: (cpuinfo === undefined ? undefined : parseCpuCount(cpuinfo)) ?? availableParallelism(),
    memoryBytes: parseMemTotal(meminfo),
    ephemeralStorageBytes: fs.blocks * fs.bsize,
    hugePages: await readHugePages(root),
    machineId,
    systemUuid: productUuid !== undefined && productUuid !== '' ? productUuid : uuidFromMachineId(machineId),
    bootId: ((await readText(at('proc/sys/kernel/random/boot_id'))) ?? '').trim(),
    kernelVersion: release(),
    osImage: osImageOf(await readText(at('etc/os-release'))),
    operatingSystem: 'linux',
    architecture: goArch(process.arch),
    hostname: (opts.hostname ?? osHostname()).trim().toLowerCase(),
    internalIp: chooseInternalIp(opts.interfaces ?? networkInterfaces(), route === undefined ? undefined : defaultRouteInterface(route), opts.nodeIp),
  };
}
