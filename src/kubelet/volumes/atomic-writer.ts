// Upstream's AtomicWriter (pkg/volume/util/atomic_writer.go): the files of a configMap, secret, downwardAPI or
// projected volume live in a hidden timestamped directory; `..data` is a symlink to it and every user-visible name is
// a symlink through `..data`. An update writes a whole new timestamped directory and renames a fresh `..data_tmp`
// symlink over `..data` (rename is atomic), so a reader sees either the old set of files or the new one, never a mix.
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';

/** One file to project: its bytes and its permission bits (e.g. 0o644). */
export interface FileProjection {
  data: Buffer;
  mode: number;
}

export const dataDirName = '..data';
export const newDataDirName = '..data_tmp';
const maxFileNameLength = 255;
const maxPathLength = 4096;

const errCode = (e: unknown): string | undefined => (e instanceof Error && 'code' in e ? String((e as NodeJS.ErrnoException).code) : undefined);

/** validatePath: relative, no `..` element, not starting with `..`, names of at most 255 and paths of at most 4096 characters. */
export function validatePayloadPath(targetPath: string): void {
  if (targetPath === '') throw new Error(`invalid path: must not be empty: ${JSON.stringify(targetPath)}`);
  if (isAbsolute(targetPath)) throw new Error(`invalid path: must be relative path: ${targetPath}`);
  if (targetPath.length > maxPathLength) throw new Error(`invalid path: must be less than or equal to ${maxPathLength} characters`);
  const items = targetPath.split(sep);
  for (const item of items) {
    if (item === '..') throw new Error(`invalid path: must not contain '..': ${targetPath}`);
    if (item.length > maxFileNameLength) throw new Error(`invalid path: filenames must be less than or equal to ${maxFileNameLength} characters`);
  }
  const first = items[0] ?? '';
  if (first.startsWith('..') && first.length > 2) throw new Error(`invalid path: must not start with '..': ${targetPath}`);
}

/** Go's filepath.Clean for a relative path (no trailing slash, no `.` elements). */
function cleanPath(p: string): string {
  const n = normalize(p);
  return n.length > 1 && n.endsWith(sep) ? n.slice(0, -1) : n;
}

/** `..2006_01_02_15_04_05.` as Go formats the UTC time: the prefix of a timestamped data directory. */
export function timestampDirPrefix(now: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
}

async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : join(prefix, entry.name);
    out.push(rel);
    if (entry.isDirectory()) out.push(...(await walk(join(dir, entry.name), rel)));
  }
  return out;
}

export class AtomicWriter {
  constructor(readonly targetDir: string) {}

  /**
   * Projects the payload into the target directory (which must exist). Returns whether anything changed. `setPerms`
   * runs on the new timestamped directory before it becomes visible (the fsGroup ownership).
   */
  async write(payload: ReadonlyMap<string, FileProjection>, setPerms?: (tsDir: string) => Promise<void>): Promise<boolean> {
    // (1) validate, clean
    const clean = new Map<string, FileProjection>();
    for (const [p, f] of payload) {
      validatePayloadPath(p);
      clean.set(cleanPath(p), f);
    }
    await stat(this.targetDir);

    // (2) the current timestamped directory
    const dataDirPath = join(this.targetDir, dataDirName);
    let oldTsDir = '';
    try {
      oldTsDir = await readlink(dataDirPath);
    } catch (e: unknown) {
      if (errCode(e) !== 'ENOENT') throw e;
    }
    const oldTsPath = oldTsDir === '' ? '' : join(this.targetDir, oldTsDir);

    // (3) paths of the old version that the new payload drops; (4) whether any file differs
    let toRemove = new Set<string>();
    if (oldTsPath !== '') {
      toRemove = await this.pathsToRemove(clean, oldTsPath);
      if (!(await this.shouldWritePayload(clean, oldTsPath)) && toRemove.size === 0 && (await this.visibleFilesExist(clean))) return false;
    }

    // A ..data_tmp left by an interrupted write
    await rm(join(this.targetDir, newDataDirName), { force: true });

    // (5) a new timestamped directory, (6) the payload in it, (7) its ownership
    const tsDir = await mkdtemp(join(this.targetDir, timestampDirPrefix(new Date())));
    const tsDirName = tsDir.slice(this.targetDir.length + 1);
    try {
      await chmod(tsDir, 0o755);
      await this.writePayloadToDir(clean, tsDir);
      if (setPerms !== undefined) await setPerms(tsDir);
      // (8) ..data_tmp -> the new directory, (9) renamed over ..data: the atomic switch
      const newDataDirPath = join(this.targetDir, newDataDirName);
      await symlink(tsDirName, newDataDirPath);
      try {
        await rename(newDataDirPath, dataDirPath);
      } catch (e: unknown) {
        await rm(newDataDirPath, { force: true });
        throw e;
      }
    } catch (e: unknown) {
      await rm(tsDir, { recursive: true, force: true });
      throw e;
    }

    // (10) user-visible symlinks for new top-level names, (11) removal of the dropped ones, (12) the old directory
    await this.createUserVisibleFiles(clean);
    await this.removeUserVisiblePaths(toRemove);
    if (oldTsPath !== '') await rm(oldTsPath, { recursive: true, force: true });
    return true;
  }

