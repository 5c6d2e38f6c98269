// The scheduler (default-scheduler): watches pods and nodes through informers, takes unscheduled pods from the
// scheduling queue one at a time, decides with the plugins (schedule-pod.ts), assumes the pod on its node so that
// the next decisions count it, and binds it through pods/binding in the background, as upstream's binding cycle
// does. A pod that fits nowhere gets upstream's FailedScheduling event and PodScheduled=False condition, may preempt
// lower-priority pods, and waits in the queue for a cluster event that could make it fit.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { log } from '../cli/log.js';
import { Informer, type Obj } from '../client/informer.js';
import type { RestClient } from '../client/rest-client.js';
import { EventRecorder } from '../controllers/events/event-recorder.js';
import { ApiError } from '../machinery/errors.js';
import { podKey, type FitError } from './framework.js';
import { SchedulerCache } from './scheduler-cache.js';
import { SnapshotObjectsCache } from './snapshot-objects.js';
import { preempt } from './preemption.js';
import { fitErrorMessage, schedulePod } from './schedule-pod.js';
import { SchedulingQueue, type QueuedPod } from './scheduling-queue.js';

export const defaultSchedulerName = 'default-scheduler';

export interface SchedulerOptions {
  /** Pods whose spec.schedulerName is this are ours (default-scheduler). */
  schedulerName?: string;
  /** Bindings in flight at once. */
  maxBindsInFlight?: number;
}

export interface RunningScheduler {
  stop(): void;
  /** Pods waiting in the queue, for tests and metrics. */
  pending(): { active: number; backoff: number; unschedulable: number };
}

function asPod(o: Obj): Pod {
  return o as unknown as Pod;
}

