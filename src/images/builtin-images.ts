// Images k8ts builds itself, offline, from Debian's busybox-static: a busybox image for tests and air-gapped
// use, and the CRI sandbox ("pause") image that containerd starts for every pod.
import { readFile } from 'node:fs/promises';
import { writeOciArchive, type ImageSpec } from './oci-archive.js';
import type { TarEntry } from './tar-writer.js';

export const BUSYBOX_PATH = '/usr/bin/busybox';
export const DEFAULT_BUSYBOX_REF = 'docker.io/library/busybox:latest';
export const DEFAULT_PAUSE_REF = 'registry.k8s.io/pause:3.10';

/** The applets linked to /bin/busybox in the busybox image. */
export const BUSYBOX_APPLETS: readonly string[] = [
  'sh', 'echo', 'sleep', 'cat', 'ls', 'env', 'id', 'true', 'false', 'wget', 'nc', 'hostname', 'ps', 'top',
  'mkdir', 'rm', 'touch', 'date', 'head', 'tail', 'grep', 'printf', 'yes', 'dd', 'kill', 'test', '[', 'vi',
  'cp', 'mv', 'ln', 'chmod', 'pwd', 'uname', 'whoami', 'wc', 'sed', 'awk', 'tr', 'cut', 'sort', 'uniq', 'find',
  'xargs', 'tee', 'df', 'du', 'free', 'mount', 'umount', 'pidof', 'basename', 'dirname', 'stat', 'timeout',
  'seq', 'expr', 'nslookup', 'ping', 'ip', 'netstat', 'ifconfig', 'nproc', 'uptime', 'watch', 'md5sum',
  'sha256sum', 'tar', 'gzip', 'gunzip', 'zcat', 'less', 'more', 'readlink', 'realpath', 'rmdir', 'sync',
  'mktemp', 'usleep', 'hexdump', 'od', 'diff', 'httpd', 'which', 'ash',
];

const PAUSE_SCRIPT = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";

/** ELF program header type of the dynamic loader path; a static executable has none. */
const PT_INTERP = 3;

/**
 * Reads a little- or big-endian ELF executable and reports whether it names a program interpreter
 * (is dynamically linked). Throws when the file is not ELF.
 */
export function elfHasInterpreter(bin: Buffer): boolean {
  if (bin.length < 64 || bin.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  const is64 = bin[4] === 2;
  const le = bin[5] === 1;
  const u16 = (o: number): number => (le ? bin.readUInt16LE(o) : bin.readUInt16BE(o));
  const u32 = (o: number): number => (le ? bin.readUInt32LE(o) : bin.readUInt32BE(o));
  const u64 = (o: number): number => Number(le ? bin.readBigUInt64LE(o) : bin.readBigUInt64BE(o));
  const phoff = is64 ? u64(0x20) : u32(0x1c);
  const phentsize = is64 ? u16(0x36) : u16(0x2a);
  const phnum = is64 ? u16(0x38) : u16(0x2c);
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize;
    if (off + 4 > bin.length) throw new Error('truncated ELF program headers');
    if (u32(off) === PT_INTERP) return true;
  }
  return false;
}

/** Reads Debian's busybox-static binary, refusing a missing or dynamically linked one. */
export async function readStaticBusybox(path: string = BUSYBOX_PATH): Promise<Buffer> {
  let bin: Buffer;
  try {
    bin = await readFile(path);
  } catch (e: unknown) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`busybox is not installed at ${path} (${reason}): apt-get install busybox-static`);
  }
  let dynamic: boolean;
  try {
    dynamic = elfHasInterpreter(bin);
  } catch (e: unknown) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`${path} is not a busybox executable (${reason}): apt-get install busybox-static`);
  }
  if (dynamic) {
    throw new Error(
      `${path} is dynamically linked and cannot run alone in an image: apt-get install busybox-static (not busybox)`,
    );
  }
  return bin;
}

const dir = (name: string, mode = 0o755): TarEntry => ({ type: 'directory', name, mode });
const text = (name: string, content: string, mode = 0o644): TarEntry => ({
  type: 'file',
  name,
  data: Buffer.from(content),
  mode,
});

/** The single layer of the busybox image. */
export function busyboxLayerEntries(busybox: Buffer): TarEntry[] {
  return [
    dir('bin'),
    { type: 'file', name: 'bin/busybox', data: busybox, mode: 0o755 },
    ...BUSYBOX_APPLETS.map((a): TarEntry => ({ type: 'symlink', name: `bin/${a}`, target: 'busybox' })),
    dir('dev'),
    dir('etc'),
    text('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n'),
    text('etc/group', 'root:x:0:\nnobody:x:65534:\n'),
    text('etc/hostname', ''),
    dir('home'),
    dir('proc', 0o555),
    dir('root', 0o700),
    dir('sys', 0o555),
    dir('tmp', 0o1777),
    dir('usr'),
    dir('usr/bin'),
    { type: 'symlink', name: 'usr/bin/env', target: '/bin/busybox' },
    dir('var'),
    dir('var/run'),
  ];
}

