import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removePodCgroup } from './pod-cgroup-cleanup.js';

describe('removePodCgroup', () => {
  test('removes the pod directory and the empty cgroups below it in every v1 hierarchy', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cg-'));
    try {
      for (const h of ['cpu', 'memory', 'pids']) mkdirSync(join(root, h, 'k8ts', 'podabc', 'container1'), { recursive: true });
      mkdirSync(join(root, 'memory', 'k8ts', 'podother'), { recursive: true });
      assert.deepEqual(await removePodCgroup('/k8ts/podabc', root), []);
      for (const h of ['cpu', 'memory', 'pids']) assert.equal(existsSync(join(root, h, 'k8ts', 'podabc')), false, h);
      assert.equal(existsSync(join(root, 'memory', 'k8ts', 'podother')), true, 'another pod stays');
      assert.equal(existsSync(join(root, 'memory', 'k8ts')), true, 'the parent stays');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('uses the one unified tree on cgroup v2', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cg-'));
    try {
      writeFileSync(join(root, 'cgroup.controllers'), 'cpu memory\n');
      mkdirSync(join(root, 'k8ts', 'podabc'), { recursive: true });
      assert.deepEqual(await removePodCgroup('/k8ts/podabc', root), []);
      assert.equal(existsSync(join(root, 'k8ts', 'podabc')), false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('reports a cgroup it cannot remove and leaves it, and a missing one is no error', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cg-'));
    try {
      // A plain directory holding a file stands for a busy cgroup (rmdir fails).
      mkdirSync(join(root, 'cpu', 'k8ts', 'podabc'), { recursive: true });
      writeFileSync(join(root, 'cpu', 'k8ts', 'podabc', 'cgroup.procs'), '123\n');
      assert.deepEqual(await removePodCgroup('/k8ts/podabc', root), [join(root, 'cpu', 'k8ts', 'podabc')]);
      assert.deepEqual(await removePodCgroup('/k8ts/podnone', root), []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('refuses a path that would leave the k8ts tree', async () => {
    await assert.rejects(removePodCgroup('/', '/nonexistent'), /refusing/);
    await assert.rejects(removePodCgroup('/k8ts/../x', '/nonexistent'), /refusing/);
  });
});
