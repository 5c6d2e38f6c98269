// The pure helpers of upstream's pkg/controller/statefulset/stateful_set_utils.go: ordinal naming (`<set>-<ordinal>`
// pods, `<claim>-<set>-<ordinal>` claims), the identity and storage a member pod must have, pod health, the
// revision patch that a ControllerRevision stores and its application, and the revision a new pod is created at.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isRecord } from '../../api/object.js';
import { isPodAvailable, isPodReady } from '../podcontrol/active-pods.js';
import { getPodFromTemplate, newControllerRef, type ControllerObject } from '../podcontrol/pod-control.js';

/** apps.StatefulSetPodNameLabel. */
export const statefulSetPodNameLabel = 'statefulset.kubernetes.io/pod-name';
/** apps.PodIndexLabel (the PodIndexLabel feature is on by default in 1.32). */
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
/** apps.StatefulSetRevisionLabel = apps.ControllerRevisionHashLabelKey. */
export const statefulSetRevisionLabel = 'controller-revision-hash';

export const retainPolicy = 'Retain';
export const deletePolicy = 'Delete';

const statefulPodRegex = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: the set's name and the ordinal of a pod's name; ['', -1] when it does not parse. */
export function getParentNameAndOrdinal(pod: Pod): [string, number] {
  const m = statefulPodRegex.exec(pod.metadata?.name ?? '');
  if (m === null) return ['', -1];
  const ord = Number(m[2]);
  // strconv.ParseInt(s, 10, 32): out of int32 range leaves the ordinal at -1.
  return [m[1] ?? '', Number.isSafeInteger(ord) && ord <= 2147483647 ? ord : -1];
}

export function getParentName(pod: Pod): string {
  return getParentNameAndOrdinal(pod)[0];
}

export function getOrdinal(pod: Pod): number {
  return getParentNameAndOrdinal(pod)[1];
}

export function setName(set: StatefulSet): string {
  return set.metadata?.name ?? '';
}

export function setNamespace(set: StatefulSet): string {
  return set.metadata?.namespace ?? '';
}

export function getReplicas(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

/** getStartOrdinal: spec.ordinals.start (0 by default). */
export function getStartOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** getEndOrdinal: the last ordinal of the set's range (start + replicas - 1). */
export function getEndOrdinal(set: StatefulSet): number {
  return getStartOrdinal(set) + getReplicas(set) - 1;
}

/** podInOrdinalRange: whether the pod's ordinal is within [start, end]. */
export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const ord = getOrdinal(pod);
  return ord >= getStartOrdinal(set) && ord <= getEndOrdinal(set);
}

/** getPodName: `<set>-<ordinal>`. */
export function getPodName(set: StatefulSet, ordinal: number): string {
  return `${setName(set)}-${ordinal}`;
}

/** getPersistentVolumeClaimName: `<claim>-<set>-<ordinal>`. */
export function getPersistentVolumeClaimName(set: StatefulSet, claimTemplateName: string, ordinal: number): string {
  return `${claimTemplateName}-${setName(set)}-${ordinal}`;
}

/** isMemberOf: the pod's name parses to this set's name. */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return getParentName(pod) === setName(set);
}

/** identityMatches: the pod's name, namespace and pod-name label are those of its ordinal in the set. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const [parent, ordinal] = getParentNameAndOrdinal(pod);
  return (
    ordinal >= 0 &&
    setName(set) === parent &&
    pod.metadata?.name === getPodName(set, ordinal) &&
    pod.metadata?.namespace === setNamespace(set) &&
    pod.metadata?.labels?.[statefulSetPodNameLabel] === pod.metadata?.name
  );
}

/** storageMatches: every volumeClaimTemplate is a volume of the pod that mounts the ordinal's claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map<string, Volume>((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const claim of set.spec?.volumeClaimTemplates ?? []) {
    const name = claim.metadata?.name ?? '';
    const v = volumes.get(name);
    if (v?.persistentVolumeClaim?.claimName !== getPersistentVolumeClaimName(set, name, ordinal)) return false;
  }
  return true;
}

/**
 * getPersistentVolumeClaims: the claims of a pod from the set's templates, in template order, each named for the pod's
 * ordinal and labelled with the template's labels plus the selector's matchLabels.
 */
export function getPersistentVolumeClaims(set: StatefulSet, pod: Pod): { templateName: string; claim: PersistentVolumeClaim }[] {
  const ordinal = getOrdinal(pod);
  const matchLabels = set.spec?.selector.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    // A template's status is not part of what is created.
    const { status: _status, ...rest } = structuredClone(t);
    const claim: PersistentVolumeClaim = rest;
    const templateName = t.metadata?.name ?? '';
    const meta: NonNullable<PersistentVolumeClaim['metadata']> = { ...(claim.metadata ?? {}) };
    meta.name = getPersistentVolumeClaimName(set, templateName, ordinal);
    meta.namespace = setNamespace(set);
    meta.labels = { ...(meta.labels ?? {}), ...matchLabels };
    claim.metadata = meta;
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    return { templateName, claim };
  });
}

