// The pure parts of upstream's pkg/controller/deployment/util/deployment_util.go and controller_utils.go:
// replica arithmetic (maxSurge, maxUnavailable, proportions), revision and replica annotations, finding the new and
// old ReplicaSets, conditions, and the status a Deployment's ReplicaSets add up to. No I/O; `now` is passed in.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from './compute-hash.js';
import { resolveFenceposts, getScaledValueFromIntOrPercent } from './int-or-percent.js';

export const RevisionAnnotation = 'deployment.kubernetes.io/revision';
export const RevisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const DesiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const MaxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const DeprecatedRollbackTo = 'deprecated.deployment.rollback.to';
export const LastAppliedConfigAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
export const DefaultDeploymentUniqueLabelKey = 'pod-template-hash';
/** maxRevHistoryLengthInChars of the deployment controller. */
export const maxRevHistoryLengthInChars = 2000;
const maxInt32 = 2147483647;

export const RollbackRevisionNotFound = 'DeploymentRollbackRevisionNotFound';
export const RollbackTemplateUnchanged = 'DeploymentRollbackTemplateUnchanged';
export const RollbackDone = 'DeploymentRollback';
export const ReplicaSetUpdatedReason = 'ReplicaSetUpdated';
export const FailedRSCreateReason = 'ReplicaSetCreateError';
export const NewReplicaSetReason = 'NewReplicaSetCreated';
export const FoundNewRSReason = 'FoundNewReplicaSet';
export const NewRSAvailableReason = 'NewReplicaSetAvailable';
export const TimedOutReason = 'ProgressDeadlineExceeded';
export const PausedDeployReason = 'DeploymentPaused';
export const ResumedDeployReason = 'DeploymentResumed';
export const MinimumReplicasAvailable = 'MinimumReplicasAvailable';
export const MinimumReplicasUnavailable = 'MinimumReplicasUnavailable';

export type ConditionType = 'Available' | 'Progressing' | 'ReplicaFailure';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** spec.replicas (defaulted to 1 by the API server). */
export function deploymentReplicas(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

export function rsReplicas(rs: ReplicaSet): number {
  return rs.spec?.replicas ?? 1;
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** MaxUnavailable: the resolved maxUnavailable, at most spec.replicas; 0 for Recreate or zero replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = deploymentReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}

/** MinAvailable: spec.replicas less maxUnavailable. */
export function minAvailable(d: Deployment): number {
  return deploymentReplicas(d) - maxUnavailable(d);
}

/** MaxSurge: the resolved maxSurge; 0 for Recreate. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, deploymentReplicas(d)).surge;
}

export function getReplicaCountForReplicaSets(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs === undefined ? 0 : rsReplicas(rs)), 0);
}

export function getActualReplicaCountForReplicaSets(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

export function getReadyReplicaCountForReplicaSets(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

export function getAvailableReplicaCountForReplicaSets(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/** FilterActiveReplicaSets: those with spec.replicas > 0. */
export function filterActiveReplicaSets(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);
}

/** NewRSNewReplicas: how far the new ReplicaSet may be scaled up now. */
export function newRSNewReplicas(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  const type = d.spec?.strategy?.type ?? 'RollingUpdate';
  switch (type) {
    case 'RollingUpdate': {
      const surge = getScaledValueFromIntOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge, deploymentReplicas(d), true);
      const currentPodCount = getReplicaCountForReplicaSets(allRSs);
      const maxTotalPods = deploymentReplicas(d) + surge;
      if (currentPodCount >= maxTotalPods) return rsReplicas(newRS);
      const scaleUpCount = Math.min(maxTotalPods - currentPodCount, deploymentReplicas(d) - rsReplicas(newRS));
      return rsReplicas(newRS) + scaleUpCount;
    }
    case 'Recreate':
      return deploymentReplicas(d);
    default:
      throw new Error(`deployment type ${type} isn't supported`);
  }
}

