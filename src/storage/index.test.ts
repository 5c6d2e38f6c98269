import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, sqliteStatePath } from './index.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';

describe('openStorage', () => {
  test('an empty endpoint opens the embedded SQLite store in DATA_DIR/db/state.db', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-open-'));
    try {
      const storage = await openStorage({ dataDir: dir, datastoreEndpoint: '' });
      try {
        assert.ok(storage instanceof SqliteStorage);
        await storage.create('/registry/x', '{}');
        assert.equal(sqliteStatePath(dir), join(dir, 'db', 'state.db'));
        assert.ok(existsSync(join(dir, 'db', 'state.db')));
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an endpoint that is neither empty nor http:// is refused with a message naming it', async () => {
    await assert.rejects(
      openStorage({ dataDir: '/nonexistent', datastoreEndpoint: 'mysql://root@tcp(127.0.0.1:3306)/k8ts' }),
      /unsupported datastore endpoint "mysql:\/\/root@tcp\(127\.0\.0\.1:3306\)\/k8ts"/,
    );
  });
});
