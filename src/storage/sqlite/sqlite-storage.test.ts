import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStorageConformance } from '../storage.conformance.js';
import { measureRawSqliteTxPerSecond, openSqliteStorage } from './sqlite-storage.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
}

runStorageConformance('SQLite', async () => {
  const dir = tempDir();
  const storage = openSqliteStorage(join(dir, 'db', 'state.db'));
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite storage', () => {
  test('reopening the same file keeps the data, the compacted revision and increasing revisions', async () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'state.db');
      const first = openSqliteStorage(file);
      const a = await first.create('/registry/a', '{"n":1}');
      const b = await first.create('/registry/b', '{"n":1}');
      await first.delete('/registry/b');
      const a2 = await first.update('/registry/a', '{"n":2}', a.modRevision);
      await first.compact(a2.modRevision);
      const before = await first.currentRevision();
      await first.close();

      const second = openSqliteStorage(file);
      try {
        assert.equal(await second.currentRevision(), before);
        assert.equal(await second.compactedRevision(), a2.modRevision);
        assert.deepEqual((await second.get('/registry/a')).kv, a2);
        assert.equal((await second.get('/registry/b')).kv, null);
        const c = await second.create('/registry/c', '{}');
        assert.equal(c.modRevision, before + 1);
        const b2 = await second.create('/registry/b', '{}');
        assert.ok(b2.createRevision > b.createRevision);
        assert.deepEqual((await second.list('/registry/')).kvs.map((kv) => kv.key), ['/registry/a', '/registry/b', '/registry/c']);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('revisions are never reused even when compaction removed the newest rows', async () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'state.db');
      const first = openSqliteStorage(file);
      await first.create('/k', '1');
      const deleted = await first.delete('/k');
      await first.compact(deleted.revision);
      await first.close();
      const second = openSqliteStorage(file);
      try {
        const again = await second.create('/k', '2');
        assert.equal(again.modRevision, deleted.revision + 1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('concurrent writes are committed together in few transactions', async () => {
    const dir = tempDir();
    const storage = openSqliteStorage(join(dir, 'state.db'));
    try {
      const writers = Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 20; i++) await storage.create(`/registry/w${w}/k${i}`, '{}');
      });
      await Promise.all(writers);
      const stats = storage.writeStats();
      assert.equal(stats.writes, 320);
      assert.ok(stats.transactions <= 40, `${stats.transactions} transactions for 320 writes`);
      assert.equal((await storage.count('/registry/')).count, 320);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('close waits for queued writes and then refuses new ones', async () => {
    const dir = tempDir();
    const storage = openSqliteStorage(join(dir, 'state.db'));
    try {
      const pending = storage.create('/registry/x', '{}');
      await storage.close();
      assert.equal((await pending).key, '/registry/x');
      await assert.rejects(storage.create('/registry/y', '{}'), /storage is closed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('close ends open watches through onError', async () => {
    const dir = tempDir();
    const storage = openSqliteStorage(join(dir, 'state.db'));
    try {
      const errors: Error[] = [];
      storage.watch('/', 0, { onEvents: () => undefined, onError: (e) => errors.push(e) });
      await storage.close();
      assert.deepEqual(errors.map((e) => e.message), ['storage closed']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every write acknowledged before kill -9 is present after reopening', async () => {
    const dir = tempDir();
    try {
      const writer = fileURLToPath(new URL('./sqlite-kill-writer.js', import.meta.url));
      const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      const acknowledged: string[] = [];
      let buffered = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`writer acknowledged only ${acknowledged.length} keys: ${stderr}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          acknowledged.push(...lines);
          if (acknowledged.length >= 500) {
            // Kill mid-burst: writes are queued and in flight right now.
            child.kill('SIGKILL');
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', () => {
          clearTimeout(timer);
          if (acknowledged.length < 500) reject(new Error(`writer exited early: ${stderr}`));
        });
      });
      assert.equal(await exited, 'SIGKILL');
      const storage = openSqliteStorage(join(dir, 'state.db'));
      try {
        const listed = await storage.list('/registry/configmaps/');
        const present = new Set(listed.kvs.map((kv) => kv.key));
        const missing = acknowledged.filter((k) => !present.has(k));
        assert.deepEqual(missing, []);
        assert.ok(present.size >= acknowledged.length);
        const revisions = listed.kvs.map((kv) => kv.modRevision).sort((x, y) => x - y);
        assert.equal(new Set(revisions).size, revisions.length);
        await storage.create('/registry/after-crash', '{}');
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the raw single-row transaction rate is measurable', () => {
    const dir = tempDir();
    try {
      const rate = measureRawSqliteTxPerSecond(dir, 50);
      assert.ok(Number.isFinite(rate) && rate > 0, `rate ${rate}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
