// The Deployment controller (upstream's pkg/controller/deployment: deployment_controller.go, sync.go, rolling.go,
// recreate.go, progress.go, rollback.go): each Deployment owns ReplicaSets named `<deployment>-<pod-template-hash>`;
// the one whose template equals the Deployment's is the new one, the rest are old. Rolling updates scale the new one
// up and the old ones down within maxSurge/maxUnavailable, Recreate scales the old ones to zero first, scale events
// spread replicas proportionally, and the status carries counts, revisions and the Progressing/Available conditions.
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { log } from '../../cli/log.js';
import { Informer, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { labelSelectorFromObject, type LabelSelector, type LabelSelectorObject } from '../../machinery/label-selector.js';
import { EventRecorder } from '../events/event-recorder.js';
import { getControllerOf, recheckDeletionTimestamp } from '../podcontrol/controller-ref-manager.js';
import { errorMessage, isNamespaceTerminating, newControllerRef, type ControllerObject } from '../podcontrol/pod-control.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { computeHash } from './compute-hash.js';
import {
  DefaultDeploymentUniqueLabelKey,
  DeprecatedRollbackTo,
  FailedRSCreateReason,
  FoundNewRSReason,
  NewRSAvailableReason,
  NewReplicaSetReason,
  PausedDeployReason,
  ReplicaSetUpdatedReason,
  ResumedDeployReason,
  RevisionAnnotation,
  RollbackDone,
  RollbackRevisionNotFound,
  RollbackTemplateUnchanged,
  TimedOutReason,
  byCreationTimestamp,
  byRevision,
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentReplicas,
  deploymentTimedOut,
  equalIgnoreHash,
  filterActiveReplicaSets,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getAvailableReplicaCountForReplicaSets,
  getActualReplicaCountForReplicaSets,
  getDeploymentCondition,
  getDesiredReplicasAnnotation,
  getReplicaCountForReplicaSets,
  getRollbackTo,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  lastRevision,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newDeploymentCondition,
  newRSNewReplicas,
  normalizeStatus,
  proportionalSizes,
  removeDeploymentCondition,
  replicasAnnotationsNeedUpdate,
  revision,
  rsReplicas,
  setDeploymentAnnotationsTo,
  setDeploymentCondition,
  setDeploymentRevision,
  setFromReplicaSetTemplate,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  statusEqual,
} from './deployment-util.js';
import { ReplicaSetControllerRefManager, replicaSetPath } from './replica-set-controller-ref-manager.js';
import { runWithInformers } from '../runtime/run-with-informers.js';

/** Upstream's ConcurrentDeploymentSyncs. */
export const deploymentWorkers = 5;
const component = 'deployment-controller';

export interface DeploymentControllerOptions {
  /** The clock (ms since the epoch), for conditions and progress deadlines. */
  now?: () => number;
}

export interface DeploymentControllerHandle {
  stop(): void;
  /** Resolves once the Deployment, ReplicaSet and Pod informers have listed. */
  waitForSync(): Promise<void>;
  readonly recorder: EventRecorder;
}

function deploymentPath(namespace: string, name: string): string {
  return `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(name)}`;
}

function keyOf(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function ownerOf(d: Deployment): ControllerObject {
  const m = d.metadata ?? {};
  const meta: ControllerObject['metadata'] = { name: m.name ?? '', namespace: m.namespace ?? '', uid: m.uid ?? '' };
  if (m.resourceVersion !== undefined) meta.resourceVersion = m.resourceVersion;
  if (m.deletionTimestamp !== undefined) meta.deletionTimestamp = m.deletionTimestamp;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta };
}

function selectorOf(d: Deployment): LabelSelector {
  return labelSelectorFromObject(d.spec?.selector as LabelSelectorObject | undefined);
}

function isEmptySelector(d: Deployment): boolean {
  const s = d.spec?.selector;
  return s === undefined || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);
}

