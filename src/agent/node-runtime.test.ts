// startNodeRuntime against the real containerd of this machine (skipped where containerd, runc or busybox-static is
// missing, or without root): the sandbox image is built when absent, DATA_DIR/images/*.tar are imported at start,
// and stop() ends containerd.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { containerdPaths } from '../containerd/containerd-config.js';
import { DEFAULT_PAUSE_REF, buildBusyboxImage } from '../images/builtin-images.js';
import { imageArchives, startNodeRuntime } from './node-runtime.js';
import { containerdTestSkipReason } from '../containerd/live-test-skip.js';
import { processAlive } from '../machinery/process-alive.js';

const skipReason = containerdTestSkipReason;

describe('the node runtime', () => {
  test('only the .tar files of the images directory are archives to import, in name order', async () => {
    const dir = await mkdtemp('/tmp/k8ts-images-');
    try {
      for (const f of ['b.tar', 'a.tar', 'notes.txt']) writeFileSync(join(dir, f), '');
      assert.deepEqual(imageArchives(dir), [join(dir, 'a.tar'), join(dir, 'b.tar')]);
      assert.deepEqual(imageArchives(join(dir, 'missing')), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const skip = skipReason();
  test('starts containerd with the sandbox image built and the images directory imported, and stops it', { skip, timeout: 120_000 }, async () => {
    const dataDir = await mkdtemp('/tmp/k8ts-agent-');
    try {
      mkdirSync(join(dataDir, 'images'));
      await buildBusyboxImage(join(dataDir, 'images', 'busybox.tar'), 'docker.io/library/busybox:1.36');
      const rt = await startNodeRuntime({ dataDir });
      const pid = Number(readFileSync(containerdPaths(dataDir).pidFile, 'utf8').trim());
      try {
        assert.equal(rt.sandboxImage, DEFAULT_PAUSE_REF);
        assert.notEqual((await rt.cri.imageStatus({ image: { image: DEFAULT_PAUSE_REF } })).image, undefined);
        assert.notEqual((await rt.cri.imageStatus({ image: { image: 'docker.io/library/busybox:1.36' } })).image, undefined);
        assert.ok(processAlive(pid), 'containerd runs');
      } finally {
        await rt.stop();
      }
      assert.equal(processAlive(pid), false, 'containerd stopped');
    } finally {
      await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    }
  });
});