// ---- ordering (controller.ReplicaSetsByCreationTimestamp and friends) ----

function creationMs(rs: ReplicaSet): number {
  const t = rs.metadata?.creationTimestamp;
  return t === undefined ? 0 : Date.parse(t);
}

/** ReplicaSetsByCreationTimestamp.Less: older first, then by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const d = creationMs(a) - creationMs(b);
  if (d !== 0) return d;
  const an = a.metadata?.name ?? '';
  const bn = b.metadata?.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** ReplicaSetsBySizeOlder: larger first; among equals, older first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  const d = rsReplicas(b) - rsReplicas(a);
  return d !== 0 ? d : byCreationTimestamp(a, b);
}

/** ReplicaSetsBySizeNewer: larger first; among equals, newer first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  const d = rsReplicas(b) - rsReplicas(a);
  return d !== 0 ? d : byCreationTimestamp(b, a);
}

/** ReplicaSetsByRevision: by revision, falling back to creation time when equal or unparsable. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revision(a);
  const rb = revision(b);
  if (ra === undefined || rb === undefined || ra === rb) return byCreationTimestamp(a, b);
  return ra - rb;
}

// ---- revisions and annotations ----

/** Revision: the revision annotation as an integer (0 when absent), undefined when it is not one. */
export function revision(obj: { metadata?: { annotations?: Record<string, string> } }): number | undefined {
  const v = obj.metadata?.annotations?.[RevisionAnnotation];
  if (v === undefined || v === '') return 0;
  return /^[+-]?\d+$/.test(v) ? Number.parseInt(v, 10) : undefined;
}

