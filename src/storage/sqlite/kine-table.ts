// The table the SQLite store keeps, in kine's shape (k3s-io/kine pkg/drivers/sqlite), shared by the main thread's
// read connection and the write worker's connection: one append-only row per create, update and delete, whose row
// id is the revision; a unique (name, prev_revision) index turns a racing write into a failed compare-and-swap.

import Database from 'better-sqlite3';
import type { KeyValue, WatchEvent } from '../storage.js';

export const KINE_SCHEMA: readonly string[] = [
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

/** The kine_meta key holding the revision up to which history is compacted. */
export const COMPACT_REV_KEY = 'compact_rev';

export interface KineRow {
  readonly id: number;
  readonly name: string;
  readonly created: number;
  readonly deleted: number;
  readonly create_revision: number;
  readonly prev_revision: number;
  readonly value: string;
  readonly old_value: string | null;
}

export const KINE_ROW_COLUMNS = 'id, name, created, deleted, create_revision, prev_revision, value, old_value';

export function createRevisionOf(row: KineRow): number {
  return row.created ? row.id : row.create_revision;
}

export function kvOf(row: KineRow): KeyValue {
  return { key: row.name, value: row.value, createRevision: createRevisionOf(row), modRevision: row.id };
}

export function eventOf(row: KineRow): WatchEvent {
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

export function applyKinePragmas(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, so an acknowledged write survives kill -9 and power loss.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
}
