// Virtual nodes (kwok-style): N Node objects with a kubelet that only pretends. It registers the nodes, keeps their
// Leases in kube-node-lease (renewals spread evenly over the interval, so the cost is flat), posts node status when
// it changes or every five minutes, and plays the pods bound to its nodes: Running with an IP from the node's
// podCIDR, Succeeded or Failed when an annotation says so, gone after their grace period when deleted. Everything goes
// through the API server; a restart re-adopts what is there (pods already Running are left alone).
import { randomUUID } from 'node:crypto';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { Informer, type Obj } from '../client/informer.js';
import type { RestClient } from '../client/rest-client.js';
import { log } from '../cli/log.js';
import { ApiError } from '../machinery/errors.js';
import { Controller, type ReconcileResult } from '../controllers/runtime/controller.js';
import { nodePodCidrs } from '../controllers/nodeipam/node-ipam-controller.js';
import { HeartbeatRing } from './heartbeat-ring.js';
import { PodIpPool } from './pod-ip-pool.js';
import {
  conditionsAreHealthy,
  defaultVirtualNodeIp,
  nodeLeaseNamespace,
  virtualNodeLease,
  virtualNodeObject,
  virtualNodeStatus,
  microTime,
  type VirtualNodeSpec,
} from './virtual-node-object.js';
import {
  containersStartedAtMs,
  exitEndsPod,
  exitPlanOf,
  readyCondition,
  restartedContainerStatuses,
  runningStatus,
  terminalStatus,
  type ExitPlan,
} from './virtual-pod-status.js';

export interface VirtualNodesOptions {
  count: number;
  /** Names are prefix + index: k8ts-virtual-0, k8ts-virtual-1, … */
  namePrefix?: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  ephemeralStorage?: string;
  /** The InternalIP of the index-th node (default: 198.18.0.1, 198.18.0.2, …; never sent any traffic). */
  nodeIp?: (index: number) => string;
  /** Lease spec.leaseDurationSeconds (kubelet: 40). */
  leaseDurationSeconds?: number;
  /** How often each node's Lease is renewed (kubelet: 10 s). */
  renewIntervalMs?: number;
  /** Node status is posted when it changes, else this often (kubelet's nodeStatusReportFrequency: 5 min). */
  statusReportIntervalMs?: number;
  /** Pods handled at once. */
  podWorkers?: number;
}

export interface VirtualNodes {
  readonly names: readonly string[];
  /** Resolves once every node and its Lease exist. */
  readonly registered: Promise<void>;
  /** Stops one node's Lease renewals and status posts (its kubelet looks dead to the node lifecycle controller). */
  pauseHeartbeats(name: string): void;
  resumeHeartbeats(name: string): void;
  stop(): void;
}

interface NodeState {
  readonly spec: VirtualNodeSpec;
  uid: string;
  lease: Lease | undefined;
  paused: boolean;
  busy: boolean;
  lastStatusMs: number;
  pool: PodIpPool | undefined;
}

/** What this process did to a pod that the informer may not show yet. */
interface PodRun {
  startedAtMs: number;
  ended: boolean;
  deleting: boolean;
}

const registerConcurrency = 16;

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const isCode = (e: unknown, ...codes: number[]): boolean => e instanceof ApiError && codes.includes(e.code);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/**
 * `kubectl annotate node NAME k8ts.io/virtual-heartbeats=stopped` stops a virtual node's Lease renewals and status
 * posts, as if its kubelet had died (the node lifecycle controller then marks it Unknown and taints it); removing the
 * annotation starts them again.
 */
export const heartbeatsAnnotation = 'k8ts.io/virtual-heartbeats';

