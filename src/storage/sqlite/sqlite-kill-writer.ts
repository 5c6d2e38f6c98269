// Test fixture for the durability test: writes ConfigMap-like keys with 16 concurrent writers into the SQLite store
// in the directory given as argv[2], printing each key on its own line once its create has been acknowledged,
// until it is killed.

import { join } from 'node:path';
import { openSqliteStorage } from './sqlite-storage.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: sqlite-kill-writer <dir>');
const storage = openSqliteStorage(join(dir, 'state.db'));
let next = 0;

async function writer(): Promise<void> {
  for (;;) {
    const key = `/registry/configmaps/default/cm-${String(next++).padStart(7, '0')}`;
    await storage.create(key, JSON.stringify({ kind: 'ConfigMap', metadata: { name: key }, data: { payload: 'x'.repeat(200) } }));
    // Pipes are written synchronously on Linux, so a printed key has left this process before the next write.
    process.stdout.write(`${key}\n`);
  }
}

await Promise.all(Array.from({ length: 16 }, () => writer()));
