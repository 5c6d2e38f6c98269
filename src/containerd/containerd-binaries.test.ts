import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binarySearchDirs, findBinary, resolveContainerdBinaries } from './containerd-binaries.js';
import { startContainerd } from './containerd-process.js';

const tmp = mkdtempSync(join(tmpdir(), 'k8ts-bins-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function dirWith(name: string, files: Record<string, number>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, mode] of Object.entries(files)) {
    writeFileSync(join(dir, file), '#!/bin/sh\n');
    chmodSync(join(dir, file), mode);
  }
  return dir;
}

describe('containerd binaries', () => {
  test('the search covers PATH, then /usr/sbin and /usr/bin, once each', () => {
    assert.deepEqual(binarySearchDirs('/a:/usr/bin:/b:/a'), ['/a', '/usr/bin', '/b', '/usr/sbin']);
    assert.deepEqual(binarySearchDirs(''), ['/usr/sbin', '/usr/bin']);
  });

  test('a binary is the first executable file of that name in the dirs', () => {
    const notExec = dirWith('not-exec', { runc: 0o644 });
    const exec = dirWith('exec', { runc: 0o755 });
    assert.equal(findBinary('runc', [notExec, exec]), join(exec, 'runc'));
    assert.equal(findBinary('runc', [notExec]), undefined);
    assert.equal(findBinary('runc', [join(tmp, 'absent')]), undefined);
  });

  test('all three found resolve to their paths', () => {
    const ctrDir = dirWith('ctr-all', { containerd: 0o755, ctr: 0o755 });
    const runcDir = dirWith('runc-all', { runc: 0o755 });
    assert.deepEqual(resolveContainerdBinaries([ctrDir, runcDir]), {
      containerd: join(ctrDir, 'containerd'),
      ctr: join(ctrDir, 'ctr'),
      runc: join(runcDir, 'runc'),
    });
  });

  test('a missing containerd names the Debian packages to install', () => {
    const empty = dirWith('empty', {});
    assert.throws(() => resolveContainerdBinaries([dirWith('only-runc', { runc: 0o755 })]), {
      message: 'containerd is not installed: apt-get install containerd runc',
    });
    assert.throws(() => resolveContainerdBinaries([dirWith('only-containerd', { containerd: 0o755, ctr: 0o755 })]), {
      message: 'runc is not installed: apt-get install containerd runc',
    });
    assert.throws(() => resolveContainerdBinaries([empty]), {
      message: 'containerd and runc are not installed: apt-get install containerd runc',
    });
  });

  test('startContainerd with nothing installed fails with that message and writes nothing', async () => {
    const dataDir = join(tmp, 'data');
    await assert.rejects(startContainerd({ dataDir, sandboxImage: 'registry.k8s.io/pause:3.10' }, { searchDirs: [dirWith('empty2', {})] }), {
      message: 'containerd and runc are not installed: apt-get install containerd runc',
    });
  });
});
