// The garbage collector's view of the cluster: every object with owners or dependents as a node keyed by uid, the
// owner -> dependents edges from ownerReferences, and "virtual" nodes for owners that have not been observed (yet).
// Pure: each change returns the uids the collector must look at (upstream's GraphBuilder.processGraphChanges).

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

/** Where an object is: its coordinates and uid. `namespace` is '' for cluster-scoped objects. */
export interface ObjectIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** What the graph needs to know of an observed object. */
export interface ObservedObject {
  readonly identity: ObjectIdentity;
  readonly ownerReferences: readonly OwnerReference[];
  readonly finalizers: readonly string[];
  readonly beingDeleted: boolean;
}

export interface GraphNode {
  identity: ObjectIdentity;
  owners: OwnerReference[];
  readonly dependents: Set<GraphNode>;
  /** False for a virtual node: an owner some dependent names, not (yet) seen by an informer. */
  observed: boolean;
  beingDeleted: boolean;
  /** Being deleted in the foreground: the foregroundDeletion finalizer waits for the dependents. */
  deletingDependents: boolean;
  /** Being deleted with the orphan finalizer. */
  orphaning: boolean;
}

/** The work a change makes: uids to attempt to delete (or to finish deleting) and uids whose dependents to orphan. */
export interface GraphActions {
  readonly attemptToDelete: string[];
  readonly attemptToOrphan: string[];
  /** Owner coordinates now known to be absent (upstream's absentOwnerCache). */
  readonly absent: ObjectIdentity[];
}

export const foregroundDeletionFinalizer = 'foregroundDeletion';
export const orphanFinalizer = 'orphan';

function noActions(): GraphActions {
  return { attemptToDelete: [], attemptToOrphan: [], absent: [] };
}

function sameCoordinates(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name && a.uid === b.uid;
}

export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** An object was added or updated. */
  observe(obj: ObservedObject): GraphActions {
    const actions = noActions();
    const uid = obj.identity.uid;
    let node = this.nodes.get(uid);
    const wasDeletingDependents = node?.observed === true && node.deletingDependents;
    const wasOrphaning = node?.observed === true && node.orphaning;
    if (node === undefined) {
      node = { identity: obj.identity, owners: [], dependents: new Set(), observed: true, beingDeleted: false, deletingDependents: false, orphaning: false };
      this.nodes.set(uid, node);
    } else if (!node.observed) {
      // A virtual node becomes real; dependents that named it by other coordinates must check their references again.
      if (!sameCoordinates(node.identity, obj.identity)) for (const dep of node.dependents) actions.attemptToDelete.push(dep.identity.uid);
      node.identity = obj.identity;
      node.observed = true;
    } else {
      node.identity = obj.identity;
    }
    this.setOwners(node, obj.ownerReferences, actions);
    node.beingDeleted = obj.beingDeleted;
    node.deletingDependents = obj.beingDeleted && obj.finalizers.includes(foregroundDeletionFinalizer);
    node.orphaning = obj.beingDeleted && obj.finalizers.includes(orphanFinalizer);
    if (node.orphaning && !wasOrphaning) actions.attemptToOrphan.push(uid);
    if (node.deletingDependents && !wasDeletingDependents) {
      for (const dep of node.dependents) actions.attemptToDelete.push(dep.identity.uid);
      actions.attemptToDelete.push(uid);
    }
    return actions;
  }

  /**
   * An object is gone: observed by an informer, or (virtual) found absent by a live lookup at `identity`. A virtual
   * delete does not remove an observed node at other coordinates; it only sends back the dependents that named
   * those coordinates. At the node's own coordinates it removes the node: the informer is merely behind.
   */
  remove(identity: ObjectIdentity, virtual: boolean): GraphActions {
    const actions = noActions();
    const node = this.nodes.get(identity.uid);
    if (node === undefined) return actions;
    if (virtual && node.observed && !sameCoordinates(node.identity, identity)) {
      const matching = [...node.dependents].filter((d) => d.owners.some((o) => o.uid === identity.uid && o.apiVersion === identity.apiVersion && o.kind === identity.kind && o.name === identity.name));
      if (matching.length === 0) return actions;
      actions.absent.push(identity);
      for (const dep of matching) actions.attemptToDelete.push(dep.identity.uid);
      return actions;
    }
    this.nodes.delete(identity.uid);
    for (const ref of node.owners) this.nodes.get(ref.uid)?.dependents.delete(node);
    if (node.dependents.size > 0) actions.absent.push(node.observed ? node.identity : identity);
    for (const dep of node.dependents) actions.attemptToDelete.push(dep.identity.uid);
    for (const ref of node.owners) {
      const owner = this.nodes.get(ref.uid);
      // Let a foreground-deleting owner see that one more dependent is gone.
      if (owner?.deletingDependents === true) actions.attemptToDelete.push(owner.identity.uid);
    }
    return actions;
  }

  /** The dependents that hold up the owner's foreground deletion: their reference to it has blockOwnerDeletion. */
  blockingDependents(owner: GraphNode): GraphNode[] {
    return [...owner.dependents].filter((d) => d.owners.some((o) => o.uid === owner.identity.uid && o.blockOwnerDeletion === true));
  }

  private setOwners(node: GraphNode, refs: readonly OwnerReference[], actions: GraphActions): void {
    const before = new Map(node.owners.map((o) => [o.uid, o]));
    const after = new Map(refs.map((o) => [o.uid, o]));
    for (const [ownerUid, ref] of after) {
      if (before.has(ownerUid)) {
        // blockOwnerDeletion went away: a foreground-deleting owner may now proceed.
        if (before.get(ownerUid)?.blockOwnerDeletion === true && ref.blockOwnerDeletion !== true) this.unblocked(ownerUid, actions);
        continue;
      }
      let owner = this.nodes.get(ownerUid);
      if (owner === undefined) {
        owner = {
          identity: { apiVersion: ref.apiVersion, kind: ref.kind, namespace: node.identity.namespace, name: ref.name, uid: ownerUid },
          owners: [],
          dependents: new Set(),
          observed: false,
          beingDeleted: false,
          deletingDependents: false,
          orphaning: false,
        };
        this.nodes.set(ownerUid, owner);
        actions.attemptToDelete.push(ownerUid);
      }
      owner.dependents.add(node);
    }
    for (const [ownerUid, ref] of before) {
      if (after.has(ownerUid)) continue;
      this.nodes.get(ownerUid)?.dependents.delete(node);
      if (ref.blockOwnerDeletion === true) this.unblocked(ownerUid, actions);
    }
    node.owners = [...refs];
  }

  private unblocked(ownerUid: string, actions: GraphActions): void {
    const owner = this.nodes.get(ownerUid);
    if (owner?.deletingDependents === true) actions.attemptToDelete.push(ownerUid);
  }
}
