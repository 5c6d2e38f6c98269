// The host's mount table and the two mount operations the volumes need: a tmpfs for memory-backed emptyDirs (and the
// wrappers of secret, downwardAPI and projected volumes), and unmounting it at teardown. mount(8)/umount(8) run as
// commands of a long-lived shell (never spawnSync: the kubelet shares the event loop).
import { CommandShell } from './command-shell.js';
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** A mountinfo path field: octal escapes (\040 space, \011 tab, \012 newline, \134 backslash) decoded. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  options: string;
}

/** /proc/self/mountinfo's lines: `ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS`. */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    const mountPoint = fields[4];
    if (dash === -1 || mountPoint === undefined) continue;
    out.push({
      mountPoint: unescapeMountPath(mountPoint),
      fsType: fields[dash + 1] ?? '',
      source: unescapeMountPath(fields[dash + 2] ?? ''),
      options: fields[dash + 3] ?? '',
    });
  }
  return out;
}

export async function readMountTable(): Promise<MountEntry[]> {
  return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
}

export async function isMountPoint(dir: string): Promise<boolean> {
  const d = resolve(dir);
  return (await readMountTable()).some((m) => m.mountPoint === d);
}

/** Mount points at or below dir, deepest first (the order to unmount them in). */
export async function mountPointsUnder(dir: string): Promise<string[]> {
  const d = resolve(dir);
  const points = (await readMountTable()).map((m) => m.mountPoint).filter((p) => p === d || p.startsWith(d + sep));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** mount(8) and umount(8) run in one long-lived shell (command-shell.ts: a spawn from k8ts itself costs ~10 ms). */
const shell = new CommandShell();

async function run(cmd: string, args: string[]): Promise<void> {
  let r: { code: number; output: string };
  try {
    r = await shell.run([cmd, ...args], 30_000);
  } catch (e: unknown) {
    r = { code: -1, output: e instanceof Error ? e.message : String(e) };
  }
  if (r.code === 0) return;
  const status = r.code >= 0 ? `exit status ${r.code}` : 'not run';
  throw new Error(`${cmd === 'umount' ? 'unmount' : 'mount'} failed: ${status}\nMounting command: ${cmd}\nMounting arguments: ${args.join(' ')}\nOutput: ${r.output.trim()}`);
}

/** `mount -t tmpfs -o size=N tmpfs DIR` as the emptyDir plugin's setupTmpfs (no size option when sizeBytes is 0). */
export async function mountTmpfs(dir: string, sizeBytes: number): Promise<void> {
  const args = ['-t', 'tmpfs'];
  if (sizeBytes > 0) args.push('-o', `size=${sizeBytes}`);
  await run('mount', [...args, 'tmpfs', dir]);
}

export async function unmount(dir: string): Promise<void> {
  await run('umount', [dir]);
}
