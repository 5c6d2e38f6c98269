// The Node the node agent registers and the status it posts, as upstream's kubelet builds them (kubelet_node_status.go
// initialNode and the setters of pkg/kubelet/nodestatus): k3s's labels and annotations under k8ts's name, capacity and
// allocatable with the default hard eviction thresholds reserved, nodeInfo, addresses, the kubelet endpoint, and the
// four conditions with upstream's reasons, messages and heartbeat/transition rules. Pure functions of their inputs.
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { StatusResponse, VersionResponse } from '../cri/runtime-service.js';
import { versionInfo } from '../apiserver/version.js';
import { newQuantity } from '../machinery/quantity.js';
import type { MachineInfo } from './machine-info.js';

export const defaultMaxPods = 110;
export const kubeletPort = 10250;
/** The default hard eviction threshold memory.available<100Mi, reserved from allocatable memory. */
export const memoryEvictionHardBytes = 100n * 1024n * 1024n;
/** The default hard eviction threshold nodefs.available<10% (a float32 percentage upstream). */
export const nodefsEvictionHardFraction = Math.fround(0.1);

export const labels = {
  hostname: 'kubernetes.io/hostname',
  os: 'kubernetes.io/os',
  arch: 'kubernetes.io/arch',
  betaOs: 'beta.kubernetes.io/os',
  betaArch: 'beta.kubernetes.io/arch',
  instanceType: 'node.kubernetes.io/instance-type',
  betaInstanceType: 'beta.kubernetes.io/instance-type',
  controlPlane: 'node-role.kubernetes.io/control-plane',
  master: 'node-role.kubernetes.io/master',
} as const;

/** What k3s calls its instance type ("k3s"), under k8ts's name. */
export const instanceType = 'k8ts';
export const controllerManagedAttachDetachAnnotation = 'volumes.kubernetes.io/controller-managed-attach-detach';
/** k3s's k3s.io/hostname and k3s.io/internal-ip, under k8ts's name. */
export const hostnameAnnotation = 'k8ts.io/hostname';
export const internalIpAnnotation = 'k8ts.io/internal-ip';

/** metav1.Time: RFC 3339 in seconds. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The kubelet's version (and, in 1.32, kube-proxy's): v1.32.0-k8ts.N. */
export function kubeletVersion(): string {
  return versionInfo()['gitVersion'] ?? 'v0.0.0';
}

/** nodeInfo.containerRuntimeVersion: "<runtime type>://<version>", "Unknown" for a failed Version call. */
export function containerRuntimeVersion(v: VersionResponse | undefined, lastType = 'containerd'): string {
  if (v === undefined) return `${lastType}://Unknown`;
  return `${v.runtimeName}://${v.runtimeVersion}`;
}

/** The labels the node agent owns: the kubelet's defaults and k3s's instance type and roles. */
export function nodeLabels(machine: MachineInfo, isServer: boolean): Record<string, string> {
  const l: Record<string, string> = {
    [labels.betaArch]: machine.architecture,
    [labels.betaInstanceType]: instanceType,
    [labels.betaOs]: machine.operatingSystem,
    [labels.arch]: machine.architecture,
    [labels.hostname]: machine.hostname,
    [labels.os]: machine.operatingSystem,
    [labels.instanceType]: instanceType,
  };
  if (isServer) {
    l[labels.controlPlane] = 'true';
    l[labels.master] = 'true';
  }
  return l;
}

export function nodeAnnotations(machine: MachineInfo): Record<string, string> {
  return {
    [hostnameAnnotation]: machine.hostname,
    [internalIpAnnotation]: machine.internalIp,
    [controllerManagedAttachDetachAnnotation]: 'true',
  };
}

const binary = (n: bigint): string => newQuantity(n < 0n ? 0n : n, 'BinarySI').toString();

/** status.capacity and status.allocatable (MachineInfo setter with the default hard eviction reservations). */
export function nodeResources(machine: MachineInfo, maxPods = defaultMaxPods): Pick<NodeStatus, 'capacity' | 'allocatable'> {
  const capacity: Record<string, string> = {
    cpu: String(machine.cpus),
    'ephemeral-storage': binary(machine.ephemeralStorageBytes),
    memory: binary(machine.memoryBytes),
    pods: String(maxPods),
  };
  let hugeTotal = 0n;
  for (const h of machine.hugePages) {
    capacity[`hugepages-${h.size}`] = binary(h.bytes);
    hugeTotal += h.bytes;
  }
  const storageReserved = BigInt(Math.trunc(Number(machine.ephemeralStorageBytes) * nodefsEvictionHardFraction));
  const allocatable: Record<string, string> = {
    ...capacity,
    'ephemeral-storage': binary(machine.ephemeralStorageBytes - storageReserved),
    memory: binary(machine.memoryBytes - memoryEvictionHardBytes - hugeTotal),
  };
  return { capacity: sortKeys(capacity), allocatable: sortKeys(allocatable) };
}

