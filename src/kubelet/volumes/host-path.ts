// The hostPath plugin's SetUp (pkg/volume/hostpath/host_path.go): no backsteps in the path, then the type check of
// checkTypeInternal with upstream's messages; DirectoryOrCreate makes the directory (0755), FileOrCreate the file (0644).
import { mkdir, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

/** ValidatePathNoBacksteps: no `..` element. */
export function validatePathNoBacksteps(p: string): void {
  if (p.split('/').includes('..')) throw new Error("must not contain '..'");
}

async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

export async function checkHostPath(path: string, type: string | undefined): Promise<void> {
  try {
    validatePathNoBacksteps(path);
  } catch (e: unknown) {
    throw new Error(`invalid HostPath \`${path}\`: ${e instanceof Error ? e.message : String(e)}`);
  }
  const t = type ?? '';
  if (t === '') return;
  const st = await statOf(path);
  switch (t) {
    case 'DirectoryOrCreate':
      if (st === undefined) {
        await mkdir(path, { recursive: true, mode: 0o755 });
        return;
      }
    // falls through
    case 'Directory':
      if (st?.isDirectory() !== true) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'FileOrCreate':
      if (st === undefined) {
        await (await open(path, 'a', 0o644)).close();
        return;
      }
    // falls through
    case 'File':
      if (st?.isFile() !== true) throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Socket':
      if (st?.isSocket() !== true) throw new Error(`hostPath type check failed: ${path} is not a socket file`);
      return;
    case 'CharDevice':
      if (st?.isCharacterDevice() !== true) throw new Error(`hostPath type check failed: ${path} is not a character device`);
      return;
    case 'BlockDevice':
      if (st?.isBlockDevice() !== true) throw new Error(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
      throw new Error(`${t} is an invalid volume type`);
  }
}
