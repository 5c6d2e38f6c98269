// Why a test that needs the real containerd cannot run here, or false when it can: the one check every such test
// makes (containerd and runc installed, busybox-static for the images the tests build, root).
import { existsSync } from 'node:fs';
import { BUSYBOX_PATH } from '../images/builtin-images.js';
import { resolveContainerdBinaries } from './containerd-binaries.js';

export function containerdTestSkipReason(): string | false {
  try {
    resolveContainerdBinaries();
  } catch (e: unknown) {
    return e instanceof Error ? e.message : String(e);
  }
  if (!existsSync(BUSYBOX_PATH)) return `${BUSYBOX_PATH} is missing: apt-get install busybox-static`;
  if (process.getuid?.() !== 0) return 'containerd and the node agent need root';
  return false;
}