/** MaxRevision: the highest revision among the ReplicaSets. */
export function maxRevision(rss: readonly (ReplicaSet | undefined)[]): number {
  let max = 0;
  for (const rs of rss) {
    if (rs === undefined) continue;
    const v = revision(rs);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

/** LastRevision: the second highest revision (the one to roll back to). */
export function lastRevision(rss: readonly (ReplicaSet | undefined)[]): number {
  let max = 0;
  let secMax = 0;
  for (const rs of rss) {
    if (rs === undefined) continue;
    const v = revision(rs);
    if (v === undefined) continue;
    if (v >= max) {
      secMax = max;
      max = v;
    } else if (v > secMax) {
      secMax = v;
    }
  }
  return secMax;
}

const annotationsToSkip = new Set([LastAppliedConfigAnnotation, RevisionAnnotation, RevisionHistoryAnnotation, DesiredReplicasAnnotation, MaxReplicasAnnotation, DeprecatedRollbackTo]);

/** skipCopyAnnotation: annotations that are the controller's own, or kubectl apply's. */
export function skipCopyAnnotation(key: string): boolean {
  return annotationsToSkip.has(key);
}

function annotationsOf(obj: { metadata?: { annotations?: Record<string, string> } }): Record<string, string> {
  const meta = (obj.metadata ??= {});
  return (meta.annotations ??= {});
}

/** copyDeploymentAnnotationsToReplicaSet: the deployment's annotations (all but the skipped) onto the RS. */
export function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const target = annotationsOf(rs);
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopyAnnotation(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

/** SetDeploymentAnnotationsTo: the deployment keeps its skipped annotations and takes the rest from the RS. */
export function setDeploymentAnnotationsTo(d: Deployment, rollbackToRS: ReplicaSet): void {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) if (skipCopyAnnotation(k)) kept[k] = v;
  for (const [k, v] of Object.entries(rollbackToRS.metadata?.annotations ?? {})) if (!skipCopyAnnotation(k)) kept[k] = v;
  (d.metadata ??= {}).annotations = kept;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desiredReplicas: number, maxReplicas: number): boolean {
  let updated = false;
  const a = annotationsOf(rs);
  if (a[DesiredReplicasAnnotation] !== String(desiredReplicas)) {
    a[DesiredReplicasAnnotation] = String(desiredReplicas);
    updated = true;
  }
  if (a[MaxReplicasAnnotation] !== String(maxReplicas)) {
    a[MaxReplicasAnnotation] = String(maxReplicas);
    updated = true;
  }
  return updated;
}

/** ReplicasAnnotationsNeedUpdate. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desiredReplicas: number, maxReplicas: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DesiredReplicasAnnotation] !== String(desiredReplicas) || a[MaxReplicasAnnotation] !== String(maxReplicas);
}

/** SetNewReplicaSetAnnotations: copies the deployment's annotations, raises the revision (keeping the history). */
export function setNewReplicaSetAnnotations(d: Deployment, newRS: ReplicaSet, newRevision: string, exists: boolean, revHistoryLimitInChars = maxRevHistoryLengthInChars): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, newRS);
  const a = annotationsOf(newRS);
  const oldRevision = a[RevisionAnnotation];
  let oldRevisionInt = 0;
  if (oldRevision !== undefined && oldRevision !== '') {
    if (!/^[+-]?\d+$/.test(oldRevision)) return false;
    oldRevisionInt = Number.parseInt(oldRevision, 10);
  }
  if (!/^[+-]?\d+$/.test(newRevision)) return false;
  const newRevisionInt = Number.parseInt(newRevision, 10);
  if (oldRevisionInt < newRevisionInt) {
    a[RevisionAnnotation] = newRevision;
    changed = true;
  }
  // An existing revision being raised means a rollback to this RS: keep the old revisions.
  if (oldRevision !== undefined && oldRevisionInt < newRevisionInt) {
    const history = a[RevisionHistoryAnnotation] ?? '';
    const oldRevisions = history.split(',');
    if ((oldRevisions[0] ?? '').length === 0) {
      a[RevisionHistoryAnnotation] = oldRevision;
    } else {
      let totalLen = history.length + oldRevision.length + 1;
      let start = 0;
      while (totalLen > revHistoryLimitInChars && start < oldRevisions.length) {
        totalLen -= (oldRevisions[start] ?? '').length + 1;
        start++;
      }
      if (totalLen <= revHistoryLimitInChars) a[RevisionHistoryAnnotation] = [...oldRevisions.slice(start), oldRevision].join(',');
    }
  }
  if (!exists && setReplicasAnnotations(newRS, deploymentReplicas(d), deploymentReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetDeploymentRevision: true when the deployment's revision annotation changed. */
export function setDeploymentRevision(d: Deployment, rev: string | undefined): boolean {
  const a = annotationsOf(d);
  const value = rev ?? '';
  if (a[RevisionAnnotation] === value) return false;
  a[RevisionAnnotation] = value;
  return true;
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

/** GetDesiredReplicasAnnotation. */
export function getDesiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, DesiredReplicasAnnotation);
}

/** getMaxReplicasAnnotation. */
export function getMaxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, MaxReplicasAnnotation);
}

// ---- proportional scaling ----

/** integer.RoundToInt32: Go's math.Round, halves away from zero. */
function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** getReplicaSetFraction: the replicas this RS should gain (or lose) to keep its share after a scale. */
export function getReplicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (deploymentReplicas(d) === 0) return -rsReplicas(rs);
  const deploymentMaxReplicas = deploymentReplicas(d) + maxSurge(d);
  // No annotation: fall back to the deployment's observed size.
  const annotatedReplicas = getMaxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  // Upstream divides by zero here (never reached in practice); no share is the safe answer.
  if (annotatedReplicas === 0) return 0;
  const newRSsize = (rsReplicas(rs) * deploymentMaxReplicas) / annotatedReplicas;
  return roundHalfAwayFromZero(newRSsize) - rsReplicas(rs);
}

