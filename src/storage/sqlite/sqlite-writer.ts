// The write side of the SQLite store: on a connection it is given, batches of creates, updates and deletes commit in
// one transaction each (group commit: one fsync per batch), and compactions run. It runs inside the write worker so
// the fsync never blocks the main thread (and on the main thread only while the worker starts); it knows nothing of
// threads itself.

import Database from 'better-sqlite3';
import { ConflictError, KeyExistsError, KeyNotFoundError, type WatchEvent } from '../storage.js';
import {
  COMPACT_REV_KEY,
  KINE_ROW_COLUMNS,
  createRevisionOf,
  kvOf,
  type KineRow,
} from './kine-table.js';
import { toWireError, type WireOutcome, type WriteOp } from './sqlite-write-protocol.js';

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Database.SqliteError && e.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class SqliteWriter {
  private readonly db: Database.Database;
  private readonly stmts: {
    latest: Database.Statement<[string], KineRow>;
    insert: Database.Statement<[string, number, number, number, number, string, string | null]>;
    getMeta: Database.Statement<[string], { value: number }>;
    setMeta: Database.Statement<[string, number]>;
    deleteSuperseded: Database.Statement<[number, number]>;
    deleteTombstones: Database.Statement<[number, number]>;
  };
  private readonly batch: Database.Transaction<(ops: readonly WriteOp[]) => WireOutcome[]>;
  private readonly compaction: Database.Transaction<(revision: number) => void>;

  /** Writes through this connection (pragmas applied, schema present); closing it stays the caller's business. */
  constructor(db: Database.Database) {
    this.db = db;
    this.stmts = {
      latest: this.db.prepare(`SELECT ${KINE_ROW_COLUMNS} FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1`),
      insert: this.db.prepare(
        `INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value, old_value)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
      ),
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
    this.batch = this.db.transaction((ops: readonly WriteOp[]): WireOutcome[] => {
      const outcomes: WireOutcome[] = [];
      for (const op of ops) {
        try {
          outcomes.push({ ok: true, event: this.apply(op) });
        } catch (e: unknown) {
          // A constraint failure rolls back only its statement; anything that ended the transaction fails the batch.
          if (!this.db.inTransaction) throw e;
          outcomes.push({ ok: false, error: toWireError(e) });
        }
      }
      return outcomes;
    });
    this.compaction = this.db.transaction((revision: number): void => {
      const previous = this.stmts.getMeta.get(COMPACT_REV_KEY)?.value ?? 0;
      if (revision <= previous) return;
      this.stmts.deleteSuperseded.run(previous, revision);
      this.stmts.deleteTombstones.run(previous, revision);
      this.stmts.setMeta.run(COMPACT_REV_KEY, revision);
    });
  }

  /** Commits the ops in one transaction: one outcome per op, in order. Throws when the transaction fails as a whole. */
  write(ops: readonly WriteOp[]): WireOutcome[] {
    return this.batch.immediate(ops);
  }

  /** Deletes the history superseded at or below this revision (from the last compacted revision on). */
  compact(revision: number): void {
    this.compaction.immediate(revision);
  }

  private apply(op: WriteOp): WatchEvent {
    const { key } = op;
    const latest = this.stmts.latest.get(key);
    switch (op.op) {
      case 'create': {
        if (latest && !latest.deleted) throw new KeyExistsError(key);
        const id = this.insert(key, 1, 0, 0, latest?.id ?? 0, op.value, null, () => new KeyExistsError(key));
        return { type: 'create', kv: { key, value: op.value, createRevision: id, modRevision: id } };
      }
      case 'update': {
        if (!latest || latest.deleted) throw new KeyNotFoundError(key);
        if (latest.id !== op.expectedRevision) throw new ConflictError(key, kvOf(latest));
        const createRevision = createRevisionOf(latest);
        const id = this.insert(key, 0, 0, createRevision, latest.id, op.value, latest.value, () => this.conflict(key));
        return { type: 'update', kv: { key, value: op.value, createRevision, modRevision: id }, prevKv: kvOf(latest) };
      }
      case 'delete': {
        if (!latest || latest.deleted) throw new KeyNotFoundError(key);
        if (op.expectedRevision !== null && latest.id !== op.expectedRevision) {
          throw new ConflictError(key, kvOf(latest));
        }
        const createRevision = createRevisionOf(latest);
        const id = this.insert(key, 0, 1, createRevision, latest.id, latest.value, latest.value, () => this.conflict(key));
        return {
          type: 'delete',
          kv: { key, value: latest.value, createRevision, modRevision: id },
          prevKv: kvOf(latest),
        };
      }
      default: {
        const never: never = op;
        throw new Error(`unknown write ${JSON.stringify(never)}`);
      }
    }
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
}
