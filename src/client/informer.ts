// An informer: list, then watch from the list's resourceVersion, keeping a cache and calling handlers;
// a broken watch resumes from the last seen resourceVersion, and 410 Gone relists.
import { isRecord } from '../api/object.js';
import { RestClient, type WatchStream } from './rest-client.js';

export type Obj = Record<string, unknown> & { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

export interface EventHandlers {
  add?(obj: Obj): void;
  update?(oldObj: Obj, newObj: Obj): void;
  delete?(obj: Obj): void;
}

export function objectKey(obj: Obj): string {
  const ns = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  return ns === '' ? name : `${ns}/${name}`;
}

/**
 * The list+watch of one collection (path and selectors) on one server, shared by every Informer of it in this
 * process, as client-go's shared informers are: one watch and one decoded cache, however many controllers look.
 * It has a client of its own and stops when its last Informer stops.
 */
class SharedSource {
  readonly cache = new Map<string, Obj>();
  /** Upstream's namespace index: namespace to the objects (by key) in it. */
  readonly byNamespace = new Map<string, Map<string, Obj>>();
  /**
   * Objects by the uid of their controller (the ownerReference with controller: true), and those without one by
   * orphanKey(namespace): what controllers claim from, without walking every object of a namespace.
   */
  readonly byController = new Map<string, Map<string, Obj>>();
  readonly subscribers = new Set<Informer>();
  private resourceVersion = '';
  private stream: WatchStream | undefined;
  private stopped = false;
  private started = false;
  synced = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private syncWaiters: (() => void)[] = [];

  constructor(
    private readonly client: RestClient,
    private readonly path: string,
    private readonly query: Record<string, string>,
    private readonly onStopped: () => void,
  ) {}

  private put(key: string, obj: Obj): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    // An object whose index values did not change keeps its place in them (listings stay in a stable order).
    const ns = obj.metadata?.namespace ?? '';
    if (old !== undefined && (old.metadata?.namespace ?? '') !== ns) removeFrom(this.byNamespace, old.metadata?.namespace ?? '', key);
    addTo(this.byNamespace, ns, key, obj);
    const controller = controllerIndexKey(obj);
    if (old !== undefined && controllerIndexKey(old) !== controller) removeFrom(this.byController, controllerIndexKey(old), key);
    addTo(this.byController, controller, key, obj);
  }

  private remove(key: string): void {
    const old = this.cache.get(key);
    if (old === undefined) return;
    this.unindex(key, old);
    this.cache.delete(key);
  }

  private unindex(key: string, obj: Obj): void {
    removeFrom(this.byNamespace, obj.metadata?.namespace ?? '', key);
    removeFrom(this.byController, controllerIndexKey(obj), key);
  }

  subscribe(inf: Informer): void {
    this.subscribers.add(inf);
    if (!this.started) {
      this.started = true;
      void this.relist();
      return;
    }
    // A late subscriber hears of everything already known, as client-go replays adds to a new handler.
    for (const obj of this.cache.values()) inf.deliverAdd(obj);
  }

  unsubscribe(inf: Informer): void {
    this.subscribers.delete(inf);
    if (this.subscribers.size > 0) return;
    this.stopped = true;
    this.stream?.stop();
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    for (const w of this.syncWaiters.splice(0)) w();
    this.client.close();
    this.onStopped();
  }

  waitForSync(): Promise<void> {
    if (this.synced || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  private url(extra: Record<string, string>): string {
    const q = new URLSearchParams({ ...this.query, ...extra });
    return `${this.path}?${q.toString()}`;
  }

  private retry(fn: () => void, ms: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(fn, ms);
    this.retryTimer.unref();
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const list = await this.client.request('GET', this.url({}));
      if (this.stopped) return;
      const items = Array.isArray(list['items']) ? (list['items'] as Obj[]) : [];
      const meta = isRecord(list['metadata']) ? list['metadata'] : {};
      this.resourceVersion = typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : '';
      const seen = new Set<string>();
      for (const item of items) {
        const key = objectKey(item);
        seen.add(key);
        const old = this.cache.get(key);
        this.put(key, item);
        for (const inf of this.subscribers) {
          if (old === undefined) inf.deliverAdd(item);
          else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) inf.deliverUpdate(old, item);
        }
      }
      for (const [key, old] of [...this.cache]) {
        if (!seen.has(key)) {
          this.remove(key);
          for (const inf of this.subscribers) inf.deliverDelete(old);
        }
      }
      if (!this.synced) {
        this.synced = true;
        for (const w of this.syncWaiters.splice(0)) w();
      }
      this.watch();
    } catch {
      this.retry(() => void this.relist(), 1000);
    }
  }

  private watch(): void {
    if (this.stopped) return;
    this.stream = this.client.watch(
      this.url({ watch: '1', resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true' }),
      (ev) => {
        const obj = ev.object as Obj;
        if (ev.type === 'ERROR') {
          // 410 Gone (or any error): start over from a fresh list.
          this.stream?.stop();
          this.retry(() => void this.relist(), 10);
          return;
        }
        const rv = obj.metadata?.resourceVersion;
        if (rv !== undefined) this.resourceVersion = rv;
        if (ev.type === 'BOOKMARK') return;
        const key = objectKey(obj);
        const old = this.cache.get(key);
        if (ev.type === 'DELETED') {
          this.remove(key);
          for (const inf of this.subscribers) inf.deliverDelete(obj);
          return;
        }
        this.put(key, obj);
        for (const inf of this.subscribers) {
          if (old === undefined) inf.deliverAdd(obj);
          else inf.deliverUpdate(old, obj);
        }
      },
      (err) => {
        if (this.stopped) return;
        if (err !== undefined && 'code' in err && (err as { code?: unknown }).code === 410) this.retry(() => void this.relist(), 10);
        else this.retry(() => this.watch(), err === undefined ? 0 : 1000);
      },
    );
  }
}

function addTo(index: Map<string, Map<string, Obj>>, value: string, key: string, obj: Obj): void {
  let m = index.get(value);
  if (m === undefined) index.set(value, (m = new Map()));
  m.set(key, obj);
}

function removeFrom(index: Map<string, Map<string, Obj>>, value: string, key: string): void {
  const m = index.get(value);
  if (m === undefined) return;
  m.delete(key);
  if (m.size === 0) index.delete(value);
}

/** The byController key of objects without a controller in a namespace (no uid contains a slash). */
function orphanKey(namespace: string): string {
  return `orphans/${namespace}`;
}

function controllerIndexKey(obj: Obj): string {
  const refs = (obj.metadata as { ownerReferences?: unknown } | undefined)?.ownerReferences;
  if (Array.isArray(refs)) {
    for (const r of refs) {
      if (isRecord(r) && r['controller'] === true && typeof r['uid'] === 'string') return r['uid'];
    }
  }
  return orphanKey(obj.metadata?.namespace ?? '');
}

const sources = new Map<string, SharedSource>();

function sourceKey(client: RestClient, path: string, query: Record<string, string>): string {
  const q = Object.entries(query)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const c = client.config;
  return `${c.server}|${c.token ?? ''}|${c.certPem ?? ''}|${path}?${q}`;
}

/**
 * A view of a collection: its cache and change handlers. Informers of the same collection (path and selectors) on
 * the same server and credentials share one list+watch and one cache (objects in it are shared: never mutate them).
 */
export class Informer {
  private readonly handlers: EventHandlers[] = [];
  private source: SharedSource | undefined;
  private stopped = false;

  /** `path` is a collection path, e.g. /api/v1/namespaces or /apis/apps/v1/deployments. */
  constructor(
    private readonly client: RestClient,
    private readonly path: string,
    private readonly query: Record<string, string> = {},
  ) {}

  addHandlers(h: EventHandlers): void {
    this.handlers.push(h);
  }

  get(key: string): Obj | undefined {
    return this.source?.cache.get(key);
  }

  list(): Obj[] {
    return this.source === undefined ? [] : [...this.source.cache.values()];
  }

  /** The objects of one namespace. */
  listNamespace(namespace: string): Obj[] {
    return [...(this.source?.byNamespace.get(namespace)?.values() ?? [])];
  }

  /** The objects whose controller (ownerReference with controller: true) has this uid. */
  listControlledBy(uid: string): Obj[] {
    return [...(this.source?.byController.get(uid)?.values() ?? [])];
  }

  /** The objects of a namespace that have no controller: the ones a controller may adopt. */
  listOrphans(namespace: string): Obj[] {
    return [...(this.source?.byController.get(orphanKey(namespace))?.values() ?? [])];
  }

  /**
   * What a controller with this uid in this namespace claims from (ClaimPods' input): the objects it controls and the
   * namespace's orphans. Objects controlled by others would be ignored by the claim anyway.
   */
  listClaimable(namespace: string, uid: string): Obj[] {
    return [...this.listControlledBy(uid), ...this.listOrphans(namespace)];
  }

  hasSynced(): boolean {
    return this.source?.synced === true;
  }

  waitForSync(): Promise<void> {
    if (this.source !== undefined) return this.source.waitForSync();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.source !== undefined) void this.source.waitForSync().then(resolve);
        else if (this.stopped) resolve();
        else setTimeout(check, 10).unref();
      };
      check();
    });
  }

  start(): void {
    if (this.source !== undefined || this.stopped) return;
    const key = sourceKey(this.client, this.path, this.query);
    let src = sources.get(key);
    if (src === undefined) {
      const created: SharedSource = new SharedSource(new RestClient(this.client.config), this.path, this.query, () => {
        if (sources.get(key) === created) sources.delete(key);
      });
      src = created;
      sources.set(key, src);
    }
    this.source = src;
    src.subscribe(this);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const src = this.source;
    if (src !== undefined) src.unsubscribe(this);
  }

  /** @internal Called by the shared source. */
  deliverAdd(obj: Obj): void {
    if (this.stopped) return;
    for (const h of this.handlers) h.add?.(obj);
  }

  /** @internal Called by the shared source. */
  deliverUpdate(old: Obj, obj: Obj): void {
    if (this.stopped) return;
    for (const h of this.handlers) h.update?.(old, obj);
  }

  /** @internal Called by the shared source. */
  deliverDelete(obj: Obj): void {
    if (this.stopped) return;
    for (const h of this.handlers) h.delete?.(obj);
  }
}
