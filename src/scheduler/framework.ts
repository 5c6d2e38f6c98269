// The scheduler framework's data, after pkg/scheduler/framework/types.go of v1.32: a NodeInfo per
// node (the node, its pods and what they request), a Snapshot of the cluster for one scheduling
// cycle, filter statuses carrying upstream's reason strings and the FitError they add up to.
import type { StatefulSet, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type {
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ReplicationController,
  Service,
} from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { quantityFromJSON } from '../machinery/quantity.js';
import { type ResourceList, nonZeroDefaults, podRequests, schedulerUnits } from './pod-requests.js';

/** framework.MaxNodeScore. */
export const maxNodeScore = 100;

/** framework.Resource: requested or allocatable amounts in the scheduler's units. */
export interface Resource {
  milliCPU: number;
  /** Bytes. */
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  /** Extended resources, hugepages-* and attachable-volumes-*. */
  scalarResources: Record<string, number>;
}

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalarResources: {} };
}

/** v1helper.IsNativeResource: no domain, or in *kubernetes.io/. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** schedutil.IsScalarResourceName: extended, hugepages-* or attachable-volumes-*. */
export function isScalarResourceName(name: string): boolean {
  const extended = !isNativeResource(name) && !name.startsWith('requests.');
  return extended || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

/** Resource.Add(ResourceList). */
export function addToResource(r: Resource, list: ResourceList): void {
  for (const [name, q] of list) {
    switch (name) {
      case 'cpu':
        r.milliCPU += schedulerUnits(name, q);
        break;
      case 'memory':
        r.memory += schedulerUnits(name, q);
        break;
      case 'pods':
        r.allowedPodNumber += schedulerUnits(name, q);
        break;
      case 'ephemeral-storage':
        r.ephemeralStorage += schedulerUnits(name, q);
        break;
      default:
        if (isScalarResourceName(name)) r.scalarResources[name] = (r.scalarResources[name] ?? 0) + schedulerUnits(name, q);
    }
  }
}

/** A host port in use on a node (HostPortInfo entry), ip "0.0.0.0" and protocol "TCP" when unset. */
export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

/** framework.ImageStateSummary. */
export interface ImageStateSummary {
  readonly size: number;
  /** How many nodes in the snapshot have this image. */
  readonly numNodes: number;
}

export interface NodeInfo {
  readonly name: string;
  readonly node: Node;
  /** Pods assigned to the node (spec.nodeName), terminal pods excluded. */
  readonly pods: readonly Pod[];
  readonly requested: Resource;
  /** Requests with 100m / 200Mi counted for containers that request no cpu / memory. */
  readonly nonZeroRequested: Resource;
  readonly allocatable: Resource;
  readonly usedPorts: readonly HostPort[];
  /** The pods with any pod affinity or anti-affinity (upstream's PodsWithAffinity). */
  readonly podsWithAffinity: readonly Pod[];
  /** The pods with required pod anti-affinity (upstream's PodsWithRequiredAntiAffinity). */
  readonly podsWithRequiredAntiAffinity: readonly Pod[];
  /** Image name (as node.status.images lists it) to its state. */
  readonly imageStates: ReadonlyMap<string, ImageStateSummary>;
}

/** Other cluster objects some plugins read; all optional. */
export interface SnapshotObjects {
  /** Namespace name to its labels (for namespaceSelector in pod affinity terms). */
  readonly namespaceLabels?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly persistentVolumes?: readonly PersistentVolume[];
  readonly persistentVolumeClaims?: readonly PersistentVolumeClaim[];
  readonly storageClasses?: readonly StorageClass[];
  /** For PodTopologySpread's system default constraints. */
  readonly services?: readonly Service[];
  readonly replicationControllers?: readonly ReplicationController[];
  readonly replicaSets?: readonly ReplicaSet[];
  readonly statefulSets?: readonly StatefulSet[];
}

export interface Snapshot {
  readonly nodes: readonly NodeInfo[];
  readonly nodeByName: ReadonlyMap<string, NodeInfo>;
  readonly objects: SnapshotObjects;
}

/** namespace/name, the key pods are known by in a snapshot. */
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      const port = p.hostPort ?? 0;
      if (port <= 0) continue;
      out.push({ ip: p.hostIP === undefined || p.hostIP === '' ? '0.0.0.0' : p.hostIP, protocol: p.protocol ?? 'TCP', port });
    }
  }
  return out;
}

