// The Node and Lease objects a virtual node's kubelet registers and keeps: labels that say `type=virtual`, capacity,
// the kubelet's four conditions with upstream's reasons and messages, addresses that are only labels, and node info.
import { createHash } from 'node:crypto';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { formatIpv4, parseIpv4 } from '../controllers/nodeipam/cidr-set.js';
import { metaTime } from './virtual-pod-status.js';

export const kubeletVersion = 'v1.32.0-k8ts';
export const containerRuntimeVersion = 'virtual://0.1';
export const nodeLeaseNamespace = 'kube-node-lease';

export interface VirtualNodeSpec {
  readonly name: string;
  /** The InternalIP; no traffic is ever sent to it. */
  readonly ip: string;
  readonly cpu: string;
  readonly memory: string;
  readonly pods: number;
  readonly ephemeralStorage: string;
}

/**
 * The InternalIP of the index-th virtual node: 198.18.0.0/15 is reserved for benchmarking (RFC 2544), routed nowhere,
 * so the addresses read as what they are: labels.
 */
export function defaultVirtualNodeIp(index: number): string {
  const base = parseIpv4('198.18.0.0') ?? 0;
  return formatIpv4(base + 1 + (index % 131_070));
}

/** The kubelet's conditions (kubelet/nodestatus/setters.go), heartbeats at `nowMs`, transitions kept from `previous`. */
export function virtualNodeConditions(nowMs: number, previous: readonly NodeCondition[] = []): NodeCondition[] {
  const make = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const old = previous.find((c) => c.type === type);
    return {
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: metaTime(nowMs),
      lastTransitionTime: old !== undefined && old.status === status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : metaTime(nowMs),
    };
  };
  return [
    make('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    make('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    make('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    make('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** Whether the node's conditions are what a healthy virtual kubelet reports (type, status and reason). */
export function conditionsAreHealthy(conditions: readonly NodeCondition[] | undefined): boolean {
  const want = virtualNodeConditions(0);
  return want.every((w) => (conditions ?? []).some((c) => c.type === w.type && c.status === w.status && c.reason === w.reason));
}

function hex(seed: string, chars: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, chars);
}

function uuidLike(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The node's status: capacity equals allocatable (nothing is reserved on a virtual node). */
export function virtualNodeStatus(spec: VirtualNodeSpec, nowMs: number, bootId: string, previous: readonly NodeCondition[] = []): NodeStatus {
  const resources = {
    cpu: spec.cpu,
    'ephemeral-storage': spec.ephemeralStorage,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: spec.memory,
    pods: String(spec.pods),
  };
  return {
    capacity: { ...resources },
    allocatable: { ...resources },
    conditions: virtualNodeConditions(nowMs, previous),
    addresses: [
      { type: 'InternalIP', address: spec.ip },
      { type: 'Hostname', address: spec.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: hex(`machine/${spec.name}`, 32),
      systemUUID: uuidLike(`system/${spec.name}`),
      bootID: bootId,
      kernelVersion: 'virtual',
      osImage: 'k8ts virtual node',
      containerRuntimeVersion,
      kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The Node a virtual kubelet registers. */
export function virtualNodeObject(spec: VirtualNodeSpec, nowMs: number, bootId: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        type: 'virtual',
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {},
    status: virtualNodeStatus(spec, nowMs, bootId),
  };
}

/** metav1.MicroTime: RFC 3339 with microseconds, as Lease renewTime is written. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The node's Lease in kube-node-lease, owned by the Node so that it goes when the node goes. */
export function virtualNodeLease(name: string, nodeUid: string, leaseDurationSeconds: number, nowMs: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: nodeLeaseNamespace,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUid }],
    },
    spec: { holderIdentity: name, leaseDurationSeconds, renewTime: microTime(nowMs) },
  };
}