  private async pathsToRemove(payload: ReadonlyMap<string, FileProjection>, oldTsPath: string): Promise<Set<string>> {
    let paths: string[];
    try {
      paths = await walk(oldTsPath);
    } catch (e: unknown) {
      if (errCode(e) === 'ENOENT') return new Set();
      throw e;
    }
    const keep = new Set<string>();
    for (const file of payload.keys()) {
      for (let p = file; p !== '.' && p !== ''; p = dirname(p)) keep.add(p);
    }
    return new Set(paths.filter((p) => !keep.has(p)));
  }

  /** shouldWritePayload, and a changed mode counts as a change too. */
  private async shouldWritePayload(payload: ReadonlyMap<string, FileProjection>, oldTsPath: string): Promise<boolean> {
    for (const [p, f] of payload) {
      const full = join(oldTsPath, p);
      let st;
      try {
        st = await lstat(full);
      } catch (e: unknown) {
        if (errCode(e) === 'ENOENT') return true;
        throw e;
      }
      if (!st.isFile() || (st.mode & 0o7777) !== (f.mode & 0o7777)) return true;
      if (!(await readFile(full)).equals(f.data)) return true;
    }
    return false;
  }

  private async visibleFilesExist(payload: ReadonlyMap<string, FileProjection>): Promise<boolean> {
    for (const p of payload.keys()) {
      try {
        await lstat(join(this.targetDir, p.split(sep)[0] ?? p));
      } catch {
        return false;
      }
    }
    return true;
  }

  private async writePayloadToDir(payload: ReadonlyMap<string, FileProjection>, dir: string): Promise<void> {
    for (const [p, f] of payload) {
      const full = join(dir, p);
      await mkdir(dirname(full), { recursive: true, mode: 0o777 });
      await writeFile(full, f.data, { mode: f.mode });
      // writeFile's mode is masked by the umask; the projection's mode is meant exactly.
      await chmod(full, f.mode);
    }
  }

  private async createUserVisibleFiles(payload: ReadonlyMap<string, FileProjection>): Promise<void> {
    for (const p of payload.keys()) {
      const name = p.split(sep)[0] ?? p;
      const visible = join(this.targetDir, name);
      try {
        await readlink(visible);
      } catch (e: unknown) {
        if (errCode(e) !== 'ENOENT') throw e;
        await symlink(join(dataDirName, name), visible);
      }
    }
  }

  /** Only names at the volume's top level are symlinks; deeper paths went with the old directory. */
  private async removeUserVisiblePaths(paths: ReadonlySet<string>): Promise<void> {
    let last: unknown;
    for (const p of paths) {
      if (p.includes(sep)) continue;
      try {
        await unlink(join(this.targetDir, p));
      } catch (e: unknown) {
        if (errCode(e) !== 'ENOENT') last = e;
      }
    }
    if (last !== undefined) throw last;
  }
}