/** GetProportion: this RS's share of the replicas to add (or remove), never more than what is left. */
export function getProportion(rs: ReplicaSet | undefined, d: Deployment, deploymentReplicasToAdd: number, deploymentReplicasAdded: number): number {
  if (rs === undefined || rsReplicas(rs) === 0 || deploymentReplicasToAdd === 0 || deploymentReplicasToAdd === deploymentReplicasAdded) return 0;
  const rsFraction = getReplicaSetFraction(rs, d);
  const allowed = deploymentReplicasToAdd - deploymentReplicasAdded;
  return deploymentReplicasToAdd > 0 ? Math.min(rsFraction, allowed) : Math.max(rsFraction, allowed);
}

/**
 * The new sizes of the active ReplicaSets when a rolling deployment is scaled in mid-rollout (the arithmetic of
 * DeploymentController.scale): the difference is spread in proportion, leftovers go to the first in order.
 */
export function proportionalSizes(d: Deployment, active: readonly ReplicaSet[]): { rs: ReplicaSet; size: number }[] {
  const allRSsReplicas = getReplicaCountForReplicaSets(active);
  const allowedSize = deploymentReplicas(d) > 0 ? deploymentReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - allRSsReplicas;
  const sorted = [...active];
  if (toAdd > 0) sorted.sort(bySizeNewer);
  else if (toAdd < 0) sorted.sort(bySizeOlder);
  let added = 0;
  const sizes = sorted.map((rs) => {
    if (toAdd === 0) return rsReplicas(rs);
    const proportion = getProportion(rs, d, toAdd, added);
    added += proportion;
    return rsReplicas(rs) + proportion;
  });
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, (sizes[0] ?? 0) + toAdd - added);
  return sorted.map((rs, i) => ({ rs, size: sizes[i] ?? 0 }));
}

/** IsSaturated: the new RS has all the deployment's replicas, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (rs === undefined) return false;
  const desired = getDesiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const n = deploymentReplicas(d);
  return desired === n && rsReplicas(rs) === n && (rs.status?.availableReplicas ?? 0) === n;
}

/** FindActiveOrLatest: the only active RS, the newest when none is active, undefined when several are. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (newRS === undefined && oldRSs.length === 0) return undefined;
  const sortedOld = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const all = filterActiveReplicaSets([...sortedOld, newRS]);
  if (all.length === 0) return newRS ?? sortedOld[0];
  if (all.length === 1) return all[0];
  return undefined;
}

// ---- templates ----

/** A template as apiequality.Semantic.DeepEqual sees it: empty maps, lists and nulls are as absent. */
function semanticValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(semanticValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const sv = semanticValue(v);
      if (sv !== undefined) out[k] = sv;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value === null ? undefined : value;
}

function withoutHashLabel(t: PodTemplateSpec | undefined): unknown {
  const copy = structuredClone(t ?? {});
  if (copy.metadata?.labels !== undefined) delete copy.metadata.labels[DefaultDeploymentUniqueLabelKey];
  return semanticValue(copy);
}

/** EqualIgnoreHash: the templates are equal apart from the pod-template-hash label. */
export function equalIgnoreHash(t1: PodTemplateSpec | undefined, t2: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHashLabel(t1) ?? {}) === canonicalJson(withoutHashLabel(t2) ?? {});
}

