// The storage interface on a real etcd v3 cluster, through the etcd3 client's raw gRPC services so that response
// headers (revisions) and watch cancellations (compaction) are visible. Revisions are etcd's own; the transactions
// are those of the kube-apiserver's etcd3 store (k8s.io/apiserver/pkg/storage/etcd3/store.go).

import { Etcd3, type IDuplexStream, type IEvent, type IKeyValue, type IWatchRequest, type IWatchResponse } from 'etcd3';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Storage,
  type WatchCallbacks,
  type WatchEvent,
  type WatchHandle,
} from '../storage.js';
import { prefixRangeEnd } from '../prefix-range-end.js';

const COMPACTED_MESSAGE = 'required revision has been compacted';

export interface EtcdStorageOptions {
  /** Client URLs, e.g. ['http://127.0.0.1:2379', 'http://127.0.0.2:2379']. */
  readonly endpoints: readonly string[];
  /** How long a connection attempt may take, in ms (default 5000). */
  readonly dialTimeoutMs?: number;
}

/** Parses `http://a:2379,http://b:2379` into endpoints; throws on anything but http:// URLs. */
export function parseEtcdEndpoints(endpoint: string): string[] {
  const endpoints = endpoint
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (endpoints.length === 0) throw new Error('etcd endpoint list is empty');
  for (const e of endpoints) {
    let url: URL;
    try {
      url = new URL(e);
    } catch (err: unknown) {
      throw new Error(`invalid etcd endpoint ${JSON.stringify(e)}: not a URL`);
    }
    if (url.protocol !== 'http:') {
      throw new Error(`invalid etcd endpoint ${JSON.stringify(e)}: only http:// endpoints are supported`);
    }
  }
  return endpoints;
}

