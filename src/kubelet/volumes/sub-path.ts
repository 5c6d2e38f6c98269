// A volumeMount's subPath as kubelet_pods.go makeMounts handles it: not absolute, no `..`, created when missing (with
// the volume's mode, never through a symlink leading out of the volume), and the path handed to the runtime is the
// fully resolved one, refused when it lies outside the volume. The messages are upstream's; the detail of a refused
// path is not shown to the user (it would tell about the host's filesystem).
import { chmod, lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { ContainerConfigError } from '../container-config.js';
import { validatePathNoBacksteps } from './host-path.js';

const errCode = (e: unknown): string | undefined => (e instanceof Error && 'code' in e ? String((e as NodeJS.ErrnoException).code) : undefined);

/** mount.PathWithinBase: path equals base or lies below it (both already resolved). */
export function pathWithinBase(path: string, base: string): boolean {
  const rel = relative(base, path);
  return !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
}

/** ExpandContainerVolumeMounts: $(VAR) from the container's env; a missing or empty variable is an error. */
export function expandSubPathExpr(expr: string, env: ReadonlyMap<string, string>): string {
  const missing = new Set<string>();
  let out = '';
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (ch !== '$' || i + 1 >= expr.length) {
      out += ch;
      continue;
    }
    const next = expr[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = expr.indexOf(')', i + 2);
      if (end === -1) {
        out += expr.slice(i);
        break;
      }
      const name = expr.slice(i + 2, end);
      const v = env.get(name);
      if (v === undefined || v === '') missing.add(name);
      out += v ?? '';
      i = end;
    } else {
      out += ch;
    }
  }
  if (missing.size > 0) throw new ContainerConfigError(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

/** SafeMakeDir: the missing components of subPath created below the volume, none of them reached through an escaping symlink. */
async function safeMakeDir(subPath: string, volumePath: string, mode: number): Promise<void> {
  const base = await realpath(volumePath);
  const parts = subPath.split('/').filter((p) => p !== '' && p !== '.');
  let current = base;
  for (const part of parts) {
    const next = join(current, part);
    let st;
    try {
      st = await lstat(next);
    } catch (e: unknown) {
      if (errCode(e) !== 'ENOENT') throw e;
    }
    if (st === undefined) {
      await mkdir(next, { mode });
      await chmod(next, mode);
      current = next;
      continue;
    }
    const resolved = st.isSymbolicLink() ? await realpath(next) : next;
    if (!pathWithinBase(resolved, base)) throw new Error(`path ${resolved} is outside of allowed base ${base}`);
    if (!(await stat(resolved)).isDirectory()) throw new Error(`${resolved} is not a directory`);
    current = resolved;
  }
}

/** The host path of a subPath of a set-up volume, for the runtime to bind-mount. Throws ContainerConfigError. */
export async function resolveSubPath(volumePath: string, subPath: string, mountName: string, containerName: string): Promise<string> {
  if (isAbsolute(subPath)) throw new ContainerConfigError(`error SubPath \`${subPath}\` must not be an absolute path`);
  try {
    validatePathNoBacksteps(subPath);
  } catch (e: unknown) {
    throw new ContainerConfigError(`unable to provision SubPath \`${subPath}\`: ${e instanceof Error ? e.message : String(e)}`);
  }
  const hostPath = join(volumePath, subPath);
  let exists = true;
  try {
    await stat(hostPath);
  } catch {
    exists = false;
  }
  if (!exists) {
    try {
      await safeMakeDir(subPath, volumePath, (await stat(volumePath)).mode & 0o7777);
    } catch {
      throw new ContainerConfigError(`failed to create subPath directory for volumeMount ${JSON.stringify(mountName)} of container ${JSON.stringify(containerName)}`);
    }
  }
  const prepareError = new ContainerConfigError(`failed to prepare subPath for volumeMount ${JSON.stringify(mountName)} of container ${JSON.stringify(containerName)}`);
  let base: string;
  let resolved: string;
  try {
    base = await realpath(volumePath);
    resolved = await realpath(hostPath);
  } catch {
    throw prepareError;
  }
  if (!pathWithinBase(resolved, base)) throw prepareError;
  return resolved;
}
