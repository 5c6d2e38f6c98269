import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caBundleHash, ensureServerToken, formatJoinToken, parseJoinToken } from './join-token.js';

describe('join tokens', () => {
  test('a secure token round-trips through its text', () => {
    const t = { caHash: 'a'.repeat(64), user: 'server', password: 'p4ss' };
    assert.equal(formatJoinToken(t), `K10${'a'.repeat(64)}::server:p4ss`);
    assert.deepEqual(parseJoinToken(`${formatJoinToken(t)}\n`), t);
  });

  test('a bare password is a token without a CA hash', () => {
    assert.deepEqual(parseJoinToken('s3cret'), { caHash: '', user: 'server', password: 's3cret' });
  });

  test('a damaged secure token and an empty one are refused with a message', () => {
    assert.throws(() => parseJoinToken('K10abc::server:x'), /not in the K10<CA hash>::<user>:<password> format/);
    assert.throws(() => parseJoinToken('  '), /the token is empty/);
  });

  test('the CA hash is the SHA-256 of the bundle bytes', () => {
    assert.equal(caBundleHash('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('the server token is made once, kept across restarts, and follows a new CA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-token-'));
    try {
      const a = ensureServerToken(dir, 'CA1');
      assert.equal(statSync(join(dir, 'token')).mode & 0o777, 0o600);
      assert.match(readFileSync(join(dir, 'token'), 'utf8'), /^K10[0-9a-f]{64}::server:[0-9a-f]{32}\n$/);
      const b = ensureServerToken(dir, 'CA1');
      assert.deepEqual(b, a);
      const c = ensureServerToken(dir, 'CA2');
      assert.equal(c.password, a.password);
      assert.equal(c.caHash, caBundleHash('CA2'));
      writeFileSync(join(dir, 'token'), 'garbage K10');
      assert.match(ensureServerToken(dir, 'CA2').password, /^[0-9a-f]{32}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
