// Which pods the pod garbage collector deletes (pkg/controller/podgc), as pure functions: terminated pods above the
// threshold (evicted first, then oldest, then by name), terminating pods on out-of-service nodes, unscheduled
// terminating pods, and the nodes whose pods wait in quarantine before being called orphans.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { taintNodeOutOfService } from '../nodelifecycle/node-taints.js';

/** isPodTerminated: a phase other than Pending, Running and Unknown. */
export function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

/** eviction.PodIsEvicted: Failed with reason Evicted. */
export function podIsEvicted(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' && pod.status.reason === 'Evicted';
}

function creationMs(pod: Pod): number {
  const t = pod.metadata?.creationTimestamp;
  const ms = t === undefined ? NaN : Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

/** byEvictionAndCreationTimestamp: evicted pods first, then the oldest, names breaking ties. */
export function byEvictionAndCreationTimestamp(a: Pod, b: Pod): number {
  const ae = podIsEvicted(a);
  const be = podIsEvicted(b);
  if (ae !== be) return ae ? -1 : 1;
  const d = creationMs(a) - creationMs(b);
  if (d !== 0) return d;
  const an = a.metadata?.name ?? '';
  const bn = b.metadata?.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** gcTerminated: the terminated pods beyond `threshold`, in deletion order (none when the threshold is 0 or less). */
export function terminatedPodsToDelete(pods: readonly Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isPodTerminated);
  const count = terminated.length - threshold;
  if (count <= 0) return [];
  return [...terminated].sort(byEvictionAndCreationTimestamp).slice(0, count);
}

/** IsNodeReady: the Ready condition is True. */
export function isNodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** gcTerminating: terminating pods on nodes that are not Ready and carry the out-of-service taint. */
export function terminatingPodsOnOutOfServiceNodes(pods: readonly Pod[], nodeByName: (name: string) => Node | undefined): Pod[] {
  const out = pods.filter((pod) => {
    if (pod.metadata?.deletionTimestamp === undefined || pod.metadata.deletionTimestamp === null) return false;
    const node = nodeByName(pod.spec?.nodeName ?? '');
    if (node === undefined) return false;
    return !isNodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === taintNodeOutOfService);
  });
  return out.sort(byEvictionAndCreationTimestamp);
}

/** gcUnscheduledTerminating: terminating pods that were never bound to a node. */
export function unscheduledTerminatingPods(pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => p.metadata?.deletionTimestamp !== undefined && p.metadata.deletionTimestamp !== null && (p.spec?.nodeName ?? '') === '');
}

/** The names of nodes that pods are bound to but the informer does not know. */
export function missingNodeNames(pods: readonly Pod[], existing: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const p of pods) {
    const n = p.spec?.nodeName ?? '';
    if (n !== '' && !existing.has(n)) out.add(n);
  }
  return out;
}

/**
 * The quarantine of unknown node names (the delaying queue of gcOrphaned): a name becomes due `quarantineMs` after it
 * was first added; adding it again while it waits does not restart the wait.
 */
export class NodeQuarantine {
  private readonly dueAt = new Map<string, number>();

  constructor(private readonly quarantineMs: number) {}

  add(name: string, nowMs: number): void {
    if (!this.dueAt.has(name)) this.dueAt.set(name, nowMs + this.quarantineMs);
  }

  /** Removes and returns the names whose quarantine is over. */
  takeDue(nowMs: number): string[] {
    const due: string[] = [];
    for (const [name, at] of this.dueAt) {
      if (at <= nowMs) {
        due.push(name);
        this.dueAt.delete(name);
      }
    }
    return due;
  }

  get size(): number {
    return this.dueAt.size;
  }
}
