// The ReplicaSet controller (upstream's pkg/controller/replicaset), which also runs ReplicationControllers as
// upstream does through a conversion: keeps `spec.replicas` active pods matching the selector, adopting orphans
// and releasing pods that stopped matching, creating in slow-start batches and deleting the least valuable pods
// first, gated by expectations, and reports status through the status subresource only when it changed.
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isRecord } from '../../api/object.js';
import { log } from '../../cli/log.js';
import { Informer, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { LabelSelector, labelSelectorFromObject, type LabelSelectorObject } from '../../machinery/label-selector.js';
import { EventRecorder } from '../events/event-recorder.js';
import { getPodsToDelete, isPodActive, isPodReady } from '../podcontrol/active-pods.js';
import { ControllerExpectations } from '../podcontrol/controller-expectations.js';
import { PodControllerRefManager, getControllerOf, recheckDeletionTimestamp } from '../podcontrol/controller-ref-manager.js';
import { PodControl, errorMessage, isNamespaceTerminating, newControllerRef, type ControllerObject } from '../podcontrol/pod-control.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { calculateStatus, statusUpToDate, type ReplicaStatus } from './replica-set-status.js';
import { slowStartBatch, slowStartInitialBatchSize } from './slow-start-batch.js';
import { runWithInformers } from '../runtime/run-with-informers.js';

/** Upstream's BurstReplicas: at most this many creates or deletes per sync. */
export const burstReplicas = 500;
/** Upstream's ConcurrentRSSyncs / ConcurrentRCSyncs. */
export const replicaSetWorkers = 5;
const statusUpdateRetries = 1;

/** What differs between ReplicaSets and ReplicationControllers. */
export interface ReplicaKind {
  /** The controller's name (for --disable-controller and logs). */
  name: string;
  /** The event source component. */
  component: string;
  apiVersion: string;
  kind: string;
  /** The group-version path prefix, e.g. /apis/apps/v1. */
  groupVersionPath: string;
  resource: string;
  /** The selector of an object's spec; throws when it is invalid. */
  selector(spec: Record<string, unknown>): LabelSelector;
}

export const replicaSetKind: ReplicaKind = {
  name: 'replicaset',
  component: 'replicaset-controller',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  groupVersionPath: '/apis/apps/v1',
  resource: 'replicasets',
  selector: (spec) => labelSelectorFromObject(isRecord(spec['selector']) ? (spec['selector'] as LabelSelectorObject) : undefined),
};

/** An RC's selector is a plain map; the conversion to a ReplicaSet makes it matchLabels. */
export const replicationControllerKind: ReplicaKind = {
  name: 'replicationcontroller',
  component: 'replication-controller',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  groupVersionPath: '/api/v1',
  resource: 'replicationcontrollers',
  selector: (spec) => labelSelectorFromObject({ matchLabels: isRecord(spec['selector']) ? (spec['selector'] as Record<string, string>) : {} }),
};

/** The fields of either kind the controller reads. */
interface ReplicaObject {
  owner: ControllerObject;
  key: string;
  generation: number;
  replicas: number;
  minReadySeconds: number;
  template: PodTemplateSpec;
  spec: Record<string, unknown>;
  status: ReplicaStatus;
  ownerReferences: readonly OwnerReference[];
  raw: Obj;
}

function num(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export interface ReplicaSetControllerHandle {
  stop(): void;
  /** Resolves once both informers have listed. */
  waitForSync(): Promise<void>;
  /** The event recorder, for tests that wait for events to be written. */
  readonly recorder: EventRecorder;
}

export function startReplicaSetController(client: RestClient): ReplicaSetControllerHandle {
  return startReplicaController(client, replicaSetKind);
}

export function startReplicationControllerController(client: RestClient): ReplicaSetControllerHandle {
  return startReplicaController(client, replicationControllerKind);
}

/** Runs the ReplicaSet logic for `kind` with 5 workers. */
export function startReplicaController(client: RestClient, kind: ReplicaKind): ReplicaSetControllerHandle {
  const owners = new Informer(client, `${kind.groupVersionPath}/${kind.resource}`);
  const pods = new Informer(client, '/api/v1/pods');
  const recorder = new EventRecorder(client, { component: kind.component });
  const podControl = new PodControl(client, recorder);
  const expectations = new ControllerExpectations();
  const controller = new Controller(kind.name, (key) => sync(key), replicaSetWorkers);

  const objectPath = (ns: string, name: string): string => `${kind.groupVersionPath}/namespaces/${encodeURIComponent(ns)}/${kind.resource}/${encodeURIComponent(name)}`;

  const view = (o: Obj): ReplicaObject => {
    const meta: Record<string, unknown> = isRecord(o['metadata']) ? o['metadata'] : {};
    const spec: Record<string, unknown> = isRecord(o['spec']) ? o['spec'] : {};
    const status: ReplicaStatus = isRecord(o['status']) ? (o['status'] as ReplicaStatus) : {};
    const name = str(meta['name']) ?? '';
    const namespace = str(meta['namespace']) ?? '';
    const ownerMeta: ControllerObject['metadata'] = { name, namespace, uid: str(meta['uid']) ?? '' };
    const rv = str(meta['resourceVersion']);
    if (rv !== undefined) ownerMeta.resourceVersion = rv;
    const dts = str(meta['deletionTimestamp']);
    if (dts !== undefined) ownerMeta.deletionTimestamp = dts;
    return {
      owner: { apiVersion: kind.apiVersion, kind: kind.kind, metadata: ownerMeta },
      key: `${namespace}/${name}`,
      generation: num(meta['generation'], 0),
      replicas: num(spec['replicas'], 1),
      minReadySeconds: num(spec['minReadySeconds'], 0),
      template: isRecord(spec['template']) ? (spec['template'] as PodTemplateSpec) : {},
      spec,
      status,
      ownerReferences: Array.isArray(meta['ownerReferences']) ? (meta['ownerReferences'] as OwnerReference[]) : [],
      raw: o,
    };
  };

  const podKey = (p: Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
  const podsIn = (ns: string): Pod[] => pods.listNamespace(ns) as unknown as Pod[];

  /** resolveControllerRef: the owner a controller reference names, if it is of our kind and has that uid. */
  const resolveControllerRef = (ns: string, ref: OwnerReference): ReplicaObject | undefined => {
    if (ref.kind !== kind.kind) return undefined;
    const o = owners.get(`${ns}/${ref.name}`);
    if (o === undefined) return undefined;
    const v = view(o);
    return v.owner.metadata.uid === ref.uid ? v : undefined;
  };

  /** getPodReplicaSets: the owners in the pod's namespace whose selector matches its labels. */
  const ownersSelecting = (pod: Pod): ReplicaObject[] => {
    const ns = pod.metadata?.namespace ?? '';
    const found: ReplicaObject[] = [];
    for (const o of owners.list()) {
      if (o.metadata?.namespace !== ns) continue;
      const v = view(o);
      let sel: LabelSelector;
      try {
        sel = kind.selector(v.spec);
      } catch {
        continue;
      }
      if (!sel.isEmpty() && sel.matches(pod.metadata?.labels ?? {})) found.push(v);
    }
    if (found.length > 1) log.warn('more than one controller selects the pod', { controller: kind.name, pod: podKey(pod) });
    return found;
  };

  const deletePod = (pod: Pod): void => {
    const ref = getControllerOf(pod);
    if (ref === undefined) return;
    const owner = resolveControllerRef(pod.metadata?.namespace ?? '', ref);
    if (owner === undefined) return;
    expectations.deletionObserved(owner.key, podKey(pod));
    controller.queue.add(owner.key);
  };

  const addPod = (pod: Pod): void => {
    if (pod.metadata?.deletionTimestamp !== undefined) {
      // A pod already being deleted when first seen (after a restart) is not a creation.
      deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref !== undefined) {
      const owner = resolveControllerRef(pod.metadata?.namespace ?? '', ref);
      if (owner === undefined) return;
      expectations.creationObserved(owner.key);
      controller.queue.add(owner.key);
      return;
    }
    // An orphan: every matching owner may want to adopt it.
    for (const o of ownersSelecting(pod)) controller.queue.add(o.key);
  };

  const updatePod = (oldPod: Pod, curPod: Pod): void => {
    if (curPod.metadata?.resourceVersion === oldPod.metadata?.resourceVersion) return;
    const labelChanged = JSON.stringify(curPod.metadata?.labels ?? {}) !== JSON.stringify(oldPod.metadata?.labels ?? {});
    if (curPod.metadata?.deletionTimestamp !== undefined) {
      // A graceful deletion: act now rather than when the pod is finally gone.
      deletePod(curPod);
      if (labelChanged) deletePod(oldPod);
      return;
    }
    const curRef = getControllerOf(curPod);
    const oldRef = getControllerOf(oldPod);
    const refChanged = JSON.stringify(curRef ?? null) !== JSON.stringify(oldRef ?? null);
    if (refChanged && oldRef !== undefined) {
      const old = resolveControllerRef(oldPod.metadata?.namespace ?? '', oldRef);
      if (old !== undefined) controller.queue.add(old.key);
    }
    if (curRef !== undefined) {
      const owner = resolveControllerRef(curPod.metadata?.namespace ?? '', curRef);
      if (owner === undefined) return;
      controller.queue.add(owner.key);
      // Availability is not signalled by the pod: look again once minReadySeconds have passed (plus a second).
      if (!isPodReady(oldPod) && isPodReady(curPod) && owner.minReadySeconds > 0) controller.queue.addAfter(owner.key, owner.minReadySeconds * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const o of ownersSelecting(curPod)) controller.queue.add(o.key);
  };

  pods.addHandlers({
    add: (o) => addPod(o as unknown as Pod),
    update: (o, n) => updatePod(o as unknown as Pod, n as unknown as Pod),
    delete: (o) => deletePod(o as unknown as Pod),
  });
  owners.addHandlers({
    add: (o) => controller.queue.add(view(o).key),
    update: (o, n) => {
      const old = view(o);
      const cur = view(n);
      if (old.owner.metadata.uid !== cur.owner.metadata.uid) expectations.deleteExpectations(old.key);
      controller.queue.add(cur.key);
    },
    delete: (o) => {
      const key = view(o).key;
      // A new object of the same name starts clean.
      expectations.deleteExpectations(key);
      controller.queue.add(key);
    },
  });

  /** Pods owned by any owner that shares this one's controller (for the co-location rank). */
  const indirectlyRelatedPods = (rs: ReplicaObject): Pod[] => {
    const ref = rs.ownerReferences.find((r) => r.controller === true);
    if (ref === undefined) return [];
    const seen = new Set<string>();
    const related: Pod[] = [];
    for (const o of owners.list()) {
      const v = view(o);
      if (v.owner.metadata.namespace !== rs.owner.metadata.namespace || !v.ownerReferences.some((r) => r.controller === true && r.uid === ref.uid)) continue;
      let sel: LabelSelector;
      try {
        sel = kind.selector(v.spec);
      } catch {
        continue;
      }
      for (const p of podsIn(v.owner.metadata.namespace ?? '')) {
        const uid = p.metadata?.uid ?? '';
        if (seen.has(uid) || !sel.matches(p.metadata?.labels ?? {})) continue;
        seen.add(uid);
        related.push(p);
      }
    }
    return related;
  };

  const manageReplicas = async (filteredPods: Pod[], rs: ReplicaObject): Promise<void> => {
    const ns = rs.owner.metadata.namespace ?? '';
    let diff = filteredPods.length - rs.replicas;
    if (diff < 0) {
      diff = Math.min(-diff, burstReplicas);
      expectations.expectCreations(rs.key, diff);
      log.info('too few replicas', { controller: kind.name, key: rs.key, need: rs.replicas, creating: diff });
      const ref = newControllerRef(rs.owner);
      const { successes, error } = await slowStartBatch(diff, slowStartInitialBatchSize, async () => {
        try {
          await podControl.createPods(ns, rs.template, rs.owner, ref);
        } catch (e: unknown) {
          // In a terminating namespace every create fails: nothing to do.
          if (isNamespaceTerminating(e)) return;
          throw e;
        }
      });
      // Creations never attempted (or failed) will not be observed.
      for (let i = successes; i < diff; i++) expectations.creationObserved(rs.key);
      if (error !== undefined) throw error;
    } else if (diff > 0) {
      diff = Math.min(diff, burstReplicas);
      log.info('too many replicas', { controller: kind.name, key: rs.key, need: rs.replicas, deleting: diff });
      const toDelete = getPodsToDelete(filteredPods, indirectlyRelatedPods(rs), diff);
      expectations.expectDeletions(rs.key, toDelete.map(podKey));
      const errors: Error[] = [];
      await Promise.all(
        toDelete.map(async (pod) => {
          try {
            await podControl.deletePod(ns, pod.metadata?.name ?? '', rs.owner);
          } catch (e: unknown) {
            // The informer will not observe this deletion.
            expectations.deletionObserved(rs.key, podKey(pod));
            if (!(e instanceof ApiError && e.code === 404)) errors.push(e instanceof Error ? e : new Error(String(e)));
          }
        }),
      );
      if (errors[0] !== undefined) throw errors[0];
    }
  };

  const updateStatus = async (rs: ReplicaObject, newStatus: ReplicaStatus): Promise<ReplicaObject> => {
    if (statusUpToDate(rs.status, rs.generation, newStatus)) return rs;
    let current = rs;
    for (let i = 0; ; i++) {
      const body = { ...current.raw, apiVersion: kind.apiVersion, kind: kind.kind, status: { ...newStatus, observedGeneration: current.generation } };
      const ns = current.owner.metadata.namespace ?? '';
      try {
        const updated = await client.request<Obj>('PUT', `${objectPath(ns, current.owner.metadata.name)}/status`, body);
        return view(updated);
      } catch (e: unknown) {
        if (i >= statusUpdateRetries) throw e;
        // Refresh and retry once (the cache may be behind); a vanished object ends it.
        current = view(await client.request<Obj>('GET', objectPath(ns, current.owner.metadata.name)));
      }
    }
  };

  const sync = async (key: string): Promise<ReconcileResult> => {
    const o = owners.get(key);
    if (o === undefined) {
      expectations.deleteExpectations(key);
      return;
    }
    const rs = view(o);
    const ns = rs.owner.metadata.namespace ?? '';
    const needsSync = expectations.satisfiedExpectations(key);
    let selector: LabelSelector;
    try {
      selector = kind.selector(rs.spec);
    } catch (e: unknown) {
      log.warn('invalid selector', { controller: kind.name, key, err: errorMessage(e) });
      return;
    }
    // The pods it controls (so that those that stopped matching are released) and the namespace's orphans (to adopt):
    // pods of other controllers would be ignored by the claim.
    const active = (pods.listClaimable(ns, rs.owner.metadata.uid) as unknown as Pod[]).filter(isPodActive);
    const canAdopt = recheckDeletionTimestamp(async () => {
      const fresh = view(await client.request<Obj>('GET', objectPath(ns, rs.owner.metadata.name)));
      if (fresh.owner.metadata.uid !== rs.owner.metadata.uid) {
        throw new Error(`original ${kind.kind} ${ns}/${rs.owner.metadata.name} is gone: got uid ${fresh.owner.metadata.uid}, wanted ${rs.owner.metadata.uid}`);
      }
      return fresh.owner;
    });
    const filteredPods = await new PodControllerRefManager(podControl, rs.owner, selector, canAdopt).claimPods(active);
    let manageErr: Error | undefined;
    if (needsSync && rs.owner.metadata.deletionTimestamp === undefined) {
      try {
        await manageReplicas(filteredPods, rs);
      } catch (e: unknown) {
        manageErr = e instanceof Error ? e : new Error(String(e));
      }
    }
    const newStatus = calculateStatus({ replicas: rs.replicas, minReadySeconds: rs.minReadySeconds, templateLabels: rs.template.metadata?.labels ?? {}, status: rs.status }, filteredPods, manageErr);
    const updated = await updateStatus(rs, newStatus);
    if (manageErr !== undefined) throw manageErr;
    // Look again after minReadySeconds, in case no pod update arrives when pods become available.
    const st = updated.status;
    if (updated.minReadySeconds > 0 && (st.readyReplicas ?? 0) === updated.replicas && (st.availableReplicas ?? 0) !== updated.replicas) {
      return { requeueAfterMs: updated.minReadySeconds * 1000 };
    }
    return;
  };

  return { ...runWithInformers(controller, [pods, owners], recorder), recorder };
}
