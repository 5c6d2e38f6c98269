// The DaemonSet controller (upstream's pkg/controller/daemon, "daemonset-controller"): one daemon pod on every
// node that should run it. Pods are created pinned to their node through a required node affinity on
// metadata.name, and the scheduler binds them; pods on nodes that no longer qualify are deleted, failed pods are
// replaced with backoff. The template's history is kept in ControllerRevisions; RollingUpdate (maxUnavailable,
// maxSurge) and OnDelete update pods; status reports the scheduling counts.
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { log } from '../../cli/log.js';
import { Informer, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { LabelSelector, labelSelectorFromObject, type LabelSelectorObject } from '../../machinery/label-selector.js';
import { canonicalJson } from '../deployment/compute-hash.js';
import { EventRecorder } from '../events/event-recorder.js';
import { isPodReady } from '../podcontrol/active-pods.js';
import { ControllerExpectations } from '../podcontrol/controller-expectations.js';
import { PodControllerRefManager, deleteOwnerRefPatch, getControllerOf, ownerRefControllerPatch, recheckDeletionTimestamp } from '../podcontrol/controller-ref-manager.js';
import { PodControl, errorMessage, isNamespaceTerminating, newControllerRef, type ControllerObject } from '../podcontrol/pod-control.js';
import { slowStartBatch, slowStartInitialBatchSize } from '../replicaset/slow-start-batch.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { replaceDaemonSetPodNodeNameNodeAffinity, getTargetNodeName } from './daemon-pod-node-affinity.js';
import { matchHistory, maxRevision, newControllerRevision } from './daemon-set-history.js';
import { calculateDaemonSetCounts, daemonSetStatusUpToDate, daemonSetStatusWith } from './daemon-set-status.js';
import { controllerRevisionHashLabel, createPodTemplate, getTemplateGeneration } from './daemon-set-util.js';
import { FailedPodsBackoff } from './failed-pods-backoff.js';
import { nodeShouldRunDaemonPod } from './node-should-run-daemon-pod.js';
import { podsShouldBeOnNode } from './pods-should-be-on-node.js';
import { rollingUpdatePlan } from './rolling-update-plan.js';
import { runWithInformers } from '../runtime/run-with-informers.js';

/** Upstream's BurstReplicas of the DaemonSet controller. */
export const daemonSetBurstReplicas = 250;
/** ConcurrentDaemonSetSyncs. */
export const daemonSetWorkers = 2;
export const FailedDaemonPodReason = 'FailedDaemonPod';
export const SucceededDaemonPodReason = 'SucceededDaemonPod';
export const SelectingAllReason = 'SelectingAll';
const statusUpdateRetries = 1;
const defaultRevisionHistoryLimit = 10;

export interface DaemonSetControllerHandle {
  stop(): void;
  /** Resolves once the informers have listed. */
  waitForSync(): Promise<void>;
  /** The event recorder, for tests that wait for events to be written. */
  readonly recorder: EventRecorder;
}

const apps = '/apis/apps/v1';

function ownerOf(ds: DaemonSet): ControllerObject {
  const m = ds.metadata ?? {};
  const meta: ControllerObject['metadata'] = { name: m.name ?? '', namespace: m.namespace ?? '', uid: m.uid ?? '' };
  if (m.resourceVersion !== undefined) meta.resourceVersion = m.resourceVersion;
  if (m.deletionTimestamp !== undefined) meta.deletionTimestamp = m.deletionTimestamp;
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta };
}

