import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHostPath } from './host-path.js';

describe('hostPath type check', () => {
  let dir = '';
  let sock = '';
  let server: Server | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-hostpath-'));
    await mkdir(join(dir, 'd'));
    await writeFile(join(dir, 'f'), 'x');
    sock = join(dir, 's.sock');
    const srv = createServer();
    server = srv;
    await new Promise<void>((r) => srv.listen(sock, r));
  });
  after(async () => {
    await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
    await rm(dir, { recursive: true, force: true });
  });

  test('an unset type checks nothing, not even existence', async () => {
    await checkHostPath(join(dir, 'missing'), undefined);
    await checkHostPath(join(dir, 'missing'), '');
  });

  test('a path with .. is refused', async () => {
    await assert.rejects(checkHostPath('/tmp/../etc', 'Directory'), { message: "invalid HostPath `/tmp/../etc`: must not contain '..'" });
  });

  test('DirectoryOrCreate makes a missing directory with mode 0755 and accepts an existing one', async () => {
    const p = join(dir, 'new/nested');
    await checkHostPath(p, 'DirectoryOrCreate');
    const st = await stat(p);
    assert.ok(st.isDirectory());
    assert.equal(st.mode & 0o777, 0o755 & ~process.umask());
    await checkHostPath(join(dir, 'd'), 'DirectoryOrCreate');
    await assert.rejects(checkHostPath(join(dir, 'f'), 'DirectoryOrCreate'), { message: `hostPath type check failed: ${join(dir, 'f')} is not a directory` });
  });

  test('Directory must exist as a directory', async () => {
    await checkHostPath(join(dir, 'd'), 'Directory');
    await assert.rejects(checkHostPath(join(dir, 'nope'), 'Directory'), { message: `hostPath type check failed: ${join(dir, 'nope')} is not a directory` });
  });

  test('FileOrCreate makes an empty file with mode 0644; File must be a regular file', async () => {
    const p = join(dir, 'created');
    await checkHostPath(p, 'FileOrCreate');
    const st = await stat(p);
    assert.ok(st.isFile());
    assert.equal(st.size, 0);
    assert.equal(st.mode & 0o777, 0o644 & ~process.umask());
    await checkHostPath(join(dir, 'f'), 'File');
    await assert.rejects(checkHostPath(join(dir, 'd'), 'File'), { message: `hostPath type check failed: ${join(dir, 'd')} is not a file` });
    await assert.rejects(checkHostPath(join(dir, 'd'), 'FileOrCreate'), { message: `hostPath type check failed: ${join(dir, 'd')} is not a file` });
  });

  test('Socket, CharDevice and BlockDevice check the kind of file', async () => {
    await checkHostPath(sock, 'Socket');
    await assert.rejects(checkHostPath(join(dir, 'f'), 'Socket'), { message: `hostPath type check failed: ${join(dir, 'f')} is not a socket file` });
    await checkHostPath('/dev/null', 'CharDevice');
    await assert.rejects(checkHostPath(join(dir, 'f'), 'CharDevice'), { message: `hostPath type check failed: ${join(dir, 'f')} is not a character device` });
    await assert.rejects(checkHostPath('/dev/null', 'BlockDevice'), { message: 'hostPath type check failed: /dev/null is not a block device' });
  });

  test('an unknown type is an invalid volume type', async () => {
    await assert.rejects(checkHostPath(join(dir, 'd'), 'Pipe'), { message: 'Pipe is an invalid volume type' });
  });
});
