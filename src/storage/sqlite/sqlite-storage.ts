// The embedded store: one append-only SQLite table in kine's shape (see kine-table.ts), whose row id is the revision.
// Reads (get, list, count, watch replay) run on a connection of the main thread; writes go to a worker thread that
// owns the write connection (sqlite-write-worker.ts), so the fsync of each commit never blocks the event loop. Writes
// queued in the same turn of the event loop, or while two jobs are in flight, are posted together, and the worker
// commits everything that reached it while it was busy in one transaction (group commit: one fsync for the batch);
// each write settles on its own after the commit, and watchers get the batch's events, in revision order, just
// before. The worker runs jobs strictly in posting order, so a compare-and-swap sees every earlier write. Until the worker is up (tens of
// milliseconds after open) writes commit on the main thread, so opening the store does not delay the first write.

import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  CompactedError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Storage,
  type WatchCallbacks,
  type WatchEvent,
  type WatchHandle,
} from '../storage.js';
import { prefixRangeEnd } from '../prefix-range-end.js';
import { COMPACT_REV_KEY, KINE_ROW_COLUMNS, KINE_SCHEMA, applyKinePragmas, eventOf, kvOf, type KineRow } from './kine-table.js';
import { SqliteWriter } from './sqlite-writer.js';
import { workerExecArgv } from '../../machinery/worker-exec-argv.js';
import {
  fromWireError,
  toWireError,
  type JobResult,
  type WireOutcome,
  type WriteOp,
  type WriterData,
  type WriterReply,
  type WriterRequest,
} from './sqlite-write-protocol.js';

/**
 * Write jobs posted to the worker and not yet answered, at most: one. Writes that arrive while it commits gather on
 * this side into the next job, which is posted as soon as the answer comes. With two in flight (one committing, one
 * waiting, so the worker never idled between transactions) jobs held about three writes each; with one they are
 * larger, and the main thread's postMessage calls and the transactions are fewer: the scheduler benchmark bound pods
 * 2-23% faster in six interleaved pairs of runs (postMessage to the worker had been 5% of the main thread).
 */
const MAX_WRITE_JOBS_IN_FLIGHT = 1;
/** Rows read per step when a watch replays history, so a long replay does not block the event loop. */
const REPLAY_PAGE = 1000;
/** Upper bound for "no upper bound": larger than any key (keys are text, compared as UTF-8 bytes). */
const NO_END = '\u{10ffff}\u{10ffff}\u{10ffff}\u{10ffff}';

type Outcome = { readonly ok: true; readonly event: WatchEvent } | { readonly ok: false; readonly error: Error };

interface QueuedWrite {
  readonly op: WriteOp;
  settle(outcome: Outcome): void;
}

/** What was posted to the worker and awaits its result, in posting order. */
type Job =
  | { readonly kind: 'writes'; readonly id: number; readonly writes: readonly QueuedWrite[] }
  | {
      readonly kind: 'compact';
      readonly id: number;
      readonly revision: number;
      readonly previous: number;
      readonly resolve: () => void;
      readonly reject: (err: Error) => void;
    };

interface SqliteWatcher {
  readonly start: string;
  readonly end: string;
  readonly cb: WatchCallbacks;
  /** Events up to this revision have been delivered (or were not wanted). */
  cursor: number;
  /** History up to this revision is read from the table; later events arrive live into `pending`. */
  readonly replayEnd: number;
  pending: WatchEvent[];
  /** The store's revision at the last commit fanned out to this watcher, and the last one reported by onProgress. */
  progress: number;
  reportedProgress: number;
  scheduled: boolean;
  cancelled: boolean;
}

export interface SqliteStorageOptions {
  /** Path of the database file; its directory is created if missing. */
  readonly file: string;
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

export class SqliteStorage implements Storage {
  /** Every commit reaches every watcher's onProgress, so watch caches can serve consistent reads. */
  readonly progressNotify = true;
  /** The main thread's connection: reads (and the schema at open, and the writes made while the worker starts). */
  private readonly db: Database.Database;
  private readonly worker: Worker;
  /** Commits on the main thread until the worker says it is ready; then null, and every write goes to the worker. */
  private startupWriter: SqliteWriter | null;
  /** The latest revision whose commit has been acknowledged; reads are served at it. */
  private rev: number;
  private compactRev: number;
  /** Writes not posted yet: this turn's, posted at its end, or those waiting for a job in flight to be answered. */
  private queue: QueuedWrite[] = [];
  private postScheduled = false;
  /** Posted jobs awaiting their result, oldest first; results come back in the same order. */
  private readonly inFlight: Job[] = [];
  /** Jobs the worker has answered, finished (writers answered, watchers told) at the loop's next check phase. */
  private answered: { job: Job; result: JobResult }[] = [];
  private finishScheduled = false;
  /** Committed changes whose watchers are told in a microtask after their writers' continuations. */
  private unannounced: WatchEvent[] = [];
  /** Watchers were told of a commit and their streams' writes may not have completed yet. */
  private streamsBusy = false;
  private announceTurn = 0;
  private nextJobId = 1;
  private idleWaiters: (() => void)[] = [];
  /** Why the worker stopped, when it stopped other than by close(). */
  private writerFailure: Error | null = null;
  private readonly workerExited: Promise<void>;
  private readonly workerUp: Promise<void>;
  private readonly watchers = new Set<SqliteWatcher>();
  private closing: Promise<void> | null = null;
  /** The worker was asked to close: its exit is expected. */
  private closeRequested = false;
  private closed = false;
  private transactions = 0;
  private writes = 0;