function keyOf(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

export function startDaemonSetController(client: RestClient): DaemonSetControllerHandle {
  const dsInformer = new Informer(client, `${apps}/daemonsets`);
  const podInformer = new Informer(client, '/api/v1/pods');
  const nodeInformer = new Informer(client, '/api/v1/nodes');
  const historyInformer = new Informer(client, `${apps}/controllerrevisions`);
  const recorder = new EventRecorder(client, { component: 'daemonset-controller' });
  const podControl = new PodControl(client, recorder);
  const expectations = new ControllerExpectations();
  const backoff = new FailedPodsBackoff();
  const controller = new Controller('daemonset', (key) => sync(key), daemonSetWorkers);

  const dsPath = (ns: string, name: string): string => `${apps}/namespaces/${encodeURIComponent(ns)}/daemonsets/${encodeURIComponent(name)}`;
  const historyPath = (ns: string, name?: string): string => `${apps}/namespaces/${encodeURIComponent(ns)}/controllerrevisions${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  const allDaemonSets = (): DaemonSet[] => dsInformer.list() as unknown as DaemonSet[];
  const nodes = (): Node[] => nodeInformer.list() as unknown as Node[];
  const selectorOf = (ds: DaemonSet): LabelSelector => labelSelectorFromObject(ds.spec?.selector as LabelSelectorObject | undefined);

  const resolveControllerRef = (ns: string, ref: OwnerReference): DaemonSet | undefined => {
    if (ref.kind !== 'DaemonSet') return undefined;
    const ds = dsInformer.get(`${ns}/${ref.name}`) as DaemonSet | undefined;
    return ds?.metadata?.uid === ref.uid ? ds : undefined;
  };

  /** getDaemonSetsForPod: the DaemonSets in the pod's namespace whose selector matches its labels. */
  const daemonSetsSelecting = (labels: Record<string, string>, ns: string): DaemonSet[] =>
    allDaemonSets().filter((ds) => {
      if (ds.metadata?.namespace !== ns) return false;
      try {
        const sel = selectorOf(ds);
        return !sel.isEmpty() && sel.matches(labels);
      } catch {
        return false;
      }
    });

  // Pods.
  const deletePod = (pod: Pod): void => {
    const ref = getControllerOf(pod);
    if (ref === undefined) return;
    const ds = resolveControllerRef(pod.metadata?.namespace ?? '', ref);
    if (ds === undefined) return;
    expectations.deletionObserved(keyOf(ds), keyOf(pod));
    controller.queue.add(keyOf(ds));
  };
  const addPod = (pod: Pod): void => {
    if (pod.metadata?.deletionTimestamp !== undefined) {
      deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref !== undefined) {
      const ds = resolveControllerRef(pod.metadata?.namespace ?? '', ref);
      if (ds === undefined) return;
      expectations.creationObserved(keyOf(ds));
      controller.queue.add(keyOf(ds));
      return;
    }
    for (const ds of daemonSetsSelecting(pod.metadata?.labels ?? {}, pod.metadata?.namespace ?? '')) controller.queue.add(keyOf(ds));
  };
  const updatePod = (oldPod: Pod, curPod: Pod): void => {
    if (curPod.metadata?.resourceVersion === oldPod.metadata?.resourceVersion) return;
    if (curPod.metadata?.deletionTimestamp !== undefined) {
      deletePod(curPod);
      return;
    }
    const curRef = getControllerOf(curPod);
    const oldRef = getControllerOf(oldPod);
    const refChanged = canonicalJson(curRef ?? null) !== canonicalJson(oldRef ?? null);
    if (refChanged && oldRef !== undefined) {
      const old = resolveControllerRef(oldPod.metadata?.namespace ?? '', oldRef);
      if (old !== undefined) controller.queue.add(keyOf(old));
    }
    if (curRef !== undefined) {
      const ds = resolveControllerRef(curPod.metadata?.namespace ?? '', curRef);
      if (ds === undefined) return;
      controller.queue.add(keyOf(ds));
      const minReady = ds.spec?.minReadySeconds ?? 0;
      if (!isPodReady(oldPod) && isPodReady(curPod) && minReady > 0) controller.queue.addAfter(keyOf(ds), minReady * 1000 + 1000);
      return;
    }
    const labelChanged = canonicalJson(curPod.metadata?.labels ?? {}) !== canonicalJson(oldPod.metadata?.labels ?? {});
    if (labelChanged || refChanged) for (const ds of daemonSetsSelecting(curPod.metadata?.labels ?? {}, curPod.metadata?.namespace ?? '')) controller.queue.add(keyOf(ds));
  };
  podInformer.addHandlers({
    add: (o) => addPod(o as unknown as Pod),
    update: (o, n) => updatePod(o as unknown as Pod, n as unknown as Pod),
    delete: (o) => deletePod(o as unknown as Pod),
  });

  // Nodes: a DaemonSet looks again when a node appears, goes, or changes in a way that matters to it.
  nodeInformer.addHandlers({
    add: (o) => {
      for (const ds of allDaemonSets()) if (nodeShouldRunDaemonPod(o as unknown as Node, ds).shouldRun) controller.queue.add(keyOf(ds));
    },
    update: (o, n) => {
      const oldNode = o as unknown as Node;
      const curNode = n as unknown as Node;
      // shouldIgnoreNodeUpdate: heartbeats and other status changes do not matter.
      if (canonicalJson({ ...oldNode, status: null, metadata: { ...oldNode.metadata, resourceVersion: '', managedFields: null } }) === canonicalJson({ ...curNode, status: null, metadata: { ...curNode.metadata, resourceVersion: '', managedFields: null } })) return;
      for (const ds of allDaemonSets()) {
        const a = nodeShouldRunDaemonPod(oldNode, ds);
        const b = nodeShouldRunDaemonPod(curNode, ds);
        if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) controller.queue.add(keyOf(ds));
      }
    },
    delete: () => {
      for (const ds of allDaemonSets()) controller.queue.add(keyOf(ds));
    },
  });

  // ControllerRevisions: an orphan wakes the DaemonSets that may adopt it, a change or deletion its owner.
  const historyOwner = (h: ControllerRevision): DaemonSet | undefined => {
    const ref = getControllerOf(h);
    return ref === undefined ? undefined : resolveControllerRef(h.metadata?.namespace ?? '', ref);
  };
  const enqueueAdopters = (h: ControllerRevision): void => {
    for (const ds of daemonSetsSelecting(h.metadata?.labels ?? {}, h.metadata?.namespace ?? '')) controller.queue.add(keyOf(ds));
  };
  const deleteHistory = (h: ControllerRevision): void => {
    const ds = historyOwner(h);
    if (ds !== undefined) controller.queue.add(keyOf(ds));
  };
  historyInformer.addHandlers({
    add: (o) => {
      const h = o as unknown as ControllerRevision;
      if (h.metadata?.deletionTimestamp !== undefined) deleteHistory(h);
      else if (getControllerOf(h) === undefined) enqueueAdopters(h);
    },
    update: (o, n) => {
      const old = o as unknown as ControllerRevision;
      const cur = n as unknown as ControllerRevision;
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      const curRef = getControllerOf(cur);
      const oldRef = getControllerOf(old);
      const refChanged = canonicalJson(curRef ?? null) !== canonicalJson(oldRef ?? null);
      if (refChanged) {
        const prev = historyOwner(old);
        if (prev !== undefined) controller.queue.add(keyOf(prev));
      }
      if (curRef !== undefined) {
        const ds = historyOwner(cur);
        if (ds !== undefined) controller.queue.add(keyOf(ds));
        return;
      }
      if (refChanged || canonicalJson(cur.metadata?.labels ?? {}) !== canonicalJson(old.metadata?.labels ?? {})) enqueueAdopters(cur);
    },
    delete: (o) => deleteHistory(o as unknown as ControllerRevision),
  });

  dsInformer.addHandlers({
    add: (o) => controller.queue.add(keyOf(o)),
    update: (o, n) => {
      if ((o as DaemonSet).metadata?.uid !== (n as DaemonSet).metadata?.uid) expectations.deleteExpectations(keyOf(o));
      controller.queue.add(keyOf(n));
    },
    delete: (o) => {
      expectations.deleteExpectations(keyOf(o));
      controller.queue.add(keyOf(o));
    },
  });

  const canAdoptFor = (ds: DaemonSet): (() => Promise<void>) =>
    recheckDeletionTimestamp(async () => {
      const fresh = await client.request<DaemonSet>('GET', dsPath(ds.metadata?.namespace ?? '', ds.metadata?.name ?? ''));
      if (fresh.metadata?.uid !== ds.metadata?.uid) {
        throw new Error(`original DaemonSet ${keyOf(ds)} is gone: got uid ${fresh.metadata?.uid ?? ''}, wanted ${ds.metadata?.uid ?? ''}`);
      }
      return ownerOf(fresh);
    });

  /** getDaemonPods: the pods of the namespace this DaemonSet owns, after adopting and releasing. */
  const getDaemonPods = async (ds: DaemonSet): Promise<Pod[]> => {
    const manager = new PodControllerRefManager(podControl, ownerOf(ds), selectorOf(ds), canAdoptFor(ds));
    // Its own pods and the namespace's orphans: pods of other controllers the claim would ignore.
    return manager.claimPods(podInformer.listClaimable(ds.metadata?.namespace ?? '', ds.metadata?.uid ?? '') as unknown as Pod[]);
  };

  /** getNodesToDaemonPods: the claimed pods by the node they are (or are to be) on. */
  const getNodesToDaemonPods = async (ds: DaemonSet, includeDeletedTerminal: boolean): Promise<Map<string, Pod[]>> => {
    const out = new Map<string, Pod[]>();
    for (const pod of await getDaemonPods(ds)) {
      const phase = pod.status?.phase;
      if (!includeDeletedTerminal && (phase === 'Failed' || phase === 'Succeeded') && pod.metadata?.deletionTimestamp !== undefined) continue;
      let nodeName: string;
      try {
        nodeName = getTargetNodeName(pod);
      } catch (e: unknown) {
        log.warn('failed to get target node name of pod in daemonset', { controller: 'daemonset', pod: keyOf(pod), err: errorMessage(e) });
        continue;
      }
      const list = out.get(nodeName);
      if (list === undefined) out.set(nodeName, [pod]);
      else list.push(pod);
    }
    return out;
  };

  /** controlledHistories: the revisions this DaemonSet owns, adopting matching orphans and releasing the others. */
  const controlledHistories = async (ds: DaemonSet): Promise<ControllerRevision[]> => {
    const ns = ds.metadata?.namespace ?? '';
    const uid = ds.metadata?.uid ?? '';
    const selector = selectorOf(ds);
    const canAdopt = canAdoptFor(ds);
    let adoptChecked: Promise<void> | undefined;
    const claimed: ControllerRevision[] = [];
    for (const o of historyInformer.list()) {
      const h = o as unknown as ControllerRevision;
      if (h.metadata?.namespace !== ns) continue;
      const ref = getControllerOf(h);
      const matches = selector.matches(h.metadata?.labels ?? {});
      if (ref !== undefined) {
        if (ref.uid !== uid) continue;
        if (matches) {
          claimed.push(h);
        } else if (ds.metadata?.deletionTimestamp === undefined) {
          await client
            .request('PATCH', historyPath(ns, h.metadata?.name ?? ''), deleteOwnerRefPatch(h.metadata?.uid ?? '', [uid]), 'application/strategic-merge-patch+json')
            .catch((e: unknown) => {
              if (!(e instanceof ApiError && (e.code === 404 || e.reason === 'Invalid'))) throw e;
            });
        }
        continue;
      }
      if (!matches || ds.metadata?.deletionTimestamp !== undefined || h.metadata?.deletionTimestamp !== undefined) continue;
      adoptChecked ??= canAdopt();
      await adoptChecked;
      try {
        claimed.push(await client.request<ControllerRevision>('PATCH', historyPath(ns, h.metadata?.name ?? ''), ownerRefControllerPatch(ownerOf(ds), h.metadata?.uid ?? ''), 'application/strategic-merge-patch+json'));
      } catch (e: unknown) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return claimed;
  };

  /** snapshot: creates the revision of the current template; a name taken by another template bumps collisionCount. */
  const snapshot = async (ds: DaemonSet, revision: number): Promise<ControllerRevision> => {
    const ns = ds.metadata?.namespace ?? '';
    const history = newControllerRevision(ds, revision, newControllerRef(ownerOf(ds)));
    try {
      return await client.request<ControllerRevision>('POST', historyPath(ns), history);
    } catch (e: unknown) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
      const existing = await client.request<ControllerRevision>('GET', historyPath(ns, history.metadata?.name ?? ''));
      if (matchHistory(ds, existing)) return existing;
      const current = await client.request<DaemonSet>('GET', dsPath(ns, ds.metadata?.name ?? ''));
      if ((current.status?.collisionCount ?? null) !== (ds.status?.collisionCount ?? null)) {
        throw new Error(`found a stale collision count (${ds.status?.collisionCount ?? 0}, expected ${current.status?.collisionCount ?? 0}) of DaemonSet "${ds.metadata?.name ?? ''}" while processing; will retry until it is updated`);
      }
      const status = { ...(current.status ?? { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 }) };
      status.collisionCount = (status.collisionCount ?? 0) + 1;
      await client.request('PUT', `${dsPath(ns, ds.metadata?.name ?? '')}/status`, { ...current, apiVersion: 'apps/v1', kind: 'DaemonSet', status });
      log.info('found a hash collision for DaemonSet - bumping collisionCount to resolve it', { controller: 'daemonset', key: keyOf(ds), collisionCount: status.collisionCount });
      throw e;
    }
  };

  /** dedupCurHistories: keeps the highest revision among equal ones, relabelling pods to its hash. */
  const dedupCurHistories = async (ds: DaemonSet, cur: ControllerRevision[]): Promise<ControllerRevision> => {
    let keep = cur[0] as ControllerRevision;
    for (const h of cur) if (h.revision >= keep.revision) keep = h;
    if (cur.length === 1) return keep;
    const ns = ds.metadata?.namespace ?? '';
    const keepHash = keep.metadata?.labels?.[controllerRevisionHashLabel] ?? '';
    for (const h of cur) {
      if (h.metadata?.name === keep.metadata?.name) continue;
      for (const pod of await getDaemonPods(ds)) {
        if (pod.metadata?.labels?.[controllerRevisionHashLabel] === keepHash) continue;
        await podControl.patchPod(ns, pod.metadata?.name ?? '', { metadata: { labels: { [controllerRevisionHashLabel]: keepHash } } });
      }
      await client.request('DELETE', historyPath(ns, h.metadata?.name ?? ''));
    }
    return keep;
  };

  /** constructHistory: the current revision (created or renumbered as needed) and the old ones. */
  const constructHistory = async (ds: DaemonSet): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> => {
    const ns = ds.metadata?.namespace ?? '';
    const current: ControllerRevision[] = [];
    const old: ControllerRevision[] = [];
    for (let h of await controlledHistories(ds)) {
      if (h.metadata?.labels?.[controllerRevisionHashLabel] === undefined) {
        // Revisions made before the label existed are labelled with their name.
        const toUpdate = structuredClone(h);
        toUpdate.metadata = { ...toUpdate.metadata, labels: { ...(toUpdate.metadata?.labels ?? {}), [controllerRevisionHashLabel]: toUpdate.metadata?.name ?? '' } };
        h = await client.request<ControllerRevision>('PUT', historyPath(ns, h.metadata?.name ?? ''), toUpdate);
      }
      if (matchHistory(ds, h)) current.push(h);
      else old.push(h);
    }
    const currRevision = maxRevision(old) + 1;
    let cur: ControllerRevision;
    if (current.length === 0) {
      cur = await snapshot(ds, currRevision);
    } else {
      cur = await dedupCurHistories(ds, current);
      if (cur.revision < currRevision) {
        cur = await client.request<ControllerRevision>('PUT', historyPath(ns, cur.metadata?.name ?? ''), { ...cur, apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: currRevision });
      }
    }
    return { cur, old };
  };

  /** cleanupHistory: deletes the oldest revisions beyond revisionHistoryLimit that no live pod uses. */
  const cleanupHistory = async (ds: DaemonSet, old: ControllerRevision[]): Promise<void> => {
    const toKeep = ds.spec?.revisionHistoryLimit ?? defaultRevisionHistoryLimit;
    let toKill = old.length - toKeep;
    if (toKill <= 0) return;
    const liveHashes = new Set<string>();
    for (const pods of (await getNodesToDaemonPods(ds, true)).values()) {
      for (const pod of pods) {
        const h = pod.metadata?.labels?.[controllerRevisionHashLabel];
        if (h !== undefined && h !== '') liveHashes.add(h);
      }
    }
    for (const h of [...old].sort((a, b) => a.revision - b.revision)) {
      if (toKill <= 0) break;
      if (liveHashes.has(h.metadata?.labels?.[controllerRevisionHashLabel] ?? '')) continue;
      try {
        await client.request('DELETE', historyPath(ds.metadata?.namespace ?? '', h.metadata?.name ?? ''));
      } catch (e: unknown) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
      toKill--;
    }
  };

  /** syncNodes: deletes these pods and creates a pod pinned to each of these nodes, within the burst limit. */
  const syncNodes = async (ds: DaemonSet, podsToDelete: string[], nodesNeedingDaemonPods: string[], hash: string): Promise<void> => {
    const key = keyOf(ds);
    const ns = ds.metadata?.namespace ?? '';
    const owner = ownerOf(ds);
    const createDiff = Math.min(nodesNeedingDaemonPods.length, daemonSetBurstReplicas);
    const deleteDiff = Math.min(podsToDelete.length, daemonSetBurstReplicas);
    const deleting = podsToDelete.slice(0, deleteDiff);
    expectations.expectDeletions(key, deleting.map((name) => `${ns}/${name}`));
    expectations.raiseExpectations(key, createDiff, 0);
    const errors: Error[] = [];

    if (createDiff > 0) log.info('creating daemon pods', { controller: 'daemonset', key, count: createDiff });
    const template = createPodTemplate(ds.spec?.template ?? {}, getTemplateGeneration(ds), hash);
    const ref = newControllerRef(owner);
    let next = 0;
    const { successes, error } = await slowStartBatch(createDiff, slowStartInitialBatchSize, async () => {
      const nodeName = nodesNeedingDaemonPods[next++] ?? '';
      const podTemplate = structuredClone(template);
      const spec = podTemplate.spec ?? { containers: [] };
      spec.affinity = replaceDaemonSetPodNodeNameNodeAffinity(spec.affinity, nodeName);
      podTemplate.spec = spec;
      try {
        await podControl.createPods(ns, podTemplate, owner, ref);
      } catch (e: unknown) {
        // In a terminating namespace every create fails: nothing to do.
        if (isNamespaceTerminating(e)) return;
        throw e;
      }
    });
    // Creations that failed or were skipped will never be observed.
    for (let i = successes; i < createDiff; i++) expectations.creationObserved(key);
    if (error !== undefined) errors.push(error);

    await Promise.all(
      deleting.map(async (name) => {
        try {
          await podControl.deletePod(ns, name, owner);
        } catch (e: unknown) {
          expectations.deletionObserved(key, `${ns}/${name}`);
          if (!(e instanceof ApiError && e.code === 404)) errors.push(toError(e));
        }
      }),
    );
    if (errors.length > 0) throw errors[0];
  };

  /** manage: the pods each node should have; returns a delay when failed pods wait for their backoff. */
  const manage = async (ds: DaemonSet, nodeList: Node[], hash: string): Promise<number | undefined> => {
    const nodeToDaemonPods = await getNodesToDaemonPods(ds, false);
    const nodesNeeding: string[] = [];
    const toDelete: string[] = [];
    let requeueAfterMs: number | undefined;
    const now = Date.now();
    for (const node of nodeList) {
      const plan = podsShouldBeOnNode(node, nodeToDaemonPods.get(node.metadata?.name ?? ''), ds, hash, backoff, now);
      nodesNeeding.push(...plan.nodesNeedingDaemonPods);
      toDelete.push(...plan.podsToDelete);
      for (const pod of plan.failedPods) {
        recorder.event(ownerOf(ds), 'Warning', FailedDaemonPodReason, 'Found failed daemon pod %s/%s on node %s, will try to kill it', pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', node.metadata?.name ?? '');
      }
      for (const pod of plan.succeededPods) {
        recorder.event(ownerOf(ds), 'Normal', SucceededDaemonPodReason, 'Found succeeded daemon pod %s/%s on node %s, will try to delete it', pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', node.metadata?.name ?? '');
      }
      if (plan.requeueAfterMs !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, plan.requeueAfterMs);
    }
    // getUnscheduledPodsWithoutNode: unbound pods for nodes that are gone would never be scheduled.
    const known = new Set(nodeList.map((n) => n.metadata?.name ?? ''));
    for (const [nodeName, pods] of nodeToDaemonPods) {
      if (known.has(nodeName)) continue;
      for (const pod of pods) if ((pod.spec?.nodeName ?? '') === '') toDelete.push(pod.metadata?.name ?? '');
    }
    await syncNodes(ds, toDelete, nodesNeeding, hash);
    return requeueAfterMs;
  };

  const updateDaemonSetStatus = async (ds: DaemonSet, nodeList: Node[], hash: string, updateObservedGen: boolean): Promise<number | undefined> => {
    const nodeToDaemonPods = await getNodesToDaemonPods(ds, false);
    const counts = calculateDaemonSetCounts(ds, nodeList, nodeToDaemonPods, hash, Date.now());
    if (!(updateObservedGen ? daemonSetStatusUpToDate(ds, counts) : daemonSetStatusUpToDate({ ...ds, metadata: { ...ds.metadata, generation: 0 } }, counts))) {
      const ns = ds.metadata?.namespace ?? '';
      let current = ds;
      for (let i = 0; ; i++) {
        try {
          await client.request('PUT', `${dsPath(ns, current.metadata?.name ?? '')}/status`, { ...current, apiVersion: 'apps/v1', kind: 'DaemonSet', status: daemonSetStatusWith(current, counts, updateObservedGen) });
          break;
        } catch (e: unknown) {
          if (i >= statusUpdateRetries) throw e;
          current = await client.request<DaemonSet>('GET', dsPath(ns, current.metadata?.name ?? ''));
        }
      }
    }
    // Look again after minReadySeconds, in case nothing else signals availability.
    const minReady = ds.spec?.minReadySeconds ?? 0;
    return minReady > 0 && counts.numberReady !== counts.numberAvailable ? minReady * 1000 : undefined;
  };

  const sync = async (key: string): Promise<ReconcileResult> => {
    const ds = dsInformer.get(key) as DaemonSet | undefined;
    if (ds === undefined) {
      expectations.deleteExpectations(key);
      return;
    }
    const nodeList = nodes();
    const sel = ds.spec?.selector;
    if (sel === undefined || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
      recorder.event(ownerOf(ds), 'Warning', SelectingAllReason, 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    try {
      selectorOf(ds);
    } catch (e: unknown) {
      log.warn('invalid selector', { controller: 'daemonset', key, err: errorMessage(e) });
      return;
    }
    // A DaemonSet being deleted may have lost its revisions already: leave it to the garbage collector.
    if (ds.metadata?.deletionTimestamp !== undefined) return;
    const { cur, old } = await constructHistory(ds);
    const hash = cur.metadata?.labels?.[controllerRevisionHashLabel] ?? '';
    if (!expectations.satisfiedExpectations(key)) {
      // Only the status: the generation was not acted on.
      const after = await updateDaemonSetStatus(ds, nodeList, hash, false);
      return after === undefined ? undefined : { requeueAfterMs: after };
    }
    let err: Error | undefined;
    let requeue: number | undefined;
    try {
      requeue = await manage(ds, nodeList, hash);
      if (expectations.satisfiedExpectations(key) && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        const plan = rollingUpdatePlan(ds, nodeList, await getNodesToDaemonPods(ds, false), hash, Date.now());
        await syncNodes(ds, plan.oldPodsToDelete, plan.newNodesToCreate, hash);
      }
      try {
        await cleanupHistory(ds, old);
      } catch (e: unknown) {
        throw new Error(`failed to clean up revisions of DaemonSet: ${errorMessage(e)}`, { cause: e });
      }
    } catch (e: unknown) {
      err = toError(e);
    }
    const after = await updateDaemonSetStatus(ds, nodeList, hash, true);
    if (err !== undefined) throw err;
    const delays = [requeue, after].filter((d): d is number => d !== undefined);
    return delays.length === 0 ? undefined : { requeueAfterMs: Math.min(...delays) };
  };

  // Forget backoff entries that have long expired.
  const gcTimer = setInterval(() => backoff.gc(), 60_000);
  gcTimer.unref();

  return { ...runWithInformers(controller, [podInformer, nodeInformer, historyInformer, dsInformer], recorder, () => clearInterval(gcTimer)), recorder };
}