export function startVirtualNodes(client: RestClient, opts: VirtualNodesOptions): VirtualNodes {
  const prefix = opts.namePrefix ?? 'k8ts-virtual-';
  const leaseDurationSeconds = opts.leaseDurationSeconds ?? 40;
  const renewIntervalMs = opts.renewIntervalMs ?? 10_000;
  const statusReportIntervalMs = opts.statusReportIntervalMs ?? 300_000;
  const bootId = randomUUID();
  const logger = { component: 'virtual-nodes' };

  const states: NodeState[] = [];
  const byName = new Map<string, NodeState>();
  for (let i = 0; i < opts.count; i++) {
    const spec: VirtualNodeSpec = {
      name: `${prefix}${i}`,
      ip: (opts.nodeIp ?? defaultVirtualNodeIp)(i),
      cpu: opts.cpu ?? '4',
      memory: opts.memory ?? '16Gi',
      pods: opts.pods ?? 110,
      ephemeralStorage: opts.ephemeralStorage ?? '100Gi',
    };
    const st: NodeState = { spec, uid: '', lease: undefined, paused: false, busy: false, lastStatusMs: 0, pool: undefined };
    states.push(st);
    byName.set(spec.name, st);
  }

  let stopped = false;
  const nodes = new Informer(client, '/api/v1/nodes', { labelSelector: 'type=virtual' });
  // All pods, not only the bound ones (spec.nodeName!=): in k8ts server this is the watch and cache the controllers
  // already share, so each pod change is decoded once; the handlers pick the pods of these nodes.
  const pods = new Informer(client, '/api/v1/pods');
  const runs = new Map<string, PodRun>();
  /** Pods waiting for their node's podCIDR, by node name. */
  const waitingForCidr = new Map<string, Set<string>>();

  // ---- nodes and leases ------------------------------------------------------------------------------------------

  const nodePath = (name: string): string => `/api/v1/nodes/${encodeURIComponent(name)}`;
  const leasePath = (name: string): string => `/apis/coordination.k8s.io/v1/namespaces/${nodeLeaseNamespace}/leases/${encodeURIComponent(name)}`;

  const postStatus = async (st: NodeState): Promise<void> => {
    const now = Date.now();
    const current = nodes.get(st.spec.name) as Node | undefined;
    const status = virtualNodeStatus(st.spec, now, bootId, current?.status?.conditions ?? []);
    await client.requestDiscardingResult('PATCH', `${nodePath(st.spec.name)}/status`, { status }, 'application/strategic-merge-patch+json');
    st.lastStatusMs = now;
  };

  const ensureLease = async (st: NodeState): Promise<void> => {
    try {
      st.lease = await client.request<Lease>('GET', leasePath(st.spec.name));
    } catch (e: unknown) {
      if (!isCode(e, 404)) throw e;
      st.lease = await client.request<Lease>(
        'POST',
        `/apis/coordination.k8s.io/v1/namespaces/${nodeLeaseNamespace}/leases`,
        virtualNodeLease(st.spec.name, st.uid, leaseDurationSeconds, Date.now()),
      );
    }
  };

  const register = async (st: NodeState): Promise<void> => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        try {
          const created = await client.request<Node>('POST', '/api/v1/nodes', virtualNodeObject(st.spec, Date.now(), bootId));
          st.uid = created.metadata?.uid ?? '';
          st.lastStatusMs = Date.now();
        } catch (e: unknown) {
          if (!isCode(e, 409)) throw e;
          // Registered before (a restart): take it over and report ourselves healthy.
          const existing = await client.request<Node>('GET', nodePath(st.spec.name));
          st.uid = existing.metadata?.uid ?? '';
          await postStatus(st);
        }
        await ensureLease(st);
        return;
      } catch (e: unknown) {
        log.warn('virtual node registration failed', { ...logger, node: st.spec.name, attempt, err: errText(e) });
        await sleep(Math.min(200 * 2 ** attempt, 10_000));
      }
    }
  };

  const registerAll = async (): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!stopped && next < states.length) {
        const st = states[next++];
        if (st !== undefined) await register(st);
      }
    };
    await Promise.all(Array.from({ length: Math.min(registerConcurrency, states.length) }, worker));
  };

  const renewLease = async (st: NodeState): Promise<void> => {
    const now = Date.now();
    if (st.lease === undefined) {
      await ensureLease(st);
      return;
    }
    const lease: Lease = { ...st.lease, spec: { ...st.lease.spec, holderIdentity: st.spec.name, leaseDurationSeconds, renewTime: microTime(now) } };
    try {
      st.lease = await client.request<Lease>('PUT', leasePath(st.spec.name), lease);
    } catch (e: unknown) {
      // Someone else wrote it, or it is gone: start again from the server's copy next turn.
      if (isCode(e, 409, 404)) st.lease = undefined;
      throw e;
    }
  };

  /** One node's turn in the heartbeat ring: renew the Lease; post status when it differs or is due. */
  const heartbeat = (st: NodeState): void => {
    if (st.paused || st.busy || st.uid === '' || stopped) return;
    st.busy = true;
    void (async () => {
      try {
        await renewLease(st);
        const current = nodes.get(st.spec.name) as Node | undefined;
        const due = Date.now() - st.lastStatusMs >= statusReportIntervalMs;
        const changed = current !== undefined && !conditionsAreHealthy(current.status?.conditions);
        if (due || changed) await postStatus(st);
      } catch (e: unknown) {
        log.warn('virtual node heartbeat failed', { ...logger, node: st.spec.name, err: errText(e) });
      } finally {
        st.busy = false;
      }
    })();
  };

  const ring = new HeartbeatRing(states.length, renewIntervalMs, (i) => {
    const st = states[i];
    if (st !== undefined) heartbeat(st);
  });

  // ---- pods ------------------------------------------------------------------------------------------------------

  const podKey = (p: Obj): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
  const podPath = (pod: Pod): string => `/api/v1/namespaces/${encodeURIComponent(pod.metadata?.namespace ?? '')}/pods/${encodeURIComponent(pod.metadata?.name ?? '')}`;

  /** The node's IP pool, once the node has a podCIDR (made again if the CIDR changed). */
  const poolOf = (st: NodeState): PodIpPool | undefined => {
    const node = nodes.get(st.spec.name);
    const cidr = node === undefined ? undefined : nodePodCidrs(node).find((c) => !c.includes(':'));
    if (cidr === undefined) return undefined;
    if (st.pool === undefined || st.pool.podCidr !== cidr) st.pool = new PodIpPool(cidr);
    return st.pool;
  };

  const releaseIp = (pod: Pod): void => {
    const st = byName.get(pod.spec?.nodeName ?? '');
    st?.pool?.release(pod.metadata?.uid ?? '');
  };

  const patchStatus = (pod: Pod, status: object): Promise<void> =>
    client.requestDiscardingResult('PATCH', `${podPath(pod)}/status`, { metadata: { uid: pod.metadata?.uid }, status }, 'application/strategic-merge-patch+json');

  const planOf = (pod: Pod): ExitPlan | undefined => {
    try {
      return exitPlanOf(pod);
    } catch (e: unknown) {
      log.warn('ignoring a virtual pod annotation', { ...logger, pod: podKey(pod as Obj), err: errText(e) });
      return undefined;
    }
  };

  const reconcilePod = async (key: string): Promise<ReconcileResult> => {
    const pod = pods.get(key) as Pod | undefined;
    if (pod === undefined) return;
    const st = byName.get(pod.spec?.nodeName ?? '');
    if (st === undefined) return;
    const uid = pod.metadata?.uid ?? '';
    const now = Date.now();
    let run = runs.get(uid);

    // Graceful deletion: the kubelet waits out the grace period, then deletes the pod for good.
    const deletionTimestamp = pod.metadata?.deletionTimestamp;
    if (deletionTimestamp !== undefined) {
      if (run?.deleting === true) return;
      const graceMs = (pod.metadata?.deletionGracePeriodSeconds ?? 30) * 1000;
      const waitMs = Math.max(0, Math.min(graceMs, Date.parse(deletionTimestamp) - now));
      if (waitMs > 0) return { requeueAfterMs: waitMs };
      try {
        await client.request('DELETE', podPath(pod), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (e: unknown) {
        if (!isCode(e, 404, 409)) throw e;
      }
      runs.set(uid, { ...(run ?? { startedAtMs: now, ended: true }), deleting: true });
      releaseIp(pod);
      return;
    }

    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || run?.ended === true) {
      releaseIp(pod);
      return;
    }

    const pool = poolOf(st);
    if (phase !== 'Running' && run === undefined) {
      if (pool === undefined) {
        // No podCIDR yet: the node's update brings us back.
        const waiting = waitingForCidr.get(st.spec.name) ?? new Set<string>();
        waiting.add(key);
        waitingForCidr.set(st.spec.name, waiting);
        return;
      }
      const podIP = pool.allocate(uid);
      if (podIP === undefined) {
        log.warn('no pod IP left on virtual node', { ...logger, node: st.spec.name, pod: key, podCIDR: pool.podCidr });
        return { requeueAfterMs: 10_000 };
      }
      try {
        await patchStatus(pod, runningStatus(pod, { podIP, hostIP: st.spec.ip, nowMs: now }));
      } catch (e: unknown) {
        pool.release(uid);
        if (isCode(e, 404, 409, 422)) return;
        throw e;
      }
      run = { startedAtMs: now, ended: false, deleting: false };
      runs.set(uid, run);
      const plan = planOf(pod);
      return plan === undefined ? undefined : { requeueAfterMs: plan.afterMs };
    }
    if (phase !== 'Running') return; // our Running status is on its way

    // Running: a pod this process did not start is adopted as it is.
    if (run === undefined) {
      run = { startedAtMs: containersStartedAtMs(pod) ?? now, ended: false, deleting: false };
      runs.set(uid, run);
    }
    const podIP = pod.status?.podIP;
    if (pool !== undefined && podIP !== undefined) pool.reserve(uid, podIP);

    // Readiness gates: Ready follows the gates' conditions.
    if ((pod.spec?.readinessGates ?? []).length > 0 && (pod.status?.containerStatuses ?? []).every((c) => c.ready)) {
      const ready = readyCondition(pod, now);
      const current = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
      if (current?.status !== ready.status || current.reason !== ready.reason) await patchStatus(pod, { conditions: [ready] });
    }

    const plan = planOf(pod);
    if (plan === undefined) return;
    const dueMs = run.startedAtMs + plan.afterMs;
    if (now < dueMs) return { requeueAfterMs: dueMs - now };
    if (exitEndsPod(pod, plan)) {
      await patchStatus(pod, terminalStatus(pod, plan, now));
      run.ended = true;
      releaseIp(pod);
      return;
    }
    await patchStatus(pod, { containerStatuses: restartedContainerStatuses(pod, plan, now) });
    run.startedAtMs = now;
    return { requeueAfterMs: plan.afterMs };
  };

  const controller = new Controller('virtual-nodes', reconcilePod, opts.podWorkers ?? 8);
  const onPod = (p: Obj): void => {
    if (byName.has((p as Pod).spec?.nodeName ?? '')) controller.queue.add(podKey(p));
  };
  pods.addHandlers({
    add: onPod,
    update: (_old, p) => onPod(p),
    delete: (p) => {
      const pod = p as Pod;
      if (!byName.has(pod.spec?.nodeName ?? '')) return;
      releaseIp(pod);
      runs.delete(pod.metadata?.uid ?? '');
      waitingForCidr.get(pod.spec?.nodeName ?? '')?.delete(podKey(p));
    },
  });
  nodes.addHandlers({
    update: (old, n) => {
      const name = n.metadata?.name ?? '';
      // The annotation stops (and its removal restarts) the node's heartbeats, as if its kubelet were gone.
      const st = byName.get(name);
      const was = (old as unknown as Node).metadata?.annotations?.[heartbeatsAnnotation] === 'stopped';
      const now = (n as unknown as Node).metadata?.annotations?.[heartbeatsAnnotation] === 'stopped';
      if (st !== undefined && was !== now) st.paused = now;
      const waiting = waitingForCidr.get(name);
      if (waiting === undefined || nodePodCidrs(n).length === 0) return;
      waitingForCidr.delete(name);
      for (const key of waiting) controller.queue.add(key);
    },
  });

  /** After a restart: every IP that pods on our nodes hold is taken before a new pod gets one. */
  const adoptIps = (): void => {
    for (const p of pods.list()) {
      const pod = p as Pod;
      const st = byName.get(pod.spec?.nodeName ?? '');
      const ip = pod.status?.podIP;
      const phase = pod.status?.phase;
      if (st === undefined || ip === undefined || phase === 'Succeeded' || phase === 'Failed') continue;
      const pool = poolOf(st);
      if (pool !== undefined && !pool.reserve(pod.metadata?.uid ?? '', ip)) {
        log.warn('pod IP of a virtual pod not adopted', { ...logger, pod: podKey(p), podIP: ip, podCIDR: pool.podCidr });
      }
    }
  };

  const registered = (async () => {
    nodes.start();
    pods.start();
    await registerAll();
    await Promise.all([nodes.waitForSync(), pods.waitForSync()]);
    if (stopped) return;
    adoptIps();
    controller.run();
    ring.start();
    log.info('virtual nodes registered', { ...logger, count: states.length, prefix });
  })();

  return {
    names: states.map((s) => s.spec.name),
    registered,
    pauseHeartbeats: (name) => {
      const st = byName.get(name);
      if (st === undefined) throw new Error(`no virtual node "${name}"`);
      st.paused = true;
    },
    resumeHeartbeats: (name) => {
      const st = byName.get(name);
      if (st === undefined) throw new Error(`no virtual node "${name}"`);
      st.paused = false;
    },
    stop: () => {
      stopped = true;
      ring.stop();
      controller.stop();
      nodes.stop();
      pods.stop();
    },
  };
}
