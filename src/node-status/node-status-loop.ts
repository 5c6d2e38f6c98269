// The node agent's node: register it, then keep it as the kubelet does. Every 10 s (nodeStatusUpdateFrequency) read the
// Node, ask the runtime for its Version and Status, and patch status when it differs from what the node shows (other
// than heartbeat times) or 5 min (nodeStatusReportFrequency) have passed; renew the Lease in kube-node-lease every 10 s.
// Once node-ipam has given the node a podCIDR, DATA_DIR/subnet.env says so; a re-created node asks for it again.
import type { Node } from 'kubernetes-types/core/v1.js';
import { readFile, statfs } from 'node:fs/promises';
import type { RestClient } from '../client/rest-client.js';
import { log } from '../cli/log.js';
import { defaultClusterCidr } from '../controllers/nodeipam/node-ipam-controller.js';
import type { StatusResponse, VersionResponse } from '../cri/runtime-service.js';
import { ApiError } from '../machinery/errors.js';
import { meminfoField, type MachineInfo } from './machine-info.js';
import { NodeLeaseController, defaultLeaseDurationSeconds } from './node-lease.js';
import { evictionPressure, initialNode, nodeStatus, nodeStatusHasChanged, noPressure, type Pressure, type RuntimeState } from './node-object.js';
import { nodePath, registerNode } from './node-registration.js';
import { defaultMtu, readSubnetEnv, writeSubnetEnv } from './subnet-env.js';

export interface NodeStatusOptions {
  client: RestClient;
  nodeName: string;
  machine: MachineInfo;
  runtimeVersion: () => Promise<VersionResponse>;
  runtimeStatus: () => Promise<StatusResponse>;
  /** A server node carries the control-plane and master role labels. */
  isServer: boolean;
  dataDir: string;
  /** The cluster's pod network, for subnet.env's FLANNEL_NETWORK (default: the server's default 10.240.0.0/16). */
  clusterCidr?: string;
  mtu?: number;
  maxPods?: number;
  /** The kubelet server's port, published in status.daemonEndpoints (default 10250). */
  kubeletPort?: number;
  /** How often status is computed (kubelet's nodeStatusUpdateFrequency: 10 s). */
  statusUpdateIntervalMs?: number;
  /** Status is posted at least this often even when unchanged (nodeStatusReportFrequency: 5 min). */
  statusReportIntervalMs?: number;
  /** How often the Lease is renewed (10 s). */
  leaseRenewIntervalMs?: number;
  leaseDurationSeconds?: number;
  /** The node's resource pressure (default: the default hard eviction thresholds on this machine). */
  pressure?: () => Promise<Pressure>;
}

export interface NodeStatusHandle {
  stop(): Promise<void>;
  /** The node's podCIDR, once node-ipam has set it and subnet.env says so. */
  podCidr(): Promise<string>;
}

/** The first IPv4 block of spec.podCIDRs (or spec.podCIDR). */
export function ipv4PodCidr(node: Node): string | undefined {
  const list = node.spec?.podCIDRs ?? (node.spec?.podCIDR !== undefined ? [node.spec.podCIDR] : []);
  return list.find((c) => c !== '' && !c.includes(':'));
}

