// Builders of realistic Nodes and Pods for the scheduler's unit tests.
import type { Container, Node, NodeSpec, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, ScorePlugin, Snapshot, Status } from './framework.js';

export interface NodeOptions {
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: string;
  readonly labels?: Record<string, string>;
  readonly taints?: NodeSpec['taints'];
  readonly unschedulable?: boolean;
  readonly images?: Array<{ names: string[]; sizeBytes: number }>;
  readonly extra?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const allocatable = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...(o.extra ?? {}) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(o.labels ?? {}) } },
    spec: { ...(o.taints === undefined ? {} : { taints: o.taints }), ...(o.unschedulable === undefined ? {} : { unschedulable: o.unschedulable }) },
    status: { capacity: allocatable, allocatable, ...(o.images === undefined ? {} : { images: o.images }) },
  };
}

export interface PodOptions {
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly cpu?: string;
  readonly memory?: string;
  readonly nodeName?: string;
  readonly priority?: number;
  readonly image?: string;
  readonly spec?: Partial<PodSpec>;
  readonly startTime?: string;
  readonly ownerReferences?: NonNullable<Pod['metadata']>['ownerReferences'];
}

export function container(name: string, cpu?: string, memory?: string, extra: Partial<Container> = {}): Container {
  const requests: Record<string, string> = {};
  if (cpu !== undefined) requests['cpu'] = cpu;
  if (memory !== undefined) requests['memory'] = memory;
  return { name, image: 'nginx:1.7.9', ...(Object.keys(requests).length > 0 ? { resources: { requests } } : {}), ...extra };
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  const c = container('nginx', o.cpu, o.memory, o.image === undefined ? {} : { image: o.image });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      ...(o.labels === undefined ? {} : { labels: o.labels }),
      ...(o.ownerReferences === undefined ? {} : { ownerReferences: o.ownerReferences }),
    },
    spec: {
      containers: [c],
      ...(o.nodeName === undefined ? {} : { nodeName: o.nodeName }),
      ...(o.priority === undefined ? {} : { priority: o.priority }),
      ...(o.spec ?? {}),
    },
    status: { phase: o.nodeName === undefined ? 'Pending' : 'Running', ...(o.startTime === undefined ? {} : { startTime: o.startTime }) },
  };
}


/** Runs one filter plugin for a pod on a node: 'skip', the rejecting status, or null (fits). */
export function runFilter(plugin: FilterPlugin, pod: Pod, snapshot: Snapshot, node: string): Status | null | 'skip' {
  const r = plugin.preFilter(pod, snapshot);
  if (r.kind === 'skip') return 'skip';
  if (r.kind === 'reject') return r.status;
  const info = snapshot.nodeByName.get(node);
  if (info === undefined) throw new Error(`no node ${node}`);
  return r.filter(info);
}

/** Runs one score plugin over all nodes of the snapshot: normalized scores by node, or null when skipped. */
export function runScore(plugin: ScorePlugin, pod: Pod, snapshot: Snapshot): Record<string, number> | null {
  const scorer = plugin.preScore(pod, snapshot, snapshot.nodes);
  if (scorer === null) return null;
  let scores = snapshot.nodes.map((n) => ({ name: n.name, score: scorer.score(n) }));
  if (scorer.normalize !== undefined) scores = scorer.normalize(scores);
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}
