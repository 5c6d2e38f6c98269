// The kubelet's volumes for a pod, as upstream's volume manager and in-tree plugins do them on one node:
// ROOT/pods/UID/volumes/kubernetes.io~PLUGIN/NAME directories for emptyDir (disk, or a tmpfs for medium Memory),
// configMap, secret, downwardAPI and projected (contents through the AtomicWriter, refreshed by resync), hostPath with
// its type check, and persistentVolumeClaims (and generic ephemeral volumes) bound to hostPath or local PVs. The
// container mounts come from mountsFor (kubelet_pods.go makeMounts); tearDown unmounts and removes the pod's directory.
import { chmod, lchown, lstat, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Container, PersistentVolume, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { RestClient } from '../../client/rest-client.js';
import type { Mount, MountPropagation } from '../../cri/index.js';
import { parseQuantity } from '../../machinery/quantity.js';
import { ContainerConfigError } from '../container-config.js';
import { AtomicWriter, dataDirName, type FileProjection } from './atomic-writer.js';
import { aggregateMessage, downwardApiPayload, type ResourceList } from './downward-api.js';
import { checkHostPath } from './host-path.js';
import { isMountPoint, mountPointsUnder, mountTmpfs, unmount } from './mount-table.js';
import { configMapPayload, defaultVolumeMode, secretPayload } from './object-payload.js';
import { expandSubPathExpr, resolveSubPath } from './sub-path.js';
import { restVolumeObjectLookup, type VolumeObjectLookup } from './volume-object-lookup.js';
import { VolumeMountError, type VolumeFailure, type VolumeFailureStage } from './volume-mount-error.js';

/** A set-up volume: where it is on the host, whether every mount of it must be read-only, and its plugin. */
export interface PodVolume {
  hostPath: string;
  readOnly: boolean;
  plugin: string;
}

export interface VolumeManagerOptions {
  /** The kubelet's root dir: volumes go under ROOT/pods/UID/volumes. */
  rootDir: string;
  nodeName: string;
  /** Reads configMaps, secrets, claims and PVs from the API server (unless lookup is given). */
  client?: RestClient;
  /** Where configMaps, secrets, claims and PVs come from; takes precedence over client. */
  lookup?: VolumeObjectLookup;
  /** The node's allocatable resources (downwardAPI limits of containers without one, tmpfs sizes); default the machine's cores and memory. */
  nodeAllocatable?: () => ResourceList;
  /**
   * Whether tmpfs mounts can be made (needs root). Without, an emptyDir of medium Memory fails to set up, and secret,
   * downwardAPI and projected volumes (tmpfs-backed upstream) are kept on disk. Default: running as root.
   */
  tmpfs?: boolean;
  /** Whether the runtime supports recursive read-only mounts (containerd 1.6 does not); default false. */
  runtimeSupportsRecursiveReadOnly?: boolean;
}

class Failure extends Error {
  constructor(readonly stage: VolumeFailureStage, readonly specName: string, message: string) {
    super(message);
  }
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const errCode = (e: unknown): string | undefined => (e instanceof Error && 'code' in e ? String((e as NodeJS.ErrnoException).code) : undefined);

export const pluginDirs = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

/** The pod memory limit as the pod cgroup gets it: the containers' limits summed (or the largest init container's), only when every container has one. */
function podMemoryLimit(pod: Pod): number | undefined {
  const limit = (c: Container): number | undefined => {
    const v = c.resources?.limits?.['memory'];
    return v === undefined ? undefined : Number(parseQuantity(String(v)).value());
  };
  let sum = 0;
  for (const c of pod.spec?.containers ?? []) {
    const l = limit(c);
    if (l === undefined || l === 0) return undefined;
    sum += l;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const l = limit(c);
    if (l === undefined || l === 0) return undefined;
    sum = Math.max(sum, l);
  }
  return sum > 0 ? sum : undefined;
}

/** SetVolumeOwnership: group fsGroup on everything, g+rw (g+r when read-only) on files, setgid and g+x on directories; symlinks only chowned. */
async function setVolumeOwnership(dir: string, fsGroup: number, readOnly: boolean): Promise<void> {
  const mask = readOnly ? 0o440 : 0o660;
  const visit = async (path: string): Promise<void> => {
    const st = await lstat(path);
    await lchown(path, -1, fsGroup);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      await chmod(path, (st.mode & 0o7777) | mask | 0o2000 | 0o110);
      for (const name of await readdir(path)) await visit(join(path, name));
    } else {
      await chmod(path, (st.mode & 0o7777) | mask);
    }
  };
  await visit(dir);
}

/** The uid as a directory name: nothing that could leave ROOT/pods. */
function checkUid(uid: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(uid) || uid.includes('..')) throw new Error(`invalid pod UID ${JSON.stringify(uid)}`);
}