function allocatableOf(node: Node): Resource {
  const r = emptyResource();
  const list: ResourceList = new Map();
  for (const [name, q] of Object.entries(node.status?.allocatable ?? {})) list.set(name, quantityFromJSON(q));
  addToResource(r, list);
  return r;
}

/** What a pod adds to its node's requested and non-zero requested resources. */
interface PodUsage {
  readonly requested: Resource;
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
}

/**
 * Usage per pod object: a node's NodeInfo is rebuilt from all its pods whenever one of them changes, and parsing the
 * same quantities again took a sixth of the scheduler's thread. A pod's requests never change (in-place resize is off
 * in 1.32), and the informer's objects are never mutated.
 */
const podUsages = new WeakMap<Pod, PodUsage>();

function podUsage(pod: Pod): PodUsage {
  const known = podUsages.get(pod);
  if (known !== undefined) return known;
  const requested = emptyResource();
  addToResource(requested, podRequests(pod));
  const non0 = podRequests(pod, { nonMissingContainerRequests: nonZeroDefaults() });
  const usage = { requested, nonZeroMilliCPU: schedulerUnits('cpu', non0.get('cpu')), nonZeroMemory: schedulerUnits('memory', non0.get('memory')) };
  podUsages.set(pod, usage);
  return usage;
}

/** A node's NodeInfo from its pods; `imageCounts` says on how many nodes each image is (for ImageLocality). */
export function newNodeInfo(node: Node, pods: readonly Pod[], imageCounts: ReadonlyMap<string, number>): NodeInfo {
  const requested = emptyResource();
  const nonZeroRequested = emptyResource();
  const usedPorts: HostPort[] = [];
  for (const pod of pods) {
    const usage = podUsage(pod);
    requested.milliCPU += usage.requested.milliCPU;
    requested.memory += usage.requested.memory;
    requested.ephemeralStorage += usage.requested.ephemeralStorage;
    requested.allowedPodNumber += usage.requested.allowedPodNumber;
    for (const [name, v] of Object.entries(usage.requested.scalarResources)) requested.scalarResources[name] = (requested.scalarResources[name] ?? 0) + v;
    nonZeroRequested.milliCPU += usage.nonZeroMilliCPU;
    nonZeroRequested.memory += usage.nonZeroMemory;
    usedPorts.push(...hostPortsOf(pod));
  }
  const imageStates = new Map<string, ImageStateSummary>();
  for (const image of node.status?.images ?? []) {
    for (const name of image.names ?? []) {
      imageStates.set(name, { size: image.sizeBytes ?? 0, numNodes: imageCounts.get(name) ?? 1 });
    }
  }
  return {
    name: node.metadata?.name ?? '',
    node,
    pods,
    requested,
    nonZeroRequested,
    allocatable: allocatableOf(node),
    usedPorts,
    podsWithAffinity: pods.filter((p) => p.spec?.affinity?.podAffinity !== undefined || p.spec?.affinity?.podAntiAffinity !== undefined),
    podsWithRequiredAntiAffinity: pods.filter((p) => (p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0),
    imageStates,
  };
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * The snapshot for one scheduling cycle: one NodeInfo per node, in the order given, holding the
 * non-terminal pods whose spec.nodeName names it (as the scheduler's cache does).
 */
export function buildSnapshot(nodes: readonly Node[], pods: readonly Pod[], objects: SnapshotObjects = {}): Snapshot {
  const podsByNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    if (nodeName === undefined || nodeName === '' || isTerminal(pod)) continue;
    let list = podsByNode.get(nodeName);
    if (list === undefined) podsByNode.set(nodeName, (list = []));
    list.push(pod);
  }
  const imageCounts = new Map<string, number>();
  for (const node of nodes) {
    const names = new Set<string>();
    for (const image of node.status?.images ?? []) for (const name of image.names ?? []) names.add(name);
    for (const name of names) imageCounts.set(name, (imageCounts.get(name) ?? 0) + 1);
  }
  const infos = nodes.map((n) => newNodeInfo(n, podsByNode.get(n.metadata?.name ?? '') ?? [], imageCounts));
  return { nodes: infos, nodeByName: new Map(infos.map((i) => [i.name, i])), objects };
}

/** The same snapshot without some pods (preemption's "what if these were gone"). */
export function snapshotWithout(snapshot: Snapshot, removed: readonly Pod[]): Snapshot {
  const keys = new Set(removed.map(podKey));
  const pods = snapshot.nodes.flatMap((n) => n.pods.filter((p) => !keys.has(podKey(p))));
  return buildSnapshot(
    snapshot.nodes.map((n) => n.node),
    pods,
    snapshot.objects,
  );
}

/** The same snapshot with a pod added on a node (as if bound there). */
export function snapshotWith(snapshot: Snapshot, pod: Pod, nodeName: string): Snapshot {
  const placed: Pod = { ...pod, spec: { ...(pod.spec ?? { containers: [] }), nodeName } };
  const pods = snapshot.nodes.flatMap((n) => n.pods);
  return buildSnapshot(
    snapshot.nodes.map((n) => n.node),
    [...pods, placed],
    snapshot.objects,
  );
}

// ---------------------------------------------------------------------------------------------
// Filter statuses and the FitError

/** The non-success framework codes a filter returns. */
export type StatusCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface Status {
  readonly code: StatusCode;
  readonly reasons: readonly string[];
  /** The plugin that rejected. */
  readonly plugin: string;
}

export function unschedulable(plugin: string, ...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons, plugin };
}

export function unresolvable(plugin: string, ...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons, plugin };
}

