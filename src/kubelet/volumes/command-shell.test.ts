import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandShell, shellQuote } from './command-shell.js';

describe('CommandShell', () => {
  test('runs commands one after another with their exit status and their stdout and stderr together', async () => {
    const sh = new CommandShell();
    try {
      const [a, b, c] = await Promise.all([sh.run(['echo', 'one']), sh.run(['sh', '-c', 'echo out; echo err >&2; exit 3']), sh.run(['printf', '%s', 'no newline'])]);
      assert.deepEqual(a, { code: 0, output: 'one\n' });
      assert.equal(b?.code, 3);
      assert.equal(b?.output, 'out\nerr\n');
      assert.deepEqual(c, { code: 0, output: 'no newline' });
    } finally {
      sh.close();
    }
  });

  test('passes arguments as they are, never interpreted by the shell', async () => {
    const sh = new CommandShell();
    try {
      const tricky = `it's $(echo no) \`x\` "q" ; exit 9`;
      assert.deepEqual(await sh.run(['printf', '%s', tricky]), { code: 0, output: tricky });
      assert.equal(shellQuote("a'b"), `'a'\\''b'`);
    } finally {
      sh.close();
    }
  });

  test('a command past its timeout fails and the next one runs in a new shell', async () => {
    const sh = new CommandShell();
    try {
      await assert.rejects(sh.run(['sleep', '5'], 200), /sleep timed out after 200 ms/);
      assert.deepEqual(await sh.run(['echo', 'again']), { code: 0, output: 'again\n' });
    } finally {
      sh.close();
    }
  });

  test('a missing command gives the shell status 127 and its message', async () => {
    const sh = new CommandShell();
    try {
      const r = await sh.run(['/nonexistent/cmd']);
      assert.equal(r.code, 127);
      assert.match(r.output, /nonexistent/);
    } finally {
      sh.close();
    }
  });
});

describe('CommandShell after a timeout', () => {
  test('the commands that follow keep their own output, and the timed-out command dies with its shell', async () => {
    const sh = new CommandShell();
    try {
      // A sleep of a length no other process uses, to find it by its arguments.
      const marker = `sleep ${(30 + (process.pid % 997) / 1000).toFixed(3)}`;
      await assert.rejects(sh.run(['sh', '-c', marker], 200), /timed out/);
      const results = await Promise.all([sh.run(['echo', 'first']), sh.run(['echo', 'second']), sh.run(['echo', 'third'])]);
      assert.deepEqual(results.map((r) => r.output), ['first\n', 'second\n', 'third\n']);
      // The hung command was in the old shell's process group, which was killed with it.
      await new Promise((r) => setTimeout(r, 100));
      const ps = await sh.run(['sh', '-c', `ps -eo args | grep -c '^${marker}$' || true`]);
      assert.equal(ps.output.trim(), '0');
    } finally {
      sh.close();
    }
  });

  test('a shell that cannot be started fails the command instead of the process', async () => {
    const sh = new CommandShell('/nonexistent/sh');
    try {
      await assert.rejects(sh.run(['echo', 'x']), /the command shell (failed|exited)/);
    } finally {
      sh.close();
    }
  });
});
