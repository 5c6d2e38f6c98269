// The embedded store: one append-only SQLite table in kine's shape (k3s-io/kine pkg/drivers/sqlite), whose row id is
// the revision. Every create, update and delete appends a row; a unique (name, prev_revision) index turns a racing
// write into a failed compare-and-swap. Writes queued in the same turn of the event loop commit together in one
// transaction (group commit: one fsync for the batch), each settling on its own after the commit.

import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
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

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS kine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    create_revision INTEGER NOT NULL,
    prev_revision INTEGER NOT NULL,
    lease INTEGER NOT NULL DEFAULT 0,
    value TEXT NOT NULL,
    old_value TEXT
  )`,
  `CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name, id)`,
  `CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision)`,
  `CREATE TABLE IF NOT EXISTS kine_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
];

const COMPACT_REV_KEY = 'compact_rev';
/** Rows read per step when a watch replays history, so a long replay does not block the event loop. */
const REPLAY_PAGE = 1000;
/** Upper bound for "no upper bound": larger than any key (keys are text, compared as UTF-8 bytes). */
const NO_END = '\u{10ffff}\u{10ffff}\u{10ffff}\u{10ffff}';

interface Row {
  readonly id: number;
  readonly name: string;
  readonly created: number;
  readonly deleted: number;
  readonly create_revision: number;
  readonly prev_revision: number;
  readonly value: string;
  readonly old_value: string | null;
}

const ROW_COLUMNS = 'id, name, created, deleted, create_revision, prev_revision, value, old_value';

type Outcome = { readonly ok: true; readonly event: WatchEvent } | { readonly ok: false; readonly error: unknown };

interface QueuedWrite {
  /** Runs inside the batch transaction: appends the row and returns its event, or throws this write's own error. */
  apply(): WatchEvent;
  settle(outcome: Outcome): void;
}

interface SqliteWatcher {
  readonly start: string;
  readonly end: string;
  readonly cb: WatchCallbacks;
  /** Events up to this revision have been delivered (or were not wanted). */
  cursor: number;
  /** History up to this revision is read from the table; later events arrive live into `pending`. */
  readonly replayEnd: number;
  pending: WatchEvent[];
  scheduled: boolean;
  cancelled: boolean;
}

export interface SqliteStorageOptions {
  /** Path of the database file; its directory is created if missing. */
  readonly file: string;
}

function createRevisionOf(row: Row): number {
  return row.created ? row.id : row.create_revision;
}

function kvOf(row: Row): KeyValue {
  return { key: row.name, value: row.value, createRevision: createRevisionOf(row), modRevision: row.id };
}

