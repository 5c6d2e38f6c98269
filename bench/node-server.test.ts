import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { childPids, commandLine, findProcesses, processName, pssBytes } from './node-server.js';

describe('the node bench process lookups', () => {
  test('find a child process by its name and a word of its command line, and list it among the children', async () => {
    const marker = `node-bench-marker-${process.pid}`;
    const child = spawn('sleep', ['30'], { argv0: 'sleep', stdio: 'ignore', env: { ...process.env, MARKER: marker } });
    const pid = child.pid ?? 0;
    try {
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(processName(pid), 'sleep');
      assert.equal(commandLine(pid), 'sleep 30');
      assert.ok(findProcesses('sleep', 'sleep 30').includes(pid));
      assert.ok(!findProcesses('sleep', marker).includes(pid), 'the environment is not the command line');
      assert.ok(childPids(process.pid).includes(pid));
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a process that is gone has an empty name and command line', () => {
    assert.equal(processName(2 ** 22 + 1), '');
    assert.equal(commandLine(2 ** 22 + 1), '');
  });
});

describe('the node bench memory lookups', () => {
  test('the proportional set size of this process is positive and at most its resident size', () => {
    const pss = pssBytes(process.pid);
    const rss = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
    assert.ok(pss > 0, `PSS ${pss}`);
    assert.ok(pss <= rss + 1024 * 1024, `PSS ${pss} <= RSS ${rss}`);
  });

  test('a process that is gone has no proportional set size', () => {
    assert.ok(Number.isNaN(pssBytes(2 ** 22 + 1)));
  });
});
