import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { controllerRevisionName, equalRevision, findEqualRevisions, fnv32, goJson, hashControllerRevision, nextRevision, revisionsToTruncate, sortControllerRevisions } from './controller-history.js';
import { makeRevision, makeSet } from './test-fixtures.js';

function rev(name: string, revision: number, created = '2020-01-01T00:00:00Z', image = 'x'): ControllerRevision {
  return { metadata: { name, creationTimestamp: created }, revision, data: { spec: { template: { spec: { containers: [{ image }] } } } } };
}

describe('ControllerRevision history', () => {
  test('FNV-1 (not 1a) hashes as Go hash/fnv.New32 does', () => {
    assert.equal(fnv32(Buffer.from('')), 0x811c9dc5);
    assert.equal(fnv32(Buffer.from('a')), 0x050c5d7e);
    assert.equal(fnv32(Buffer.from('foobar')), 0x31f0b262);
  });

  test('revision data is written as Go json.Marshal of a map: sorted keys and escaped angle brackets', () => {
    assert.equal(goJson({ b: 1, a: { d: '<&>', c: [2, 1] } }), '{"a":{"c":[2,1],"d":"\\u003c\\u0026\\u003e"},"b":1}');
  });

  test('the collision count changes the hash and names are <set>-<hash>', () => {
    const data = { spec: { template: {} } };
    assert.notEqual(hashControllerRevision(data, 0), hashControllerRevision(data, 1));
    assert.equal(hashControllerRevision(data), hashControllerRevision(data));
    assert.match(hashControllerRevision(data), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(controllerRevisionName('web', 'abc'), 'web-abc');
    assert.equal(controllerRevisionName('x'.repeat(300), 'abc'), `${'x'.repeat(223)}-abc`);
  });

  test('a new revision is owned by the set and labelled with the template labels and its hash', () => {
    const r = makeRevision(makeSet('web', 1), 3);
    assert.equal(r.revision, 3);
    assert.match(r.metadata?.name ?? '', /^web-[a-z0-9]+$/);
    assert.equal(r.metadata?.labels?.['app'], 'web');
    assert.equal(`web-${r.metadata?.labels?.['controller.kubernetes.io/hash'] ?? ''}`, r.metadata?.name);
    assert.equal(r.metadata?.ownerReferences?.[0]?.uid, 'uid-web');
  });

  test('revisions sort by number, then creation time, then name, and the next number follows the last', () => {
    const sorted = sortControllerRevisions([rev('c', 2), rev('b', 1, '2020-01-02T00:00:00Z'), rev('a', 1, '2020-01-02T00:00:00Z'), rev('z', 1)]);
    assert.deepEqual(
      sorted.map((r) => r.metadata?.name),
      ['z', 'a', 'b', 'c'],
    );
    assert.equal(nextRevision(sorted), 3);
    assert.equal(nextRevision([]), 1);
  });

  test('equal revisions are found by their data alone', () => {
    const a = rev('a', 1, undefined, 'nginx:1');
    const b = rev('b', 2, undefined, 'nginx:2');
    const c = rev('c', 3, undefined, 'nginx:1');
    assert.ok(equalRevision(a, c));
    assert.ok(!equalRevision(a, b));
    assert.deepEqual(
      findEqualRevisions([a, b, c], rev('new', 4, undefined, 'nginx:1')).map((r) => r.metadata?.name),
      ['a', 'c'],
    );
  });

  test('history beyond revisionHistoryLimit is truncated oldest first, never a live revision', () => {
    const sorted = [rev('r1', 1), rev('r2', 2), rev('r3', 3), rev('r4', 4), rev('r5', 5)];
    assert.deepEqual(
      revisionsToTruncate(sorted, new Set(['r1', 'r5']), 1).map((r) => r.metadata?.name),
      ['r2', 'r3'],
    );
    assert.deepEqual(revisionsToTruncate(sorted, new Set(['r5']), 10), []);
  });
});