  private readonly stmts: {
    latestAt: Database.Statement<[string, number], KineRow>;
    listAt: Database.Statement<[string, string, number, number], KineRow>;
    countAt: Database.Statement<[string, string, number], { n: number }>;
    history: Database.Statement<[number, number, string, string, number], KineRow>;
    sequence: Database.Statement<[], { seq: number }>;
    getMeta: Database.Statement<[string], { value: number }>;
  };

  constructor(opts: SqliteStorageOptions) {
    mkdirSync(dirname(opts.file), { recursive: true });
    this.db = new Database(opts.file);
    applyKinePragmas(this.db);
    for (const sql of KINE_SCHEMA) this.db.exec(sql);
    this.stmts = {
      // The newest row of a key at or below a revision: a read never sees a commit the worker has not acknowledged.
      latestAt: this.db.prepare(
        `SELECT ${KINE_ROW_COLUMNS} FROM kine WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`,
      ),
      // The newest row of every key in [start, end) at or below a revision, skipping keys whose newest row is a
      // tombstone; the same query as kine's listSQL.
      listAt: this.db.prepare(
        `SELECT ${KINE_ROW_COLUMNS} FROM kine AS kv
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
        `SELECT ${KINE_ROW_COLUMNS} FROM kine WHERE id > ? AND id <= ? AND name >= ? AND name < ? ORDER BY id LIMIT ?`,
      ),
      sequence: this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'kine'`),
      getMeta: this.db.prepare(`SELECT value FROM kine_meta WHERE key = ?`),
    };
    this.rev = this.stmts.sequence.get()?.seq ?? 0;
    this.compactRev = this.stmts.getMeta.get(COMPACT_REV_KEY)?.value ?? 0;
    this.startupWriter = new SqliteWriter(this.db);

    // The worker boots in the background; what is posted before it is up waits for it.
    this.worker = new Worker(new URL('./sqlite-write-worker.js', import.meta.url), {
      workerData: { file: opts.file } satisfies WriterData,
      execArgv: workerExecArgv(process.execArgv),
    });
    // Idle, the worker does not keep the process alive (as no open store did before); work in flight does.
    this.worker.unref();
    let up: () => void = () => undefined;
    let down: (err: Error) => void = () => undefined;
    this.workerUp = new Promise<void>((resolve, reject) => {
      up = resolve;
      down = reject;
    });
    // Nobody need wait for it; a failure reaches the writes.
    this.workerUp.catch(() => undefined);
    this.worker.on('message', (reply: WriterReply) => {
      if (reply.type === 'ready') {
        this.startupWriter = null;
        up();
      } else {
        this.onCommitted(reply.results);
      }
    });
    this.worker.on('error', (err: Error) => {
      down(err);
      this.writerStopped(err);
    });
    this.workerExited = new Promise((resolve) => {
      this.worker.on('exit', (code: number) => {
        const err = new Error(`sqlite write worker exited with code ${code}`);
        down(err);
        if (!this.closeRequested) this.writerStopped(err);
        resolve();
      });
    });
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.rev;
  }

  async get(key: string): Promise<{ revision: number; kv: KeyValue | null }> {
    this.assertOpen();
    const row = this.stmts.latestAt.get(key, this.rev);
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
    return this.enqueue({ op: 'create', key, value }, (event) => event.kv);
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.enqueue({ op: 'update', key, value, expectedRevision }, (event) => event.kv);
  }

