import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError } from '../container-config.js';
import { isMountPoint, readMountTable } from './mount-table.js';
import { VolumeManager } from './volume-manager.js';
import { VolumeMountError } from './volume-mount-error.js';
import { StaticVolumeObjectLookup } from './volume-object-lookup.js';

const isRoot = process.getuid?.() === 0;
let canMount = false;
if (isRoot) {
  // A container without CAP_SYS_ADMIN is root but cannot mount.
  const probe = await mkdtemp(join(tmpdir(), 'k8ts-mount-probe-'));
  const { mountTmpfs, unmount } = await import('./mount-table.js');
  try {
    await mountTmpfs(probe, 1024 * 1024);
    await unmount(probe);
    canMount = true;
  } catch {
    canMount = false;
  }
  await rm(probe, { recursive: true, force: true });
}
const noMount = canMount ? false : 'needs root with CAP_SYS_ADMIN to mount a tmpfs';

const kubeApiAccess: Volume = {
  name: 'kube-api-access-x7k2p',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};

function podWith(volumes: Volume[], extra: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'pod-uid-1', labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'busybox' }], volumes, ...extra },
  };
}

describe('VolumeManager', () => {
  let root = '';
  let lookup: StaticVolumeObjectLookup;
  let vm: VolumeManager;
  beforeEach(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'k8ts-volumes-')));
    lookup = new StaticVolumeObjectLookup();
    lookup.configMaps.set('default/kube-root-ca.crt', { data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\n' } });
    lookup.configMaps.set('default/app-config', { data: { 'app.yaml': 'port: 80', 'log.yaml': 'level: info' } });
    lookup.secrets.set('default/db', { data: { password: Buffer.from('hunter2').toString('base64') } });
    vm = new VolumeManager({ rootDir: root, nodeName: 'node-1', lookup, tmpfs: canMount, nodeAllocatable: () => ({ cpu: '2', memory: '1Gi' }) });
  });
  afterEach(async () => {
    if (canMount) await vm.tearDown('pod-uid-1');
    await rm(root, { recursive: true, force: true });
  });

  test('volumes are laid out as upstream lays them out, and setting them up again changes nothing', async () => {
    const pod = podWith([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'app-config' } },
      { name: 'creds', secret: { secretName: 'db', defaultMode: 0o400 } },
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      kubeApiAccess,
    ]);
    const vols = await vm.setUp(pod);
    const base = join(root, 'pods/pod-uid-1/volumes');
    assert.deepEqual(Object.fromEntries([...vols].map(([k, v]) => [k, [v.hostPath, v.readOnly]])), {
      scratch: [join(base, 'kubernetes.io~empty-dir/scratch'), false],
      cfg: [join(base, 'kubernetes.io~configmap/cfg'), true],
      creds: [join(base, 'kubernetes.io~secret/creds'), true],
      info: [join(base, 'kubernetes.io~downward-api/info'), true],
      'kube-api-access-x7k2p': [join(base, 'kubernetes.io~projected/kube-api-access-x7k2p'), true],
    });
    assert.equal((await stat(join(base, 'kubernetes.io~empty-dir/scratch'))).mode & 0o777, 0o777);
    assert.equal(await readFile(join(base, 'kubernetes.io~configmap/cfg/app.yaml'), 'utf8'), 'port: 80');
    assert.equal(await readFile(join(base, 'kubernetes.io~secret/creds/password'), 'utf8'), 'hunter2');
    assert.equal((await stat(join(base, 'kubernetes.io~secret/creds/password'))).mode & 0o777, 0o400);
    assert.equal(await readFile(join(base, 'kubernetes.io~downward-api/info/labels'), 'utf8'), 'app="web"');
    const sa = join(base, 'kubernetes.io~projected/kube-api-access-x7k2p');
    assert.equal(await readFile(join(sa, 'ca.crt'), 'utf8'), '-----BEGIN CERTIFICATE-----\n');
    assert.equal(await readFile(join(sa, 'namespace'), 'utf8'), 'default');
    await assert.rejects(lstat(join(sa, 'token')), { code: 'ENOENT' });
    if (canMount) {
      assert.equal(await isMountPoint(join(base, 'kubernetes.io~secret/creds')), true);
      assert.equal(await isMountPoint(join(base, 'kubernetes.io~configmap/cfg')), false);
    }
    const data = await readlink(join(base, 'kubernetes.io~configmap/cfg/..data'));
    await vm.setUp(pod);
    assert.equal(await readlink(join(base, 'kubernetes.io~configmap/cfg/..data')), data);
    if (canMount) assert.equal((await readMountTable()).filter((m) => m.mountPoint === join(base, 'kubernetes.io~secret/creds')).length, 1);
  });

  test('a missing configMap or secret fails the mount with upstream\'s FailedMount messages; an optional one gives an empty volume', async () => {
    const pod = podWith([
      { name: 'cfg', configMap: { name: 'nope' } },
      { name: 'creds', secret: { secretName: 'gone' } },
      { name: 'maybe', configMap: { name: 'nope', optional: true } },
      { name: 'keys', configMap: { name: 'app-config', items: [{ key: 'missing-key', path: 'x' }] } },
    ]);
    const err = await vm.setUp(pod).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof VolumeMountError);
    assert.equal(err.reason, 'FailedMount');
    assert.deepEqual(err.messages, [
      'MountVolume.SetUp failed for volume "cfg" : configmap "nope" not found',
      'MountVolume.SetUp failed for volume "creds" : secret "gone" not found',
      'MountVolume.SetUp failed for volume "keys" : configmap references non-existent config key: missing-key',
    ]);
    const maybe = join(root, 'pods/pod-uid-1/volumes/kubernetes.io~configmap/maybe');
    assert.ok((await lstat(join(maybe, '..data'))).isSymbolicLink());
  });

  test('the kube-api-access volume fails like upstream\'s while kube-root-ca.crt is not published yet', async () => {
    lookup.configMaps.delete('default/kube-root-ca.crt');
    await assert.rejects(vm.setUp(podWith([kubeApiAccess])), {
      messages: ['MountVolume.SetUp failed for volume "kube-api-access-x7k2p" : configmap "kube-root-ca.crt" not found'],
    });
  });

  test('resync swaps in new contents atomically: the old files are gone, the new ones there, ..data moved', async () => {
    const pod = podWith([
      { name: 'cfg', configMap: { name: 'app-config' } },
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    ]);
    await vm.setUp(pod);
    const cfg = join(root, 'pods/pod-uid-1/volumes/kubernetes.io~configmap/cfg');
    const before = await readlink(join(cfg, '..data'));
    lookup.configMaps.set('default/app-config', { data: { 'app.yaml': 'port: 8080', 'new.yaml': 'n: 1' } });
    await vm.resync({ ...pod, metadata: { ...pod.metadata, labels: { app: 'web', tier: 'front' } } });
    const after = await readlink(join(cfg, '..data'));
    assert.notEqual(after, before);
    await assert.rejects(lstat(join(cfg, before)), { code: 'ENOENT' });
    await assert.rejects(lstat(join(cfg, 'log.yaml')), { code: 'ENOENT' });
    assert.equal(await readFile(join(cfg, 'app.yaml'), 'utf8'), 'port: 8080');
    assert.equal(await readFile(join(cfg, 'new.yaml'), 'utf8'), 'n: 1');
    assert.equal(await readFile(join(root, 'pods/pod-uid-1/volumes/kubernetes.io~downward-api/info/labels'), 'utf8'), 'app="web"\ntier="front"');
  });

  test('a resync that cannot read its configMap keeps the previous contents and reports the failure', async () => {
    const pod = podWith([{ name: 'cfg', configMap: { name: 'app-config' } }]);
    await vm.setUp(pod);
    lookup.configMaps.delete('default/app-config');
    await assert.rejects(vm.resync(pod), { messages: ['MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found'] });
    assert.equal(await readFile(join(root, 'pods/pod-uid-1/volumes/kubernetes.io~configmap/cfg/app.yaml'), 'utf8'), 'port: 80');
  });

  test('hostPath volumes are the host path itself after the type check', async () => {
    const host = join(root, 'host-data');
    const vols = await vm.setUp(podWith([{ name: 'h', hostPath: { path: host, type: 'DirectoryOrCreate' } }]));
    assert.deepEqual(vols.get('h'), { hostPath: host, readOnly: false, plugin: 'kubernetes.io/host-path' });
    assert.ok((await stat(host)).isDirectory());
    await assert.rejects(vm.setUp(podWith([{ name: 'f', hostPath: { path: host, type: 'File' } }])), {
      messages: [`MountVolume.SetUp failed for volume "f" : hostPath type check failed: ${host} is not a file`],
    });
  });

  test('a claim bound to a hostPath or local PV mounts that path; an unbound claim is reported as upstream reports it', async () => {
    const hp = join(root, 'pv-hostpath');
    const local = join(root, 'pv-local');
    await mkdir(hp);
    await mkdir(local);
    lookup.claims.set('default/data', { metadata: { name: 'data', namespace: 'default', uid: 'c1' }, spec: { volumeName: 'pv-1' }, status: { phase: 'Bound' } });
    lookup.volumes.set('pv-1', { metadata: { name: 'pv-1' }, spec: { hostPath: { path: hp }, claimRef: { uid: 'c1' } } });
    lookup.claims.set('default/fast', { metadata: { name: 'fast', namespace: 'default', uid: 'c2' }, spec: { volumeName: 'pv-2' }, status: { phase: 'Bound' } });
    lookup.volumes.set('pv-2', { metadata: { name: 'pv-2' }, spec: { local: { path: local }, claimRef: { uid: 'c2' } } });
    lookup.claims.set('default/pending', { metadata: { name: 'pending', namespace: 'default', uid: 'c3' }, spec: {}, status: { phase: 'Pending' } });
    const vols = await vm.setUp(podWith([
      { name: 'a', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'b', persistentVolumeClaim: { claimName: 'fast', readOnly: true } },
    ]));
    assert.deepEqual(vols.get('a'), { hostPath: hp, readOnly: false, plugin: 'kubernetes.io/host-path' });
    assert.deepEqual(vols.get('b'), { hostPath: local, readOnly: true, plugin: 'kubernetes.io/local-volume' });
    await assert.rejects(vm.setUp(podWith([
      { name: 'p', persistentVolumeClaim: { claimName: 'pending' } },
      { name: 'q', persistentVolumeClaim: { claimName: 'absent' } },
      { name: 'ok', emptyDir: {} },
    ])), {
      messages: [
        'Unable to attach or mount volumes: unmounted volumes=[p q], unattached volumes=[], failed to process volumes=[p q]: ' +
          'error processing PVC default/pending: PVC is not bound; error processing PVC default/absent: failed to fetch PVC from API server: persistentvolumeclaims "absent" not found',
      ],
    });
    await rm(local, { recursive: true });
    await assert.rejects(vm.setUp(podWith([{ name: 'b', persistentVolumeClaim: { claimName: 'fast' } }])), {
      messages: [`MountVolume.NewMounter initialization failed for volume "pv-2" : path "${local}" does not exist`],
    });
  });

  test('a volume type without a plugin here is reported as upstream reports it', async () => {
    await assert.rejects(vm.setUp(podWith([{ name: 'nfs', nfs: { server: '10.0.0.1', path: '/x' } }])), {
      messages: ['Unable to attach or mount volumes: unmounted volumes=[nfs], unattached volumes=[], failed to process volumes=[nfs]: failed to get Plugin from volumeSpec for volume "nfs" err=no volume plugin matched'],
    });
  });

  test('mounts follow the volumeMounts: read-only from the mount or the volume, propagation, subPath inside the volume', async () => {
    const pod = podWith([{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'app-config' } }]);
    const container = {
      name: 'app',
      volumeMounts: [
        { name: 'scratch', mountPath: '/work', mountPropagation: 'HostToContainer' },
        { name: 'scratch', mountPath: 'logs', subPathExpr: 'logs/$(POD_NAME)', readOnly: true },
        { name: 'cfg', mountPath: '/etc/app.yaml', subPath: 'app.yaml' },
      ],
    };
    const vols = await vm.setUp(pod);
    const mounts = await vm.mountsFor(pod, container, vols, new Map([['POD_NAME', 'web']]));
    const scratch = vols.get('scratch')?.hostPath ?? '';
    const cfg = vols.get('cfg')?.hostPath ?? '';
    const data = await readlink(join(cfg, '..data'));
    assert.deepEqual(mounts, [
      { containerPath: '/work', hostPath: scratch, readonly: false, selinuxRelabel: false, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
      { containerPath: '/logs', hostPath: join(scratch, 'logs/web'), readonly: true, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE' },
      { containerPath: '/etc/app.yaml', hostPath: join(cfg, data, 'app.yaml'), readonly: true, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE' },
    ]);
    assert.ok((await stat(join(scratch, 'logs/web'))).isDirectory());
  });

  test('mounts that cannot be made are CreateContainerConfigErrors with upstream\'s messages', async () => {
    const pod = podWith([{ name: 'scratch', emptyDir: {} }]);
    const vols = await vm.setUp(pod);
    const scratch = vols.get('scratch')?.hostPath ?? '';
    const { symlink } = await import('node:fs/promises');
    await symlink('/etc', join(scratch, 'escape'));
    const cases: [object, string][] = [
      [{ name: 'other', mountPath: '/x' }, 'cannot find volume "other" to mount into container "app"'],
      [{ name: 'scratch', mountPath: '/x', subPath: 'escape' }, 'failed to prepare subPath for volumeMount "scratch" of container "app"'],
      [{ name: 'scratch', mountPath: '/x', subPath: '../x' }, "unable to provision SubPath `../x`: must not contain '..'"],
      [{ name: 'scratch', mountPath: '/x', mountPropagation: 'Sideways' }, 'invalid MountPropagation mode: "Sideways"'],
      [{ name: 'scratch', mountPath: '/x', readOnly: true, recursiveReadOnly: 'Enabled' }, 'failed to resolve recursive read-only mode: volume "scratch" requested recursive read-only mode, but it is not supported by the runtime'],
      [{ name: 'scratch', mountPath: '/x', recursiveReadOnly: 'IfPossible' }, 'failed to resolve recursive read-only mode: volume "scratch" requested recursive read-only mode, but it is not read-only'],
    ];
    for (const [mount, message] of cases) {
      await assert.rejects(vm.mountsFor(pod, { name: 'app', volumeMounts: [mount as { name: string; mountPath: string }] }, vols), (e: unknown) => {
        assert.ok(e instanceof ContainerConfigError);
        assert.equal(e.message, message);
        return true;
      });
    }
    const ifPossible = await vm.mountsFor(pod, { name: 'app', volumeMounts: [{ name: 'scratch', mountPath: '/x', readOnly: true, recursiveReadOnly: 'IfPossible' }] }, vols);
    assert.equal(ifPossible[0]?.recursiveReadOnly, undefined);
  });

  test('fsGroup gives the volume\'s files that group, g+rw on an emptyDir and g+r on a secret, setgid on directories', { skip: isRoot ? false : 'chown to another group needs root' }, async () => {
    const pod = podWith([{ name: 'scratch', emptyDir: {} }, { name: 'creds', secret: { secretName: 'db', defaultMode: 0o400 } }], { securityContext: { fsGroup: 2000 } });
    const vols = await vm.setUp(pod);
    const scratch = await stat(vols.get('scratch')?.hostPath ?? '');
    assert.equal(scratch.gid, 2000);
    assert.equal(scratch.mode & 0o2000, 0o2000);
    const pw = await stat(join(vols.get('creds')?.hostPath ?? '', 'password'));
    assert.equal(pw.gid, 2000);
    assert.equal(pw.mode & 0o777, 0o440);
  });

  test('an emptyDir of medium Memory is a tmpfs of the sizeLimit, unmounted and removed by tearDown', { skip: noMount }, async () => {
    const pod = podWith([{ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }, { name: 'creds', secret: { secretName: 'db' } }]);
    const vols = await vm.setUp(pod);
    const shm = vols.get('shm')?.hostPath ?? '';
    const entry = (await readMountTable()).find((m) => m.mountPoint === shm);
    assert.equal(entry?.fsType, 'tmpfs');
    assert.match(entry?.options ?? '', /size=16384k/);
    await writeFile(join(shm, 'x'), 'in memory');
    await vm.setUp(pod);
    assert.equal(await readFile(join(shm, 'x'), 'utf8'), 'in memory');
    await vm.tearDown('pod-uid-1');
    const left = (await readMountTable()).filter((m) => m.mountPoint.startsWith(join(root, 'pods')));
    assert.deepEqual(left, []);
    await assert.rejects(stat(join(root, 'pods/pod-uid-1')), { code: 'ENOENT' });
  });

  test('without tmpfs an emptyDir of medium Memory fails to set up and a secret stays on disk', async () => {
    const disk = new VolumeManager({ rootDir: root, nodeName: 'node-1', lookup, tmpfs: false });
    await assert.rejects(disk.setUp(podWith([{ name: 'shm', emptyDir: { medium: 'Memory' } }])), {
      messages: ['MountVolume.SetUp failed for volume "shm" : emptyDir medium Memory needs a tmpfs mount, which this kubelet cannot make (not root)'],
    });
    const vols = await disk.setUp(podWith([{ name: 'creds', secret: { secretName: 'db' } }]));
    assert.equal(await isMountPoint(vols.get('creds')?.hostPath ?? ''), false);
    assert.equal(await readFile(join(vols.get('creds')?.hostPath ?? '', 'password'), 'utf8'), 'hunter2');
  });

  test('the pods with volumes on disk are listed; tearDown removes the pod\'s directory, is idempotent, and refuses a UID that is not a plain name', async () => {
    assert.deepEqual(await vm.podUidsOnDisk(), []);
    await vm.setUp(podWith([{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'app-config' } }]));
    assert.deepEqual(await vm.podUidsOnDisk(), ['pod-uid-1']);
    await vm.tearDown('pod-uid-1');
    await assert.rejects(stat(join(root, 'pods/pod-uid-1')), { code: 'ENOENT' });
    await vm.tearDown('pod-uid-1');
    assert.throws(() => vm.podDir('../etc'), { message: 'invalid pod UID "../etc"' });
  });
});
