// Upstream's SetDefaults_* for pod specs (pkg/apis/core/v1/defaults.go and the generated
// zz_generated.defaults.go), applied in place to the v1 JSON shape.
import type { Container, PodSpec, PodTemplateSpec, Probe, Volume } from 'kubernetes-types/core/v1.js';
import { isRecord } from '../../object.js';

export const defaultTerminationMessagePath = '/dev/termination-log';
export const defaultSchedulerName = 'default-scheduler';
export const defaultTerminationGracePeriodSeconds = 30;
/** 0644, the default file mode of secret, configMap, downwardAPI and projected volumes. */
export const defaultVolumeFileMode = 0o644;

/** The tag docker reference parsing would give the image ("latest" when none is given; "" with only a digest). */
export function imageTag(image: string): string {
  let rest = image;
  const at = rest.indexOf('@');
  const hasDigest = at >= 0;
  if (hasDigest) rest = rest.slice(0, at);
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const repo = colon > slash ? rest.slice(0, colon) : rest;
  // A reference that does not parse (empty, upper-case repository, spaces) has no tag.
  if (repo === '' || /[A-Z\s]/.test(repo.slice(repo.indexOf('/') + 1)) || /\s/.test(rest)) return '';
  if (colon > slash) return rest.slice(colon + 1);
  return hasDigest ? '' : 'latest';
}

/** PullAlways for ":latest" or an untagged image, IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

interface HandlerLike {
  httpGet?: { path?: string; scheme?: string };
}

function defaultHandler(h: HandlerLike | undefined): void {
  if (h?.httpGet === undefined || h.httpGet === null) return;
  if ((h.httpGet.path ?? '') === '') h.httpGet.path = '/';
  if ((h.httpGet.scheme ?? '') === '') h.httpGet.scheme = 'HTTP';
}

export function defaultProbe(p: Probe | undefined): void {
  if (p === undefined || p === null) return;
  if ((p.timeoutSeconds ?? 0) === 0) p.timeoutSeconds = 1;
  if ((p.periodSeconds ?? 0) === 0) p.periodSeconds = 10;
  if ((p.successThreshold ?? 0) === 0) p.successThreshold = 1;
  if ((p.failureThreshold ?? 0) === 0) p.failureThreshold = 3;
  defaultHandler(p);
}

/** SetDefaults_Container plus the defaults of its nested types. */
export function defaultContainer(c: Container): void {
  if ((c.imagePullPolicy ?? '') === '') c.imagePullPolicy = defaultPullPolicy(c.image ?? '');
  if ((c.terminationMessagePath ?? '') === '') c.terminationMessagePath = defaultTerminationMessagePath;
  if ((c.terminationMessagePolicy ?? '') === '') c.terminationMessagePolicy = 'File';
  if (c.resources === undefined || c.resources === null) c.resources = {};
  for (const port of c.ports ?? []) if ((port.protocol ?? '') === '') port.protocol = 'TCP';
  for (const ev of c.env ?? []) {
    const fr = ev.valueFrom?.fieldRef;
    if (fr !== undefined && (fr.apiVersion ?? '') === '') fr.apiVersion = 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

const volumeSourceKeys = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'fc',
  'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath', 'image', 'iscsi', 'nfs', 'persistentVolumeClaim',
  'photonPersistentDisk', 'portworxVolume', 'projected', 'quobyte', 'rbd', 'scaleIO', 'secret', 'storageos', 'vsphereVolume',
];

/** SetDefaults_Volume and the defaults of the volume sources. */
export function defaultVolume(v: Volume): void {
  const rec = v as unknown as Record<string, unknown>;
  if (!volumeSourceKeys.some((k) => rec[k] !== undefined && rec[k] !== null)) v.emptyDir = {};
  if (v.secret !== undefined && v.secret.defaultMode === undefined) v.secret.defaultMode = defaultVolumeFileMode;
  if (v.configMap !== undefined && v.configMap.defaultMode === undefined) v.configMap.defaultMode = defaultVolumeFileMode;
  if (v.downwardAPI !== undefined) {
    if (v.downwardAPI.defaultMode === undefined) v.downwardAPI.defaultMode = defaultVolumeFileMode;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef !== undefined && (item.fieldRef.apiVersion ?? '') === '') item.fieldRef.apiVersion = 'v1';
  }
  if (v.projected !== undefined) {
    if (v.projected.defaultMode === undefined) v.projected.defaultMode = defaultVolumeFileMode;
    for (const src of v.projected.sources ?? []) {
      if (src.serviceAccountToken !== undefined && src.serviceAccountToken.expirationSeconds === undefined) src.serviceAccountToken.expirationSeconds = 3600;
      for (const item of src.downwardAPI?.items ?? []) if (item.fieldRef !== undefined && (item.fieldRef.apiVersion ?? '') === '') item.fieldRef.apiVersion = 'v1';
    }
  }
  if (v.hostPath !== undefined && v.hostPath.type === undefined) v.hostPath.type = '';
  if (v.iscsi !== undefined && (v.iscsi.iscsiInterface ?? '') === '') v.iscsi.iscsiInterface = 'default';
  if (v.rbd !== undefined) {
    if ((v.rbd.pool ?? '') === '') v.rbd.pool = 'rbd';
    if ((v.rbd.user ?? '') === '') v.rbd.user = 'admin';
    if ((v.rbd.keyring ?? '') === '') v.rbd.keyring = '/etc/ceph/keyring';
  }
  if (v.azureDisk !== undefined) {
    if (v.azureDisk.cachingMode === undefined) v.azureDisk.cachingMode = 'ReadWrite';
    if (v.azureDisk.fsType === undefined) v.azureDisk.fsType = 'ext4';
    if (v.azureDisk.readOnly === undefined) v.azureDisk.readOnly = false;
    if (v.azureDisk.kind === undefined) v.azureDisk.kind = 'Shared';
  }
  const claimSpec = v.ephemeral?.volumeClaimTemplate?.spec;
  if (claimSpec !== undefined && claimSpec.volumeMode === undefined) claimSpec.volumeMode = 'Filesystem';
  const image = (v as Volume & { image?: { reference?: string; pullPolicy?: string } }).image;
  if (image !== undefined && isRecord(image) && (image.pullPolicy ?? '') === '') image.pullPolicy = defaultPullPolicy(image.reference ?? '');
}