function asNode(o: Obj): Node {
  return o as unknown as Node;
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** A pod the scheduler should place: unassigned, ours, alive. */
function needsScheduling(pod: Pod, schedulerName: string): boolean {
  if ((pod.spec?.nodeName ?? '') !== '') return false;
  if ((pod.spec?.schedulerName ?? defaultSchedulerName) !== schedulerName) return false;
  if (pod.metadata?.deletionTimestamp !== undefined) return false;
  return !isTerminal(pod);
}

function priorityOf(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

export function startScheduler(client: RestClient, opts: SchedulerOptions = {}): RunningScheduler {
  const schedulerName = opts.schedulerName ?? defaultSchedulerName;
  const maxBinds = opts.maxBindsInFlight ?? 16;
  const pods = new Informer(client, '/api/v1/pods');
  const nodes = new Informer(client, '/api/v1/nodes');
  const recorder = new EventRecorder(client, { component: schedulerName });
  const queue = new SchedulingQueue<Pod>();
  /** Pods decided and being bound: their node, counted by the snapshot until the informer shows the binding. */
  const assumed = new Map<string, Pod>();
  let stopped = false;
  let bindsInFlight = 0;
  /** Where the next cycle starts filtering (upstream's nextStartNodeIndex). */
  let nextStartNodeIndex = 0;
  let bindSlotFree: (() => void) | undefined;

  /** Nodes and the pods assigned or assumed on them, for the snapshots. */
  const cache = new SchedulerCache();
  /** Namespaces, volumes and workload objects the plugins read. */
  const objects = new SnapshotObjectsCache(client, () => queue.moveAllToActiveOrBackoff());

  pods.addHandlers({
    add: (o) => onPod(asPod(o)),
    update: (_old, o) => onPod(asPod(o)),
    delete: (o) => {
      const pod = asPod(o);
      const key = podKey(pod);
      queue.delete(key);
      assumed.delete(key);
      cache.deletePod(pod);
      // An assigned pod going away frees room on its node (upstream's AssignedPodDelete event).
      if ((pod.spec?.nodeName ?? '') !== '') queue.moveAllToActiveOrBackoff();
    },
  });
  nodes.addHandlers({
    add: (o) => {
      cache.setNode(asNode(o));
      queue.moveAllToActiveOrBackoff();
    },
    update: (_old, o) => {
      cache.setNode(asNode(o));
      queue.moveAllToActiveOrBackoff();
    },
    delete: (o) => cache.deleteNode(asNode(o).metadata?.name ?? ''),
  });

  function onPod(pod: Pod): void {
    const key = podKey(pod);
    const bound = (pod.spec?.nodeName ?? '') !== '';
    // Until the informer shows the binding, the cache keeps counting the assumed pod on its node.
    if (bound || !assumed.has(key)) cache.setPod(pod);
    if (needsScheduling(pod, schedulerName)) {
      queue.add(key, pod, priorityOf(pod));
      return;
    }
    queue.delete(key);
    if (bound) {
      // The informer shows the binding now: the assumption is no longer needed.
      if (assumed.delete(key)) return;
      // A pod assigned by someone else may affect others' affinity (upstream's AssignedPodAdd).
      queue.moveAllToActiveOrBackoff((p) => p.spec?.affinity?.podAffinity !== undefined || p.spec?.affinity?.podAntiAffinity !== undefined);
    }
  }

  function assume(key: string, pod: Pod, nodeName: string): void {
    const placed: Pod = { ...pod, spec: { ...(pod.spec ?? { containers: [] }), nodeName } };
    assumed.set(key, placed);
    cache.setPod(placed);
  }

  function forget(key: string, pod: Pod): void {
    if (!assumed.delete(key)) return;
    const current = pods.get(key);
    if (current !== undefined) cache.setPod(asPod(current));
    else cache.deletePod(pod);
  }

  async function bind(item: QueuedPod<Pod>, nodeName: string): Promise<void> {
    const pod = item.pod;
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    try {
      await client.requestDiscardingResult('POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: ns, ...(pod.metadata?.uid !== undefined ? { uid: pod.metadata.uid } : {}) },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
      recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata ?? {} }, 'Normal', 'Scheduled', 'Successfully assigned %v/%v to %v', ns, name, nodeName);
      queue.done(item.key);
    } catch (e: unknown) {
      forget(item.key, pod);
      if (e instanceof ApiError && (e.code === 404 || e.code === 409 && /already assigned|is being deleted/.test(e.message))) {
        // Gone, or bound meanwhile (another scheduler): nothing to retry.
        queue.done(item.key);
        return;
      }
      log.warn('binding failed', { pod: item.key, node: nodeName, err: e instanceof Error ? e.message : String(e) });
      recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata ?? {} }, 'Warning', 'FailedScheduling', 'Binding rejected: %v', e);
      queue.failed(item, false, queue.cycle);
    }
  }

  async function reportUnschedulable(pod: Pod, err: FitError): Promise<void> {
    const message = fitErrorMessage(err);
    recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata ?? {} }, 'Warning', 'FailedScheduling', message);
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const existing = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    if (existing?.status === 'False' && existing.reason === 'Unschedulable' && existing.message === message) return;
    const condition = { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), reason: 'Unschedulable', message };
    try {
      // A strategic merge patch keyed by condition type, as upstream's updatePod does.
      await client.requestDiscardingResult('PATCH', `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/status`, { status: { conditions: [condition] } }, 'application/strategic-merge-patch+json');
    } catch (e: unknown) {
      if (!(e instanceof ApiError && e.code === 404)) log.warn('could not update pod condition', { pod: `${ns}/${name}`, err: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Nominates the node for the pod and deletes the victims; the pod is retried once they are gone. */
  async function preemptVictims(pod: Pod, nodeName: string, victims: readonly Pod[]): Promise<void> {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    try {
      await client.request('PATCH', `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/status`, { status: { nominatedNodeName: nodeName } }, 'application/merge-patch+json');
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 404) return;
      throw e;
    }
    for (const victim of victims) {
      const vns = victim.metadata?.namespace ?? '';
      const vname = victim.metadata?.name ?? '';
      recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: victim.metadata ?? {} }, 'Normal', 'Preempted', 'Preempted by pod %v on node %v', pod.metadata?.uid ?? '', nodeName);
      try {
        await client.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(vns)}/pods/${encodeURIComponent(vname)}`, {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          ...(victim.metadata?.uid !== undefined ? { preconditions: { uid: victim.metadata.uid } } : {}),
        });
      } catch (e: unknown) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
      }
    }
  }

  async function waitForBindSlot(): Promise<void> {
    while (bindsInFlight >= maxBinds && !stopped) await new Promise<void>((resolve) => (bindSlotFree = resolve));
  }

  async function scheduleOne(item: QueuedPod<Pod>): Promise<void> {
    const cycle = queue.cycle;
    const current = pods.get(item.key);
    if (current === undefined || !needsScheduling(asPod(current), schedulerName) || assumed.has(item.key)) {
      queue.done(item.key);
      return;
    }
    const pod = asPod(current);
    const snap = cache.snapshot(objects.current());
    const cursor: { start: number; next?: number } = { start: nextStartNodeIndex };
    const result = schedulePod(pod, snap, { cursor });
    nextStartNodeIndex = cursor.next ?? 0;
    if ('error' in result) {
      queue.failed(item, true, cycle);
      let fitError = result.error;
      // PostFilter: preemption of lower-priority pods, when that can make room.
      const preemption = snap.nodes.length === 0 ? undefined : preempt(pod, snap, fitError);
      if (preemption?.kind === 'failed') fitError = { ...fitError, postFilterMsg: preemption.message };
      await reportUnschedulable(pod, fitError);
      if (preemption?.kind === 'candidate') await preemptVictims(pod, preemption.nodeName, preemption.victims);
      return;
    }
    const nodeName = result.node;
    assume(item.key, pod, nodeName);
    await waitForBindSlot();
    bindsInFlight += 1;
    void bind({ ...item, pod }, nodeName).finally(() => {
      bindsInFlight -= 1;
      const wake = bindSlotFree;
      bindSlotFree = undefined;
      wake?.();
    });
  }

  async function run(): Promise<void> {
    await Promise.all([pods.waitForSync(), nodes.waitForSync(), objects.waitForSync()]);
    while (!stopped) {
      const item = await queue.pop();
      if (item === undefined) return;
      try {
        await scheduleOne(item);
      } catch (e: unknown) {
        log.warn('scheduling attempt failed', { pod: item.key, err: e instanceof Error ? e.message : String(e) });
        queue.failed(item, false, queue.cycle);
      }
    }
  }

  const flusher = setInterval(() => queue.flush(), 1000);
  flusher.unref();
  pods.start();
  nodes.start();
  objects.start();
  void run();
  return {
    stop: () => {
      stopped = true;
      clearInterval(flusher);
      queue.close();
      pods.stop();
      nodes.stop();
      objects.stop();
      recorder.stop();
      bindSlotFree?.();
    },
    pending: () => ({ active: queue.activeCount, backoff: queue.backoffCount, unschedulable: queue.unschedulableCount }),
  };
}
