import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { processAlive } from './process-alive.js';

test('this process is alive, and a child that has exited and been reaped is not', () => {
  assert.equal(processAlive(process.pid), true);
  const child = spawnSync('true');
  assert.equal(typeof child.pid, 'number');
  assert.equal(processAlive(child.pid ?? 0), false);
});
