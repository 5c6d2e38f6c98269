// The pod-level cgroup's removal once the pod's containers and sandboxes are gone (upstream's podContainerManager
// Destroy): runc removes each container's cgroup, but the pod's own directory (the containers' cgroupParent) stays
// behind in every hierarchy unless the kubelet removes it. cgroupfs lets an empty cgroup be removed with rmdir even
// though it lists control files; a cgroup that still has processes or child cgroups in use answers EBUSY and stays.
import { readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

function code(e: unknown): string | undefined {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' ? c : undefined;
}

/** Removes `dir` and the cgroups below it, deepest first. Returns the directories that could not be removed. */
async function removeTree(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e: unknown) {
    if (code(e) === 'ENOENT') return [];
    return [dir];
  }
  const left: string[] = [];
  for (const ent of entries) if (ent.isDirectory()) left.push(...(await removeTree(join(dir, ent.name))));
  try {
    await rmdir(dir);
  } catch (e: unknown) {
    if (code(e) !== 'ENOENT') left.push(dir);
  }
  return left;
}

/**
 * Removes the cgroup `parent` (e.g. /k8ts/podUID) from every hierarchy mounted under `root`: each controller's
 * directory on cgroup v1, the unified tree on v2. Returns the directories left (busy), empty when all went.
 */
export async function removePodCgroup(parent: string, root = '/sys/fs/cgroup'): Promise<string[]> {
  const rel = parent.replace(/^\/+/, '');
  if (rel === '' || rel.split('/').includes('..')) throw new Error(`refusing to remove cgroup ${JSON.stringify(parent)}`);
  const hierarchies: string[] = [];
  try {
    await stat(join(root, 'cgroup.controllers'));
    hierarchies.push(root); // cgroup v2: one tree
  } catch {
    for (const ent of await readdir(root, { withFileTypes: true }).catch(() => [])) {
      if (ent.isDirectory()) hierarchies.push(join(root, ent.name));
    }
  }
  const left: string[] = [];
  for (const h of hierarchies) left.push(...(await removeTree(join(h, rel))));
  return left;
}
