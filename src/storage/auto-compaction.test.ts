import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAutoCompaction } from './auto-compaction.js';
import { openSqliteStorage } from './sqlite/sqlite-storage.js';

describe('startAutoCompaction', () => {
  test('compacts to the current revision minus the revisions to keep, on every interval', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-autocompact-'));
    const storage = openSqliteStorage(join(dir, 'state.db'));
    const auto = startAutoCompaction(storage, 20, 5);
    try {
      let kv = await storage.create('/k', '0');
      for (let i = 1; i < 20; i++) kv = await storage.update('/k', `${i}`, kv.modRevision);
      const deadline = Date.now() + 5000;
      while ((await storage.compactedRevision()) !== kv.modRevision - 5 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(await storage.compactedRevision(), kv.modRevision - 5);
      await assert.rejects(storage.list('/', { revision: kv.modRevision - 6 }), { name: 'CompactedError' });
      assert.equal((await storage.list('/', { revision: kv.modRevision - 5 })).kvs[0]?.value, '14');
    } finally {
      auto.stop();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rejects a non-positive interval', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-autocompact-'));
    const storage = openSqliteStorage(join(dir, 'state.db'));
    try {
      assert.throws(() => startAutoCompaction(storage, 0, 10), /interval must be positive/);
    } finally {
      void storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