/** updateStorage: the pod mounts the claims of the set's templates; other volumes of those names are replaced. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = getPersistentVolumeClaims(set, pod);
  if (claims.length === 0) return;
  const names = new Set(claims.map((c) => c.templateName));
  const volumes: Volume[] = claims.map((c) => ({ name: c.templateName, persistentVolumeClaim: { claimName: c.claim.metadata?.name ?? '' } }));
  for (const v of pod.spec?.volumes ?? []) if (!names.has(v.name)) volumes.push(v);
  pod.spec = { containers: [], ...(pod.spec ?? {}), volumes };
}

/** updateIdentity: name, namespace and the pod-name and pod-index labels of the pod's ordinal. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  const meta = (pod.metadata ??= {});
  meta.name = getPodName(set, ordinal);
  meta.namespace = setNamespace(set);
  const labels = (meta.labels ??= {});
  labels[statefulSetPodNameLabel] = meta.name;
  labels[podIndexLabel] = String(ordinal);
}

/** initIdentity: updateIdentity plus the immutable hostname and subdomain, set only at creation. */
export function initIdentity(set: StatefulSet, pod: Pod): void {
  updateIdentity(set, pod);
  const spec = (pod.spec ??= { containers: [] });
  spec.hostname = pod.metadata?.name ?? '';
  spec.subdomain = set.spec?.serviceName ?? '';
}

/** The set as the owner of events and controller references. */
export function setOwner(set: StatefulSet): ControllerObject {
  const meta: ControllerObject['metadata'] = { name: setName(set), namespace: setNamespace(set), uid: set.metadata?.uid ?? '' };
  if (set.metadata?.resourceVersion !== undefined) meta.resourceVersion = set.metadata.resourceVersion;
  if (set.metadata?.deletionTimestamp !== undefined) meta.deletionTimestamp = set.metadata.deletionTimestamp;
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta };
}

export function setControllerRef(set: StatefulSet): OwnerReference {
  return newControllerRef(setOwner(set));
}

/** newStatefulSetPod: the pod of `ordinal` from the set's template, owned by the set, with identity and storage. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const pod = getPodFromTemplate(set.spec?.template ?? {}, setOwner(set), setControllerRef(set));
  const meta = (pod.metadata ??= {});
  meta.name = getPodName(set, ordinal);
  initIdentity(set, pod);
  updateStorage(set, pod);
  return pod;
}

export function getPodRevision(pod: Pod): string {
  return pod.metadata?.labels?.[statefulSetRevisionLabel] ?? '';
}

export function setPodRevision(pod: Pod, revision: string): void {
  const meta = (pod.metadata ??= {});
  (meta.labels ??= {})[statefulSetRevisionLabel] = revision;
}

/**
 * newVersionedStatefulSetPod: a new pod of `ordinal` at the current revision when a RollingUpdate keeps it there
 * (below the partition, or below currentReplicas without rollingUpdate), else at the update revision. The operator
 * precedence is upstream's: `(RollingUpdate && rollingUpdate == nil && ord < start+currentReplicas) || (rollingUpdate
 * != nil && ord < start+partition)`.
 */
export function newVersionedStatefulSetPod(currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const strategy = currentSet.spec?.updateStrategy;
  const start = getStartOrdinal(currentSet);
  const ru = strategy?.rollingUpdate;
  if (
    ((strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && ru === undefined && ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (ru !== undefined && ordinal < start + (ru.partition ?? 0))
  ) {
    const pod = newStatefulSetPod(currentSet, ordinal);
    setPodRevision(pod, currentRevision);
    return pod;
  }
  const pod = newStatefulSetPod(updateSet, ordinal);
  setPodRevision(pod, updateRevision);
  return pod;
}

/** isCreated: the API server has set a phase. */
export function isCreated(pod: Pod): boolean {
  return (pod.status?.phase ?? '') !== '';
}

export function isPending(pod: Pod): boolean {
  return pod.status?.phase === 'Pending';
}

export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}

export function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

export function isTerminating(pod: Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

/** isRunningAndReady: phase Running and the Ready condition True. */
export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** isRunningAndAvailable: running and ready for at least minReadySeconds. */
export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, nowMs = Date.now()): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, nowMs);
}

/** isHealthy: running, ready and not terminating. */
export function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

/** allowsBurst: podManagementPolicy Parallel. */
export function allowsBurst(set: StatefulSet): boolean {
  return set.spec?.podManagementPolicy === 'Parallel';
}

/** The persistentVolumeClaimRetentionPolicy with upstream's defaults (Retain, Retain). */
export function retentionPolicy(set: StatefulSet): { whenDeleted: string; whenScaled: string } {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted ?? retainPolicy, whenScaled: p?.whenScaled ?? retainPolicy };
}

/**
 * getPatch: what a ControllerRevision stores, `{"spec":{"template":{..., "$patch":"replace"}}}` in the set's JSON,
 * with map keys sorted and <, >, & escaped as Go's encoding/json writes them.
 */
export function getPatch(set: StatefulSet): Record<string, unknown> {
  const template: Record<string, unknown> = isRecord(set.spec?.template) ? structuredClone(set.spec.template as unknown as Record<string, unknown>) : {};
  template['$patch'] = 'replace';
  return { spec: { template } };
}

/** ApplyRevision: the set with the revision's template (a `$patch: replace` of spec.template). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const clone = structuredClone(set);
  const data = revision.data as unknown;
  const spec = isRecord(data) ? data['spec'] : undefined;
  const template = isRecord(spec) ? spec['template'] : undefined;
  if (isRecord(template) && clone.spec !== undefined) {
    const t = structuredClone(template);
    delete t['$patch'];
    clone.spec.template = t as NonNullable<StatefulSet['spec']>['template'];
  }
  return clone;
}

/** ascendingOrdinal / descendingOrdinal sorts. */
export function byOrdinal(pods: readonly Pod[], descending = false): Pod[] {
  return [...pods].sort((a, b) => (descending ? getOrdinal(b) - getOrdinal(a) : getOrdinal(a) - getOrdinal(b)));
}
