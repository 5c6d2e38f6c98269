// The volumes in a real container: containerd started by k8ts's supervisor with a throwaway data dir, the busybox and
// pause images built offline, a host-network sandbox (nothing leaves the machine). A configMap volume mounted as a
// directory sees a resync inside the running container; its subPath mount, a memory emptyDir and the read-only flag
// behave as upstream's do. Skipped where containerd, runc or busybox-static is missing, or without root.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { connectCri, type CriClient } from '../../cri/index.js';
import { busyboxContainerConfig, hostNetworkSandboxConfig } from '../../cri/runtime-service.conformance.js';
import { resolveContainerdBinaries } from '../../containerd/containerd-binaries.js';
import { startContainerd, type ContainerdProcess } from '../../containerd/containerd-process.js';
import { importImageArchive } from '../../containerd/images.js';
import { BUSYBOX_PATH, DEFAULT_BUSYBOX_REF, DEFAULT_PAUSE_REF, buildBusyboxImage, buildPauseImage } from '../../images/builtin-images.js';
import { VolumeManager } from './volume-manager.js';
import { StaticVolumeObjectLookup } from './volume-object-lookup.js';

function skipReason(): string | false {
  try {
    resolveContainerdBinaries();
  } catch (e: unknown) {
    return e instanceof Error ? e.message : String(e);
  }
  if (!existsSync(BUSYBOX_PATH)) return `${BUSYBOX_PATH} is missing: apt-get install busybox-static`;
  if (process.getuid?.() !== 0) return 'containerd and tmpfs mounts need root';
  return false;
}

describe('volumes in a containerd container', { skip: skipReason() }, () => {
  let dataDir = '';
  let containerd: ContainerdProcess | undefined;
  let cri: CriClient | undefined;

  before(async () => {
    dataDir = await mkdtemp('/tmp/k8ts-vol-');
    await buildBusyboxImage(join(dataDir, 'busybox.tar'));
    await buildPauseImage(join(dataDir, 'pause.tar'));
    containerd = await startContainerd({ dataDir, sandboxImage: DEFAULT_PAUSE_REF });
    await importImageArchive(containerd.socketPath, join(dataDir, 'pause.tar'));
    await importImageArchive(containerd.socketPath, join(dataDir, 'busybox.tar'));
    cri = await connectCri(containerd.socketPath, { timeoutMs: 60_000 });
  });
  after(async () => {
    cri?.close();
    await containerd?.stop();
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  });

  test('a configMap directory mount follows a resync, its subPath mount keeps the old file, read-only holds, emptyDir is shared with the host', async () => {
    const runtime = cri as CriClient;
    const lookup = new StaticVolumeObjectLookup();
    lookup.configMaps.set('default/app', { data: { 'app.yaml': 'v: 1' } });
    const vm = new VolumeManager({ rootDir: join(dataDir, 'kubelet'), nodeName: 'node-1', lookup });
    const container: Container = {
      name: 'app',
      volumeMounts: [
        { name: 'cfg', mountPath: '/etc/cfg' },
        { name: 'cfg', mountPath: '/etc/app.yaml', subPath: 'app.yaml' },
        { name: 'shm', mountPath: '/shm' },
      ],
    };
    const pod: Pod = {
      metadata: { name: 'vol', namespace: 'default', uid: 'uid-vol' },
      spec: { containers: [container], volumes: [{ name: 'cfg', configMap: { name: 'app' } }, { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }] },
    };
    const vols = await vm.setUp(pod);
    const mounts = await vm.mountsFor(pod, container, vols);
    const sb = hostNetworkSandboxConfig(join(dataDir, 'pods'), 'vol');
    await mkdir(sb.logDirectory ?? '', { recursive: true });
    const { podSandboxId } = await runtime.runPodSandbox({ config: sb });
    try {
      const config = { ...busyboxContainerConfig(DEFAULT_BUSYBOX_REF, 'app', ['sleep', '60']), mounts };
      const { containerId } = await runtime.createContainer({ podSandboxId, config, sandboxConfig: sb });
      await runtime.startContainer({ containerId });
      const sh = async (script: string): Promise<string> => {
        const r = await runtime.execSync({ containerId, cmd: ['sh', '-c', script], timeout: '10' });
        return Buffer.from(r.stdout).toString('utf8') + Buffer.from(r.stderr).toString('utf8');
      };
      assert.equal(await sh('cat /etc/cfg/app.yaml; echo; cat /etc/app.yaml'), 'v: 1\nv: 1');
      assert.match(await sh('touch /etc/cfg/new 2>&1 || echo refused'), /refused/);
      assert.match(await sh('grep " /shm " /proc/mounts'), /^tmpfs \/shm tmpfs /);
      await sh('echo from-container > /shm/out');
      assert.equal(await readFile(join(vols.get('shm')?.hostPath ?? '', 'out'), 'utf8'), 'from-container\n');

      lookup.configMaps.set('default/app', { data: { 'app.yaml': 'v: 2' } });
      await vm.resync(pod);
      assert.equal(await sh('cat /etc/cfg/app.yaml; echo; cat /etc/app.yaml'), 'v: 2\nv: 1');
      await runtime.stopContainer({ containerId, timeout: '0' });
      await runtime.removeContainer({ containerId });
    } finally {
      await runtime.stopPodSandbox({ podSandboxId });
      await runtime.removePodSandbox({ podSandboxId });
      await vm.tearDown('uid-vol');
    }
  });
});
