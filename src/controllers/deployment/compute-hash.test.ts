import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, computeHash, fnv32a, safeEncodeString } from './compute-hash.js';

const template = { metadata: { labels: { run: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.7.12' }] } };

describe('computeHash', () => {
  test('equal templates hash equally, whatever the order of their keys', () => {
    const reordered = { spec: { containers: [{ image: 'nginx:1.7.12', name: 'nginx' }] }, metadata: { labels: { run: 'nginx' } } };
    assert.equal(computeHash(template), computeHash(reordered));
    assert.equal(computeHash(template), computeHash(structuredClone(template)));
  });

  test('a changed template hashes differently', () => {
    const changed = structuredClone(template);
    const c = changed.spec.containers[0];
    assert.ok(c !== undefined);
    c.image = 'nginx:1.9.10';
    assert.notEqual(computeHash(template), computeHash(changed));
  });

  test('the collision count changes the hash, and zero is not the same as none', () => {
    const none = computeHash(template);
    assert.notEqual(computeHash(template, 0), none);
    assert.notEqual(computeHash(template, 1), computeHash(template, 0));
  });

  test('the hash uses only the safe alphabet and is a valid name suffix', () => {
    const h = computeHash(template);
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });

  test('fnv32a matches the published FNV-1a test vectors', () => {
    assert.equal(fnv32a(Buffer.from('')), 0x811c9dc5);
    assert.equal(fnv32a(Buffer.from('a')), 0xe40c292c);
    assert.equal(fnv32a(Buffer.from('foobar')), 0xbf9cf968);
  });

  test('SafeEncodeString maps each byte into the alphabet as upstream does', () => {
    // '0' is 48: 48 % 27 = 21 -> '4'; '9' is 57: 57 % 27 = 3 -> 'f'.
    assert.equal(safeEncodeString('09'), '4f');
  });

  test('canonical JSON sorts keys at every level and leaves arrays in order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
  });
});