function sortKeys(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The runtime as the kubelet last saw it: the CRI Version and Status answers (undefined where the call failed). */
export interface RuntimeState {
  readonly version: VersionResponse | undefined;
  readonly status: StatusResponse | undefined;
}

/** Go's %v of a *RuntimeCondition: "<nil>" or "Type=bool reason:R message:M". */
function formatRuntimeCondition(c: { type: string; status: boolean; reason: string; message: string } | undefined): string {
  return c === undefined ? '<nil>' : `${c.type}=${String(c.status)} reason:${c.reason} message:${c.message}`;
}

/** The runtime and network errors of updateRuntimeUp, in the order ReadyCondition reports them. */
export function runtimeErrors(status: StatusResponse | undefined): string[] {
  if (status === undefined) return ['container runtime is down'];
  const conds = status.status?.conditions ?? [];
  const runtime = conds.find((c) => c.type === 'RuntimeReady');
  const network = conds.find((c) => c.type === 'NetworkReady');
  const errs: string[] = [];
  if (runtime === undefined || !runtime.status) errs.push(`container runtime not ready: ${formatRuntimeCondition(runtime)}`);
  if (network === undefined || !network.status) errs.push(`container runtime network not ready: ${formatRuntimeCondition(network)}`);
  return errs;
}

/** utilerrors.NewAggregate(errs).Error(): one message as it is, several as "[a, b]" (duplicates once). */
export function aggregateMessage(errs: readonly string[]): string {
  const uniq = [...new Set(errs)];
  return uniq.length === 1 ? (uniq[0] ?? '') : `[${uniq.join(', ')}]`;
}

export interface Pressure {
  readonly memory: boolean;
  readonly disk: boolean;
  readonly pid: boolean;
}

export const noPressure: Pressure = { memory: false, disk: false, pid: false };

/** What the eviction signals are computed from (bytes). */
export interface EvictionSample {
  readonly memoryAvailable: bigint;
  readonly nodefsAvailable: bigint;
  readonly nodefsCapacity: bigint;
}

/**
 * The pressure the default hard eviction thresholds see: memory.available<100Mi, nodefs.available<10% (there is no
 * default PID threshold). memory.available is MemAvailable here, not capacity minus the root cgroup's working set.
 */
export function evictionPressure(s: EvictionSample): Pressure {
  const nodefsMin = BigInt(Math.trunc(Number(s.nodefsCapacity) * nodefsEvictionHardFraction));
  return { memory: s.memoryAvailable < memoryEvictionHardBytes, disk: s.nodefsAvailable < nodefsMin, pid: false };
}

const pressureTexts = {
  MemoryPressure: {
    true: ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
    false: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  },
  DiskPressure: {
    true: ['KubeletHasDiskPressure', 'kubelet has disk pressure'],
    false: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  },
  PIDPressure: {
    true: ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
    false: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  },
} as const;

/**
 * The kubelet's conditions at `nowMs`: MemoryPressure, DiskPressure, PIDPressure, then Ready (last, as upstream keeps
 * it). Every heartbeat time is now; a transition time moves only when the status changes; a pressure condition keeps
 * its reason and message while its status stays; Ready is KubeletNotReady with the runtime's errors when there are any.
 */
export function nodeConditions(
  nowMs: number,
  previous: readonly NodeCondition[],
  inputs: { pressure: Pressure; errors: readonly string[]; capacity: Record<string, string> | undefined },
): NodeCondition[] {
  const now = metaTime(nowMs);
  const out: NodeCondition[] = [];
  const pressures: [keyof typeof pressureTexts, boolean][] = [
    ['MemoryPressure', inputs.pressure.memory],
    ['DiskPressure', inputs.pressure.disk],
    ['PIDPressure', inputs.pressure.pid],
  ];
  for (const [type, under] of pressures) {
    const old = previous.find((c) => c.type === type);
    const status = under ? 'True' : 'False';
    if (old !== undefined && old.status === status) {
      out.push({ ...old, lastHeartbeatTime: now });
    } else {
      const [reason, message] = pressureTexts[type][under ? 'true' : 'false'];
      out.push({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now });
    }
  }
  const errs = [...inputs.errors];
  const missing = ['cpu', 'memory', 'pods', 'ephemeral-storage'].filter((r) => inputs.capacity?.[r] === undefined);
  if (missing.length > 0) errs.push(`missing node capacity for resources: ${missing.join(', ')}`);
  const ready: NodeCondition =
    errs.length === 0
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: aggregateMessage(errs), lastHeartbeatTime: now };
  const oldReady = previous.find((c) => c.type === 'Ready');
  ready.lastTransitionTime = oldReady !== undefined && oldReady.status === ready.status && oldReady.lastTransitionTime !== undefined ? oldReady.lastTransitionTime : now;
  out.push(ready);
  return out;
}

