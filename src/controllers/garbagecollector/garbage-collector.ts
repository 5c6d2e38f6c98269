// The garbage collector (upstream's garbage-collector-controller): watches every deletable resource, keeps the
// owner -> dependents graph, deletes dependents whose owners are all gone (checked with a live GET by uid), deletes
// the dependents of owners deleted in the foreground and then removes their foregroundDeletion finalizer, and
// strips the ownerReferences to owners deleted with the orphan finalizer before removing that finalizer.
import { isRecord } from '../../api/object.js';
import { Informer, type Obj } from '../../client/informer.js';
import { RestClient } from '../../client/rest-client.js';
import { log } from '../../cli/log.js';
import { ApiError } from '../../machinery/errors.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { discoverDeletableResources, kindKey, objectPath, type ApiResourceMapping } from './deletable-resources.js';
import { DependencyGraph, foregroundDeletionFinalizer, orphanFinalizer, type GraphActions, type GraphNode, type ObjectIdentity, type OwnerReference } from './dependency-graph.js';

export interface GarbageCollectorOptions {
  /** How often discovery runs again to pick up new resources (CRDs). */
  readonly rediscoverMs?: number;
}

export interface GarbageCollectorHandle {
  stop(): void;
  /** Resolves once discovery ran and every informer has listed. */
  waitForSync(): Promise<void>;
}

/** Watches per connection pool (a RestClient's agent allows 16 sockets). */
const watchesPerClient = 12;

type Propagation = 'Background' | 'Foreground' | 'Orphan';

interface Meta {
  uid: string;
  name: string;
  namespace: string;
  resourceVersion: string;
  ownerReferences: OwnerReference[];
  finalizers: string[];
  deletionTimestamp: string | undefined;
}

function metaOf(obj: Record<string, unknown>): Meta {
  const m = isRecord(obj['metadata']) ? obj['metadata'] : {};
  const str = (k: string): string => (typeof m[k] === 'string' ? m[k] : '');
  const refs: OwnerReference[] = [];
  for (const r of Array.isArray(m['ownerReferences']) ? m['ownerReferences'] : []) {
    if (!isRecord(r) || typeof r['uid'] !== 'string') continue;
    refs.push({
      apiVersion: typeof r['apiVersion'] === 'string' ? r['apiVersion'] : '',
      kind: typeof r['kind'] === 'string' ? r['kind'] : '',
      name: typeof r['name'] === 'string' ? r['name'] : '',
      uid: r['uid'],
      ...(typeof r['controller'] === 'boolean' ? { controller: r['controller'] } : {}),
      ...(typeof r['blockOwnerDeletion'] === 'boolean' ? { blockOwnerDeletion: r['blockOwnerDeletion'] } : {}),
    });
  }
  const finalizers = Array.isArray(m['finalizers']) ? m['finalizers'].filter((f): f is string => typeof f === 'string') : [];
  const dt = m['deletionTimestamp'];
  return { uid: str('uid'), name: str('name'), namespace: str('namespace'), resourceVersion: str('resourceVersion'), ownerReferences: refs, finalizers, deletionTimestamp: typeof dt === 'string' ? dt : undefined };
}

function identityKey(i: ObjectIdentity): string {
  return `${i.apiVersion}|${i.kind}|${i.namespace}|${i.name}|${i.uid}`;
}

function isCode(e: unknown, ...codes: number[]): boolean {
  return e instanceof ApiError && codes.includes(e.code);
}