/** SetDefaults_PodSpec and the defaults of everything it contains (shared by pods and templates). */
export function defaultPodSpec(spec: PodSpec): void {
  if ((spec.dnsPolicy ?? '') === '') spec.dnsPolicy = 'ClusterFirst';
  if ((spec.restartPolicy ?? '') === '') spec.restartPolicy = 'Always';
  if (spec.securityContext === undefined || spec.securityContext === null) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    spec.terminationGracePeriodSeconds = defaultTerminationGracePeriodSeconds;
  }
  if ((spec.schedulerName ?? '') === '') spec.schedulerName = defaultSchedulerName;
  // v1 keeps the deprecated serviceAccount in step with serviceAccountName.
  if ((spec.serviceAccountName ?? '') === '' && (spec.serviceAccount ?? '') !== '') spec.serviceAccountName = spec.serviceAccount;
  if ((spec.serviceAccountName ?? '') !== '') spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c as Container);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

export function defaultPodTemplateSpec(tpl: PodTemplateSpec | undefined): void {
  if (tpl === undefined || tpl === null) return;
  if (tpl.spec === undefined || tpl.spec === null) tpl.spec = { containers: [] };
  defaultPodSpec(tpl.spec);
}

function defaultRequestsFromLimits(containers: readonly Container[] | undefined): void {
  for (const c of containers ?? []) {
    const limits = c.resources?.limits;
    if (limits === undefined || limits === null || c.resources === undefined) continue;
    const requests = c.resources.requests ?? {};
    for (const [k, v] of Object.entries(limits)) if (!Object.hasOwn(requests, k)) requests[k] = v;
    c.resources.requests = requests;
  }
}

/** SetDefaults_Pod: the pod-only defaults on top of the spec's. */
export function defaultPod(spec: PodSpec): void {
  defaultPodSpec(spec);
  defaultRequestsFromLimits(spec.containers);
  defaultRequestsFromLimits(spec.initContainers);
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if ((p.hostPort ?? 0) === 0) p.hostPort = p.containerPort;
    }
  }
}