function eventOf(row: Row): WatchEvent {
  if (row.created) return { type: 'create', kv: kvOf(row) };
  const prevKv: KeyValue = {
    key: row.name,
    value: row.old_value ?? '',
    createRevision: row.create_revision,
    modRevision: row.prev_revision,
  };
  if (row.deleted) return { type: 'delete', kv: kvOf(row), prevKv };
  return { type: 'update', kv: kvOf(row), prevKv };
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Database.SqliteError && e.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function applyPragmas(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, so an acknowledged write survives kill -9 and power loss.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
}

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private rev: number;
  private compactRev: number;
  private queue: QueuedWrite[] = [];
  private flushScheduled = false;
  private flushed: Promise<void> = Promise.resolve();
  private resolveFlushed: (() => void) | null = null;
  private readonly watchers = new Set<SqliteWatcher>();
  private closed = false;
  private transactions = 0;
  private writes = 0;

  private readonly stmts: {
    latest: Database.Statement<[string], Row>;
    insert: Database.Statement<[string, number, number, number, number, string, string | null]>;
    listAt: Database.Statement<[string, string, number, number], Row>;
    countAt: Database.Statement<[string, string, number], { n: number }>;
    history: Database.Statement<[number, number, string, string, number], Row>;
    sequence: Database.Statement<[], { seq: number }>;
    getMeta: Database.Statement<[string], { value: number }>;
    setMeta: Database.Statement<[string, number]>;
    deleteSuperseded: Database.Statement<[number, number]>;
    deleteTombstones: Database.Statement<[number, number]>;
  };
  private readonly runBatch: Database.Transaction<(batch: readonly QueuedWrite[]) => Outcome[]>;

  constructor(opts: SqliteStorageOptions) {
    mkdirSync(dirname(opts.file), { recursive: true });
    this.db = new Database(opts.file);
    applyPragmas(this.db);
    for (const sql of SCHEMA) this.db.exec(sql);
    this.stmts = {
      latest: this.db.prepare(`SELECT ${ROW_COLUMNS} FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1`),
      insert: this.db.prepare(
        `INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value, old_value)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
      ),
      // The newest row of every key in [start, end) at or below a revision, skipping keys whose newest row is a
      // tombstone; the same query as kine's listSQL.
      listAt: this.db.prepare(
        `SELECT ${ROW_COLUMNS} FROM kine AS kv
         JOIN (SELECT MAX(id) AS mid FROM kine WHERE name >= ? AND name < ? AND id <= ? GROUP BY name) AS m
           ON m.mid = kv.id
         WHERE kv.deleted = 0 ORDER BY kv.name LIMIT ?`,
      ),
      countAt: this.db.prepare(
        `SELECT COUNT(*) AS n FROM kine AS kv
         JOIN (SELECT MAX(id) AS mid FROM kine WHERE name >= ? AND name < ? AND id <= ? GROUP BY name) AS m
           ON m.mid = kv.id
         WHERE kv.deleted = 0`,
      ),
      history: this.db.prepare(
        `SELECT ${ROW_COLUMNS} FROM kine WHERE id > ? AND id <= ? AND name >= ? AND name < ? ORDER BY id LIMIT ?`,
      ),
      sequence: this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'kine'`),
      getMeta: this.db.prepare(`SELECT value FROM kine_meta WHERE key = ?`),
      setMeta: this.db.prepare(
        `INSERT INTO kine_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ),
      // A row is superseded at revision C when a later row of the same key at or below C names it as its previous
      // revision; rows at or below the last compaction were handled then.
      deleteSuperseded: this.db.prepare(
        `DELETE FROM kine WHERE id IN
           (SELECT prev_revision FROM kine WHERE id > ? AND id <= ? AND prev_revision > 0)`,
      ),
      deleteTombstones: this.db.prepare(`DELETE FROM kine WHERE deleted = 1 AND id > ? AND id <= ?`),
    };
    this.rev = this.stmts.sequence.get()?.seq ?? 0;
    this.compactRev = this.stmts.getMeta.get(COMPACT_REV_KEY)?.value ?? 0;
    this.runBatch = this.db.transaction((batch: readonly QueuedWrite[]): Outcome[] => {
      const outcomes: Outcome[] = [];
      for (const write of batch) {
        try {
          outcomes.push({ ok: true, event: write.apply() });
        } catch (e: unknown) {
          // A constraint failure rolls back only its statement; anything that ended the transaction fails the batch.
          if (!this.db.inTransaction) throw e;
          outcomes.push({ ok: false, error: e });
        }
      }
      return outcomes;
    });
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.rev;
  }

  async get(key: string): Promise<{ revision: number; kv: KeyValue | null }> {
    this.assertOpen();
    const row = this.stmts.latest.get(key);
    return { revision: this.rev, kv: row && !row.deleted ? kvOf(row) : null };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const revision = this.readRevision(opts.revision);
    let start = prefix;
    if (opts.startKey) {
      if (!opts.startKey.startsWith(prefix)) {
        throw new Error(`list: start key ${JSON.stringify(opts.startKey)} is outside the prefix ${JSON.stringify(prefix)}`);
      }
      start = opts.startKey;
    }
    const end = prefixRangeEnd(prefix) ?? NO_END;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const rows = this.stmts.listAt.all(start, end, revision, limit > 0 ? limit + 1 : -1);
    const more = limit > 0 && rows.length > limit;
    const kvs = (more ? rows.slice(0, limit) : rows).map(kvOf);
    if (!more) return { revision, kvs, more: false, remaining: 0 };
    const total = this.stmts.countAt.get(start, end, revision)?.n ?? 0;
    return { revision, kvs, more: true, remaining: total - kvs.length };
  }

  async count(prefix: string): Promise<{ revision: number; count: number }> {
    this.assertOpen();
    const n = this.stmts.countAt.get(prefix, prefixRangeEnd(prefix) ?? NO_END, this.rev)?.n ?? 0;
    return { revision: this.rev, count: n };
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue(
      () => {
        const latest = this.stmts.latest.get(key);
        if (latest && !latest.deleted) throw new KeyExistsError(key);
        const id = this.insert(key, 1, 0, 0, latest?.id ?? 0, value, null, () => new KeyExistsError(key));
        return { type: 'create', kv: { key, value, createRevision: id, modRevision: id } };
      },
      (event) => event.kv,
    );
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.enqueue(
      () => {
        const latest = this.stmts.latest.get(key);
        if (!latest || latest.deleted) throw new KeyNotFoundError(key);
        if (latest.id !== expectedRevision) throw new ConflictError(key, kvOf(latest));
        const createRevision = createRevisionOf(latest);
        const id = this.insert(key, 0, 0, createRevision, latest.id, value, latest.value, () => this.conflict(key));
        return {
          type: 'update',
          kv: { key, value, createRevision, modRevision: id },
          prevKv: kvOf(latest),
        };
      },
      (event) => event.kv,
    );
  }

  delete(key: string, expectedRevision?: number): Promise<{ revision: number; prevKv: KeyValue }> {
    return this.enqueue(
      () => {
        const latest = this.stmts.latest.get(key);
        if (!latest || latest.deleted) throw new KeyNotFoundError(key);
        if (expectedRevision !== undefined && latest.id !== expectedRevision) {
          throw new ConflictError(key, kvOf(latest));
        }
        const createRevision = createRevisionOf(latest);
        const id = this.insert(key, 0, 1, createRevision, latest.id, latest.value, latest.value, () =>
          this.conflict(key),
        );
        return {
          type: 'delete',
          kv: { key, value: latest.value, createRevision, modRevision: id },
          prevKv: kvOf(latest),
        };
      },
      (event) => {
        if (event.type !== 'delete') throw new Error(`delete produced a ${event.type} event`);
        return { revision: event.kv.modRevision, prevKv: event.prevKv };
      },
    );
  }

  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle {
    this.assertOpen();
    if (fromRevision < this.compactRev) throw new CompactedError(fromRevision, this.compactRev);
    const watcher: SqliteWatcher = {
      start: prefix,
      end: prefixRangeEnd(prefix) ?? NO_END,
      cb,
      cursor: fromRevision,
      replayEnd: this.rev,
      pending: [],
      scheduled: false,
      cancelled: false,
    };
    this.watchers.add(watcher);
    if (watcher.cursor < watcher.replayEnd) this.schedule(watcher);
    return {
      cancel: () => {
        watcher.cancelled = true;
        this.watchers.delete(watcher);
      },
    };
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision <= this.compactRev) return;
    if (revision > this.rev) {
      throw new Error(`compact: required revision ${revision} is a future revision (current revision ${this.rev})`);
    }
    const previous = this.compactRev;
    this.db
      .transaction(() => {
        this.stmts.deleteSuperseded.run(previous, revision);
        this.stmts.deleteTombstones.run(previous, revision);
        this.stmts.setMeta.run(COMPACT_REV_KEY, revision);
      })
      .immediate();
    this.compactRev = revision;
  }

  async compactedRevision(): Promise<number> {
    this.assertOpen();
    return this.compactRev;
  }

  /** Writes committed (successful or not) and the transactions they took: group commit makes the latter smaller. */
  writeStats(): { readonly writes: number; readonly transactions: number } {
    return { writes: this.writes, transactions: this.transactions };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushScheduled) await this.flushed;
    this.closed = true;
    this.db.close();
    const watchers = [...this.watchers];
    this.watchers.clear();
    for (const w of watchers) {
      w.cancelled = true;
      w.cb.onError(new Error('storage closed'));
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('storage is closed');
  }

  /** The revision a read is served at: the latest, or an explicit one that is neither compacted nor in the future. */
  private readRevision(requested: number | undefined): number {
    if (!requested) return this.rev;
    if (requested < this.compactRev) throw new CompactedError(requested, this.compactRev);
    if (requested > this.rev) {
      throw new Error(`required revision ${requested} is a future revision (current revision ${this.rev})`);
    }
    return requested;
  }

  private insert(
    key: string,
    created: number,
    deleted: number,
    createRevision: number,
    prevRevision: number,
    value: string,
    oldValue: string | null,
    onRace: () => Error,
  ): number {
    try {
      const info = this.stmts.insert.run(key, created, deleted, createRevision, prevRevision, value, oldValue);
      return Number(info.lastInsertRowid);
    } catch (e: unknown) {
      if (isUniqueViolation(e)) throw onRace();
      throw e;
    }
  }

  private conflict(key: string): Error {
    const row = this.stmts.latest.get(key);
    return row && !row.deleted ? new ConflictError(key, kvOf(row)) : new KeyNotFoundError(key);
  }

  private enqueue<T>(apply: () => WatchEvent, result: (event: WatchEvent) => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('storage is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        apply,
        settle: (outcome) => {
          if (!outcome.ok) {
            reject(outcome.error);
            return;
          }
          try {
            resolve(result(outcome.event));
          } catch (e: unknown) {
            reject(e);
          }
        },
      });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.flushed = new Promise((r) => (this.resolveFlushed = r));
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every queued write in one transaction, then settles each and fans the events out to watchers. */
  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.flushScheduled = false;
    const done = this.resolveFlushed;
    this.resolveFlushed = null;
    try {
      let outcomes: Outcome[];
      try {
        outcomes = this.runBatch.immediate(batch);
        this.transactions += 1;
        this.writes += batch.length;
      } catch (e: unknown) {
        for (const write of batch) write.settle({ ok: false, error: e });
        return;
      }
      const events: WatchEvent[] = [];
      for (const outcome of outcomes) if (outcome.ok) events.push(outcome.event);
      const last = events[events.length - 1];
      if (last) this.rev = last.kv.modRevision;
      this.fanOut(events);
      batch.forEach((write, i) => write.settle(outcomes[i] ?? { ok: false, error: new Error('write lost') }));
    } finally {
      done?.();
    }
  }

  private fanOut(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    for (const w of this.watchers) {
      let added = false;
      for (const event of events) {
        const key = event.kv.key;
        if (event.kv.modRevision > w.replayEnd && key >= w.start && key < w.end) {
          w.pending.push(event);
          added = true;
        }
      }
      if (added) this.schedule(w);
    }
  }

  private schedule(w: SqliteWatcher): void {
    if (w.scheduled) return;
    w.scheduled = true;
    setImmediate(() => this.pump(w));
  }

  /** Delivers the next page of history, or once history is done, the live events that arrived meanwhile. */
  private pump(w: SqliteWatcher): void {
    w.scheduled = false;
    if (w.cancelled) return;
    if (w.cursor < w.replayEnd) {
      if (w.cursor < this.compactRev) {
        this.fail(w, new CompactedError(w.cursor, this.compactRev));
        return;
      }
      const rows = this.stmts.history.all(w.cursor, w.replayEnd, w.start, w.end, REPLAY_PAGE);
      const lastRow = rows[rows.length - 1];
      w.cursor = rows.length === REPLAY_PAGE && lastRow ? lastRow.id : w.replayEnd;
      if (rows.length > 0) this.deliver(w, rows.map(eventOf));
      if (!w.cancelled) this.schedule(w);
      return;
    }
    const events = w.pending.filter((e) => e.kv.modRevision > w.cursor);
    w.pending = [];
    const last = events[events.length - 1];
    if (!last) return;
    w.cursor = last.kv.modRevision;
    this.deliver(w, events);
  }

  private deliver(w: SqliteWatcher, events: readonly WatchEvent[]): void {
    try {
      w.cb.onEvents(events);
    } catch (e: unknown) {
      this.fail(w, toError(e));
    }
  }

  private fail(w: SqliteWatcher, err: Error): void {
    if (w.cancelled) return;
    w.cancelled = true;
    this.watchers.delete(w);
    w.cb.onError(err);
  }
}

/** Opens (creating if needed) the SQLite store in this file. */
export function openSqliteStorage(file: string): SqliteStorage {
  return new SqliteStorage({ file });
}

/**
 * Single-row INSERT transactions per second with the store's pragmas (WAL, synchronous=FULL), one commit and so one
 * fsync each: the disk's limit for unbatched writes, against which group commit is measured.
 */
export function measureRawSqliteTxPerSecond(dir: string, n: number): number {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `raw-tx-${process.pid}-${Date.now()}.db`);
  const db = new Database(file);
  try {
    applyPragmas(db);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL)');
    const insert = db.prepare<[string]>('INSERT INTO t (v) VALUES (?)');
    const value = JSON.stringify({ kind: 'ConfigMap', data: { k: 'v' } });
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) insert.run(value);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return n / seconds;
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}
