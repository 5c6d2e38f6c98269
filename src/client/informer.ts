// An informer: list, then watch from the list's resourceVersion, keeping a cache and calling handlers;
// a broken watch resumes from the last seen resourceVersion, and 410 Gone relists.
import { isRecord } from '../api/object.js';
import type { RestClient, WatchStream } from './rest-client.js';

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

export class Informer {
  private readonly cache = new Map<string, Obj>();
  private readonly handlers: EventHandlers[] = [];
  private resourceVersion = '';
  private stream: WatchStream | undefined;
  private stopped = false;
  private synced = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private syncWaiters: (() => void)[] = [];

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
    return this.cache.get(key);
  }

  list(): Obj[] {
    return [...this.cache.values()];
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    this.stream?.stop();
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
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
      const items = Array.isArray(list['items']) ? (list['items'] as Obj[]) : [];
      const meta = isRecord(list['metadata']) ? list['metadata'] : {};
      this.resourceVersion = typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : '';
      const seen = new Set<string>();
      for (const item of items) {
        const key = objectKey(item);
        seen.add(key);
        const old = this.cache.get(key);
        this.cache.set(key, item);
        for (const h of this.handlers) {
          if (old === undefined) h.add?.(item);
          else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) h.update?.(old, item);
        }
      }
      for (const [key, old] of [...this.cache]) {
        if (!seen.has(key)) {
          this.cache.delete(key);
          for (const h of this.handlers) h.delete?.(old);
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
          this.cache.delete(key);
          for (const h of this.handlers) h.delete?.(obj);
          return;
        }
        this.cache.set(key, obj);
        for (const h of this.handlers) {
          if (old === undefined) h.add?.(obj);
          else h.update?.(old, obj);
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
