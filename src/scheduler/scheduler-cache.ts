// The scheduler's cache (upstream's internal/cache): nodes and the pods assigned or assumed on them, kept up to date
// from informer events, with one NodeInfo per node rebuilt only when that node or its pods changed. A snapshot for a
// scheduling cycle then costs one pass over the nodes, not over every pod of the cluster.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isTerminal, newNodeInfo, podKey, type NodeInfo, type Snapshot, type SnapshotObjects } from './framework.js';

function nodeNameOf(pod: Pod): string {
  return pod.spec?.nodeName ?? '';
}

export class SchedulerCache {
  private readonly nodes = new Map<string, Node>();
  /** Node name to its pods (by key). Pods of nodes not (yet) known are kept too. */
  private readonly podsByNode = new Map<string, Map<string, Pod>>();
  /** Pod key to the node it is counted on. */
  private readonly podNode = new Map<string, string>();
  private readonly infos = new Map<string, NodeInfo>();
  private readonly dirty = new Set<string>();
  private imageCounts = new Map<string, number>();
  private imagesDirty = true;
  private order: string[] = [];
  private orderDirty = true;
  private snapNodes: NodeInfo[] = [];
  private snapByName = new Map<string, NodeInfo>();
  private snapIndex = new Map<string, number>();

  /** A node was added or changed. */
  setNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const before = this.nodes.get(name);
    this.nodes.set(name, node);
    this.dirty.add(name);
    if (before === undefined) this.orderDirty = true;
    if (JSON.stringify(before?.status?.images ?? []) !== JSON.stringify(node.status?.images ?? [])) this.imagesDirty = true;
  }

  deleteNode(name: string): void {
    if (!this.nodes.delete(name)) return;
    this.infos.delete(name);
    this.dirty.delete(name);
    this.orderDirty = true;
    this.imagesDirty = true;
  }

  /**
   * A pod was added or changed: counted on its node while it is assigned (or assumed) and not terminal, forgotten
   * otherwise.
   */
  setPod(pod: Pod): void {
    const key = podKey(pod);
    const node = nodeNameOf(pod);
    const counted = node !== '' && !isTerminal(pod);
    const was = this.podNode.get(key);
    if (was !== undefined && (!counted || was !== node)) this.removeFrom(was, key);
    if (!counted) return;
    let pods = this.podsByNode.get(node);
    if (pods === undefined) {
      pods = new Map();
      this.podsByNode.set(node, pods);
    }
    pods.set(key, pod);
    this.podNode.set(key, node);
    this.dirty.add(node);
  }

  deletePod(pod: Pod): void {
    const key = podKey(pod);
    const was = this.podNode.get(key);
    if (was !== undefined) this.removeFrom(was, key);
  }

  /** The node a pod is counted on, if any. */
  nodeOf(key: string): string | undefined {
    return this.podNode.get(key);
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  private removeFrom(node: string, key: string): void {
    this.podsByNode.get(node)?.delete(key);
    this.podNode.delete(key);
    this.dirty.add(node);
  }

  /** The snapshot for one scheduling cycle: NodeInfos of changed nodes rebuilt, the others reused. */
  snapshot(objects: SnapshotObjects = {}): Snapshot {
    if (this.imagesDirty) {
      const counts = new Map<string, number>();
      for (const node of this.nodes.values()) {
        const names = new Set<string>();
        for (const image of node.status?.images ?? []) for (const n of image.names ?? []) names.add(n);
        for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
      }
      this.imageCounts = counts;
      this.imagesDirty = false;
      for (const name of this.nodes.keys()) this.dirty.add(name);
    }
    for (const name of this.dirty) {
      const node = this.nodes.get(name);
      if (node === undefined) continue;
      this.infos.set(name, newNodeInfo(node, [...(this.podsByNode.get(name)?.values() ?? [])], this.imageCounts));
    }
    if (this.orderDirty) {
      this.order = [...this.nodes.keys()];
      this.orderDirty = false;
      this.snapNodes = [];
      this.snapByName = new Map();
      this.snapIndex = new Map();
      for (const name of this.order) {
        const info = this.infos.get(name);
        if (info === undefined) continue;
        this.snapIndex.set(name, this.snapNodes.length);
        this.snapNodes.push(info);
        this.snapByName.set(name, info);
      }
    } else {
      for (const name of this.dirty) {
        const info = this.infos.get(name);
        const i = this.snapIndex.get(name);
        if (info === undefined || i === undefined) continue;
        this.snapNodes[i] = info;
        this.snapByName.set(name, info);
      }
    }
    this.dirty.clear();
    // As upstream's UpdateSnapshot, one snapshot updated in place: it is read only within a scheduling cycle.
    return { nodes: this.snapNodes, nodeByName: this.snapByName, objects };
  }
}