export class VolumeManager {
  readonly rootDir: string;
  private readonly lookup: VolumeObjectLookup;
  private readonly tmpfs: boolean;
  private readonly allocatable: () => ResourceList;
  private readonly rro: boolean;
  /** Serializes the work on each pod (the AtomicWriter needs its caller to). */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(opts: VolumeManagerOptions) {
    this.rootDir = opts.rootDir;
    if (opts.lookup !== undefined) this.lookup = opts.lookup;
    else if (opts.client !== undefined) this.lookup = restVolumeObjectLookup(opts.client);
    else throw new Error('VolumeManager needs a client or a lookup');
    this.tmpfs = opts.tmpfs ?? process.getuid?.() === 0;
    this.allocatable = opts.nodeAllocatable ?? ((): ResourceList => ({ cpu: String(cpus().length), memory: String(totalmem()) }));
    this.rro = opts.runtimeSupportsRecursiveReadOnly ?? false;
  }

  /** ROOT/pods/UID */
  podDir(uid: string): string {
    checkUid(uid);
    return join(this.rootDir, 'pods', uid);
  }

  /** ROOT/pods/UID/volumes/PLUGIN/NAME */
  volumeDir(uid: string, plugin: string, name: string): string {
    return join(this.podDir(uid), 'volumes', plugin, name);
  }

