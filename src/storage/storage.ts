// The storage interface: a revisioned key-value store with watch, in kine's shape.
// Revisions are global and strictly increasing; they are the resourceVersions clients see.
// Only the apiserver imports this module.

export interface KeyValue {
  readonly key: string;
  /** The stored bytes: JSON text of the object (without metadata.resourceVersion). */
  readonly value: string;
  /** Revision at which this key was (last) created. */
  readonly createRevision: number;
  /** Revision of the last write to this key; the object's resourceVersion. */
  readonly modRevision: number;
}

export interface ListOptions {
  /** Read the state as of this revision (0 or undefined: the latest). Older than the compacted revision: CompactedError. */
  readonly revision?: number;
  /** At most this many keys (0 or undefined: all). */
  readonly limit?: number;
  /** Start from this key (inclusive), for continue tokens; must be inside the prefix. */
  readonly startKey?: string;
}

export interface ListResult {
  /** The revision the list was read at (the store's current revision when `revision` was not given). */
  readonly revision: number;
  readonly kvs: readonly KeyValue[];
  /** True when more keys under the prefix follow the last returned one. */
  readonly more: boolean;
  /** Keys under the prefix after the returned ones (for remainingItemCount); may be omitted. */
  readonly remaining?: number;
}

export type WatchEvent =
  | { readonly type: 'create'; readonly kv: KeyValue }
  | { readonly type: 'update'; readonly kv: KeyValue; readonly prevKv: KeyValue }
  | { readonly type: 'delete'; readonly kv: KeyValue; readonly prevKv: KeyValue };

export interface WatchHandle {
  /** Stop the watch; no callback is called after it returns. */
  cancel(): void;
}

export interface WatchCallbacks {
  /** Events in strict revision order; a batch shares nothing but order. */
  onEvents(events: readonly WatchEvent[]): void;
  /** The watch ended from the store's side (compaction overtook it, connection lost, store closed). */
  onError(err: Error): void;
  /**
   * Every event up to this revision has been delivered (stores with `progressNotify` call it after each commit,
   * also when no event matched the prefix). Lets a watch cache know it is current.
   */
  onProgress?(revision: number): void;
}

export interface Storage {
  /** True when watches get onProgress after every commit, so that a watch cache can serve consistent reads. */
  readonly progressNotify?: boolean;
  /** The latest revision of the store. */
  currentRevision(): Promise<number>;
  get(key: string): Promise<{ revision: number; kv: KeyValue | null }>;
  /** Keys with this prefix in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of keys with this prefix (at the latest revision). */
  count(prefix: string): Promise<{ revision: number; count: number }>;
  /** Create; throws KeyExistsError if the key exists. Returns the new KeyValue. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Compare-and-swap on modRevision; throws ConflictError (with the current kv) or KeyNotFoundError. */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /** Delete; with expectedRevision, only if it matches (ConflictError otherwise). Returns the deleted kv and the delete's revision. */
  delete(key: string, expectedRevision?: number): Promise<{ revision: number; prevKv: KeyValue }>;
  /**
   * Watch keys with this prefix for changes after `fromRevision` (exclusive: events with revision > fromRevision).
   * Throws CompactedError if fromRevision is older than the compacted revision.
   */
  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle;
  /** Forget history up to (and including) this revision. */
  compact(revision: number): Promise<void>;
  /** The revision up to which history is gone (0 if none). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
    this.name = 'KeyExistsError';
  }
}

export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
    this.name = 'KeyNotFoundError';
  }
}

export class ConflictError extends Error {
  constructor(
    readonly key: string,
    readonly current: KeyValue | null,
  ) {
    super(`revision mismatch: ${key}`);
    this.name = 'ConflictError';
  }
}

export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (compacted up to ${compacted})`);
    this.name = 'CompactedError';
  }
}
