// The node lifecycle controller (pkg/controller/nodelifecycle, upstream name node-lifecycle-controller). Every
// --node-monitor-period it checks each node's last sign of life (its Lease in kube-node-lease or its Ready heartbeat);
// past --node-monitor-grace-period it sets the kubelet's conditions to Unknown, marks the node's pods NotReady and
// taints the node NoExecute (not-ready or unreachable, whichever matches Ready), and removes those taints once the node
// is Ready again. Node events keep the NoSchedule taints in step with the conditions. Evicting the pods from tainted
// nodes is the taint eviction controller's job (taint-eviction-controller.ts), as in 1.32.
//
// Simplified: no per-zone eviction rate limits (--node-eviction-rate, --secondary-node-eviction-rate,
// --large-cluster-size-threshold, --unhealthy-zone-threshold): nodes are tainted as soon as they are seen unhealthy. The
// full-disruption safeguard stays: when every node of every zone is unhealthy, NoExecute taints are removed and no
// node is tainted until one is healthy again.
import type { Node, NodeCondition, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { log } from '../../cli/log.js';
import { Informer, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { EventRecorder } from '../events/event-recorder.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { afterStatusUpdate, assessNodeHealth, nodeCondition, type NodeHealthData } from './node-health.js';
import { nodePath, removeNodeTaints, swapNodeTaints } from './node-taint-updates.js';
import { noExecuteTaintFor, noScheduleTaintChanges, notReadyTaintTemplate, taintExists, unreachableTaintTemplate } from './node-taints.js';
import { updatePodCondition } from './pod-condition.js';
import { PodsByNode } from './pods-by-node.js';

export interface NodeLifecycleControllerOptions {
  /** --node-monitor-period (default 5 s). */
  nodeMonitorPeriodMs?: number;
  /** --node-monitor-grace-period (default 50 s, as 1.32). */
  nodeMonitorGracePeriodMs?: number;
  /** --node-startup-grace-period (default 60 s). */
  nodeStartupGracePeriodMs?: number;
  /** The clock (for tests). */
  now?: () => number;
}

export interface NodeLifecycleControllerHandle {
  waitForSync(): Promise<void>;
  stop(): void;
}

export const nodeLeaseNamespace = 'kube-node-lease';
/** NodeHealthUpdateRetry: tries of a node's health update in one pass. */
const nodeHealthUpdateRetry = 5;
/** nodeUpdateWorkerSize */
const nodeUpdateWorkers = 8;
const labelNodeDisruptionExclusion = 'node.kubernetes.io/exclude-disruption';

/** labelReconcileInfo: the beta OS and arch labels follow the stable ones. */
const labelReconcileInfo: readonly { primary: string; secondary: string }[] = [
  { primary: 'kubernetes.io/os', secondary: 'beta.kubernetes.io/os' },
  { primary: 'kubernetes.io/arch', secondary: 'beta.kubernetes.io/arch' },
];

/** nodetopology.GetZoneKey: region and zone from the topology labels (or their beta forms); "" without them. */
export function zoneKey(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

/** Whether no node of the zone is Ready (ComputeZoneState's FullDisruption); partial disruption only slows evictions. */
export function zoneFullyDisrupted(readyConditions: readonly (NodeCondition | undefined)[]): boolean {
  const ready = readyConditions.filter((c) => c?.status === 'True').length;
  return ready === 0 && readyConditions.length > 0;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const podPath = (pod: Pod): string => `/api/v1/namespaces/${encodeURIComponent(pod.metadata?.namespace ?? '')}/pods/${encodeURIComponent(pod.metadata?.name ?? '')}`;

async function inParallel<T>(items: readonly T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, items.length) }, worker));
}

