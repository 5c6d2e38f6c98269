// Finds the binaries the node agent runs: containerd and ctr (Debian package containerd) and runc (package runc).

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ContainerdBinaries {
  containerd: string;
  ctr: string;
  runc: string;
}

/** The dirs searched: the PATH given, then /usr/sbin and /usr/bin (runc is in /usr/sbin, often not on a user's PATH). */
export function binarySearchDirs(pathVariable: string | undefined = process.env['PATH']): string[] {
  const dirs = (pathVariable ?? '').split(delimiter).filter((d) => d !== '');
  return [...new Set([...dirs, '/usr/sbin', '/usr/bin'])];
}

/** The first executable regular file called `name` in `dirs`, or undefined. */
export function findBinary(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch (e: unknown) {
      continue;
    }
  }
  return undefined;
}

/**
 * Resolves containerd, ctr and runc, or throws naming what is missing and the Debian packages to install:
 * `containerd is not installed: apt-get install containerd runc`.
 */
export function resolveContainerdBinaries(dirs: readonly string[] = binarySearchDirs()): ContainerdBinaries {
  const containerd = findBinary('containerd', dirs);
  const ctr = findBinary('ctr', dirs);
  const runc = findBinary('runc', dirs);
  const missing: string[] = [];
  if (containerd === undefined) missing.push('containerd');
  else if (ctr === undefined) missing.push('ctr (from containerd)');
  if (runc === undefined) missing.push('runc');
  if (containerd === undefined || ctr === undefined || runc === undefined) {
    const verb = missing.length > 1 ? 'are' : 'is';
    throw new Error(`${missing.join(' and ')} ${verb} not installed: apt-get install containerd runc`);
  }
  return { containerd, ctr, runc };
}
