import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicWriter, timestampDirPrefix, validatePayloadPath, type FileProjection } from './atomic-writer.js';

const files = (entries: Record<string, string>, mode = 0o644): Map<string, FileProjection> =>
  new Map(Object.entries(entries).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));

describe('AtomicWriter', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the first write puts the files in a timestamped directory that ..data points to, visible through symlinks', async () => {
    const w = new AtomicWriter(dir);
    assert.equal(await w.write(files({ 'game.properties': 'lives=3', 'ui.properties': 'color=red' })), true);
    const target = await readlink(join(dir, '..data'));
    assert.match(target, /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.[A-Za-z0-9]+$/);
    assert.equal((await stat(join(dir, target))).mode & 0o777, 0o755);
    assert.equal(await readlink(join(dir, 'game.properties')), '..data/game.properties');
    assert.equal(await readFile(join(dir, 'game.properties'), 'utf8'), 'lives=3');
    assert.equal((await stat(join(dir, target, 'ui.properties'))).mode & 0o777, 0o644);
    assert.deepEqual((await readdir(dir)).sort(), ['..data', target, 'game.properties', 'ui.properties'].sort());
  });

  test('an update swaps ..data to a new directory, removes the old one and the dropped names, adds the new ones', async () => {
    const w = new AtomicWriter(dir);
    await w.write(files({ a: '1', b: '1' }));
    const before = await readlink(join(dir, '..data'));
    assert.equal(await w.write(files({ a: '2', c: '2' })), true);
    const after = await readlink(join(dir, '..data'));
    assert.notEqual(after, before);
    await assert.rejects(lstat(join(dir, before)), { code: 'ENOENT' });
    await assert.rejects(lstat(join(dir, 'b')), { code: 'ENOENT' });
    assert.equal(await readFile(join(dir, 'a'), 'utf8'), '2');
    assert.equal(await readFile(join(dir, 'c'), 'utf8'), '2');
    assert.deepEqual((await readdir(dir)).sort(), ['..data', after, 'a', 'c'].sort());
  });

  test('the same payload again changes nothing, and a new mode alone is rewritten', async () => {
    const w = new AtomicWriter(dir);
    await w.write(files({ a: '1' }));
    const first = await readlink(join(dir, '..data'));
    assert.equal(await w.write(files({ a: '1' })), false);
    assert.equal(await readlink(join(dir, '..data')), first);
    assert.equal(await w.write(files({ a: '1' }, 0o400)), true);
    assert.equal((await stat(join(dir, 'a'))).mode & 0o777, 0o400);
  });

  test('nested paths are reached through a symlink to their top-level directory', async () => {
    const w = new AtomicWriter(dir);
    await w.write(files({ 'conf/app/settings.yaml': 'x: 1', top: 't' }));
    assert.equal(await readlink(join(dir, 'conf')), '..data/conf');
    assert.equal(await readFile(join(dir, 'conf/app/settings.yaml'), 'utf8'), 'x: 1');
    await w.write(files({ top: 't' }));
    await assert.rejects(lstat(join(dir, 'conf')), { code: 'ENOENT' });
  });

  test('a reader always finds ..data while updates go on', async () => {
    const w = new AtomicWriter(dir);
    await w.write(files({ a: '0', b: '0' }));
    let done = false;
    let reads = 0;
    const reader = (async () => {
      while (!done) {
        const t = await readlink(join(dir, '..data'));
        assert.match(t, /^\.\.\d{4}_/);
        reads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 1; i <= 20; i++) await w.write(files({ a: String(i), b: String(i) }));
    done = true;
    await reader;
    assert.ok(reads > 0);
    assert.equal(await readFile(join(dir, 'b'), 'utf8'), '20');
  });

  test('paths are refused as upstream refuses them', () => {
    assert.throws(() => validatePayloadPath(''), { message: 'invalid path: must not be empty: ""' });
    assert.throws(() => validatePayloadPath('/etc/passwd'), { message: 'invalid path: must be relative path: /etc/passwd' });
    assert.throws(() => validatePayloadPath('a/../../b'), { message: "invalid path: must not contain '..': a/../../b" });
    assert.throws(() => validatePayloadPath('..data'), { message: "invalid path: must not start with '..': ..data" });
    assert.throws(() => validatePayloadPath('x'.repeat(256)), { message: 'invalid path: filenames must be less than or equal to 255 characters' });
    validatePayloadPath('a/b..c');
  });

  test('the timestamped directory prefix is Go\'s ..2006_01_02_15_04_05. in UTC', () => {
    assert.equal(timestampDirPrefix(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), '..2024_01_02_03_04_05.');
  });
});