  delete(key: string, expectedRevision?: number): Promise<{ revision: number; prevKv: KeyValue }> {
    return this.enqueue({ op: 'delete', key, expectedRevision: expectedRevision ?? null }, (event) => {
      if (event.type !== 'delete') throw new Error(`delete produced a ${event.type} event`);
      return { revision: event.kv.modRevision, prevKv: event.prevKv };
    });
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
      progress: fromRevision,
      reportedProgress: fromRevision,
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
    if (this.writerFailure) throw this.writerFailure;
    // History below the revision is gone from now on: reads and watch replays that would need it fail at once
    // rather than racing the worker's delete.
    const previous = this.compactRev;
    this.compactRev = revision;
    await new Promise<void>((resolve, reject) => {
      this.postQueued();
      const id = this.nextJobId++;
      this.post({ kind: 'compact', id, revision, previous, resolve, reject }, { type: 'compact', id, revision });
    });
  }

  async compactedRevision(): Promise<number> {
    this.assertOpen();
    return this.compactRev;
  }

  /**
   * Resolves once writes commit in the worker thread (until then they commit on the main thread); rejects if the
   * worker failed to start.
   */
  writerThreadReady(): Promise<void> {
    return this.workerUp;
  }

  /**
   * Writes committed (each successful or not, in transactions that committed) and the transactions the worker ran
   * for writes: group commit makes the latter smaller.
   */
  writeStats(): { readonly writes: number; readonly transactions: number } {
    return { writes: this.writes, transactions: this.transactions };
  }

  /** Waits for every accepted write to commit, then stops the worker and closes the store. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    // Writes accepted while closing still commit; the store refuses new ones only once closed.
    while (this.queue.length > 0 || this.postScheduled || this.inFlight.length > 0 || this.finishScheduled) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    this.closed = true;
    if (!this.writerFailure) {
      this.closeRequested = true;
      if (this.startupWriter) {
        // Not up yet, so it has written nothing and holds no transaction: there is nothing to wait for.
        await this.worker.terminate();
      } else {
        this.worker.ref();
        this.worker.postMessage({ type: 'close' } satisfies WriterRequest);
        await this.workerExited;
      }
    }
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

  private enqueue<T>(op: WriteOp, result: (event: WatchEvent) => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('storage is closed'));
    if (this.writerFailure) return Promise.reject(this.writerFailure);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        op,
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
      if (!this.postScheduled) {
        this.postScheduled = true;
        setImmediate(() => {
          this.postScheduled = false;
          this.postQueued();
          this.notifyIfIdle();
        });
      }
    });
  }

  /** Posts the queued writes to the worker as one job, unless enough are in flight already. */
  private postQueued(): void {
    const writes = this.queue;
    if (writes.length === 0) return;
    let writeJobs = 0;
    for (const job of this.inFlight) if (job.kind === 'writes') writeJobs += 1;
    if (writeJobs >= MAX_WRITE_JOBS_IN_FLIGHT) return;
    this.queue = [];
    if (this.writerFailure) {
      for (const w of writes) w.settle({ ok: false, error: this.writerFailure });
      return;
    }
    const id = this.nextJobId++;
    this.post({ kind: 'writes', id, writes }, { type: 'writes', id, ops: writes.map((w) => w.op) });
  }

  private post(job: Job, request: WriterRequest): void {
    if (this.startupWriter) {
      this.commitOnMainThread(this.startupWriter, job, request);
      return;
    }
    if (this.inFlight.length === 0) this.worker.ref();
    this.inFlight.push(job);
    this.worker.postMessage(request);
  }

  /** Runs a job synchronously on the main thread (while the worker starts; nothing is in flight then). */
  private commitOnMainThread(writer: SqliteWriter, job: Job, request: WriterRequest): void {
    let result: JobResult;
    try {
      switch (request.type) {
        case 'writes':
          result = { id: request.id, ok: true, outcomes: writer.write(request.ops) };
          this.transactions += 1;
          break;
        case 'compact':
          writer.compact(request.revision);
          result = { id: request.id, ok: true, outcomes: [] };
          break;
        case 'close':
          throw new Error('close is not a job');
        default: {
          const never: never = request;
          throw new Error(`unknown request ${JSON.stringify(never)}`);
        }
      }
    } catch (e: unknown) {
      result = { id: job.id, ok: false, error: toWireError(e) };
    }
    this.finish(job, result);
  }

  /**
   * The results of one of the worker's transactions. The next jobs are posted at once. The answered ones are finished
   * at once too, unless watchers were told of another commit since the loop's last check phase: a TLS socket
   * completes every write in a check phase, and until then a new write to it waits. Events written then would wait
   * behind every request still to be handled in this poll phase, while the writers' responses on idle sockets went
   * out first. Those commits are finished in a setImmediate instead, after the previous writes have completed (Node
   * runs its own immediates before the scripts'), so that the events leave before the responses, with no wait.
   */
  private onCommitted(results: readonly JobResult[]): void {
    let committedWrites = false;
    for (const result of results) {
      const job = this.inFlight.shift();
      if (!job || job.id !== result.id) {
        // The worker answers in posting order; anything else means the two sides no longer agree on what committed.
        this.writerStopped(new Error(`sqlite write worker answered job ${result.id}, expected ${job?.id ?? 'none'}`));
        return;
      }
      if (job.kind === 'writes') committedWrites = true;
      this.answered.push({ job, result });
    }
    if (committedWrites) this.transactions += 1;
    this.postQueued();
    if (this.inFlight.length === 0 && !this.closing) this.worker.unref();
    if (!this.streamsBusy && !this.finishScheduled) {
      this.finishAnswered();
    } else if (!this.finishScheduled) {
      this.finishScheduled = true;
      setImmediate(() => this.finishAnswered());
    }
  }

