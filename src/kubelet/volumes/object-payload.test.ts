import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configMapPayload, secretPayload } from './object-payload.js';

const text = (m: Map<string, { data: Buffer; mode: number }>): Record<string, [string, number]> =>
  Object.fromEntries([...m].map(([k, v]) => [k, [v.data.toString('utf8'), v.mode]]));

describe('configMap payload', () => {
  const cm = { data: { a: 'A', b: 'B' }, binaryData: { bin: Buffer.from('\x00\x01').toString('base64') } };

  test('without items every data and binaryData key is a file with the default mode', () => {
    const p = configMapPayload(undefined, cm, 0o644, false);
    assert.deepEqual(text(p), { a: ['A', 0o644], b: ['B', 0o644], bin: ['\x00\x01', 0o644] });
  });

  test('items map keys to paths, with their own mode or the default', () => {
    const p = configMapPayload([{ key: 'a', path: 'conf/a.txt', mode: 0o400 }, { key: 'bin', path: 'b.bin' }], cm, 0o640, false);
    assert.deepEqual(text(p), { 'conf/a.txt': ['A', 0o400], 'b.bin': ['\x00\x01', 0o640] });
  });

  test('a missing key fails with upstream\'s message unless the volume is optional', () => {
    assert.throws(() => configMapPayload([{ key: 'missing-key', path: 'x' }], cm, 0o644, false), { message: 'configmap references non-existent config key: missing-key' });
    assert.deepEqual(text(configMapPayload([{ key: 'missing-key', path: 'x' }, { key: 'a', path: 'a' }], cm, 0o644, true)), { a: ['A', 0o644] });
  });
});

describe('secret payload', () => {
  const secret = { data: { user: Buffer.from('admin').toString('base64'), pass: Buffer.from('s3cr3t').toString('base64') } };

  test('values are base64-decoded', () => {
    assert.deepEqual(text(secretPayload(undefined, secret, 0o600, false)), { user: ['admin', 0o600], pass: ['s3cr3t', 0o600] });
    assert.deepEqual(text(secretPayload([{ key: 'pass', path: 'p/w' }], secret, 0o644, false)), { 'p/w': ['s3cr3t', 0o644] });
  });

  test('a missing key fails with upstream\'s message unless the volume is optional', () => {
    assert.throws(() => secretPayload([{ key: 'token', path: 't' }], secret, 0o644, false), { message: 'references non-existent secret key: token' });
    assert.equal(secretPayload([{ key: 'token', path: 't' }], secret, 0o644, true).size, 0);
  });
});