function bytes(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** The etcd range [key, range_end) covering a prefix; the empty prefix is every key. */
function prefixRange(prefix: string): { key: Buffer; range_end: Buffer } {
  const end = prefixRangeEnd(prefix);
  return { key: prefix === '' ? Buffer.from([0]) : bytes(prefix), range_end: end === null ? Buffer.from([0]) : bytes(end) };
}

function kvOf(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString('utf8'),
    value: kv.value.toString('utf8'),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function isCompacted(e: unknown): boolean {
  return e instanceof Error && e.message.includes(COMPACTED_MESSAGE);
}

/** An etcd watch event as the interface's event; the deleted kv carries the last value and the delete's revision. */
function eventOf(ev: IEvent): WatchEvent {
  const kv = kvOf(ev.kv);
  const prev = ev.prev_kv ? kvOf(ev.prev_kv) : null;
  if (ev.type === 'Put' && (Number(ev.kv.version) === 1 || kv.createRevision === kv.modRevision)) {
    return { type: 'create', kv };
  }
  if (!prev) {
    // The same refusal as the kube-apiserver's etcd3 watcher: without the previous value the event is unusable.
    throw new Error(
      `etcd event received with PrevKv=nil (key=${JSON.stringify(kv.key)}, modRevision=${kv.modRevision}, type=${ev.type === 'Put' ? 'PUT' : 'DELETE'})`,
    );
  }
  if (ev.type === 'Put') return { type: 'update', kv, prevKv: prev };
  return {
    type: 'delete',
    kv: { key: kv.key, value: prev.value, createRevision: prev.createRevision, modRevision: kv.modRevision },
    prevKv: prev,
  };
}

type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

/** Closes a watch stream without etcd3 mistaking the cancellation for a failed host (it resets connections then). */
function closeStream(stream: WatchStream): void {
  stream.end();
  stream.cancel();
}

export class EtcdStorage implements Storage {
  private readonly client: Etcd3;
  private readonly closers = new Set<(err: Error) => void>();
  private closed = false;
  /** The highest compacted revision seen so far; compaction never goes back. */
  private knownCompacted = 0;

  constructor(opts: EtcdStorageOptions) {
    this.client = new Etcd3({ hosts: [...opts.endpoints], dialTimeout: opts.dialTimeoutMs ?? 5000 });
  }

  async currentRevision(): Promise<number> {
    const res = await this.client.kv.range({ key: Buffer.from([0]), count_only: true });
    return Number(res.header.revision);
  }

  async get(key: string): Promise<{ revision: number; kv: KeyValue | null }> {
    const res = await this.client.kv.range({ key: bytes(key) });
    const kv = res.kvs[0];
    return { revision: Number(res.header.revision), kv: kv ? kvOf(kv) : null };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const range = prefixRange(prefix);
    if (opts.startKey) {
      if (!opts.startKey.startsWith(prefix)) {
        throw new Error(`list: start key ${JSON.stringify(opts.startKey)} is outside the prefix ${JSON.stringify(prefix)}`);
      }
      range.key = bytes(opts.startKey);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    try {
      const res = await this.client.kv.range({
        ...range,
        limit,
        revision: opts.revision && opts.revision > 0 ? opts.revision : 0,
        sort_order: 'Ascend',
        sort_target: 'Key',
      });
      const kvs = res.kvs.map(kvOf);
      return {
        revision: opts.revision && opts.revision > 0 ? opts.revision : Number(res.header.revision),
        kvs,
        more: Boolean(res.more),
        remaining: Math.max(0, Number(res.count) - kvs.length),
      };
    } catch (e: unknown) {
      throw await this.translate(e, opts.revision ?? 0);
    }
  }

  async count(prefix: string): Promise<{ revision: number; count: number }> {
    const res = await this.client.kv.range({ ...prefixRange(prefix), count_only: true });
    return { revision: Number(res.header.revision), count: Number(res.count) };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = bytes(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: bytes(value) } }],
      failure: [],
    });
    if (!res.succeeded) throw new KeyExistsError(key);
    const revision = Number(res.header.revision);
    return { key, value, createRevision: revision, modRevision: revision };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const k = bytes(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
      success: [{ request_put: { key: k, value: bytes(value), prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) {
      const current = res.responses[0]?.response_range?.kvs[0];
      if (!current) throw new KeyNotFoundError(key);
      throw new ConflictError(key, kvOf(current));
    }
    const prev = res.responses[0]?.response_put?.prev_kv;
    const revision = Number(res.header.revision);
    return { key, value, createRevision: prev ? Number(prev.create_revision) : revision, modRevision: revision };
  }

  async delete(key: string, expectedRevision?: number): Promise<{ revision: number; prevKv: KeyValue }> {
    const k = bytes(key);
    const res = await this.client.kv.txn({
      compare:
        expectedRevision === undefined
          ? []
          : [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) {
      const current = res.responses[0]?.response_range?.kvs[0];
      if (!current) throw new KeyNotFoundError(key);
      throw new ConflictError(key, kvOf(current));
    }
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    if (!prev) throw new KeyNotFoundError(key);
    return { revision: Number(res.header.revision), prevKv: kvOf(prev) };
  }

  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle {
    if (this.closed) throw new Error('storage is closed');
    let stream: WatchStream | null = null;
    let done = false;
    const finish = (): void => {
      done = true;
      this.closers.delete(fail);
      if (stream) closeStream(stream);
    };
    const fail = (err: Error): void => {
      if (done) return;
      finish();
      cb.onError(err);
    };
    this.closers.add(fail);
    this.client.watchClient.watch().then(
      (s) => {
        s.on('error', (e: Error) => fail(isCompacted(e) ? new CompactedError(fromRevision, 0) : e));
        if (done) {
          closeStream(s);
          return;
        }
        stream = s;
        s.on('end', () => fail(new Error('etcd watch stream ended')));
        s.on('data', (res: IWatchResponse) => {
          if (done) return;
          if (res.canceled) {
            const compacted = Number(res.compact_revision ?? 0);
            fail(
              compacted > 0
                ? new CompactedError(fromRevision, compacted)
                : new Error(`etcd cancelled the watch: ${res.cancel_reason || 'no reason given'}`),
            );
            return;
          }
          const events = res.events ?? [];
          if (events.length === 0) return;
          let mapped: WatchEvent[];
          try {
            mapped = events.map(eventOf);
          } catch (e: unknown) {
            fail(toError(e));
            return;
          }
          try {
            cb.onEvents(mapped);
          } catch (e: unknown) {
            fail(toError(e));
          }
        });
        s.write({ create_request: { ...prefixRange(prefix), start_revision: fromRevision + 1, prev_kv: true } });
      },
      (e: unknown) => fail(toError(e)),
    );
    return { cancel: finish };
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.kv.compact({ revision, physical: true });
      this.knownCompacted = Math.max(this.knownCompacted, revision);
    } catch (e: unknown) {
      // Compacting at or below the compacted revision is a no-op, as in the SQLite store.
      if (isCompacted(e)) return;
      throw e;
    }
  }

  /**
   * etcd 3.4 has no cheap call that returns the compacted revision (HashKV hashes the whole keyspace), so find the
   * oldest revision a range can still be served at: ranges below the compacted revision fail with ErrCompacted.
   * A binary search over [last known, current] costs a few count-only ranges.
   */
  async compactedRevision(): Promise<number> {
    let lo = Math.max(1, this.knownCompacted);
    let hi = await this.currentRevision();
    if (hi <= lo) return this.knownCompacted;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.readableAt(mid)) hi = mid;
      else lo = mid + 1;
    }
    // Revision 1 readable: never compacted (or compacted at 1, which forgets nothing).
    const compacted = lo <= 1 ? 0 : lo;
    this.knownCompacted = Math.max(this.knownCompacted, compacted);
    return this.knownCompacted;
  }

  private async readableAt(revision: number): Promise<boolean> {
    try {
      await this.client.kv.range({ key: Buffer.from([0]), count_only: true, revision });
      return true;
    } catch (e: unknown) {
      if (isCompacted(e)) return false;
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const fail of [...this.closers]) fail(new Error('storage closed'));
    this.client.close();
  }

  private async translate(e: unknown, requested: number): Promise<Error> {
    if (!isCompacted(e)) return toError(e);
    let compacted = 0;
    try {
      compacted = await this.compactedRevision();
    } catch (inner: unknown) {
      compacted = 0;
    }
    return new CompactedError(requested, compacted);
  }
}

/** Connects to etcd at `http://a:2379[,http://b:2379...]` and checks that it answers. */
export async function openEtcdStorage(endpoint: string): Promise<EtcdStorage> {
  const storage = new EtcdStorage({ endpoints: parseEtcdEndpoints(endpoint) });
  try {
    await storage.currentRevision();
  } catch (e: unknown) {
    await storage.close();
    throw new Error(`cannot reach etcd at ${endpoint}: ${toError(e).message}`);
  }
  return storage;
}
