// The pod garbage collector (pkg/controller/podgc, upstream name pod-garbage-collector-controller). Every period it
// deletes, with grace period 0 and after marking them Failed: terminated pods above the threshold (evicted first, then
// the oldest), terminating pods on not-ready nodes tainted node.kubernetes.io/out-of-service, pods bound to nodes that
// no longer exist (the node is looked up once more after a quarantine; these get the DisruptionTarget condition,
// reason DeletionByPodGC), and terminating pods that were never scheduled.
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { log } from '../../cli/log.js';
import { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { updatePodCondition } from '../nodelifecycle/pod-condition.js';
import { missingNodeNames, NodeQuarantine, terminatedPodsToDelete, terminatingPodsOnOutOfServiceNodes, unscheduledTerminatingPods } from './pod-gc-selection.js';

export interface PodGarbageCollectorOptions {
  /** --terminated-pod-gc-threshold (default 12500; 0 or less turns the terminated-pod GC off). */
  terminatedPodThreshold?: number;
  /** gcCheckPeriod (default 20 s). */
  periodMs?: number;
  /** quarantineTime: how long a missing node may take to show up before its pods count as orphans (default 40 s). */
  quarantineMs?: number;
  /** The clock (for tests). */
  now?: () => number;
}

export interface PodGarbageCollectorHandle {
  waitForSync(): Promise<void>;
  /** Runs one collection pass now (the periodic passes go on). */
  gc(): Promise<void>;
  stop(): void;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const podName = (p: Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
const podPath = (p: Pod): string => `/api/v1/namespaces/${encodeURIComponent(p.metadata?.namespace ?? '')}/pods/${encodeURIComponent(p.metadata?.name ?? '')}`;

export function startPodGarbageCollector(client: RestClient, opts: PodGarbageCollectorOptions = {}): PodGarbageCollectorHandle {
  const threshold = opts.terminatedPodThreshold ?? 12_500;
  const periodMs = opts.periodMs ?? 20_000;
  const now = opts.now ?? Date.now;
  const quarantine = new NodeQuarantine(opts.quarantineMs ?? 40_000);
  const logger = { controller: 'pod-garbage-collector-controller' };
  const pods = new Informer(client, '/api/v1/pods');
  const nodes = new Informer(client, '/api/v1/nodes');

  /** markFailedAndDeletePodWithCondition: phase Failed (and the condition) through pods/status, then DELETE grace 0. */
  const markFailedAndDeletePod = async (pod: Pod, condition?: PodCondition): Promise<void> => {
    log.info('PodGC is force deleting Pod', { ...logger, pod: podName(pod) });
    const phase = pod.status?.phase;
    if (phase !== 'Succeeded' && phase !== 'Failed') {
      const status: Record<string, unknown> = { phase: 'Failed' };
      if (condition !== undefined) {
        const updated = updatePodCondition(pod.status, condition, now());
        if (updated.changed) status['conditions'] = (updated.status.conditions ?? []).filter((c) => c.type === condition.type);
      }
      await client.request('PATCH', `${podPath(pod)}/status`, { metadata: { uid: pod.metadata?.uid }, status }, 'application/strategic-merge-patch+json');
    }
    await client.request('DELETE', podPath(pod), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 });
  };

  const deleteAll = async (list: readonly Pod[], what: string, condition?: PodCondition): Promise<void> => {
    await Promise.all(
      list.map(async (pod) => {
        try {
          await markFailedAndDeletePod(pod, condition);
          log.info(`forced deletion of ${what} pod succeeded`, { ...logger, pod: podName(pod) });
        } catch (e: unknown) {
          if (e instanceof ApiError && e.code === 404) return;
          log.warn(`failed to delete ${what} pod`, { ...logger, pod: podName(pod), err: errText(e) });
        }
      }),
    );
  };

  /** checkIfNodeExists: a GET past the informer; undefined when it cannot tell. */
  const nodeExists = async (name: string): Promise<boolean | undefined> => {
    try {
      await client.request<Node>('GET', `/api/v1/nodes/${encodeURIComponent(name)}`);
      return true;
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 404) return false;
      log.warn('error while getting node', { ...logger, node: name, err: errText(e) });
      return undefined;
    }
  };

  const gcOrphaned = async (all: readonly Pod[], existing: ReadonlySet<string>): Promise<void> => {
    const t = now();
    for (const name of missingNodeNames(all, existing)) quarantine.add(name, t);
    const deleted = new Set<string>();
    for (const name of quarantine.takeDue(t)) {
      if (existing.has(name)) continue;
      // An error leaves the name out; the next pass quarantines it again if still needed.
      if ((await nodeExists(name)) === false) deleted.add(name);
    }
    if (deleted.size === 0) return;
    const orphans = all.filter((p) => deleted.has(p.spec?.nodeName ?? ''));
    for (const p of orphans) log.info('found orphaned Pod assigned to the Node, deleting', { ...logger, pod: podName(p), node: p.spec?.nodeName });
    await deleteAll(orphans, 'orphaned', { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
  };

  let running: Promise<void> | undefined;
  const gcPass = async (): Promise<void> => {
    const all = pods.list() as Pod[];
    const nodeList = nodes.list() as Node[];
    const existing = new Set(nodeList.map((n) => n.metadata?.name ?? ''));
    const toDelete = terminatedPodsToDelete(all, threshold);
    if (toDelete.length > 0) log.info('garbage collecting pods', { ...logger, numPods: toDelete.length });
    await deleteAll(toDelete, 'terminated');
    await deleteAll(terminatingPodsOnOutOfServiceNodes(all, (n) => nodes.get(n) as Node | undefined), 'terminating out-of-service');
    await gcOrphaned(all, existing);
    await deleteAll(unscheduledTerminatingPods(all), 'unscheduled terminating');
  };
  const gc = (): Promise<void> => {
    running ??= gcPass()
      .catch((e: unknown) => log.warn('pod garbage collection failed', { ...logger, err: errText(e) }))
      .finally(() => (running = undefined));
    return running;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async (): Promise<void> => {
    if (stopped) return;
    await gc();
    if (stopped) return;
    timer = setTimeout(() => void loop(), periodMs);
    timer.unref();
  };
  const synced = Promise.all([pods.waitForSync(), nodes.waitForSync()]).then(() => undefined);
  pods.start();
  nodes.start();
  void synced.then(() => loop());
  return {
    waitForSync: () => synced,
    gc,
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      pods.stop();
      nodes.stop();
    },
  };
}
