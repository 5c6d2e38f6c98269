import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerConfigError } from '../container-config.js';
import { expandSubPathExpr, pathWithinBase, resolveSubPath } from './sub-path.js';

describe('subPath', () => {
  let root = '';
  let vol = '';
  let outside = '';
  beforeEach(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'k8ts-subpath-')));
    vol = join(root, 'vol');
    outside = join(root, 'outside');
    await mkdir(join(vol, 'data/logs'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(vol, 'data/app.conf'), 'x');
    await chmod(vol, 0o750);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('a path inside the volume is the resolved host path', async () => {
    assert.equal(await resolveSubPath(vol, 'data/app.conf', 'cfg', 'app'), join(vol, 'data/app.conf'));
    await symlink('logs', join(vol, 'data/current'));
    assert.equal(await resolveSubPath(vol, 'data/current', 'cfg', 'app'), join(vol, 'data/logs'));
  });

  test('absolute paths and .. are refused with upstream\'s messages', async () => {
    await assert.rejects(resolveSubPath(vol, '/etc', 'cfg', 'app'), (e: unknown) => e instanceof ContainerConfigError && e.message === 'error SubPath `/etc` must not be an absolute path');
    await assert.rejects(resolveSubPath(vol, 'data/../../outside', 'cfg', 'app'), { message: "unable to provision SubPath `data/../../outside`: must not contain '..'" });
  });

  test('a symlink that leads out of the volume is refused without telling where it leads', async () => {
    await symlink(outside, join(vol, 'escape'));
    await symlink('/etc/passwd', join(vol, 'passwd'));
    await assert.rejects(resolveSubPath(vol, 'escape', 'cfg', 'app'), { message: 'failed to prepare subPath for volumeMount "cfg" of container "app"' });
    await assert.rejects(resolveSubPath(vol, 'passwd', 'cfg', 'app'), { message: 'failed to prepare subPath for volumeMount "cfg" of container "app"' });
  });

  test('a missing subPath is created with the volume\'s mode, but never through an escaping symlink', async () => {
    const p = await resolveSubPath(vol, 'new/deeper', 'work', 'app');
    assert.equal(p, join(vol, 'new/deeper'));
    assert.equal((await stat(p)).mode & 0o777, 0o750);
    await symlink(outside, join(vol, 'escape'));
    await assert.rejects(resolveSubPath(vol, 'escape/made', 'work', 'app'), { message: 'failed to create subPath directory for volumeMount "work" of container "app"' });
    await assert.rejects(stat(join(outside, 'made')), { code: 'ENOENT' });
  });

  test('subPathExpr expands the container\'s variables; a missing or empty one is an error', () => {
    const env = new Map([['POD_NAME', 'web-0'], ['EMPTY', '']]);
    assert.equal(expandSubPathExpr('logs/$(POD_NAME)', env), 'logs/web-0');
    assert.equal(expandSubPathExpr('$$(POD_NAME)', env), '$(POD_NAME)');
    assert.throws(() => expandSubPathExpr('$(NOPE)/$(EMPTY)', env), { message: 'missing value for EMPTY, NOPE' });
  });

  test('a path is within its base only when it does not step out of it', () => {
    assert.equal(pathWithinBase('/a/b', '/a'), true);
    assert.equal(pathWithinBase('/a', '/a'), true);
    assert.equal(pathWithinBase('/a/..b', '/a'), true);
    assert.equal(pathWithinBase('/ab', '/a'), false);
    assert.equal(pathWithinBase('/', '/a'), false);
  });
});
