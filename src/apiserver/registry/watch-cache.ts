// The latest state of one resource in memory, kept by a storage watch (upstream's cacher): consistent LISTs are
// served from it without reading storage, once it has caught up with the store's current revision.
import type { StoredObject } from '../../api/object.js';
import type { KeyValue, Storage, WatchHandle } from '../../storage/storage.js';

export interface CachedState {
  /** The revision the cache reflects. */
  readonly revision: number;
  /** Keys in order, with their objects, for keys under `prefix`. */
  range(prefix: string, startKey?: string): Iterable<StoredObject>;
  size(prefix: string): number;
}

export class WatchCache implements CachedState {
  private readonly objects = new Map<string, StoredObject>();
  private sorted: string[] | undefined;
  private rev = 0;
  private ready = false;
  private handle: WatchHandle | undefined;
  private waiters: { rev: number; wake: () => void }[] = [];
  private stopped = false;

  constructor(
    private readonly storage: Storage,
    private readonly prefix: string,
    private readonly decode: (kv: KeyValue, cache?: boolean) => StoredObject,
  ) {}

  get revision(): number {
    return this.rev;
  }

  isReady(): boolean {
    return this.ready && !this.stopped;
  }

  async start(): Promise<void> {
    const { revision, kvs } = await this.storage.list(this.prefix);
    for (const kv of kvs) this.objects.set(kv.key, this.decode(kv));
    this.rev = revision;
    this.sorted = undefined;
    this.handle = this.storage.watch(this.prefix, revision, {
      onEvents: (events) => {
        for (const ev of events) {
          if (ev.type === 'delete') {
            if (this.objects.delete(ev.kv.key)) this.sorted = undefined;
          } else {
            if (!this.objects.has(ev.kv.key)) this.sorted = undefined;
            this.objects.set(ev.kv.key, this.decode(ev.kv));
          }
          this.advance(ev.kv.modRevision);
        }
      },
      onProgress: (revision) => this.advance(revision),
      onError: () => {
        // Compaction overtook the watch or the store closed: stop serving; reads fall back to storage.
        this.stopped = true;
        for (const w of this.waiters.splice(0)) w.wake();
      },
    });
    this.ready = true;
  }

  stop(): void {
    this.stopped = true;
    this.handle?.cancel();
    for (const w of this.waiters.splice(0)) w.wake();
  }

  private advance(revision: number): void {
    if (revision <= this.rev) return;
    this.rev = revision;
    const still: { rev: number; wake: () => void }[] = [];
    for (const w of this.waiters) (w.rev <= revision ? w.wake : () => still.push(w))();
    this.waiters = still;
  }

  /** Resolves true once the cache reflects `revision` (within `timeoutMs`), false otherwise. */
  async waitFor(revision: number, timeoutMs: number): Promise<boolean> {
    if (!this.isReady()) return false;
    if (this.rev >= revision) return true;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.waiters.push({
        rev: revision,
        wake: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
    return this.isReady() && this.rev >= revision;
  }

  /** The cached object at a key (the cache may trail the store by a moment). */
  get(key: string): StoredObject | undefined {
    return this.objects.get(key);
  }

  private keys(): string[] {
    this.sorted ??= [...this.objects.keys()].sort();
    return this.sorted;
  }

  private lowerBound(keys: readonly string[], k: string): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] ?? '') < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  *range(prefix: string, startKey?: string): Iterable<StoredObject> {
    const keys = this.keys();
    for (let i = this.lowerBound(keys, startKey !== undefined && startKey > prefix ? startKey : prefix); i < keys.length; i++) {
      const k = keys[i] ?? '';
      if (!k.startsWith(prefix)) return;
      const obj = this.objects.get(k);
      if (obj !== undefined) yield obj;
    }
  }

  size(prefix: string): number {
    const keys = this.keys();
    let n = 0;
    for (let i = this.lowerBound(keys, prefix); i < keys.length && (keys[i] ?? '').startsWith(prefix); i++) n++;
    return n;
  }
}