/** framework.FitError: why no node fits. */
export interface FitError {
  readonly numAllNodes: number;
  /** Statuses of the nodes the filters ran on (or all nodes, with a PreFilter rejection). */
  readonly nodeToStatus: ReadonlyMap<string, Status>;
  /** The status of nodes absent from nodeToStatus (those a PreFilter excluded). */
  readonly absentNodesStatus?: Status;
  /** Set when a PreFilter rejected the pod outright. */
  readonly preFilterMsg?: string;
  /** The PostFilter (preemption) message, "preemption: ...". */
  readonly postFilterMsg?: string;
}

/** A filter bound to one pod and snapshot: null when the node fits. */
export type NodeFilter = (nodeInfo: NodeInfo) => Status | null;

/** What a plugin's PreFilter yields for one pod. */
export type PreFilterResult =
  /** The plugin has nothing to check for this pod (framework.Skip). */
  | { readonly kind: 'skip' }
  /** Run `filter` on each node; `nodeNames`, when given, are the only nodes worth trying. */
  | { readonly kind: 'filter'; readonly filter: NodeFilter; readonly nodeNames?: ReadonlySet<string> }
  /** The pod fits no node at all. */
  | { readonly kind: 'reject'; readonly status: Status };

export interface FilterPlugin {
  readonly name: string;
  preFilter(pod: Pod, snapshot: Snapshot): PreFilterResult;
}

/** framework.NodeScore. */
export interface NodeScore {
  readonly name: string;
  readonly score: number;
}

/** A score bound to one pod, snapshot and the feasible nodes. */
export interface NodeScorer {
  score(nodeInfo: NodeInfo): number;
  /** NormalizeScore, when the plugin has one; returns scores in 0..maxNodeScore. */
  normalize?(scores: readonly NodeScore[]): NodeScore[];
}

export interface ScorePlugin {
  readonly name: string;
  /** The default weight in the v1.32 default profile. */
  readonly weight: number;
  /** PreScore: a scorer, or null when the plugin skips this pod. */
  preScore(pod: Pod, snapshot: Snapshot, feasible: readonly NodeInfo[]): NodeScorer | null;
}