export function startDeploymentController(client: RestClient, opts: DeploymentControllerOptions = {}): DeploymentControllerHandle {
  const now = opts.now ?? Date.now;
  const deployments = new Informer(client, '/apis/apps/v1/deployments');
  const replicaSets = new Informer(client, '/apis/apps/v1/replicasets');
  const pods = new Informer(client, '/api/v1/pods');
  const recorder = new EventRecorder(client, { component });
  const controller = new Controller(component, (key) => syncDeployment(key), deploymentWorkers);

  const enqueue = (d: Deployment): void => controller.queue.add(keyOf(d));

  /** resolveControllerRef: the Deployment a controller reference names, if it still has that uid. */
  const resolveControllerRef = (ns: string, ref: OwnerReference): Deployment | undefined => {
    if (ref.kind !== 'Deployment') return undefined;
    const d = deployments.get(`${ns}/${ref.name}`) as Deployment | undefined;
    return d?.metadata?.uid === ref.uid ? d : undefined;
  };

  /** getDeploymentsForReplicaSet: the Deployments whose selector matches the RS's labels. */
  const deploymentsSelecting = (rs: ReplicaSet): Deployment[] => {
    const found: Deployment[] = [];
    for (const o of deployments.list()) {
      const d = o as Deployment;
      if (d.metadata?.namespace !== rs.metadata?.namespace || isEmptySelector(d)) continue;
      let sel: LabelSelector;
      try {
        sel = selectorOf(d);
      } catch {
        continue;
      }
      if (sel.matches(rs.metadata?.labels ?? {})) found.push(d);
    }
    return found;
  };

  const rsDeleted = (rs: ReplicaSet): void => {
    const ref = getControllerOf(rs);
    if (ref === undefined) return;
    const d = resolveControllerRef(rs.metadata?.namespace ?? '', ref);
    if (d !== undefined) enqueue(d);
  };

  deployments.addHandlers({
    add: (o) => enqueue(o as Deployment),
    update: (_o, n) => enqueue(n as Deployment),
    delete: (o) => enqueue(o as Deployment),
  });
  replicaSets.addHandlers({
    add: (o) => {
      const rs = o as ReplicaSet;
      if (rs.metadata?.deletionTimestamp !== undefined) {
        rsDeleted(rs);
        return;
      }
      const ref = getControllerOf(rs);
      if (ref !== undefined) {
        const d = resolveControllerRef(rs.metadata?.namespace ?? '', ref);
        if (d !== undefined) enqueue(d);
        return;
      }
      for (const d of deploymentsSelecting(rs)) enqueue(d);
    },
    update: (o, n) => {
      const oldRS = o as ReplicaSet;
      const curRS = n as ReplicaSet;
      if (curRS.metadata?.resourceVersion === oldRS.metadata?.resourceVersion) return;
      const curRef = getControllerOf(curRS);
      const oldRef = getControllerOf(oldRS);
      const refChanged = JSON.stringify(curRef ?? null) !== JSON.stringify(oldRef ?? null);
      if (refChanged && oldRef !== undefined) {
        const d = resolveControllerRef(oldRS.metadata?.namespace ?? '', oldRef);
        if (d !== undefined) enqueue(d);
      }
      if (curRef !== undefined) {
        const d = resolveControllerRef(curRS.metadata?.namespace ?? '', curRef);
        if (d !== undefined) enqueue(d);
        return;
      }
      const labelChanged = JSON.stringify(curRS.metadata?.labels ?? {}) !== JSON.stringify(oldRS.metadata?.labels ?? {});
      if (labelChanged || refChanged) for (const d of deploymentsSelecting(curRS)) enqueue(d);
    },
    delete: (o) => rsDeleted(o as ReplicaSet),
  });
  pods.addHandlers({
    // A Recreate rollout waits for the old pods to be gone.
    delete: (o) => {
      const pod = o as Pod;
      const ref = getControllerOf(pod);
      if (ref === undefined || ref.kind !== 'ReplicaSet') return;
      const rs = replicaSets.get(`${pod.metadata?.namespace ?? ''}/${ref.name}`) as ReplicaSet | undefined;
      if (rs === undefined || rs.metadata?.uid !== ref.uid) return;
      const rsRef = getControllerOf(rs);
      if (rsRef === undefined) return;
      const d = resolveControllerRef(rs.metadata?.namespace ?? '', rsRef);
      if (d !== undefined && d.spec?.strategy?.type === 'Recreate') enqueue(d);
    },
  });

  // ---- writes ----

  /** UpdateStatus; the deployment takes the new resourceVersion so that later writes of this sync do not conflict. */
  const updateStatus = async (d: Deployment): Promise<void> => {
    const m = d.metadata ?? {};
    const body = { ...d, apiVersion: 'apps/v1', kind: 'Deployment', status: normalizeStatus(d.status) };
    const updated = await client.request<Deployment>('PUT', `${deploymentPath(m.namespace ?? '', m.name ?? '')}/status`, body);
    const rv = updated.metadata?.resourceVersion;
    if (d.metadata !== undefined && rv !== undefined) (d.metadata as { resourceVersion?: string }).resourceVersion = rv;
  };

  const updateReplicaSet = async (rs: ReplicaSet): Promise<ReplicaSet> => {
    const m = rs.metadata ?? {};
    return client.request<ReplicaSet>('PUT', replicaSetPath(m.namespace ?? '', m.name ?? ''), { ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' });
  };

  /** scaleReplicaSet: sets the size and the replica annotations; records ScalingReplicaSet when the size changed. */
  const scaleReplicaSet = async (rs: ReplicaSet, newScale: number, d: Deployment): Promise<{ scaled: boolean; rs: ReplicaSet }> => {
    const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
    const max = deploymentReplicas(d) + maxSurge(d);
    const annotationsNeedUpdate = replicasAnnotationsNeedUpdate(rs, deploymentReplicas(d), max);
    if (!sizeNeedsUpdate && !annotationsNeedUpdate) return { scaled: false, rs };
    const oldScale = rsReplicas(rs);
    const copy = structuredClone(rs);
    (copy.spec ??= { selector: {} }).replicas = newScale;
    setReplicasAnnotations(copy, deploymentReplicas(d), max);
    const updated = await updateReplicaSet(copy);
    if (sizeNeedsUpdate) {
      recorder.event(ownerOf(d), 'Normal', 'ScalingReplicaSet', 'Scaled %s replica set %s from %d to %d', oldScale < newScale ? 'up' : 'down', updated.metadata?.name ?? '', oldScale, newScale);
    }
    return { scaled: sizeNeedsUpdate, rs: updated };
  };

  const scaleReplicaSetAndRecordEvent = async (rs: ReplicaSet, newScale: number, d: Deployment): Promise<{ scaled: boolean; rs: ReplicaSet }> => {
    if (rsReplicas(rs) === newScale) return { scaled: false, rs };
    return scaleReplicaSet(rs, newScale, d);
  };

  // ---- ReplicaSets of a deployment ----

  /** getReplicaSetsForDeployment: the namespace's ReplicaSets, claimed (adopted or released) for this Deployment. */
  const getReplicaSetsForDeployment = async (d: Deployment): Promise<ReplicaSet[]> => {
    const ns = d.metadata?.namespace ?? '';
    const all = replicaSets.list().filter((o) => o.metadata?.namespace === ns) as ReplicaSet[];
    let selector: LabelSelector;
    try {
      selector = selectorOf(d);
    } catch (e: unknown) {
      throw new Error(`deployment ${ns}/${d.metadata?.name ?? ''} has invalid label selector: ${errorMessage(e)}`);
    }
    const owner = ownerOf(d);
    const canAdopt = recheckDeletionTimestamp(async () => {
      const fresh = await client.request<Deployment>('GET', deploymentPath(ns, d.metadata?.name ?? ''));
      if (fresh.metadata?.uid !== d.metadata?.uid) {
        throw new Error(`original Deployment ${ns}/${d.metadata?.name ?? ''} is gone: got uid ${fresh.metadata?.uid ?? ''}, wanted ${d.metadata?.uid ?? ''}`);
      }
      return ownerOf(fresh);
    });
    return new ReplicaSetControllerRefManager(client, owner, selector, canAdopt).claimReplicaSets(all);
  };

  /** getPodMapForDeployment: the Deployment's pods grouped by the uid of their ReplicaSet. */
  const getPodMapForDeployment = (d: Deployment, rsList: readonly ReplicaSet[]): Map<string, Pod[]> => {
    const selector = selectorOf(d);
    const podMap = new Map<string, Pod[]>();
    // Through the controller index: each ReplicaSet's own pods, not every pod of the cluster.
    for (const rs of rsList) {
      const uid = rs.metadata?.uid ?? '';
      podMap.set(
        uid,
        (pods.listControlledBy(uid) as Pod[]).filter((pod) => pod.metadata?.namespace === d.metadata?.namespace && selector.matches(pod.metadata?.labels ?? {})),
      );
    }
    return podMap;
  };

  /** getNewReplicaSet: the new RS with its revision synced; created (when asked) if it does not exist. */
  const getNewReplicaSet = async (d: Deployment, rsList: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSet | undefined> => {
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = String(maxRevision(oldRSs) + 1);
    const ns = d.metadata?.namespace ?? '';
    if (existing !== undefined) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadySecondsNeedsUpdate = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadySecondsNeedsUpdate) {
        (copy.spec ??= { selector: {} }).minReadySeconds = d.spec?.minReadySeconds ?? 0;
        return updateReplicaSet(copy);
      }
      let needsUpdate = setDeploymentRevision(d, copy.metadata?.annotations?.[RevisionAnnotation]);
      const cond = getDeploymentCondition(d.status, 'Progressing');
      if (hasProgressDeadline(d) && cond === undefined) {
        setDeploymentCondition((d.status ??= {}), newDeploymentCondition('Progressing', 'True', FoundNewRSReason, `Found new replica set ${JSON.stringify(copy.metadata?.name ?? '')}`, now()));
        needsUpdate = true;
      }
      if (needsUpdate) await updateStatus(d);
      return copy;
    }
    if (!createIfNotExisted) return undefined;

    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(d.spec?.template ?? {}, d.status?.collisionCount);
    const templateMeta = (template.metadata ??= {});
    templateMeta.labels = { ...(templateMeta.labels ?? {}), [DefaultDeploymentUniqueLabelKey]: hash };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [DefaultDeploymentUniqueLabelKey]: hash };
    const name = `${d.metadata?.name ?? ''}-${hash}`;
    const newRS: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: ns, ownerReferences: [newControllerRef(ownerOf(d))], labels: { ...templateMeta.labels } },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    const newReplicasCount = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    (newRS.spec ??= { selector }).replicas = newReplicasCount;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);
    let alreadyExists = false;
    let created: ReplicaSet;
    try {
      created = await client.request<ReplicaSet>('POST', `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/replicasets`, newRS);
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists') {
        alreadyExists = true;
        const rs = replicaSets.get(`${ns}/${name}`) as ReplicaSet | undefined;
        if (rs === undefined) throw e;
        const ref = getControllerOf(rs);
        if (ref !== undefined && ref.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
          created = rs;
        } else {
          // A hash collision: bump collisionCount so that the next sync computes another name.
          const st = (d.status ??= {});
          const before = st.collisionCount ?? 0;
          st.collisionCount = before + 1;
          try {
            await updateStatus(d);
            log.info('hash collision for deployment, bumping collisionCount', { controller: component, key: keyOf(d), oldCollisionCount: before, newCollisionCount: before + 1 });
          } catch {
            // Retried on the next sync.
          }
          throw e;
        }
      } else if (isNamespaceTerminating(e)) {
        throw e;
      } else {
        const msg = `Failed to create new replica set ${JSON.stringify(name)}: ${errorMessage(e)}`;
        if (hasProgressDeadline(d)) {
          setDeploymentCondition((d.status ??= {}), newDeploymentCondition('Progressing', 'False', FailedRSCreateReason, msg, now()));
          try {
            await updateStatus(d);
          } catch {
            // The create error is what is reported.
          }
        }
        recorder.event(ownerOf(d), 'Warning', FailedRSCreateReason, '%s', msg);
        throw e;
      }
    }
    if (!alreadyExists && newReplicasCount > 0) {
      recorder.event(ownerOf(d), 'Normal', 'ScalingReplicaSet', 'Scaled up replica set %s from 0 to %d', created.metadata?.name ?? '', newReplicasCount);
    }
    let needsUpdate = setDeploymentRevision(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      setDeploymentCondition((d.status ??= {}), newDeploymentCondition('Progressing', 'True', NewReplicaSetReason, `Created new replica set ${JSON.stringify(created.metadata?.name ?? '')}`, now()));
      needsUpdate = true;
    }
    if (needsUpdate) await updateStatus(d);
    return created;
  };

  /** getAllReplicaSetsAndSyncRevision: the new RS (revision synced) and all the old ones. */
  const getAllReplicaSetsAndSyncRevision = async (d: Deployment, rsList: readonly ReplicaSet[], createIfNotExisted: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> => {
    const { all } = findOldReplicaSets(d, rsList);
    const newRS = await getNewReplicaSet(d, rsList, all, createIfNotExisted);
    return { newRS, oldRSs: all };
  };

  // ---- status ----

  const syncDeploymentStatus = async (allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> => {
    const newStatus = calculateStatus(allRSs, newRS, d, now());
    if (statusEqual(d.status, newStatus)) return;
    d.status = newStatus;
    await updateStatus(d);
  };

  /** requeueStuckDeployment: when to look again for a progress deadline (undefined: no need). */
  const requeueStuckDeployment = (d: Deployment, newStatus: DeploymentStatus): number | undefined => {
    const cond = getDeploymentCondition(d.status, 'Progressing');
    if (!hasProgressDeadline(d) || cond === undefined) return undefined;
    if (deploymentComplete(d, newStatus) || cond.reason === TimedOutReason) return undefined;
    const from = cond.lastUpdateTime === undefined ? 0 : Date.parse(cond.lastUpdateTime);
    const after = from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - now();
    // Upstream re-queues rate-limited (5 ms, 10 ms, ...) when the deadline is under a second away: look right after it.
    if (after < 1000) return Math.max(0, after) + 100;
    return after + 1000;
  };

  /** getReplicaFailures: the ReplicaFailure condition of the new RS, else of an old one. */
  const replicaFailure = (allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined) => {
    const ordered = [newRS, ...allRSs.filter((rs) => rs !== newRS)];
    for (const rs of ordered) {
      const c = rs?.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
      if (c !== undefined) return newDeploymentCondition('ReplicaFailure', c.status as 'True' | 'False' | 'Unknown', c.reason ?? '', c.message ?? '', now());
    }
    return undefined;
  };

  /** syncRolloutStatus (progress.go): the status plus the Progressing condition of a rollout. */
  const syncRolloutStatus = async (allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<ReconcileResult> => {
    const newStatus = calculateStatus(allRSs, newRS, d, now());
    if (!hasProgressDeadline(d)) removeDeploymentCondition(newStatus, 'Progressing');
    const currentCond = getDeploymentCondition(d.status, 'Progressing');
    const isCompleteDeployment = newStatus.replicas === newStatus.updatedReplicas && currentCond?.reason === NewRSAvailableReason;
    const name = d.metadata?.name ?? '';
    const subject = newRS !== undefined ? `ReplicaSet ${JSON.stringify(newRS.metadata?.name ?? '')}` : `Deployment ${JSON.stringify(name)}`;
    if (hasProgressDeadline(d) && !isCompleteDeployment) {
      if (deploymentComplete(d, newStatus)) {
        setDeploymentCondition(newStatus, newDeploymentCondition('Progressing', 'True', NewRSAvailableReason, `${subject} has successfully progressed.`, now()));
      } else if (deploymentProgressing(d, newStatus)) {
        const condition = newDeploymentCondition('Progressing', 'True', ReplicaSetUpdatedReason, `${subject} is progressing.`, now());
        // Progress refreshes lastUpdateTime even when the reason stays the same.
        if (currentCond !== undefined) {
          if (currentCond.status === 'True' && currentCond.lastTransitionTime !== undefined) condition.lastTransitionTime = currentCond.lastTransitionTime;
          removeDeploymentCondition(newStatus, 'Progressing');
        }
        setDeploymentCondition(newStatus, condition);
      } else if (deploymentTimedOut(d, newStatus, now())) {
        setDeploymentCondition(newStatus, newDeploymentCondition('Progressing', 'False', TimedOutReason, `${subject} has timed out progressing.`, now()));
      }
    }
    const failure = replicaFailure(allRSs, newRS);
    if (failure !== undefined) setDeploymentCondition(newStatus, failure);
    else removeDeploymentCondition(newStatus, 'ReplicaFailure');
    if (statusEqual(d.status, newStatus)) {
      const after = requeueStuckDeployment(d, newStatus);
      return after === undefined ? undefined : { requeueAfterMs: after };
    }
    d.status = newStatus;
    await updateStatus(d);
    return undefined;
  };

  // ---- cleanup, scaling, strategies ----

  /** cleanupDeployment: deletes the oldest old ReplicaSets beyond revisionHistoryLimit that are scaled to zero. */
  const cleanupDeployment = async (oldRSs: readonly ReplicaSet[], d: Deployment): Promise<void> => {
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => rs.metadata?.deletionTimestamp === undefined);
    const diff = cleanable.length - (d.spec?.revisionHistoryLimit ?? 0);
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i];
      if (rs === undefined) break;
      if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata?.deletionTimestamp !== undefined) continue;
      try {
        await client.request('DELETE', replicaSetPath(rs.metadata?.namespace ?? '', rs.metadata?.name ?? ''));
      } catch (e: unknown) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
  };

  /** scale (sync.go): a scale event, or adoption, while not rolling out. */
  const scale = async (d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): Promise<void> => {
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest !== undefined) {
      if (rsReplicas(activeOrLatest) === deploymentReplicas(d)) return;
      await scaleReplicaSetAndRecordEvent(activeOrLatest, deploymentReplicas(d), d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActiveReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(old, 0, d);
      return;
    }
    if (isRollingUpdate(d)) {
      for (const { rs, size } of proportionalSizes(d, filterActiveReplicaSets([...oldRSs, newRS]))) await scaleReplicaSet(rs, size, d);
    }
  };

  /** sync: scale events and paused deployments. */
  const sync = async (d: Deployment, rsList: readonly ReplicaSet[]): Promise<void> => {
    const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await scale(d, newRS, oldRSs);
    if (d.spec?.paused === true && getRollbackTo(d) === undefined) await cleanupDeployment(oldRSs, d);
    await syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  };

  /** isScalingEvent: an active RS's desired-replicas annotation differs from spec.replicas. */
  const isScalingEvent = async (d: Deployment, rsList: readonly ReplicaSet[]): Promise<boolean> => {
    const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(d, rsList, false);
    for (const rs of filterActiveReplicaSets([...oldRSs, newRS])) {
      const desired = getDesiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== deploymentReplicas(d)) return true;
    }
    return false;
  };

  /** checkPausedConditions: an Unknown Progressing condition while paused, so that a resume does not time out. */
  const checkPausedConditions = async (d: Deployment): Promise<void> => {
    if (!hasProgressDeadline(d)) return;
    const cond = getDeploymentCondition(d.status, 'Progressing');
    if (cond?.reason === TimedOutReason) return;
    const pausedCondExists = cond?.reason === PausedDeployReason;
    const st = (d.status ??= {});
    if (d.spec?.paused === true && !pausedCondExists) {
      setDeploymentCondition(st, newDeploymentCondition('Progressing', 'Unknown', PausedDeployReason, 'Deployment is paused', now()));
    } else if (d.spec?.paused !== true && pausedCondExists) {
      setDeploymentCondition(st, newDeploymentCondition('Progressing', 'Unknown', ResumedDeployReason, 'Deployment is resumed', now()));
    } else {
      return;
    }
    await updateStatus(d);
  };

  const reconcileNewReplicaSet = async (allRSs: readonly ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> => {
    if (rsReplicas(newRS) === deploymentReplicas(d)) return false;
    if (rsReplicas(newRS) > deploymentReplicas(d)) return (await scaleReplicaSetAndRecordEvent(newRS, deploymentReplicas(d), d)).scaled;
    return (await scaleReplicaSetAndRecordEvent(newRS, newRSNewReplicas(d, allRSs, newRS), d)).scaled;
  };

  /** cleanupUnhealthyReplicas: scales down the unavailable replicas of old RSes first, oldest first. */
  const cleanupUnhealthyReplicas = async (oldRSs: ReplicaSet[], d: Deployment, maxCleanupCount: number): Promise<{ oldRSs: ReplicaSet[]; cleaned: number }> => {
    oldRSs.sort(byCreationTimestamp);
    let total = 0;
    for (let i = 0; i < oldRSs.length; i++) {
      const target = oldRSs[i];
      if (target === undefined) continue;
      if (total >= maxCleanupCount) break;
      const available = target.status?.availableReplicas ?? 0;
      if (rsReplicas(target) === 0 || rsReplicas(target) === available) continue;
      const count = Math.min(maxCleanupCount - total, rsReplicas(target) - available);
      const newCount = rsReplicas(target) - count;
      if (newCount > rsReplicas(target)) {
        throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${keyOf(target)} ${rsReplicas(target)} -> ${newCount}`);
      }
      const { rs } = await scaleReplicaSetAndRecordEvent(target, newCount, d);
      total += count;
      oldRSs[i] = rs;
    }
    return { oldRSs, cleaned: total };
  };

  /** scaleDownOldReplicaSetsForRollingUpdate: as many as availability above minAvailable allows, oldest first. */
  const scaleDownOldReplicaSetsForRollingUpdate = async (allRSs: readonly ReplicaSet[], oldRSs: ReplicaSet[], d: Deployment): Promise<number> => {
    const minAvail = deploymentReplicas(d) - maxUnavailable(d);
    const availablePodCount = getAvailableReplicaCountForReplicaSets(allRSs);
    if (availablePodCount <= minAvail) return 0;
    oldRSs.sort(byCreationTimestamp);
    let total = 0;
    const totalScaleDownCount = availablePodCount - minAvail;
    for (const target of oldRSs) {
      if (total >= totalScaleDownCount) break;
      if (rsReplicas(target) === 0) continue;
      const count = Math.min(rsReplicas(target), totalScaleDownCount - total);
      const newCount = rsReplicas(target) - count;
      if (newCount > rsReplicas(target)) throw new Error(`when scaling down old RS, got invalid request to scale down ${keyOf(target)} ${rsReplicas(target)} -> ${newCount}`);
      await scaleReplicaSetAndRecordEvent(target, newCount, d);
      total += count;
    }
    return total;
  };

  const reconcileOldReplicaSets = async (allRSs: readonly ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> => {
    const oldPodsCount = getReplicaCountForReplicaSets(oldRSs);
    if (oldPodsCount === 0) return false;
    const allPodsCount = getReplicaCountForReplicaSets(allRSs);
    const minAvail = deploymentReplicas(d) - maxUnavailable(d);
    const newRSUnavailablePodCount = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPodsCount - minAvail - newRSUnavailablePodCount;
    if (maxScaledDown <= 0) return false;
    const { oldRSs: cleanedOld, cleaned } = await cleanupUnhealthyReplicas(oldRSs, d, maxScaledDown);
    const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate([...cleanedOld, newRS], cleanedOld, d);
    return cleaned + scaledDown > 0;
  };

  /** rolloutRolling (rolling.go). */
  const rolloutRolling = async (d: Deployment, rsList: readonly ReplicaSet[]): Promise<ReconcileResult> => {
    const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(d, rsList, true);
    if (newRS === undefined) throw new Error(`no new replica set for deployment ${keyOf(d)}`);
    const allRSs = [...oldRSs, newRS];
    if (await reconcileNewReplicaSet(allRSs, newRS, d)) return syncRolloutStatus(allRSs, newRS, d);
    if (await reconcileOldReplicaSets(allRSs, filterActiveReplicaSets(oldRSs), newRS, d)) return syncRolloutStatus(allRSs, newRS, d);
    if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(oldRSs, d);
    return syncRolloutStatus(allRSs, newRS, d);
  };

  /** oldPodsRunning: old ReplicaSets still report pods, or pods of theirs are not terminal yet. */
  const oldPodsRunning = (newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podMap: Map<string, Pod[]>): boolean => {
    if (getActualReplicaCountForReplicaSets(oldRSs) > 0) return true;
    for (const [uid, list] of podMap) {
      if (newRS !== undefined && newRS.metadata?.uid === uid) continue;
      for (const pod of list) {
        const phase = pod.status?.phase;
        if (phase === 'Failed' || phase === 'Succeeded') continue;
        return true;
      }
    }
    return false;
  };

  /** rolloutRecreate (recreate.go): old ReplicaSets to zero, wait for their pods, then the new one up. */
  const rolloutRecreate = async (d: Deployment, rsList: readonly ReplicaSet[], podMap: Map<string, Pod[]>): Promise<ReconcileResult> => {
    let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(d, rsList, false);
    let allRSs: (ReplicaSet | undefined)[] = [...oldRSs, newRS];
    let scaledDown = false;
    const active = filterActiveReplicaSets(oldRSs);
    for (const rs of active) {
      if (rsReplicas(rs) === 0) continue;
      if ((await scaleReplicaSetAndRecordEvent(rs, 0, d)).scaled) scaledDown = true;
    }
    if (scaledDown) return syncRolloutStatus(allRSs, newRS, d);
    if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(allRSs, newRS, d);
    if (newRS === undefined) {
      ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(d, rsList, true));
      allRSs = [...oldRSs, newRS];
    }
    if (newRS !== undefined) await scaleReplicaSetAndRecordEvent(newRS, deploymentReplicas(d), d);
    if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(oldRSs, d);
    return syncRolloutStatus(allRSs, newRS, d);
  };

  /** updateDeploymentAndClearRollbackTo: drops the rollback annotation with an update of the Deployment. */
  const updateDeploymentAndClearRollbackTo = async (d: Deployment): Promise<void> => {
    const anns = d.metadata?.annotations;
    if (anns !== undefined) delete anns[DeprecatedRollbackTo];
    const m = d.metadata ?? {};
    await client.request('PUT', deploymentPath(m.namespace ?? '', m.name ?? ''), { ...d, apiVersion: 'apps/v1', kind: 'Deployment' });
  };

  /** rollback (rollback.go): the template of the revision named by deprecated.deployment.rollback.to. */
  const rollback = async (d: Deployment, rsList: readonly ReplicaSet[]): Promise<void> => {
    const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(d, rsList, true);
    const allRSs = [...oldRSs, ...(newRS === undefined ? [] : [newRS])];
    let to = getRollbackTo(d) ?? 0;
    if (to === 0) {
      to = lastRevision(allRSs);
      if (to === 0) {
        recorder.event(ownerOf(d), 'Warning', RollbackRevisionNotFound, '%s', 'Unable to find last revision.');
        await updateDeploymentAndClearRollbackTo(d);
        return;
      }
    }
    for (const rs of allRSs) {
      if (revision(rs) !== to) continue;
      let performed = false;
      if (!equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
        setFromReplicaSetTemplate(d, rs.spec?.template ?? {});
        setDeploymentAnnotationsTo(d, rs);
        performed = true;
      } else {
        recorder.event(ownerOf(d), 'Warning', RollbackTemplateUnchanged, '%s', `The rollback revision contains the same template as current deployment ${JSON.stringify(d.metadata?.name ?? '')}`);
      }
      await updateDeploymentAndClearRollbackTo(d);
      if (performed) recorder.event(ownerOf(d), 'Normal', RollbackDone, '%s', `Rolled back deployment ${JSON.stringify(d.metadata?.name ?? '')} to revision ${to}`);
      return;
    }
    recorder.event(ownerOf(d), 'Warning', RollbackRevisionNotFound, '%s', 'Unable to find the revision to rollback to.');
    await updateDeploymentAndClearRollbackTo(d);
  };

  /** syncDeployment (deployment_controller.go). */
  const syncDeployment = async (key: string): Promise<ReconcileResult> => {
    const cached = deployments.get(key) as Deployment | undefined;
    if (cached === undefined) return undefined;
    const d = structuredClone(cached);
    if (isEmptySelector(d)) {
      recorder.event(ownerOf(d), 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        (d.status ??= {}).observedGeneration = d.metadata?.generation ?? 0;
        await updateStatus(d);
      }
      return undefined;
    }
    const rsList = await getReplicaSetsForDeployment(d);
    const podMap = getPodMapForDeployment(d, rsList);
    if (d.metadata?.deletionTimestamp !== undefined) {
      const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(d, rsList, false);
      await syncDeploymentStatus([...oldRSs, newRS], newRS, d);
      return undefined;
    }
    await checkPausedConditions(d);
    if (d.spec?.paused === true) {
      await sync(d, rsList);
      return undefined;
    }
    if (getRollbackTo(d) !== undefined) {
      await rollback(d, rsList);
      return undefined;
    }
    if (await isScalingEvent(d, rsList)) {
      await sync(d, rsList);
      return undefined;
    }
    const type = d.spec?.strategy?.type ?? 'RollingUpdate';
    switch (type) {
      case 'Recreate':
        return rolloutRecreate(d, rsList, podMap);
      case 'RollingUpdate':
        return rolloutRolling(d, rsList);
      default:
        throw new Error(`unexpected deployment strategy type: ${type}`);
    }
  };

  return { ...runWithInformers(controller, [deployments, replicaSets, pods], recorder), recorder };
}
