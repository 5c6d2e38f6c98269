// The StatefulSet controller (upstream's pkg/controller/statefulset, "statefulset-controller"): for each set it adopts
// orphaned ControllerRevisions and pods (members by name, matching the selector), finds or creates the revision of
// the current template (`<set>-<hash>`, re-numbering an older equal revision on rollback), runs updateStatefulSet,
// writes the status when it changed, completes rolling updates and keeps revisionHistoryLimit.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { log } from '../../cli/log.js';
import { Informer, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { LabelSelector, labelSelectorFromObject, type LabelSelectorObject } from '../../machinery/label-selector.js';
import { EventRecorder } from '../events/event-recorder.js';
import { isPodReady } from '../podcontrol/active-pods.js';
import { PodControllerRefManager, getControllerOf, ownerRefControllerPatch, recheckDeletionTimestamp } from '../podcontrol/controller-ref-manager.js';
import { PodControl, errorMessage } from '../podcontrol/pod-control.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { equalRevision, findEqualRevisions, hashControllerRevision, controllerRevisionName, newControllerRevision, nextRevision, revisionsToTruncate, sortControllerRevisions } from './controller-history.js';
import { StatefulPodControl } from './stateful-pod-control.js';
import { aggregate, updateStatefulSet } from './stateful-set-control.js';
import { completeRollingUpdate, inconsistentStatus } from './stateful-set-status.js';
import { getPatch, getPodRevision, isMemberOf, setControllerRef, setName, setNamespace, setOwner } from './stateful-set-utils.js';
import { runWithInformers } from '../runtime/run-with-informers.js';

export const statefulSetControllerName = 'statefulset-controller';
/** Upstream's ConcurrentStatefulSetSyncs. */
const workers = 5;

export interface StatefulSetControllerHandle {
  stop(): void;
  waitForSync(): Promise<void>;
  /** The event recorder, for tests that wait for events to be written. */
  readonly recorder: EventRecorder;
}

const setsPath = (ns: string, name = ''): string => `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/statefulsets${name === '' ? '' : `/${encodeURIComponent(name)}`}`;
const revisionsPath = (ns: string, name = ''): string => `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/controllerrevisions${name === '' ? '' : `/${encodeURIComponent(name)}`}`;

function keyOf(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function selectorOf(set: StatefulSet): LabelSelector {
  return labelSelectorFromObject(set.spec?.selector as LabelSelectorObject | undefined);
}

export function startStatefulSetController(client: RestClient): StatefulSetControllerHandle {
  const sets = new Informer(client, '/apis/apps/v1/statefulsets');
  const pods = new Informer(client, '/api/v1/pods');
  const revisions = new Informer(client, '/apis/apps/v1/controllerrevisions');
  const recorder = new EventRecorder(client, { component: statefulSetControllerName });
  const podControl = new PodControl(client, recorder);
  const statefulPodControl = new StatefulPodControl(client, recorder);
  const controller = new Controller('statefulset', (key) => sync(key), workers);

  const asSet = (o: Obj): StatefulSet => o as unknown as StatefulSet;
  const inNamespace = (inf: Informer, ns: string): Obj[] => inf.listNamespace(ns);

  /** resolveControllerRef: the set a controller reference names, if it still has that uid. */
  const resolveControllerRef = (ns: string, ref: OwnerReference): StatefulSet | undefined => {
    if (ref.kind !== 'StatefulSet') return undefined;
    const o = sets.get(`${ns}/${ref.name}`);
    if (o === undefined) return undefined;
    const set = asSet(o);
    return set.metadata?.uid === ref.uid ? set : undefined;
  };

  /** getPodStatefulSets: the sets of the pod's namespace whose selector matches it. */
  const setsSelecting = (pod: Pod): StatefulSet[] =>
    inNamespace(sets, pod.metadata?.namespace ?? '')
      .map(asSet)
      .filter((s) => {
        try {
          const sel = selectorOf(s);
          return !sel.isEmpty() && sel.matches(pod.metadata?.labels ?? {});
        } catch {
          return false;
        }
      });

  const enqueuePodOwner = (pod: Pod, orphansToo: boolean): void => {
    const ref = getControllerOf(pod);
    if (ref !== undefined) {
      const set = resolveControllerRef(pod.metadata?.namespace ?? '', ref);
      if (set === undefined) return;
      controller.queue.add(keyOf(set));
      const mrs = set.spec?.minReadySeconds ?? 0;
      if (mrs > 0 && isPodReady(pod)) controller.queue.addAfter(keyOf(set), mrs * 1000 + 1000);
      return;
    }
    if (orphansToo) for (const s of setsSelecting(pod)) controller.queue.add(keyOf(s));
  };

  pods.addHandlers({
    add: (o) => {
      const pod = o as unknown as Pod;
      enqueuePodOwner(pod, pod.metadata?.deletionTimestamp === undefined);
    },
    update: (o, n) => {
      const oldPod = o as unknown as Pod;
      const cur = n as unknown as Pod;
      if (oldPod.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      const oldRef = getControllerOf(oldPod);
      const curRef = getControllerOf(cur);
      if (oldRef !== undefined && JSON.stringify(oldRef) !== JSON.stringify(curRef ?? null)) {
        const old = resolveControllerRef(oldPod.metadata?.namespace ?? '', oldRef);
        if (old !== undefined) controller.queue.add(keyOf(old));
      }
      const labelChanged = JSON.stringify(oldPod.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
      enqueuePodOwner(cur, labelChanged || JSON.stringify(oldRef ?? null) !== JSON.stringify(curRef ?? null));
    },
    delete: (o) => enqueuePodOwner(o as unknown as Pod, false),
  });
  sets.addHandlers({
    add: (o) => controller.queue.add(keyOf(asSet(o))),
    update: (_o, n) => controller.queue.add(keyOf(asSet(n))),
    delete: (o) => controller.queue.add(keyOf(asSet(o))),
  });

  const getFreshSet = async (set: StatefulSet): Promise<ReturnType<typeof setOwner>> => {
    const fresh = await client.request<StatefulSet>('GET', setsPath(setNamespace(set), setName(set)));
    if (fresh.metadata?.uid !== set.metadata?.uid) {
      throw new Error(`original StatefulSet ${setNamespace(set)}/${setName(set)} is gone: got uid ${fresh.metadata?.uid ?? ''}, wanted ${set.metadata?.uid ?? ''}`);
    }
    return setOwner(fresh);
  };

  /** The set's revisions (controlled by it), after adopting matching orphans. */
  const controlledRevisions = async (set: StatefulSet, selector: LabelSelector, canAdopt: () => Promise<void>): Promise<ControllerRevision[]> => {
    const uid = set.metadata?.uid ?? '';
    const owned: ControllerRevision[] = [];
    for (const o of inNamespace(revisions, setNamespace(set))) {
      const rev = o as unknown as ControllerRevision;
      const ref = getControllerOf(rev);
      if (ref !== undefined) {
        if (ref.uid === uid) owned.push(rev);
        continue;
      }
      if (set.metadata?.deletionTimestamp !== undefined || selector.isEmpty() || !selector.matches(rev.metadata?.labels ?? {})) continue;
      await canAdopt();
      try {
        owned.push(await client.request<ControllerRevision>('PATCH', revisionsPath(setNamespace(set), rev.metadata?.name ?? ''), ownerRefControllerPatch(setOwner(set), rev.metadata?.uid ?? ''), 'application/strategic-merge-patch+json'));
      } catch (e: unknown) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return owned;
  };

  /** CreateControllerRevision: creates the revision, bumping the collision count while a different one has its name. */
  const createRevision = async (set: StatefulSet, revision: ControllerRevision, collision: { count: number }): Promise<ControllerRevision> => {
    const clone = structuredClone(revision);
    for (;;) {
      const hash = hashControllerRevision(revision.data, collision.count);
      (clone.metadata ??= {}).name = controllerRevisionName(setName(set), hash);
      try {
        return await client.request<ControllerRevision>('POST', revisionsPath(setNamespace(set)), clone);
      } catch (e: unknown) {
        if (!(e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists')) throw e;
        const exists = await client.request<ControllerRevision>('GET', revisionsPath(setNamespace(set), clone.metadata.name ?? ''));
        if (equalRevision(exists, clone)) return exists;
        collision.count++;
      }
    }
  };

  /** UpdateControllerRevision: sets a revision's number, retrying conflicts on a fresh copy. */
  const updateRevisionNumber = async (revision: ControllerRevision, number: number): Promise<ControllerRevision> => {
    let current = structuredClone(revision);
    for (let attempt = 0; ; attempt++) {
      if (current.revision === number) return current;
      current.revision = number;
      try {
        return await client.request<ControllerRevision>('PUT', revisionsPath(current.metadata?.namespace ?? '', current.metadata?.name ?? ''), current);
      } catch (e: unknown) {
        if (!(e instanceof ApiError && e.code === 409) || attempt >= 5) throw e;
        current = await client.request<ControllerRevision>('GET', revisionsPath(current.metadata?.namespace ?? '', current.metadata?.name ?? ''));
      }
    }
  };

  /** getStatefulSetRevisions: the current and update revisions, and the collision count. */
  const getStatefulSetRevisions = async (set: StatefulSet, sorted: ControllerRevision[]): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> => {
    const collision = { count: set.status?.collisionCount ?? 0 };
    const candidate = newControllerRevision(setName(set), setNamespace(set), setControllerRef(set), set.spec?.template.metadata?.labels ?? {}, getPatch(set), nextRevision(sorted), collision.count);
    const annotations = set.metadata?.annotations;
    if (annotations !== undefined && candidate.metadata !== undefined) candidate.metadata.annotations = { ...annotations };
    const equal = findEqualRevisions(sorted, candidate);
    const last = sorted[sorted.length - 1];
    const lastEqual = equal[equal.length - 1];
    let update: ControllerRevision;
    if (lastEqual !== undefined && last !== undefined && equalRevision(last, lastEqual)) update = last;
    else if (lastEqual !== undefined) update = await updateRevisionNumber(lastEqual, candidate.revision);
    else update = await createRevision(set, candidate, collision);
    const current = sorted.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount: collision.count };
  };

  const updateSetStatus = async (set: StatefulSet, raw: Obj, status: StatefulSetStatus): Promise<void> => {
    completeRollingUpdate(set, status);
    if (!inconsistentStatus(set, status)) return;
    let body: Obj = { ...raw, apiVersion: 'apps/v1', kind: 'StatefulSet', status };
    for (let attempt = 0; ; attempt++) {
      try {
        await client.request('PUT', `${setsPath(setNamespace(set), setName(set))}/status`, body);
        return;
      } catch (e: unknown) {
        if (!(e instanceof ApiError && e.code === 409) || attempt >= 5) throw e;
        const fresh = await client.request<Obj>('GET', setsPath(setNamespace(set), setName(set)));
        body = { ...fresh, status };
      }
    }
  };

  const truncateHistory = async (set: StatefulSet, claimed: readonly Pod[], sorted: readonly ControllerRevision[], current?: ControllerRevision, update?: ControllerRevision): Promise<void> => {
    const live = new Set<string>(claimed.map(getPodRevision));
    if (current?.metadata?.name !== undefined) live.add(current.metadata.name);
    if (update?.metadata?.name !== undefined) live.add(update.metadata.name);
    for (const r of revisionsToTruncate(sorted, live, set.spec?.revisionHistoryLimit ?? 10)) {
      try {
        await client.request('DELETE', revisionsPath(setNamespace(set), r.metadata?.name ?? ''));
      } catch (e: unknown) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
  };

  const sync = async (key: string): Promise<ReconcileResult> => {
    const raw = sets.get(key);
    if (raw === undefined) return;
    const set = structuredClone(asSet(raw));
    let selector: LabelSelector;
    try {
      selector = selectorOf(set);
    } catch (e: unknown) {
      log.warn('invalid selector', { controller: statefulSetControllerName, key, err: errorMessage(e) });
      return;
    }
    const canAdopt = recheckDeletionTimestamp(() => getFreshSet(set));
    const owned = await controlledRevisions(set, selector, canAdopt);
    const nsPods = inNamespace(pods, setNamespace(set)).map((o) => o as unknown as Pod);
    const claimed = await new PodControllerRefManager(podControl, setOwner(set), selector, canAdopt).claimPods(nsPods, [(p) => isMemberOf(set, p)]);

    const sorted = sortControllerRevisions([...owned]);
    let current: ControllerRevision | undefined;
    let update: ControllerRevision | undefined;
    let err: Error | undefined;
    let status: StatefulSetStatus | undefined;
    try {
      const revs = await getStatefulSetRevisions(set, sorted);
      current = revs.current;
      update = revs.update;
      const result = await updateStatefulSet(set, revs.current, revs.update, revs.collisionCount, claimed, statefulPodControl);
      status = result.status;
      let statusErr: Error | undefined;
      try {
        await updateSetStatus(set, raw, result.status);
      } catch (e: unknown) {
        statusErr = e instanceof Error ? e : new Error(String(e));
      }
      err = aggregate([result.error, statusErr]);
    } catch (e: unknown) {
      err = e instanceof Error ? e : new Error(String(e));
    }
    let truncErr: Error | undefined;
    try {
      await truncateHistory(set, claimed, sorted, current, update);
    } catch (e: unknown) {
      truncErr = e instanceof Error ? e : new Error(String(e));
    }
    const all = aggregate([err, truncErr]);
    if (all !== undefined) throw all;
    // Availability is not signalled by a pod update: look again after minReadySeconds.
    const mrs = set.spec?.minReadySeconds ?? 0;
    if (mrs > 0 && status !== undefined && (status.readyReplicas ?? 0) !== (status.availableReplicas ?? 0)) return { requeueAfterMs: mrs * 1000 };
    return;
  };

  return { ...runWithInformers(controller, [pods, sets, revisions], recorder), recorder };
}