/** The single layer of the pause image: busybox with just the applets its entrypoint runs. */
export function pauseLayerEntries(busybox: Buffer): TarEntry[] {
  return [
    dir('bin'),
    { type: 'file', name: 'bin/busybox', data: busybox, mode: 0o755 },
    { type: 'symlink', name: 'bin/sh', target: 'busybox' },
    { type: 'symlink', name: 'bin/sleep', target: 'busybox' },
    dir('dev'),
    dir('etc'),
    dir('proc', 0o555),
    dir('sys', 0o555),
  ];
}

/** The busybox image: /bin/busybox (static) and its applets, root and nobody, Cmd ["sh"]. */
export async function busyboxImageSpec(ref: string = DEFAULT_BUSYBOX_REF): Promise<ImageSpec> {
  const busybox = await readStaticBusybox();
  return {
    ref,
    layers: [{ entries: busyboxLayerEntries(busybox), comment: 'k8ts: busybox from Debian busybox-static' }],
    config: { cmd: ['sh'] },
  };
}

/**
 * The CRI sandbox image. Upstream's pause is a tiny C program that sleeps until a signal and reaps zombies;
 * offline, with no compiler or registry to rely on, we build ours from busybox-static: a shell as PID 1 that
 * sleeps forever and exits 0 at once on SIGTERM or SIGINT (a shell's `wait` returns when a trapped signal
 * arrives, so the trap runs without waiting for the sleep). It also reaps children, as PID 1 must.
 */
export async function pauseImageSpec(ref: string = DEFAULT_PAUSE_REF): Promise<ImageSpec> {
  const busybox = await readStaticBusybox();
  return {
    ref,
    layers: [{ entries: pauseLayerEntries(busybox), comment: 'k8ts: pause from Debian busybox-static' }],
    config: { entrypoint: ['/bin/sh', '-c', PAUSE_SCRIPT], env: ['PATH=/bin'], workingDir: '/' },
  };
}

/** Writes the busybox image archive (importable with `ctr -n k8s.io images import`). */
export async function buildBusyboxImage(file: string, ref: string = DEFAULT_BUSYBOX_REF): Promise<void> {
  await writeOciArchive(file, await busyboxImageSpec(ref));
}

/** Writes the pause (CRI sandbox) image archive. */
export async function buildPauseImage(file: string, ref: string = DEFAULT_PAUSE_REF): Promise<void> {
  await writeOciArchive(file, await pauseImageSpec(ref));
}

export const KUARD_REFS: readonly string[] = ['gcr.io/kuar-demo/kuard-amd64:1', 'gcr.io/kuar-demo/kuard-amd64:2', 'gcr.io/kuar-demo/kuard-amd64:blue', 'gcr.io/kuar-demo/kuard-amd64:green'];

/**
 * What the kuard stand-in's entrypoint runs: a page naming its version, /healthy and /ready answering "ok" (the paths
 * the tutorials' probes use), busybox httpd in the foreground on :8080, and a line in the log as it starts.
 */
export function kuardScript(version: string): string {
  return [
    'mkdir -p /www',
    `echo '<!doctype html><title>KUAR Demo</title><h1>kuard ${version}</h1>' > /www/index.html`,
    'echo ok > /www/healthy',
    'echo ok > /www/ready',
    `echo "starting kuard ${version} on :8080"`,
    'exec httpd -f -v -p 8080 -h /www',
  ].join('; ');
}

/**
 * A stand-in for the tutorials' kuard image (gcr.io/kuar-demo/kuard-amd64): offline there is no Go toolchain or
 * registry to get the real one, so it is busybox serving kuard's port and probe paths. The version in the page is
 * the tag's.
 */
export async function kuardImageSpec(ref: string = KUARD_REFS[0] ?? ''): Promise<ImageSpec> {
  const busybox = await readStaticBusybox();
  const version = ref.slice(ref.lastIndexOf(':') + 1);
  return {
    ref,
    layers: [{ entries: busyboxLayerEntries(busybox), comment: 'k8ts: kuard stand-in from Debian busybox-static' }],
    config: { entrypoint: ['/bin/sh', '-c', kuardScript(version)], env: ['PATH=/bin'], workingDir: '/', exposedPorts: ['8080/tcp'] },
  };
}

/** Writes one kuard stand-in archive per tag (each tag's page names its version). */
export async function buildKuardImage(file: string, ref: string = KUARD_REFS[0] ?? ''): Promise<void> {
  await writeOciArchive(file, await kuardImageSpec(ref));
}