/** The default hard eviction thresholds on this machine: MemAvailable and the data dir's filesystem. */
export async function sampleEvictionPressure(dataDir: string): Promise<Pressure> {
  try {
    const mem = meminfoField(await readFile('/proc/meminfo', 'utf8'), 'MemAvailable');
    const fs = await statfs(dataDir, { bigint: true });
    if (mem === undefined) return noPressure;
    return evictionPressure({ memoryAvailable: mem, nodefsAvailable: fs.bavail * fs.bsize, nodefsCapacity: fs.blocks * fs.bsize });
  } catch {
    return noPressure;
  }
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
/** The kubelet's nodeStatusUpdateRetry. */
const nodeStatusUpdateRetry = 5;

export function startNodeStatus(opts: NodeStatusOptions): NodeStatusHandle {
  const { client, nodeName, machine, dataDir } = opts;
  const statusUpdateIntervalMs = opts.statusUpdateIntervalMs ?? 10_000;
  const statusReportIntervalMs = opts.statusReportIntervalMs ?? 300_000;
  const leaseRenewIntervalMs = opts.leaseRenewIntervalMs ?? 10_000;
  const pressureOf = opts.pressure ?? (() => sampleEvictionPressure(dataDir));
  const logger = { component: 'node-status', node: nodeName };
  const lease = new NodeLeaseController(client, nodeName, opts.leaseDurationSeconds ?? defaultLeaseDurationSeconds);
  const abort = new AbortController();
  let stopped = false;
  let runtimeType = 'containerd';
  let lastReportMs = 0;
  let cidrWritten: string | undefined;
  let cidrPoll: Promise<void> | undefined;
  const cidrWaiters: { resolve: (c: string) => void; reject: (e: Error) => void }[] = [];

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (abort.signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        abort.signal.removeEventListener('abort', done);
        resolve();
      }
      abort.signal.addEventListener('abort', done);
    });

  const probeRuntime = async (): Promise<RuntimeState> => {
    const [version, status] = await Promise.all([
      opts.runtimeVersion().catch((e: unknown) => {
        log.warn('container runtime version check failed', { ...logger, err: errText(e) });
        return undefined;
      }),
      opts.runtimeStatus().catch((e: unknown) => {
        log.warn('container runtime sanity check failed', { ...logger, err: errText(e) });
        return undefined;
      }),
    ]);
    if (version !== undefined) runtimeType = version.runtimeName;
    return { version, status };
  };

  const statusInputs = async (): Promise<Parameters<typeof nodeStatus>[0]> => ({
    machine,
    runtime: await probeRuntime(),
    nowMs: Date.now(),
    pressure: await pressureOf(),
    maxPods: opts.maxPods,
    runtimeType,
    ...(opts.kubeletPort !== undefined ? { kubeletPort: opts.kubeletPort } : {}),
  });

  /** Writes subnet.env when the node's podCIDR is new, and wakes podCidr()'s callers. */
  const notePodCidr = async (node: Node): Promise<void> => {
    const cidr = ipv4PodCidr(node);
    if (cidr === undefined || cidr === cidrWritten) return;
    await writeSubnetEnv(dataDir, { subnet: cidr, network: opts.clusterCidr ?? defaultClusterCidr, mtu: opts.mtu ?? defaultMtu, ipMasq: true });
    if (cidrWritten !== undefined) log.warn('node podCIDR changed', { ...logger, from: cidrWritten, to: cidr });
    cidrWritten = cidr;
    log.info('node podCIDR written to subnet.env', { ...logger, podCIDR: cidr });
    for (const w of cidrWaiters.splice(0)) w.resolve(cidr);
  };

  /** The podCIDR subnet.env remembers, unless another node holds it now (or the nodes cannot be listed). */
  const rememberedPodCidr = async (): Promise<string | undefined> => {
    const remembered = await readSubnetEnv(dataDir);
    if (remembered === undefined) return undefined;
    try {
      const list = await client.request<{ items?: Node[] }>('GET', '/api/v1/nodes');
      const holder = (list.items ?? []).find((n) => n.metadata?.name !== nodeName && ipv4PodCidr(n) === remembered);
      if (holder === undefined) return remembered;
      log.warn('the podCIDR subnet.env remembers is held by another node', { ...logger, podCIDR: remembered, holder: holder.metadata?.name });
    } catch (e: unknown) {
      log.warn('cannot list nodes to check the remembered podCIDR', { ...logger, err: errText(e) });
    }
    return undefined;
  };

  const register = async (): Promise<boolean> => {
    const registered = await registerNode(
      client,
      async () => initialNode({ ...(await statusInputs()), nodeName, isServer: opts.isServer, podCidr: await rememberedPodCidr() }),
      () => stopped,
      sleep,
    );
    if (registered === undefined) return false;
    // A new Node carried its status; one that existed gets ours on the first update.
    lastReportMs = registered.created ? Date.now() : 0;
    await notePodCidr(registered.node);
    return true;
  };

  const tryUpdateNodeStatus = async (): Promise<void> => {
    let node: Node;
    try {
      node = await client.request<Node>('GET', nodePath(nodeName));
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 404) {
        log.warn('node is gone; registering it again', logger);
        await register();
        return;
      }
      throw e;
    }
    await notePodCidr(node);
    const wanted = nodeStatus(await statusInputs(), node.status?.conditions ?? []);
    const now = Date.now();
    const readyNow = wanted.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    if (now - lastReportMs < statusReportIntervalMs && !nodeStatusHasChanged(node.status, wanted)) {
      if (readyNow) reportedReady = true;
      return;
    }
    await client.request('PATCH', `${nodePath(nodeName)}/status`, { status: wanted }, 'application/strategic-merge-patch+json');
    lastReportMs = now;
    if (readyNow) reportedReady = true;
  };

  const updateNodeStatus = async (): Promise<void> => {
    for (let i = 0; i < nodeStatusUpdateRetry && !stopped; i++) {
      try {
        await tryUpdateNodeStatus();
        return;
      } catch (e: unknown) {
        log.warn('error updating node status, will retry', { ...logger, err: errText(e) });
      }
    }
    if (!stopped) log.warn('update node status exceeds retry count', logger);
  };

  // Upstream's fastStatusUpdateOnce: until the node has reported Ready once (runtime and network up), its status is
  // checked every 100 ms instead of every 10 s, so that a new node turns Ready as soon as it is, not up to 10 s later.
  let reportedReady = false;
  const startedMs = Date.now();
  const fastUpdateMs = 100;
  const fastUpdateForMs = 2 * 60_000;
  const statusLoop = async (): Promise<void> => {
    while (!stopped) {
      await updateNodeStatus();
      const fast = !reportedReady && Date.now() - startedMs < fastUpdateForMs;
      await sleep(fast ? Math.min(fastUpdateMs, statusUpdateIntervalMs) : statusUpdateIntervalMs);
    }
  };

  const leaseLoop = async (): Promise<void> => {
    while (!stopped) {
      try {
        await lease.sync();
      } catch (e: unknown) {
        if (!stopped) log.warn('failed to update lease', { ...logger, err: errText(e) });
      }
      await sleep(leaseRenewIntervalMs);
    }
  };

  let registered = false;
  const run = (async () => {
    if (!(await register())) return;
    registered = true;
    await Promise.all([leaseLoop(), statusLoop()]);
  })().catch((e: unknown) => log.warn('node status stopped on an error', { ...logger, err: errText(e) }));

  const pollPodCidr = async (): Promise<void> => {
    while (!stopped && cidrWritten === undefined) {
      if (registered) {
        try {
          await notePodCidr(await client.request<Node>('GET', nodePath(nodeName)));
        } catch (e: unknown) {
          log.warn('reading the node for its podCIDR failed', { ...logger, err: errText(e) });
        }
      }
      if (cidrWritten === undefined) await sleep(250);
    }
  };

  return {
    podCidr: () => {
      if (cidrWritten !== undefined) return Promise.resolve(cidrWritten);
      if (stopped) return Promise.reject(new Error('node status is stopped'));
      const p = new Promise<string>((resolve, reject) => cidrWaiters.push({ resolve, reject }));
      cidrPoll ??= pollPodCidr().finally(() => (cidrPoll = undefined));
      return p;
    },
    stop: async () => {
      stopped = true;
      abort.abort();
      await Promise.allSettled([run, cidrPoll]);
      for (const w of cidrWaiters.splice(0)) w.reject(new Error('node status is stopped'));
    },
  };
}