export function startGarbageCollector(client: RestClient, opts: GarbageCollectorOptions = {}): GarbageCollectorHandle {
  const graph = new DependencyGraph();
  const informers = new Map<string, Informer>();
  let byKind = new Map<string, ApiResourceMapping>();
  /** Owner coordinates known to be gone (upstream's absentOwnerCache; bounded). */
  const absent = new Set<string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let synced: Promise<void> | undefined;

  const remember = (i: ObjectIdentity): void => {
    if (absent.size > 10_000) absent.clear();
    absent.add(identityKey(i));
  };
  const apply = (a: GraphActions): void => {
    for (const i of a.absent) remember(i);
    for (const uid of a.attemptToDelete) attemptToDelete.queue.add(uid);
    for (const uid of a.attemptToOrphan) attemptToOrphan.queue.add(uid);
  };

  const observe = (m: ApiResourceMapping, obj: Obj): void => {
    const meta = metaOf(obj);
    if (meta.uid === '') return;
    const identity = { apiVersion: m.groupVersion, kind: m.kind, namespace: m.namespaced ? meta.namespace : '', name: meta.name, uid: meta.uid };
    apply(graph.observe({ identity, ownerReferences: meta.ownerReferences, finalizers: meta.finalizers, beingDeleted: meta.deletionTimestamp !== undefined }));
  };
  const forget = (m: ApiResourceMapping, obj: Obj): void => {
    const meta = metaOf(obj);
    if (meta.uid === '') return;
    apply(graph.remove({ apiVersion: m.groupVersion, kind: m.kind, namespace: m.namespaced ? meta.namespace : '', name: meta.name, uid: meta.uid }, false));
  };

  const mappingFor = (apiVersion: string, kind: string): ApiResourceMapping => {
    const m = byKind.get(kindKey(apiVersion, kind));
    if (m === undefined) throw new Error(`unable to get REST mapping for ${apiVersion}/${kind}`);
    return m;
  };

  /** The live object at the node's coordinates, or undefined when it is absent there (404 or another uid). */
  const getLive = async (i: ObjectIdentity): Promise<Record<string, unknown> | undefined> => {
    const m = mappingFor(i.apiVersion, i.kind);
    if (m.namespaced && i.namespace === '') return undefined; // a cluster-scoped dependent cannot have a namespaced owner
    try {
      const obj = await client.request('GET', objectPath(m, i.namespace, i.name));
      return metaOf(obj).uid === i.uid ? obj : undefined;
    } catch (e: unknown) {
      if (isCode(e, 404)) return undefined;
      throw e;
    }
  };

  const deleteObject = async (i: ObjectIdentity, propagationPolicy: Propagation): Promise<void> => {
    const m = mappingFor(i.apiVersion, i.kind);
    log.info('garbage collector deletes object', { object: `${i.kind}/${i.namespace === '' ? '' : `${i.namespace}/`}${i.name}`, uid: i.uid, propagationPolicy });
    try {
      await client.request('DELETE', objectPath(m, i.namespace, i.name), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy, preconditions: { uid: i.uid } });
    } catch (e: unknown) {
      // Gone already, or replaced by another object of the same name (the uid precondition failed).
      if (isCode(e, 404, 409)) return;
      throw e;
    }
  };

  /** A JSON merge patch of the live object's metadata, pinned to its resourceVersion (a conflict retries). */
  const patchMetadata = async (i: ObjectIdentity, change: (meta: Meta) => Record<string, unknown> | undefined): Promise<void> => {
    const m = mappingFor(i.apiVersion, i.kind);
    const live = await getLive(i);
    if (live === undefined) return;
    const meta = metaOf(live);
    const patch = change(meta);
    if (patch === undefined) return;
    try {
      await client.request('PATCH', objectPath(m, i.namespace, i.name), { metadata: { resourceVersion: meta.resourceVersion, uid: meta.uid, ...patch } }, 'application/merge-patch+json');
    } catch (e: unknown) {
      if (isCode(e, 404)) return;
      throw e;
    }
  };

  const removeOwnerRefs = (i: ObjectIdentity, ownerUids: readonly string[]): Promise<void> =>
    patchMetadata(i, (meta) => {
      const kept = meta.ownerReferences.filter((r) => !ownerUids.includes(r.uid));
      if (kept.length === meta.ownerReferences.length) return undefined;
      return { ownerReferences: kept.length === 0 ? null : kept };
    });

  const removeFinalizer = (i: ObjectIdentity, finalizer: string): Promise<void> =>
    patchMetadata(i, (meta) => {
      if (!meta.finalizers.includes(finalizer)) return undefined;
      const kept = meta.finalizers.filter((f) => f !== finalizer);
      log.info('garbage collector removes finalizer', { object: `${i.kind}/${i.name}`, uid: i.uid, finalizer });
      return { finalizers: kept.length === 0 ? null : kept };
    });

  const unblockOwnerRefs = (i: ObjectIdentity): Promise<void> =>
    patchMetadata(i, (meta) => {
      if (!meta.ownerReferences.some((r) => r.blockOwnerDeletion === true)) return undefined;
      return { ownerReferences: meta.ownerReferences.map((r) => (r.blockOwnerDeletion === true ? { ...r, blockOwnerDeletion: false } : r)) };
    });

  /** Upstream's isDangling: is the owner this reference names absent (not found, or found with another uid)? */
  const classify = async (node: GraphNode, refs: readonly OwnerReference[]): Promise<{ solid: OwnerReference[]; dangling: OwnerReference[]; waiting: OwnerReference[] }> => {
    const out = { solid: [] as OwnerReference[], dangling: [] as OwnerReference[], waiting: [] as OwnerReference[] };
    for (const ref of refs) {
      const m = mappingFor(ref.apiVersion, ref.kind);
      const owner: ObjectIdentity = { apiVersion: ref.apiVersion, kind: ref.kind, namespace: m.namespaced ? node.identity.namespace : '', name: ref.name, uid: ref.uid };
      if (absent.has(identityKey(owner))) {
        out.dangling.push(ref);
        continue;
      }
      const live = await getLive(owner);
      if (live === undefined) {
        remember(owner);
        out.dangling.push(ref);
        continue;
      }
      const meta = metaOf(live);
      if (meta.deletionTimestamp !== undefined && meta.finalizers.includes(foregroundDeletionFinalizer)) out.waiting.push(ref);
      else out.solid.push(ref);
    }
    return out;
  };

  const unobservedRetries = new Map<string, number>();
  const unobservedBackoff = (uid: string): number => {
    const n = unobservedRetries.get(uid) ?? 0;
    if (unobservedRetries.size > 10_000) unobservedRetries.clear();
    unobservedRetries.set(uid, n + 1);
    return Math.min(500 * 2 ** n, 60_000);
  };

  const attemptToDeleteItem = async (uid: string): Promise<ReconcileResult> => {
    const node = graph.get(uid);
    if (node === undefined) return;
    if (node.beingDeleted && !node.deletingDependents) return;
    const identity = node.identity;
    const live = await getLive(identity);
    if (live === undefined) {
      // Gone (or another object now has its name): a virtual delete event.
      unobservedRetries.delete(uid);
      apply(graph.remove(identity, true));
      return;
    }
    // A virtual node whose object exists: look again (backing off) until an informer observes it.
    const result: ReconcileResult = node.observed ? undefined : { requeueAfterMs: unobservedBackoff(uid) };
    if (node.observed) unobservedRetries.delete(uid);
    if (node.deletingDependents) {
      const blocking = graph.blockingDependents(node);
      if (blocking.length === 0) {
        await removeFinalizer(identity, foregroundDeletionFinalizer);
        return result;
      }
      for (const dep of blocking) if (!dep.deletingDependents) attemptToDelete.queue.add(dep.identity.uid);
      return result;
    }
    const refs = metaOf(live).ownerReferences;
    if (refs.length === 0) return result;
    const { solid, dangling, waiting } = await classify(node, refs);
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return result;
      // Drop the references to absent owners and to owners waiting on their dependents, so that those owners can go.
      await removeOwnerRefs(identity, [...dangling, ...waiting].map((r) => r.uid));
      return result;
    }
    if (waiting.length > 0 && node.dependents.size > 0) {
      // This dependent is an owner too: cascade the foreground deletion, breaking a possible cycle of blocking refs.
      if ([...node.dependents].some((d) => d.deletingDependents)) await unblockOwnerRefs(identity);
      await deleteObject(identity, 'Foreground');
      return result;
    }
    const finalizers = metaOf(live).finalizers;
    const policy: Propagation = finalizers.includes(orphanFinalizer) ? 'Orphan' : finalizers.includes(foregroundDeletionFinalizer) ? 'Foreground' : 'Background';
    await deleteObject(identity, policy);
    return result;
  };

  const attemptToOrphanItem = async (uid: string): Promise<ReconcileResult> => {
    const node = graph.get(uid);
    if (node === undefined || !node.observed || !node.orphaning) return;
    for (const dep of [...node.dependents]) await removeOwnerRefs(dep.identity, [uid]);
    await removeFinalizer(node.identity, orphanFinalizer);
  };

  const attemptToDelete = new Controller('garbage-collector-delete', attemptToDeleteItem, 4);
  const attemptToOrphan = new Controller('garbage-collector-orphan', attemptToOrphanItem, 2);

  // Each watch holds an HTTP/1.1 connection, and a RestClient's agent has a bounded pool: informers get clients of
  // their own, a few watches each, so that they never starve the collector's requests (or each other).
  const watchClients: RestClient[] = [];
  const watchClient = (): RestClient => {
    if (informers.size % watchesPerClient === 0 || watchClients.length === 0) watchClients.push(new RestClient(client.config));
    const last = watchClients[watchClients.length - 1];
    if (last === undefined) throw new Error('no watch client');
    return last;
  };

  const discover = async (): Promise<void> => {
    const found = await discoverDeletableResources(client);
    byKind = found.byKind;
    const started: Informer[] = [];
    for (const m of found.watched) {
      const key = `${m.groupVersion}/${m.resource}`;
      if (informers.has(key) || stopped) continue;
      const inf = new Informer(watchClient(), objectPath(m, ''));
      inf.addHandlers({ add: (o) => observe(m, o), update: (_o, n) => observe(m, n), delete: (o) => forget(m, o) });
      informers.set(key, inf);
      inf.start();
      started.push(inf);
    }
    await Promise.all(started.map((i) => i.waitForSync()));
  };

  const loop = async (): Promise<void> => {
    try {
      await discover();
    } catch (e: unknown) {
      log.warn('garbage collector discovery failed', { err: e instanceof Error ? e.message : String(e) });
    }
    if (stopped) return;
    timer = setTimeout(() => void loop(), opts.rediscoverMs ?? 30_000);
    timer.unref();
  };

  attemptToDelete.run();
  attemptToOrphan.run();
  synced = (async () => {
    for (;;) {
      try {
        await discover();
        break;
      } catch (e: unknown) {
        if (stopped) return;
        log.warn('garbage collector discovery failed', { err: e instanceof Error ? e.message : String(e) });
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
    if (stopped) return;
    timer = setTimeout(() => void loop(), opts.rediscoverMs ?? 30_000);
    timer.unref();
  })();

  return {
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const i of informers.values()) i.stop();
      attemptToDelete.stop();
      attemptToOrphan.stop();
      for (const c of watchClients) c.close();
    },
    waitForSync: async () => {
      await synced;
    },
  };
}