export function startNodeLifecycleController(client: RestClient, opts: NodeLifecycleControllerOptions = {}): NodeLifecycleControllerHandle {
  const monitorPeriodMs = opts.nodeMonitorPeriodMs ?? 5_000;
  const grace = { monitorGraceMs: opts.nodeMonitorGracePeriodMs ?? 50_000, startupGraceMs: opts.nodeStartupGracePeriodMs ?? 60_000 };
  const now = opts.now ?? Date.now;
  const logger = { controller: 'node-lifecycle-controller' };
  const recorder = new EventRecorder(client, { component: 'node-controller' });

  const nodes = new Informer(client, '/api/v1/nodes');
  const leases = new Informer(client, `/apis/coordination.k8s.io/v1/namespaces/${nodeLeaseNamespace}/leases`);
  const pods = new Informer(client, '/api/v1/pods');
  const podsByNode = new PodsByNode(pods);

  const health = new Map<string, NodeHealthData>();
  const knownNodes = new Map<string, Node>();
  const nodesToRetry = new Set<string>();
  /** Zone -> whether it was fully disrupted at the last pass (zones seen for the first time count as not). */
  let zoneStates = new Map<string, boolean>();
  /** Every zone is fully disrupted: no NoExecute taints are added. */
  let evictionsStopped = false;

  const nodeRef = (node: Node): { apiVersion: string; kind: string; metadata: { name?: string; uid?: string } } => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.metadata?.name, uid: node.metadata?.uid },
  });
  const recordNodeEvent = (node: Node, reason: string, event: string): void => {
    recorder.event(nodeRef(node), 'Normal', reason, 'Node %s event: %s', node.metadata?.name ?? '', event);
  };
  const podEventRef = (pod: Pod): Pod => ({ ...pod, apiVersion: 'v1', kind: 'Pod' });

  /** MarkPodsNotReady: the Ready condition of each pod on the node becomes False (pods/status), with an event. */
  const markPodsNotReady = async (podsOnNode: readonly Pod[], nodeName: string): Promise<void> => {
    const errs: string[] = [];
    for (const pod of podsOnNode) {
      if (pod.spec?.nodeName !== nodeName) continue;
      const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
      if (ready === undefined) continue;
      const { status, changed } = updatePodCondition(pod.status, { ...ready, status: 'False' }, now());
      if (!changed) continue;
      try {
        await client.request('PUT', `${podPath(pod)}/status`, { ...pod, apiVersion: 'v1', kind: 'Pod', status });
      } catch (e: unknown) {
        if (e instanceof ApiError && e.code === 404) continue;
        log.warn('failed to update status for pod', { ...logger, pod: `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`, err: errText(e) });
        errs.push(errText(e));
      }
      recorder.event(podEventRef(pod), 'Warning', 'NodeNotReady', 'Node is not ready');
    }
    if (errs.length > 0) throw new Error(errs.join(', '));
  };

  /** markNodeAsReachable: removes both NoExecute taints. */
  const markNodeAsReachable = async (node: Node): Promise<boolean> => {
    const a = await removeNodeTaints(client, node, [unreachableTaintTemplate]);
    const b = await removeNodeTaints(client, nodes.get(node.metadata?.name ?? '') as Node | undefined ?? node, [notReadyTaintTemplate]);
    return a || b;
  };

  /** processTaintBaseEviction: NoExecute taints that follow the Ready condition observed before this pass. */
  const processTaintBaseEviction = async (node: Node, observedReady: NodeCondition): Promise<void> => {
    const name = node.metadata?.name ?? '';
    try {
      const swap = noExecuteTaintFor(observedReady.status);
      if (swap === undefined) {
        if (observedReady.status === 'True' && (await markNodeAsReachable(node))) log.info('node is healthy again, removed all taints', { ...logger, node: name });
        return;
      }
      const opposite = taintExists(node.spec?.taints, swap.remove);
      // A node already carrying the opposite taint is swapped at once; otherwise it is tainted unless evictions stopped.
      if (opposite || (!evictionsStopped && !taintExists(node.spec?.taints, swap.add))) {
        await swapNodeTaints(client, node, [swap.add], [swap.remove], now());
        log.info('node tainted', { ...logger, node: name, taint: swap.add.key, effect: swap.add.effect });
      }
    } catch (e: unknown) {
      log.warn('failed to update NoExecute taints of node; will retry in the next cycle', { ...logger, node: name, err: errText(e) });
    }
  };

  /** tryUpdateNodeHealth with retries from a fresh GET; returns the observed and current Ready conditions. */
  const updateNodeHealth = async (start: Node): Promise<{ node: Node; observed: NodeCondition; current: NodeCondition | undefined } | undefined> => {
    let node = start;
    const name = node.metadata?.name ?? '';
    for (let attempt = 0; attempt < nodeHealthUpdateRetry; attempt++) {
      const lease = leases.get(`${nodeLeaseNamespace}/${name}`) as Lease | undefined;
      const a = assessNodeHealth(node, health.get(name), lease, now(), grace);
      health.set(name, a.health);
      if (a.statusUpdate === undefined) return { node, observed: a.observedReady, current: a.currentReady };
      try {
        const written = await client.request<Node>('PUT', `${nodePath(name)}/status`, { ...a.statusUpdate, apiVersion: 'v1', kind: 'Node' });
        health.set(name, afterStatusUpdate(a, written, now()));
        return { node: { ...written, spec: node.spec }, observed: a.observedReady, current: a.currentReady };
      } catch (e: unknown) {
        log.warn('error updating node status', { ...logger, node: name, err: errText(e) });
        try {
          node = await client.request<Node>('GET', nodePath(name));
        } catch (e2: unknown) {
          log.warn('failed while getting a node to retry updating node health; probably the node was deleted', { ...logger, node: name, err: errText(e2) });
          return undefined;
        }
      }
    }
    return undefined;
  };

  const monitorNode = async (node: Node, zoneReady: Map<string, (NodeCondition | undefined)[]>): Promise<void> => {
    const name = node.metadata?.name ?? '';
    const r = await updateNodeHealth(node);
    if (r === undefined) {
      log.warn('update health of node from controller error, skipping - no pods will be evicted', { ...logger, node: name });
      return;
    }
    if (node.metadata?.labels?.[labelNodeDisruptionExclusion] === undefined) {
      const zone = zoneKey(node);
      zoneReady.set(zone, [...(zoneReady.get(zone) ?? []), r.current]);
    }
    if (r.current !== undefined) {
      const podsOnNode = podsByNode.get(name);
      await processTaintBaseEviction(r.node, r.observed);
      const needsRetry = nodesToRetry.has(name);
      const becameNotReady = r.current.status !== 'True' && r.observed.status === 'True';
      if (becameNotReady) recorder.event(nodeRef(node), 'Normal', 'NodeNotReady', 'Node %s status is now: %s', name, 'NodeNotReady');
      if (becameNotReady || (needsRetry && r.observed.status !== 'True')) {
        try {
          await markPodsNotReady(podsOnNode, name);
        } catch (e: unknown) {
          log.warn('unable to mark all pods NotReady on node; queuing for retry', { ...logger, node: name, err: errText(e) });
          nodesToRetry.add(name);
          return;
        }
      }
    }
    nodesToRetry.delete(name);
  };

  /** handleDisruption, without rate limits: only the all-zones-fully-disrupted safeguard. */
  const handleDisruption = async (zoneReady: Map<string, (NodeCondition | undefined)[]>, all: readonly Node[]): Promise<void> => {
    const newStates = new Map<string, boolean>();
    for (const [zone, conditions] of zoneReady) newStates.set(zone, zoneFullyDisrupted(conditions));
    const allAre = [...newStates.values()].every((full) => full);
    let allWas = true;
    for (const [zone, full] of zoneStates) {
      if (!newStates.has(zone)) continue;
      if (!full) allWas = false;
    }
    for (const zone of newStates.keys()) if (!zoneStates.has(zone)) allWas = false;
    if (allAre && !allWas) {
      log.info('controller detected that all nodes are not-Ready; entering master disruption mode', logger);
      for (const node of all) {
        try {
          await markNodeAsReachable(nodes.get(node.metadata?.name ?? '') as Node | undefined ?? node);
        } catch (e: unknown) {
          log.warn('failed to remove taints from node', { ...logger, node: node.metadata?.name, err: errText(e) });
        }
      }
      evictionsStopped = true;
    } else if (allWas && !allAre && zoneStates.size > 0) {
      log.info('controller detected that some nodes are Ready; exiting master disruption mode', logger);
      const t = now();
      for (const node of all) {
        const h = health.get(node.metadata?.name ?? '');
        if (h !== undefined) health.set(node.metadata?.name ?? '', { ...h, probeTimestampMs: t, readyTransitionTimestampMs: t });
      }
      evictionsStopped = false;
    } else if (!allAre) {
      evictionsStopped = false;
    }
    zoneStates = newStates;
  };

  const monitorNodeHealth = async (): Promise<void> => {
    const all = nodes.list() as Node[];
    const seen = new Set<string>();
    for (const node of all) {
      const name = node.metadata?.name ?? '';
      seen.add(name);
      if (knownNodes.has(name)) continue;
      recordNodeEvent(node, 'RegisteredNode', `Registered Node ${name} in Controller`);
      knownNodes.set(name, node);
      try {
        await markNodeAsReachable(node);
      } catch (e: unknown) {
        log.warn('failed to remove taints from node', { ...logger, node: name, err: errText(e) });
      }
    }
    for (const [name, node] of [...knownNodes]) {
      if (seen.has(name)) continue;
      recordNodeEvent(node, 'RemovingNode', `Removing Node ${name} from Controller`);
      knownNodes.delete(name);
      health.delete(name);
      nodesToRetry.delete(name);
    }
    const zoneReady = new Map<string, (NodeCondition | undefined)[]>();
    // The nodes as the informer has them now (the loop above may have written taints).
    const current = all.map((n) => (nodes.get(n.metadata?.name ?? '') as Node | undefined) ?? n);
    await inParallel(current, nodeUpdateWorkers, (node) => monitorNode(node, zoneReady));
    await handleDisruption(zoneReady, current);
  };

  // ---- node events: NoSchedule taints and labels ------------------------------------------------------------------

  const reconcileNode = async (name: string): Promise<ReconcileResult> => {
    const node = nodes.get(name) as Node | undefined;
    if (node === undefined) return;
    const { add, remove } = noScheduleTaintChanges(node);
    if (add.length > 0 || remove.length > 0) await swapNodeTaints(client, node, add, remove, now());
    const labels = node.metadata?.labels ?? {};
    const update: Record<string, string> = {};
    for (const r of labelReconcileInfo) {
      const primary = labels[r.primary];
      if (primary !== undefined && labels[r.secondary] !== primary) update[r.secondary] = primary;
    }
    if (Object.keys(update).length > 0) await client.request('PATCH', nodePath(name), { metadata: { labels: update } }, 'application/merge-patch+json');
  };
  const nodeController = new Controller('node-lifecycle-controller', reconcileNode, nodeUpdateWorkers);
  nodes.addHandlers({
    add: (n) => nodeController.queue.add(n.metadata?.name ?? ''),
    update: (_o, n) => nodeController.queue.add(n.metadata?.name ?? ''),
    delete: (n) => nodesToRetry.delete(n.metadata?.name ?? ''),
  });

  // ---- pod events: a pod bound to an unready node is marked NotReady -----------------------------------------------

  const processPod = async (key: string): Promise<ReconcileResult> => {
    const pod = pods.get(key) as Pod | undefined;
    if (pod === undefined) return;
    const nodeName = pod.spec?.nodeName ?? '';
    const h = health.get(nodeName);
    if (h === undefined) return;
    if (nodes.get(nodeName) === undefined) throw new Error(`node "${nodeName}" not found`);
    const ready = nodeCondition(h.status, 'Ready');
    if (ready === undefined) return;
    if (ready.status !== 'True') await markPodsNotReady([pod], nodeName);
  };
  const podController = new Controller('node-lifecycle-controller-pods', processPod, 4);
  const podUpdated = (old: Obj | undefined, p: Obj): void => {
    const nodeName = (p as Pod).spec?.nodeName ?? '';
    if (nodeName !== '' && (old === undefined || (old as Pod).spec?.nodeName !== nodeName)) podController.queue.add(`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`);
  };
  pods.addHandlers({ add: (p) => podUpdated(undefined, p), update: (o, p) => podUpdated(o, p) });

  // ---- run ---------------------------------------------------------------------------------------------------------

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const synced = Promise.all([nodes.waitForSync(), leases.waitForSync(), pods.waitForSync()]).then(() => undefined);
  const loop = async (): Promise<void> => {
    if (stopped) return;
    try {
      await monitorNodeHealth();
    } catch (e: unknown) {
      log.warn('error monitoring node health', { ...logger, err: errText(e) });
    }
    if (stopped) return;
    // wait.Until: the period counts from the end of a pass.
    timer = setTimeout(() => void loop(), monitorPeriodMs);
    timer.unref();
  };
  nodes.start();
  leases.start();
  pods.start();
  void synced.then(() => {
    if (stopped) return;
    nodeController.run();
    podController.run();
    void loop();
  });
  return {
    waitForSync: () => synced,
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      nodeController.stop();
      podController.stop();
      nodes.stop();
      leases.stop();
      pods.stop();
      recorder.stop();
    },
  };
}
