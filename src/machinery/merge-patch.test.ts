import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch, MergePatchError } from './merge-patch.js';

describe('applyMergePatch', () => {
  test('follows the RFC 7386 examples', () => {
    const cases: Array<[unknown, unknown, unknown]> = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [doc, patch, want] of cases) assert.deepEqual(applyMergePatch(doc, patch), want, JSON.stringify(patch));
  });

  test('leaves the original untouched', () => {
    const doc = { metadata: { labels: { a: '1', b: '2' } } };
    const out = applyMergePatch(doc, { metadata: { labels: { a: null, c: '3' } } });
    assert.deepEqual(out, { metadata: { labels: { b: '2', c: '3' } } });
    assert.deepEqual(doc, { metadata: { labels: { a: '1', b: '2' } } });
  });

  test('prunes nulls from values taken whole, as evanphx does', () => {
    assert.deepEqual(applyMergePatch({ a: 1 }, { b: [1, null, { c: null, d: 2 }] }), { a: 1, b: [1, { d: 2 }] });
    assert.deepEqual(applyMergePatch({ a: 'x' }, { a: { b: null, c: 1 } }), { a: { c: 1 } });
    assert.deepEqual(applyMergePatch({ a: { b: 1 } }, { a: [null] }), { a: [null] });
  });

  test('rejects null and scalar patches as upstream does', () => {
    assert.throws(() => applyMergePatch({}, null), (e: unknown) => e instanceof MergePatchError && e.code === 400 && e.message === 'Invalid JSON Patch');
    assert.throws(() => applyMergePatch({}, 5), { message: 'Invalid JSON Patch' });
    assert.deepEqual(applyMergePatch({ a: 1 }, [1, null]), [1]);
  });
});