/** FindNewReplicaSet: the oldest RS whose template equals the deployment's. */
export function findNewReplicaSet(d: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** FindOldReplicaSets: the old RSes that still have replicas, and all old RSes. */
export function findOldReplicaSets(d: Deployment, rsList: readonly ReplicaSet[]): { required: ReplicaSet[]; all: ReplicaSet[] } {
  const newRS = findNewReplicaSet(d, rsList);
  const all = rsList.filter((rs) => newRS === undefined || rs.metadata?.uid !== newRS.metadata?.uid);
  return { required: all.filter((rs) => rsReplicas(rs) !== 0), all };
}

/** SetFromReplicaSetTemplate: the deployment's template becomes the RS's, without the hash label. */
export function setFromReplicaSetTemplate(d: Deployment, template: PodTemplateSpec): void {
  const t = structuredClone(template);
  if (t.metadata?.labels !== undefined) delete t.metadata.labels[DefaultDeploymentUniqueLabelKey];
  if (d.spec === undefined) throw new Error('deployment has no spec');
  d.spec.template = t;
}

/** getRollbackTo: the revision of the deprecated rollback annotation, if it is a number. */
export function getRollbackTo(d: Deployment): number | undefined {
  const v = d.metadata?.annotations?.[DeprecatedRollbackTo];
  if (v === undefined || v === '' || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

// ---- conditions and status ----

/** metav1.Time: RFC 3339 with second precision. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function newDeploymentCondition(type: ConditionType, status: ConditionStatus, reason: string, message: string, now: number): DeploymentCondition {
  const t = metaTime(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getDeploymentCondition(status: DeploymentStatus | undefined, type: ConditionType): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: same status and reason is a no-op; same status keeps lastTransitionTime. */
export function setDeploymentCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getDeploymentCondition(status, condition.type as ConditionType);
  if (current !== undefined && current.status === condition.status && current.reason === condition.reason) return;
  const c = { ...condition };
  if (current !== undefined && current.status === c.status && current.lastTransitionTime !== undefined) c.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), c];
}

export function removeDeploymentCondition(status: DeploymentStatus, type: ConditionType): void {
  if (status.conditions === undefined) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== maxInt32;
}

export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const r = d.spec?.revisionHistoryLimit;
  return r !== undefined && r !== maxInt32;
}

/** DeploymentComplete: every replica updated and available, and the latest generation observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const n = deploymentReplicas(d);
  return (s.updatedReplicas ?? 0) === n && (s.replicas ?? 0) === n && (s.availableReplicas ?? 0) === n && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available replicas than before. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldStatusOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newStatusOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newStatusOld < oldStatusOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** DeploymentTimedOut: no progress for progressDeadlineSeconds since the Progressing condition's lastUpdateTime. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getDeploymentCondition(s, 'Progressing');
  if (c === undefined) return false;
  if (c.reason === NewRSAvailableReason) return false;
  if (c.reason === TimedOutReason) return true;
  const from = c.lastUpdateTime === undefined ? 0 : Date.parse(c.lastUpdateTime);
  return from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now;
}

/** calculateStatus of sync.go: counts from the ReplicaSets and the Available condition. */
export function calculateStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const availableReplicas = getAvailableReplicaCountForReplicaSets(allRSs);
  const totalReplicas = getReplicaCountForReplicaSets(allRSs);
  const unavailableReplicas = Math.max(0, totalReplicas - availableReplicas);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: getActualReplicaCountForReplicaSets(allRSs),
    updatedReplicas: getActualReplicaCountForReplicaSets([newRS]),
    readyReplicas: getReadyReplicaCountForReplicaSets(allRSs),
    availableReplicas,
    unavailableReplicas,
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  status.conditions = (d.status?.conditions ?? []).map((c) => ({ ...c }));
  if (availableReplicas >= deploymentReplicas(d) - maxUnavailable(d)) {
    setDeploymentCondition(status, newDeploymentCondition('Available', 'True', MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setDeploymentCondition(status, newDeploymentCondition('Available', 'False', MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** The status as the API serialises it (omitempty): zero counts and empty conditions left out. */
export function normalizeStatus(s: DeploymentStatus | undefined): DeploymentStatus {
  const out: DeploymentStatus = {};
  const src = s ?? {};
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) {
    const v = src[k];
    if (v !== undefined && v !== 0) out[k] = v;
  }
  if (src.collisionCount !== undefined) out.collisionCount = src.collisionCount;
  if (src.conditions !== undefined && src.conditions.length > 0) out.conditions = src.conditions;
  return out;
}

/** reflect.DeepEqual of two statuses, as the API would store them. */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return canonicalJson(normalizeStatus(a)) === canonicalJson(normalizeStatus(b));
}