  private finishAnswered(): void {
    this.finishScheduled = false;
    const answered = this.answered;
    this.answered = [];
    for (const { job, result } of answered) this.finish(job, result);
    this.notifyIfIdle();
  }

  private finish(job: Job, result: JobResult): void {
    switch (job.kind) {
      case 'compact':
        if (result.ok) {
          job.resolve();
        } else {
          if (this.compactRev === job.revision) this.compactRev = job.previous;
          job.reject(fromWireError(result.error));
        }
        return;
      case 'writes': {
        if (!result.ok) {
          const error = fromWireError(result.error);
          for (const write of job.writes) write.settle({ ok: false, error });
          return;
        }
        this.writes += job.writes.length;
        const outcomes = result.outcomes.map((o: WireOutcome): Outcome =>
          o.ok ? o : { ok: false, error: fromWireError(o.error) },
        );
        const events: WatchEvent[] = [];
        for (const outcome of outcomes) if (outcome.ok) events.push(outcome.event);
        const last = events[events.length - 1];
        if (last) this.rev = last.kv.modRevision;
        job.writes.forEach((write, i) => write.settle(outcomes[i] ?? { ok: false, error: new Error('write lost') }));
        // Watchers hear of the commit in a microtask queued after the writers' continuations: the registry adopts
        // each written object first (so watchers share it instead of parsing it again), and the events go out before
        // the writes are answered. The commits finished together go out together, in revision order: one write per
        // watch stream, as a second write would wait until the first completes, a turn of the event loop later.
        if (this.unannounced.length === 0) queueMicrotask(() => this.announce());
        for (const ev of events) this.unannounced.push(ev);
        return;
      }
      default: {
        const never: never = job;
        throw new Error(`unknown job ${JSON.stringify(never)}`);
      }
    }
  }

  /** The worker died or misbehaved: everything waiting on it fails, and so does every later write. */
  private writerStopped(err: Error): void {
    if (this.writerFailure) return;
    this.writerFailure = err;
    const jobs = this.inFlight.splice(0);
    for (const job of jobs) {
      if (job.kind === 'compact') job.reject(err);
      else for (const write of job.writes) write.settle({ ok: false, error: err });
    }
    const queued = this.queue;
    this.queue = [];
    for (const write of queued) write.settle({ ok: false, error: err });
    // No event will come any more: watchers must know.
    for (const w of [...this.watchers]) this.fail(w, err);
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.queue.length > 0 || this.postScheduled || this.inFlight.length > 0 || this.finishScheduled) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private announce(): void {
    const events = this.unannounced;
    this.unannounced = [];
    if (events.length === 0) return;
    this.fanOut(events);
    // The watch streams' writes complete in the next check phase: a script immediate queued now runs after them
    // (one queued while immediates run waits for the next iteration's, whose native immediates come first).
    this.streamsBusy = true;
    const turn = ++this.announceTurn;
    setImmediate(() => {
      if (this.announceTurn === turn) this.streamsBusy = false;
    });
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
      // Watchers that want progress hear of every commit, matching or not (a watch cache knows it is current).
      if (w.cb.onProgress !== undefined && this.rev > w.progress) {
        w.progress = this.rev;
        added = true;
      }
      if (!added) continue;
      // A watcher that has caught up with history hears of the commit at once: the watch caches are current by the
      // time the writes are answered, and watch streams get their events without waiting for a turn of the event
      // loop. One still replaying history gets them after it, in order.
      if (!w.scheduled && w.cursor >= w.replayEnd) this.pump(w);
      else this.schedule(w);
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
    if (last) {
      w.cursor = last.kv.modRevision;
      this.deliver(w, events);
    }
    if (w.cancelled || w.cb.onProgress === undefined) return;
    const progress = Math.max(w.progress, w.cursor);
    if (progress > w.reportedProgress) {
      w.reportedProgress = progress;
      try {
        w.cb.onProgress(progress);
      } catch (e: unknown) {
        this.fail(w, toError(e));
      }
    }
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
    applyKinePragmas(db);
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
