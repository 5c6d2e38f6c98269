import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, JsonPatchError, maxJsonPatchOperations } from './json-patch.js';

/** The evanphx message of a failing patch. */
function detailOf(doc: unknown, patch: unknown): string {
  try {
    applyJsonPatch(doc, patch);
  } catch (e: unknown) {
    if (e instanceof JsonPatchError) return e.detail;
    throw e;
  }
  throw new Error('patch applied');
}

describe('applyJsonPatch', () => {
  test('applies add, remove, replace, move, copy and test without touching the input', () => {
    const doc = { metadata: { labels: { a: '1' } }, spec: { list: [1, 2, 3] } };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/b', value: '2' },
      { op: 'add', path: '/spec/list/1', value: 9 },
      { op: 'add', path: '/spec/list/-', value: 4 },
      { op: 'remove', path: '/spec/list/0' },
      { op: 'replace', path: '/metadata/labels/a', value: 'x' },
      { op: 'copy', from: '/metadata/labels/a', path: '/metadata/labels/c' },
      { op: 'move', from: '/metadata/labels/b', path: '/metadata/labels/d' },
      { op: 'test', path: '/spec/list', value: [9, 2, 3, 4] },
    ]);
    assert.deepEqual(out, { metadata: { labels: { a: 'x', c: 'x', d: '2' } }, spec: { list: [9, 2, 3, 4] } });
    assert.deepEqual(doc, { metadata: { labels: { a: '1' } }, spec: { list: [1, 2, 3] } });
  });

  test('unescapes ~1 and ~0 in pointers', () => {
    const out = applyJsonPatch({ metadata: { annotations: {} } }, [{ op: 'add', path: '/metadata/annotations/example.com~1a~0b', value: 'v' }]);
    assert.deepEqual(out, { metadata: { annotations: { 'example.com/a~b': 'v' } } });
  });

  test('negative indices count from the end, as in evanphx v4', () => {
    assert.deepEqual(applyJsonPatch({ a: [1, 2, 3] }, [{ op: 'remove', path: '/a/-1' }]), { a: [1, 2] });
    assert.deepEqual(applyJsonPatch({ a: [1, 2, 3] }, [{ op: 'add', path: '/a/-1', value: 4 }]), { a: [1, 2, 3, 4] });
    assert.deepEqual(applyJsonPatch({ a: [1, 2, 3] }, [{ op: 'replace', path: '/a/-3', value: 0 }]), { a: [0, 2, 3] });
  });

  test('replace of a missing object member adds it, and replace of the root swaps the document', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]), { a: 1, b: 2 });
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { c: 3 } }]), { c: 3 });
  });

  test('test compares structurally and treats null like a missing value', () => {
    assert.deepEqual(applyJsonPatch({ a: { x: [1, { y: 'z' }] } }, [{ op: 'test', path: '/a', value: { x: [1, { y: 'z' }] } }]), { a: { x: [1, { y: 'z' }] } });
    assert.deepEqual(applyJsonPatch({ a: null }, [{ op: 'test', path: '/missing', value: null }]), { a: null });
    assert.equal(detailOf({ a: 1 }, [{ op: 'test', path: '/a', value: '1' }]), 'testing value /a failed: test failed');
    assert.equal(detailOf({ a: { b: 1 } }, [{ op: 'test', path: '/a', value: { b: 1, c: 2 } }]), 'testing value /a failed: test failed');
  });

  test('a missing path is reported as evanphx reports it', () => {
    const doc = { spec: { containers: [{ name: 'a' }] } };
    const cases: Array<[unknown, string]> = [
      [{ op: 'add', path: '/nope/x', value: 1 }, 'add operation does not apply: doc is missing path: "/nope/x": missing value'],
      [{ op: 'add', path: 'invalid', value: 1 }, 'add operation does not apply: doc is missing path: "invalid": missing value'],
      [{ op: 'remove', path: '/nope/x' }, 'remove operation does not apply: doc is missing path: "/nope/x": missing value'],
      [{ op: 'remove', path: '/spec/nope' }, "error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value"],
      [{ op: 'replace', path: '/nope/x', value: 1 }, 'replace operation does not apply: doc is missing path: /nope/x: missing value'],
      [{ op: 'replace', path: '/spec/containers/5', value: 1 }, 'replace operation does not apply: doc is missing key: /spec/containers/5: missing value'],
      [{ op: 'test', path: '/nope/x', value: 1 }, 'test operation does not apply: is missing path: /nope/x: missing value'],
      [{ op: 'move', from: '/nope/x', path: '/a' }, 'move operation does not apply: doc is missing from path: /nope/x: missing value'],
      [{ op: 'move', from: '/spec/x', path: '/a' }, "error in move for path: 'x': Unable to remove nonexistent key: x: missing value"],
      [{ op: 'copy', from: '/spec', path: '/nope/x' }, 'copy operation does not apply: doc is missing destination path: /nope/x: missing value'],
      [{ op: 'add', path: '/spec/containers/2', value: {} }, "error in add for path: '/spec/containers/2': Unable to access invalid index: 2: invalid index referenced"],
      [{ op: 'add', path: '/spec/containers/x', value: {} }, "error in add for path: '/spec/containers/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax"],
      [{ op: 'remove', path: '/spec/containers/-' }, "error in remove for path: '/spec/containers/-': strconv.Atoi: parsing \"-\": invalid syntax"],
      [{ op: 'remove', path: '/spec/containers/1' }, "error in remove for path: '/spec/containers/1': Unable to access invalid index: 1: invalid index referenced"],
      [{ op: 'test', path: '/spec/containers/3', value: 1 }, "error in test for path: '/spec/containers/3': Unable to access invalid index: 3: invalid index referenced"],
    ];
    for (const [op, want] of cases) assert.equal(detailOf(doc, [op]), want, JSON.stringify(op));
  });

  test('malformed operations are reported as evanphx reports them', () => {
    assert.equal(detailOf({}, [{ op: 'frobnicate', path: '/a' }]), 'Unexpected kind: frobnicate');
    assert.equal(detailOf({}, [{ path: '/a' }]), 'Unexpected kind: unknown');
    assert.equal(detailOf({}, [null]), 'Unexpected kind: unknown');
    assert.equal(detailOf({}, [{ op: 'add', value: 1 }]), 'add operation failed to decode path: missing value');
    assert.equal(detailOf({}, [{ op: 'replace', value: 1 }]), 'replace operation failed to decode path: operation missing path field: missing value');
    assert.equal(detailOf({}, [{ op: 'replace', path: 5, value: 1 }]), 'replace operation failed to decode path: json: cannot unmarshal number into Go value of type string');
    assert.equal(detailOf({}, [{ op: 'move', path: '/a' }]), 'move operation failed to decode from: operation, missing from field: missing value');
  });

  test('failures become the Status the apiserver sends', () => {
    try {
      applyJsonPatch({}, [{ op: 'remove', path: '/a' }]);
      assert.fail('expected an error');
    } catch (e: unknown) {
      assert.ok(e instanceof JsonPatchError);
      assert.deepEqual(e.toStatus(), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server rejected our request due to an error in our request',
        reason: 'Invalid',
        details: {},
        code: 422,
      });
    }
  });

  test('a body that is not a list of operations is a bad request', () => {
    assert.throws(() => applyJsonPatch({}, { op: 'add' }), { code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' });
    assert.throws(() => applyJsonPatch({}, ['x']), { code: 400, message: 'json: cannot unmarshal string into Go value of type jsonpatch.Operation' });
    assert.deepEqual(applyJsonPatch({ a: 1 }, null), { a: 1 });
  });

  test('more than 10000 operations are refused as too large', () => {
    const ops = Array.from({ length: maxJsonPatchOperations + 1 }, () => ({ op: 'test', path: '/a', value: 1 }));
    assert.throws(() => applyJsonPatch({ a: 1 }, ops), {
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    });
    assert.deepEqual(applyJsonPatch({ a: 1 }, ops.slice(1)), { a: 1 });
  });
});
