import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runStorageConformance } from '../storage.conformance.js';
import { measureRawSqliteTxPerSecond, openSqliteStorage } from './sqlite-storage.js';
import { workerExecArgv } from '../../machinery/worker-exec-argv.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
}

// Writes commit on the main thread while the write worker starts, and in the worker after: the suite runs on a store
// just opened (its first writes race the worker's start) and on one whose worker is up.
for (const waitForWorker of [false, true]) {
  runStorageConformance(waitForWorker ? 'SQLite (write worker up)' : 'SQLite', async () => {
    const dir = tempDir();
    const storage = openSqliteStorage(join(dir, 'db', 'state.db'));
    if (waitForWorker) await storage.writerThreadReady();
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}

/** Runs this module code in a fresh Node process with `open` imported; its exit status, output and time taken. */
function runChild(dir: string, body: string): { status: number | null; output: string; ms: number } {
  const storageModule = pathToFileURL(fileURLToPath(new URL('./sqlite-storage.js', import.meta.url))).href;
  const code = `import { openSqliteStorage as open } from ${JSON.stringify(storageModule)};\n` +
    `const file = ${JSON.stringify(join(dir, 'state.db'))};\n${body}`;
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
  return { status: child.status, output: `${child.stdout}${child.stderr}`, ms: Date.now() - started };
}

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
      await storage.writerThreadReady();
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

  test('writes before and after the write worker is up share one strictly increasing revision sequence', async () => {
    const dir = tempDir();
    const storage = openSqliteStorage(join(dir, 'state.db'));
    try {
      const early = await Promise.all([0, 1, 2].map((i) => storage.create(`/registry/early/${i}`, '{}')));
      await storage.writerThreadReady();
      const late = await Promise.all([0, 1, 2].map((i) => storage.create(`/registry/late/${i}`, '{}')));
      const revisions = [...early, ...late].map((kv) => kv.modRevision);
      assert.deepEqual(revisions, [1, 2, 3, 4, 5, 6]);
      const updated = await storage.update('/registry/early/0', '{"n":1}', 1);
      assert.equal(updated.modRevision, 7);
      assert.equal(updated.createRevision, 1);
      assert.equal((await storage.count('/registry/')).count, 6);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a read made as soon as a write resolves sees that write', async () => {
    const dir = tempDir();
    const storage = openSqliteStorage(join(dir, 'state.db'));
    try {
      await storage.writerThreadReady();
      const stale: string[] = [];
      await Promise.all(
        Array.from({ length: 16 }, async (_, w) => {
          let kv = await storage.create(`/registry/r/${w}`, '0');
          for (let i = 1; i <= 15; i++) {
            kv = await storage.update(kv.key, String(i), kv.modRevision);
            const got = await storage.get(kv.key);
            if (got.kv?.modRevision !== kv.modRevision || got.revision < kv.modRevision) stale.push(`${kv.key}@${i}`);
          }
        }),
      );
      assert.deepEqual(stale, []);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an open store does not keep the process alive once its writes are acknowledged', () => {
    const dir = tempDir();
    try {
      const run = runChild(dir, `const s = open(file);\nawait s.writerThreadReady();\nawait s.create('/registry/a', '{}');\nconsole.log('written');\n`);
      assert.equal(run.status, 0, run.output);
      assert.match(run.output, /written/);
      const check = runChild(dir, `const s = open(file);\nconsole.log(JSON.stringify((await s.get('/registry/a')).kv));\nawait s.close();\n`);
      assert.equal(check.status, 0, check.output);
      assert.match(check.output, /"modRevision":1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a write in flight keeps the process alive until it is acknowledged', () => {
    const dir = tempDir();
    try {
      const run = runChild(dir, `const s = open(file);\nawait s.writerThreadReady();\nvoid s.create('/registry/a', '{}').then(() => console.log('acknowledged'));\n`);
      assert.equal(run.status, 0, run.output);
      assert.match(run.output, /acknowledged/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a write worker that cannot open the store fails later writes and open watches with its error', async () => {
    const dir = tempDir();
    try {
      const storage = openSqliteStorage(join(dir, 'db', 'state.db'));
      // The main thread has the file open; the worker, starting after this, finds no directory to open it in.
      renameSync(join(dir, 'db'), join(dir, 'moved'));
      const errors: Error[] = [];
      storage.watch('/', 0, { onEvents: () => undefined, onError: (e) => errors.push(e) });
      await assert.rejects(storage.writerThreadReady(), /directory does not exist/);
      await assert.rejects(storage.create('/registry/a', '{}'), /directory does not exist/);
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.message ?? '', /directory does not exist/);
      await storage.close();
    } finally {
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

describe('the write worker’s Node options', () => {
  test('source maps, profiling and warnings carry over; V8 flags and entry-source options do not', () => {
    assert.deepEqual(
      workerExecArgv(['--enable-source-maps', '--max-semi-space-size=32', '--maglev', '--cpu-prof', '--cpu-prof-dir=/tmp/p', '--input-type=module', '--no-warnings']),
      ['--enable-source-maps', '--cpu-prof', '--cpu-prof-dir=/tmp/p', '--no-warnings'],
    );
  });
});