  private async locked<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(uid) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(uid, tail);
    void tail.then(() => {
      if (this.locks.get(uid) === tail) this.locks.delete(uid);
    });
    return run;
  }

  /**
   * Sets up every volume of the pod (idempotent: the kubelet may call it on every sync) and returns them by name.
   * Throws a VolumeMountError naming every volume that failed; the pod must not start then.
   */
  setUp(pod: Pod): Promise<Map<string, PodVolume>> {
    const uid = pod.metadata?.uid ?? '';
    return this.locked(uid, async () => {
      const out = new Map<string, PodVolume>();
      const failures: VolumeFailure[] = [];
      for (const vol of pod.spec?.volumes ?? []) {
        try {
          out.set(vol.name, await this.setUpVolume(pod, vol));
        } catch (e: unknown) {
          failures.push(e instanceof Failure ? { volume: vol.name, specName: e.specName, stage: e.stage, error: e.message } : { volume: vol.name, specName: vol.name, stage: 'setUp', error: errText(e) });
        }
      }
      if (failures.length > 0) throw new VolumeMountError(failures);
      return out;
    });
  }

  /**
   * Refreshes the contents of the pod's set-up configMap, secret, downwardAPI and projected volumes (each an atomic
   * swap; unchanged contents are not rewritten). Throws a VolumeMountError for those that could not be refreshed;
   * their previous contents stay.
   */
  resync(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    return this.locked(uid, async () => {
      const failures: VolumeFailure[] = [];
      for (const vol of pod.spec?.volumes ?? []) {
        const plugin = vol.configMap !== undefined ? pluginDirs.configMap : vol.secret !== undefined ? pluginDirs.secret
          : vol.downwardAPI !== undefined ? pluginDirs.downwardAPI : vol.projected !== undefined ? pluginDirs.projected : undefined;
        if (plugin === undefined) continue;
        try {
          await lstat(join(this.volumeDir(uid, plugin, vol.name), dataDirName));
        } catch {
          continue;
        }
        try {
          await this.setUpVolume(pod, vol);
        } catch (e: unknown) {
          failures.push({ volume: vol.name, specName: vol.name, stage: 'setUp', error: errText(e) });
        }
      }
      if (failures.length > 0) throw new VolumeMountError(failures);
    });
  }

  /** The UIDs that have a directory under ROOT/pods: after a restart, those of pods gone from the node are for tearDown. */
  async podUidsOnDisk(): Promise<string[]> {
    try {
      return (await readdir(join(this.rootDir, 'pods'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (e: unknown) {
      if (errCode(e) === 'ENOENT') return [];
      throw e;
    }
  }

  /** Unmounts every mount below ROOT/pods/UID (the tmpfs volumes) and removes the directory. */
  tearDown(podUid: string): Promise<void> {
    const dir = this.podDir(podUid);
    return this.locked(podUid, async () => {
      try {
        await stat(dir);
      } catch (e: unknown) {
        if (errCode(e) === 'ENOENT') return;
        throw e;
      }
      for (const m of await mountPointsUnder(dir)) await unmount(m);
      const left = await mountPointsUnder(dir);
      if (left.length > 0) throw new Error(`pod ${podUid}: still mounted after unmounting: ${left.join(', ')}`);
      await rm(dir, { recursive: true, force: true });
    });
  }

  /**
   * The CRI mounts of a container from its volumeMounts (makeMounts): subPath and subPathExpr resolved inside the
   * volume, read-only when the mount or the volume says so, propagation translated. Throws ContainerConfigError
   * (CreateContainerConfigError) with upstream's messages. env: the container's environment, for subPathExpr.
   */
  async mountsFor(pod: Pod, container: Container, volumes: ReadonlyMap<string, PodVolume>, env: ReadonlyMap<string, string> = new Map()): Promise<Mount[]> {
    void pod;
    const mounts: Mount[] = [];
    for (const vm of container.volumeMounts ?? []) {
      const vol = volumes.get(vm.name);
      if (vol === undefined) throw new ContainerConfigError(`cannot find volume ${JSON.stringify(vm.name)} to mount into container ${JSON.stringify(container.name)}`);
      let hostPath = vol.hostPath;
      let subPath = vm.subPath ?? '';
      if ((vm.subPathExpr ?? '') !== '') subPath = expandSubPathExpr(vm.subPathExpr ?? '', env);
      if (subPath !== '') hostPath = await resolveSubPath(vol.hostPath, subPath, vm.name, container.name);
      const containerPath = vm.mountPath.startsWith('/') ? vm.mountPath : `/${vm.mountPath}`;
      const propagation = translateMountPropagation(vm.mountPropagation);
      const readonly = vm.readOnly === true || vol.readOnly;
      const rro = this.resolveRecursiveReadOnly(vm.name, vm.readOnly === true, vm.recursiveReadOnly, vm.mountPropagation);
      const m: Mount = { containerPath, hostPath, readonly, selinuxRelabel: false, propagation };
      if (rro) m.recursiveReadOnly = true;
      mounts.push(m);
    }
    return mounts;
  }

  private resolveRecursiveReadOnly(name: string, readOnly: boolean, mode: string | undefined, propagation: string | undefined): boolean {
    if (mode === undefined || mode === 'Disabled') return false;
    const fail = (why: string): never => {
      throw new ContainerConfigError(`failed to resolve recursive read-only mode: volume ${JSON.stringify(name)} requested recursive read-only mode, but ${why}`);
    };
    if (!readOnly) fail('it is not read-only');
    if (propagation !== undefined && propagation !== 'None') fail(`it is not compatible with propagation ${JSON.stringify(propagation)}`);
    if (mode === 'IfPossible') return this.rro;
    if (mode === 'Enabled') {
      if (!this.rro) fail('it is not supported by the runtime');
      return true;
    }
    throw new ContainerConfigError(`failed to resolve recursive read-only mode: unknown recursive read-only mode ${JSON.stringify(mode)}`);
  }

  // ---- plugins ---------------------------------------------------------------------------------------------------

  private async setUpVolume(pod: Pod, vol: Volume): Promise<PodVolume> {
    const uid = pod.metadata?.uid ?? '';
    const fsGroup = pod.spec?.securityContext?.fsGroup;
    const setUpError = (e: unknown): Failure => (e instanceof Failure ? e : new Failure('setUp', vol.name, errText(e)));
    if (vol.emptyDir !== undefined) {
      const dir = this.volumeDir(uid, pluginDirs.emptyDir, vol.name);
      try {
        const medium = vol.emptyDir.medium ?? '';
        if (medium === 'Memory') {
          if (!this.tmpfs) throw new Error('emptyDir medium Memory needs a tmpfs mount, which this kubelet cannot make (not root)');
          const size = this.tmpfsSize(pod, vol.emptyDir.sizeLimit);
          const mounted = await this.setupDir(dir) && (await isMountPoint(dir));
          if (!mounted) await mountTmpfs(dir, size);
        } else if (medium === '') {
          await this.setupDir(dir);
        } else {
          throw new Error(`unknown storage medium ${JSON.stringify(medium)}`);
        }
        if (fsGroup !== undefined) await setVolumeOwnership(dir, fsGroup, false);
      } catch (e: unknown) {
        throw setUpError(e);
      }
      return { hostPath: dir, readOnly: false, plugin: 'kubernetes.io/empty-dir' };
    }
    if (vol.hostPath !== undefined) {
      try {
        await checkHostPath(vol.hostPath.path, vol.hostPath.type);
      } catch (e: unknown) {
        throw setUpError(e);
      }
      return { hostPath: vol.hostPath.path, readOnly: false, plugin: 'kubernetes.io/host-path' };
    }
    if (vol.configMap !== undefined) {
      const src = vol.configMap;
      return this.projectedVolume(pod, vol, pluginDirs.configMap, 'kubernetes.io/configmap', false, async () => {
        const optional = src.optional === true;
        const cm = await this.lookup.configMap(pod.metadata?.namespace ?? '', src.name ?? '');
        if (cm === undefined && !optional) throw new Error(`configmap ${JSON.stringify(src.name ?? '')} not found`);
        return configMapPayload(src.items, cm ?? {}, src.defaultMode ?? defaultVolumeMode, optional);
      });
    }
    if (vol.secret !== undefined) {
      const src = vol.secret;
      return this.projectedVolume(pod, vol, pluginDirs.secret, 'kubernetes.io/secret', true, async () => {
        const optional = src.optional === true;
        const s = await this.lookup.secret(pod.metadata?.namespace ?? '', src.secretName ?? '');
        if (s === undefined && !optional) throw new Error(`secret ${JSON.stringify(src.secretName ?? '')} not found`);
        return secretPayload(src.items, s ?? {}, src.defaultMode ?? defaultVolumeMode, optional);
      });
    }
    if (vol.downwardAPI !== undefined) {
      const src = vol.downwardAPI;
      return this.projectedVolume(pod, vol, pluginDirs.downwardAPI, 'kubernetes.io/downward-api', true, () =>
        Promise.resolve(downwardApiPayload(src.items, pod, src.defaultMode ?? defaultVolumeMode, this.allocatable())));
    }
    if (vol.projected !== undefined) {
      return this.projectedVolume(pod, vol, pluginDirs.projected, 'kubernetes.io/projected', true, () => this.projectedPayload(pod, vol));
    }
    if (vol.persistentVolumeClaim !== undefined) {
      const src = vol.persistentVolumeClaim;
      return this.claimVolume(pod, vol, src.claimName, src.readOnly === true, false);
    }
    if (vol.ephemeral !== undefined) {
      return this.claimVolume(pod, vol, `${pod.metadata?.name ?? ''}-${vol.name}`, false, true);
    }
    throw new Failure('process', vol.name, `failed to get Plugin from volumeSpec for volume ${JSON.stringify(vol.name)} err=no volume plugin matched`);
  }

  /** emptyDir's setupDir: the directory with mode 0777 whatever the umask. Returns whether it existed. */
  private async setupDir(dir: string): Promise<boolean> {
    let existed = true;
    try {
      await stat(dir);
    } catch {
      existed = false;
    }
    await mkdir(dir, { recursive: true, mode: 0o777 });
    if (!existed) await chmod(dir, 0o777);
    return existed;
  }

  /** calculateEmptyDirMemorySize: the node's allocatable memory, less when the pod's memory limit or the sizeLimit is smaller. */
  private tmpfsSize(pod: Pod, sizeLimit: string | number | undefined): number {
    const alloc = this.allocatable()['memory'];
    let size = alloc === undefined ? 0 : Number(parseQuantity(alloc).value());
    const podLimit = podMemoryLimit(pod);
    if (podLimit !== undefined && podLimit > 0 && (size === 0 || podLimit <= size)) size = podLimit;
    if (sizeLimit !== undefined) {
      const v = Number(parseQuantity(String(sizeLimit)).value());
      if (v > 0 && (size === 0 || v <= size)) size = v;
    }
    return size;
  }

  /** A volume of files written by the AtomicWriter into its (possibly tmpfs) wrapper directory; read-only in containers. */
  private async projectedVolume(pod: Pod, vol: Volume, pluginDir: string, plugin: string, memory: boolean, payload: () => Promise<Map<string, FileProjection>>): Promise<PodVolume> {
    const uid = pod.metadata?.uid ?? '';
    const dir = this.volumeDir(uid, pluginDir, vol.name);
    const fsGroup = pod.spec?.securityContext?.fsGroup;
    try {
      // The payload first: a missing object leaves no half-made volume behind.
      const files = await payload();
      const existed = await this.setupDir(dir);
      if (memory && this.tmpfs && !(existed && (await isMountPoint(dir)))) await mountTmpfs(dir, this.tmpfsSize(pod, undefined));
      const writer = new AtomicWriter(dir);
      await writer.write(files, fsGroup === undefined ? undefined : () => setVolumeOwnership(dir, fsGroup, true));
    } catch (e: unknown) {
      throw new Failure('setUp', vol.name, errText(e));
    }
    return { hostPath: dir, readOnly: true, plugin };
  }

  /** The projected plugin's collectData: configMap, secret and downwardAPI sources merged; errors aggregated. */
  private async projectedPayload(pod: Pod, vol: Volume): Promise<Map<string, FileProjection>> {
    const src = vol.projected ?? {};
    const ns = pod.metadata?.namespace ?? '';
    const defaultMode = src.defaultMode ?? defaultVolumeMode;
    const payload = new Map<string, FileProjection>();
    const errs: string[] = [];
    for (const source of src.sources ?? []) {
      try {
        let part: Map<string, FileProjection> | undefined;
        if (source.secret !== undefined) {
          const optional = source.secret.optional === true;
          const s = await this.lookup.secret(ns, source.secret.name ?? '');
          if (s === undefined && !optional) throw new Error(`secret ${JSON.stringify(source.secret.name ?? '')} not found`);
          part = secretPayload(source.secret.items, s ?? {}, defaultMode, optional);
        } else if (source.configMap !== undefined) {
          const optional = source.configMap.optional === true;
          const cm = await this.lookup.configMap(ns, source.configMap.name ?? '');
          if (cm === undefined && !optional) throw new Error(`configmap ${JSON.stringify(source.configMap.name ?? '')} not found`);
          part = configMapPayload(source.configMap.items, cm ?? {}, defaultMode, optional);
        } else if (source.downwardAPI !== undefined) {
          part = downwardApiPayload(source.downwardAPI.items, pod, defaultMode, this.allocatable());
        }
        // serviceAccountToken needs the TokenRequest API, which k8ts does not serve yet: that source writes nothing.
        // clusterTrustBundle likewise (no ClusterTrustBundle API).
        for (const [k, v] of part ?? []) payload.set(k, v);
      } catch (e: unknown) {
        errs.push(errText(e));
      }
    }
    if (errs.length > 0) throw new Error(aggregateMessage(errs));
    return payload;
  }

  /** A claim's volume: the claim bound, its PV bound back to it, the PV a hostPath or local volume of this node. */
  private async claimVolume(pod: Pod, vol: Volume, claimName: string, readOnly: boolean, ephemeral: boolean): Promise<PodVolume> {
    const ns = pod.metadata?.namespace ?? '';
    const processing = (msg: string): Failure => new Failure('process', vol.name, `error processing PVC ${ns}/${claimName}: ${msg}`);
    let pvc: PersistentVolumeClaim | undefined;
    try {
      pvc = await this.lookup.persistentVolumeClaim(ns, claimName);
    } catch (e: unknown) {
      throw processing(`failed to fetch PVC from API server: ${errText(e)}`);
    }
    if (pvc === undefined) throw processing(`failed to fetch PVC from API server: persistentvolumeclaims ${JSON.stringify(claimName)} not found`);
    const finalizers = pvc.metadata?.finalizers ?? [];
    if (pvc.metadata?.deletionTimestamp !== undefined && !finalizers.includes('kubernetes.io/pvc-protection')) throw processing('PVC is being deleted');
    if (pvc.status?.phase !== 'Bound') throw processing('PVC is not bound');
    const pvName = pvc.spec?.volumeName ?? '';
    if (pvName === '') throw processing('PVC has empty pvc.Spec.VolumeName');
    if (ephemeral) {
      const owner = (pvc.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
      if (pvc.metadata?.namespace !== ns || owner === undefined || owner.uid !== pod.metadata?.uid) {
        throw new Failure('process', vol.name, `PVC ${pvc.metadata?.namespace ?? ''}/${pvc.metadata?.name ?? ''} was not created for pod ${ns}/${pod.metadata?.name ?? ''} (pod is not owner)`);
      }
    }
    let pv: PersistentVolume | undefined;
    try {
      pv = await this.lookup.persistentVolume(pvName);
    } catch (e: unknown) {
      throw processing(`failed to fetch PV ${pvName} from API server: ${errText(e)}`);
    }
    if (pv === undefined) throw processing(`failed to fetch PV ${pvName} from API server: persistentvolumes ${JSON.stringify(pvName)} not found`);
    const claimRef = pv.spec?.claimRef;
    if (claimRef === undefined) throw processing(`found PV object ${pvName} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`);
    if (claimRef.uid !== pvc.metadata?.uid) {
      throw processing(`found PV object ${pvName} but its pv.Spec.ClaimRef.UID (${claimRef.uid ?? ''}) does not point to claim.UID (${pvc.metadata?.uid ?? ''})`);
    }
    if (pv.spec?.hostPath !== undefined) {
      try {
        await checkHostPath(pv.spec.hostPath.path, pv.spec.hostPath.type);
      } catch (e: unknown) {
        throw new Failure('setUp', pvName, errText(e));
      }
      return { hostPath: pv.spec.hostPath.path, readOnly, plugin: 'kubernetes.io/host-path' };
    }
    if (pv.spec?.local !== undefined) {
      const path = pv.spec.local.path;
      try {
        await stat(path);
      } catch {
        throw new Failure('newMounter', pvName, `path ${JSON.stringify(path)} does not exist`);
      }
      return { hostPath: path, readOnly, plugin: 'kubernetes.io/local-volume' };
    }
    throw new Failure('process', vol.name, `failed to get Plugin from volumeSpec for volume ${JSON.stringify(pvName)} err=no volume plugin matched`);
  }
}

/** translateMountPropagation: unset and None are private. */
export function translateMountPropagation(mode: string | undefined): MountPropagation {
  switch (mode) {
    case undefined:
    case 'None':
      return 'PROPAGATION_PRIVATE';
    case 'HostToContainer':
      return 'PROPAGATION_HOST_TO_CONTAINER';
    case 'Bidirectional':
      return 'PROPAGATION_BIDIRECTIONAL';
    default:
      throw new ContainerConfigError(`invalid MountPropagation mode: ${JSON.stringify(mode)}`);
  }
}
