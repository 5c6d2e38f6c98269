// The CRI conformance suite against the real containerd of this machine: started by k8ts's supervisor with a
// throwaway data dir under /tmp, the busybox and pause images built offline and imported, pods in the host's
// network namespace (no CNI: nothing leaves the machine), container logs under the test's temp dir. Skipped
// only where containerd, runc or busybox-static is not installed, or without root.
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { connectCri } from '../../src/cri/cri-client.js';
import { runtimeServiceConformance } from '../../src/cri/runtime-service.conformance.js';
import { startContainerd } from '../../src/containerd/containerd-process.js';
import { importImageArchive } from '../../src/containerd/images.js';
import { DEFAULT_BUSYBOX_REF, DEFAULT_PAUSE_REF, buildBusyboxImage, buildPauseImage } from '../../src/images/builtin-images.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';

const skipReason = containerdTestSkipReason;

const skip = skipReason();

if (skip !== false) {
  test('the CRI conformance suite runs against containerd', { skip }, () => {});
} else {
  runtimeServiceConformance('containerd', async () => {
    // A short path: containerd's socket lives under it and a unix socket path holds at most 107 bytes.
    const dataDir = await mkdtemp('/tmp/k8ts-cri-');
    const busyboxArchive = join(dataDir, 'busybox.tar');
    const pauseArchive = join(dataDir, 'pause.tar');
    await buildBusyboxImage(busyboxArchive);
    await buildPauseImage(pauseArchive);
    const containerd = await startContainerd({ dataDir, sandboxImage: DEFAULT_PAUSE_REF });
    try {
      await importImageArchive(containerd.socketPath, pauseArchive);
      await importImageArchive(containerd.socketPath, busyboxArchive);
      const client = await connectCri(containerd.socketPath, { timeoutMs: 60_000 });
      return {
        runtime: client,
        images: client,
        runtimeName: 'containerd',
        busyboxImage: DEFAULT_BUSYBOX_REF,
        logRoot: join(dataDir, 'pods'),
        // A registry on the loopback address where nothing listens: the pull fails without a packet leaving the machine.
        missingImage: '127.0.0.1:1/k8ts/does-not-exist:1',
        stop: async () => {
          client.close();
          await containerd.stop();
          await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
        },
      };
    } catch (e: unknown) {
      await containerd.stop();
      throw e;
    }
  });
}