export interface StatusInputs {
  readonly machine: MachineInfo;
  readonly runtime: RuntimeState;
  readonly nowMs: number;
  readonly pressure?: Pressure;
  readonly maxPods?: number;
  /** The runtime type last seen (for "<type>://Unknown" while Version fails). */
  readonly runtimeType?: string;
  /** The port the kubelet's HTTPS server listens on (status.daemonEndpoints; default 10250). */
  readonly kubeletPort?: number;
}

/** The status the kubelet posts, given the node's current conditions (for transition times). */
export function nodeStatus(inputs: StatusInputs, previous: readonly NodeCondition[] = []): NodeStatus {
  const { machine } = inputs;
  const resources = nodeResources(machine, inputs.maxPods);
  const version = kubeletVersion();
  return {
    ...resources,
    conditions: nodeConditions(inputs.nowMs, previous, {
      pressure: inputs.pressure ?? noPressure,
      errors: runtimeErrors(inputs.runtime.status),
      capacity: resources.capacity,
    }),
    addresses: [
      { type: 'InternalIP', address: machine.internalIp },
      { type: 'Hostname', address: machine.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: inputs.kubeletPort ?? kubeletPort } },
    nodeInfo: {
      machineID: machine.machineId,
      systemUUID: machine.systemUuid,
      bootID: machine.bootId,
      kernelVersion: machine.kernelVersion,
      osImage: machine.osImage,
      containerRuntimeVersion: containerRuntimeVersion(inputs.runtime.version, inputs.runtimeType),
      kubeletVersion: version,
      kubeProxyVersion: version,
      operatingSystem: machine.operatingSystem,
      architecture: machine.architecture,
    },
  };
}

export interface InitialNodeInputs extends StatusInputs {
  readonly nodeName: string;
  readonly isServer: boolean;
  /** A podCIDR this node held before (from subnet.env), asked for again so that a re-created node keeps it. */
  readonly podCidr?: string;
}

/** The Node to register (initialNode). */
export function initialNode(inputs: InitialNodeInputs): Node {
  const spec: Node['spec'] = inputs.podCidr !== undefined ? { podCIDR: inputs.podCidr, podCIDRs: [inputs.podCidr] } : {};
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: inputs.nodeName,
      labels: nodeLabels(inputs.machine, inputs.isServer),
      annotations: nodeAnnotations(inputs.machine),
    },
    spec,
    status: nodeStatus(inputs),
  };
}

/**
 * What tryRegisterWithAPIServer changes on a node that exists already (updateDefaultLabels, the attach-detach
 * annotation, and k3s's role labels): a merge patch of the metadata, or undefined when the node is as it should be.
 */
export function reconcileExistingNode(initial: Node, existing: Node): { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } } | undefined {
  const want = (m: Record<string, string> | undefined, have: Record<string, string> | undefined): Record<string, string> | undefined => {
    const diff: Record<string, string> = {};
    for (const [k, v] of Object.entries(m ?? {})) if (have?.[k] !== v) diff[k] = v;
    return Object.keys(diff).length > 0 ? diff : undefined;
  };
  const l = want(initial.metadata?.labels, existing.metadata?.labels);
  const a = want(initial.metadata?.annotations, existing.metadata?.annotations);
  if (l === undefined && a === undefined) return undefined;
  return { metadata: { ...(l !== undefined ? { labels: l } : {}), ...(a !== undefined ? { annotations: a } : {}) } };
}

/**
 * nodeStatusHasChanged: whether the node's current status differs from the one we would post, other than in the
 * conditions' heartbeat times. Only what we post is compared (the fields and condition types we write).
 */
export function nodeStatusHasChanged(current: NodeStatus | undefined, wanted: NodeStatus): boolean {
  const types = new Set((wanted.conditions ?? []).map((c) => c.type));
  const project = (s: NodeStatus | undefined): unknown => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(wanted) as (keyof NodeStatus)[]) out[k] = s?.[k];
    out['conditions'] = (s?.conditions ?? [])
      .filter((c) => types.has(c.type))
      .map(({ lastHeartbeatTime: _hb, ...rest }) => rest)
      .sort((x, y) => (x.type < y.type ? -1 : x.type > y.type ? 1 : 0));
    return canonical(out);
  };
  return JSON.stringify(project(current)) !== JSON.stringify(project(wanted));
}

/** Only the fields the kubelet writes, with keys sorted, so that a server copy compares with ours. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [k, canonical(x)]),
    );
  }
  return v;
}
