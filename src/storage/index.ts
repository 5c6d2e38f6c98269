// The storage module's entry point: open the store the flags name, and the interface the apiserver programs against.

import { join } from 'node:path';
import { openSqliteStorage } from './sqlite/sqlite-storage.js';
import type { Storage } from './storage.js';

export * from './storage.js';
export { startAutoCompaction, type AutoCompaction } from './auto-compaction.js';

export interface OpenStorageOptions {
  /** k8ts's data directory; the embedded store lives in DATA_DIR/db/state.db. */
  readonly dataDir: string;
  /** Empty or absent: embedded SQLite. `http://host:port[,http://host:port...]`: etcd v3. */
  readonly datastoreEndpoint?: string;
}

/** The embedded SQLite file for a data directory. */
export function sqliteStatePath(dataDir: string): string {
  return join(dataDir, 'db', 'state.db');
}

export async function openStorage(opts: OpenStorageOptions): Promise<Storage> {
  const endpoint = (opts.datastoreEndpoint ?? '').trim();
  if (endpoint === '') return openSqliteStorage(sqliteStatePath(opts.dataDir));
  // The etcd client (gRPC) takes most of a second to load: only when it is used.
  if (endpoint.startsWith('http://')) return (await import('./etcd/etcd-storage.js')).openEtcdStorage(endpoint);
  throw new Error(
    `unsupported datastore endpoint ${JSON.stringify(endpoint)}: leave it empty for the embedded SQLite store ` +
      `or give etcd client URLs like http://127.0.0.1:2379[,http://...]`,
  );
}
