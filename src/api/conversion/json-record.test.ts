import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cloneJson } from './json-record.js';

describe('cloneJson', () => {
  test('the copy is equal to the original and shares no object or array with it', () => {
    const original = { a: { b: [1, { c: 'x' }, null], d: true }, e: null, f: 2.5, g: '' };
    const copy = cloneJson(original);
    assert.deepEqual(copy, original);
    assert.notEqual(copy.a, original.a);
    assert.notEqual(copy.a.b, original.a.b);
    assert.notEqual(copy.a.b[1], original.a.b[1]);
    (copy.a.b[1] as { c: string }).c = 'changed';
    assert.equal((original.a.b[1] as { c: string }).c, 'x');
  });

  test('scalars come back as they are', () => {
    assert.equal(cloneJson(3), 3);
    assert.equal(cloneJson('s'), 's');
    assert.equal(cloneJson(null), null);
  });
});
