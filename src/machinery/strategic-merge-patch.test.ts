import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldPatchMeta, PatchMeta } from './patch-meta.js';
import { opaquePatchMeta } from './patch-meta.js';
import { applyStrategicMergePatch, StrategicMergePatchError } from './strategic-merge-patch.js';

/** A struct's meta from its fields; unknown fields are opaque. */
function struct(fields: () => Record<string, FieldPatchMeta>): PatchMeta {
  let memo: Record<string, FieldPatchMeta> | undefined;
  return {
    field: (name) => {
      memo ??= fields();
      return Object.prototype.hasOwnProperty.call(memo, name) ? memo[name] : undefined;
    },
  };
}

const plain = (value: PatchMeta = opaquePatchMeta): FieldPatchMeta => ({ strategies: [], value });
const mergeBy = (mergeKey: string, value: PatchMeta = opaquePatchMeta): FieldPatchMeta => ({ strategies: ['merge'], mergeKey, value });
const mergePrimitives: FieldPatchMeta = { strategies: ['merge'], value: opaquePatchMeta };

// upstream's MergeItem / RetainKeysMergeItem test types
const mergeItem: PatchMeta = struct(() => ({
  mergingList: mergeBy('name', mergeItem),
  nonMergingList: plain(mergeItem),
  mergingIntList: mergePrimitives,
  nonMergingIntList: plain(),
  mergeItemPtr: mergeBy('name', mergeItem),
  simpleMap: plain(),
  replacingItem: { strategies: ['replace'], value: opaquePatchMeta },
  retainKeysMap: { strategies: ['retainKeys'], value: retainKeysMergeItem },
  retainKeysMergingList: { strategies: ['merge', 'retainKeys'], mergeKey: 'name', value: mergeItem },
}));
const retainKeysMergeItem: PatchMeta = struct(() => ({
  simpleMap: plain(),
  mergingIntList: mergePrimitives,
  mergingList: mergeBy('name', mergeItem),
  nonMergingList: plain(mergeItem),
}));

// a Pod, with the strategies of k8s.io/api/core/v1
const container: PatchMeta = struct(() => ({
  ports: mergeBy('containerPort'),
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  resources: plain(),
}));
const volume: PatchMeta = struct(() => ({}));
const podSpec: PatchMeta = struct(() => ({
  containers: mergeBy('name', container),
  initContainers: mergeBy('name', container),
  volumes: { strategies: ['merge', 'retainKeys'], mergeKey: 'name', value: volume },
  tolerations: plain(),
  imagePullSecrets: mergeBy('name'),
}));
const objectMeta: PatchMeta = struct(() => ({ finalizers: mergePrimitives, ownerReferences: mergeBy('uid') }));
const pod: PatchMeta = struct(() => ({ metadata: plain(objectMeta), spec: plain(podSpec) }));

function detail(original: unknown, patch: unknown, meta: PatchMeta): string {
  try {
    applyStrategicMergePatch(original, patch, meta);
  } catch (e: unknown) {
    if (e instanceof StrategicMergePatchError) return e.detail;
    throw e;
  }
  throw new Error('patch applied');
}

describe('applyStrategicMergePatch on upstream MergeItem cases', () => {
  const cases: Array<[string, unknown, unknown, unknown]> = [
    ['unique scalars when merging lists', { mergingIntList: [1, 2] }, { mergingIntList: [2, 3] }, { mergingIntList: [1, 2, 3] }],
    ['delete map from nested map', { simpleMap: { key1: 1, key2: 1 } }, { simpleMap: { $patch: 'delete' } }, { simpleMap: {} }],
    ['delete all items from merging list', { mergingList: [{ name: 1 }, { name: 2 }] }, { mergingList: [{ $patch: 'replace' }] }, { mergingList: [] }],
    ['merge empty merging lists', { mergingList: [] }, { mergingList: [] }, { mergingList: [] }],
    ['delete all keys from map', { name: 1, value: 1 }, { $patch: 'replace' }, {}],
    ['add key and delete all keys from map', { name: 1, value: 1 }, { other: 'a', $patch: 'replace' }, { other: 'a' }],
    [
      'delete all duplicate entries in a merging list',
      { mergingList: [{ name: 1 }, { name: 1 }, { name: 2, value: 'a' }, { name: 3 }, { name: 3 }] },
      { mergingList: [{ name: 1, $patch: 'delete' }, { name: 3, $patch: 'delete' }] },
      { mergingList: [{ name: 2, value: 'a' }] },
    ],
    ['retainKeys map can add a field when no retainKeys directive present', { retainKeysMap: { name: 'foo' } }, { retainKeysMap: { value: 'bar' } }, { retainKeysMap: { name: 'foo', value: 'bar' } }],
    ['retainKeys map can delete a field', { retainKeysMap: { name: 'foo', value: 'a' } }, { retainKeysMap: { value: null } }, { retainKeysMap: { name: 'foo' } }],
    [
      'retainKeys list can delete a field',
      { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] },
      { retainKeysMergingList: [{ name: 'foo', value: null }] },
      { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo' }] },
    ],
    [
      'retainKeys directive clears the keys it does not list',
      { retainKeysMap: { name: 'foo', value: 'a', other: 'b' } },
      { retainKeysMap: { $retainKeys: ['name', 'other'], other: 'c' } },
      { retainKeysMap: { name: 'foo', other: 'c' } },
    ],
    [
      'preserve the order from the patch in a merging list',
      { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
      { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, other: 'x' }] },
      { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, value: 'b', other: 'x' }] },
    ],
    [
      'preserve the order from the patch in a merging list 2',
      { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
      { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }] },
      { mergingList: [{ name: 2, value: 'b' }, { name: 3, value: 'c' }, { name: 1, value: 'a' }] },
    ],
    ['preserve the order from the patch in a merging int list', { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1, 2] }, { mergingIntList: [3, 1, 2] }],
    ['preserve the order from the patch in a merging int list 2', { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1] }, { mergingIntList: [2, 3, 1] }],
    [
      '$setElementOrder contains item that is not present in the list to be merged',
      { mergingList: [{ name: 1 }, { name: 3 }] },
      { '$setElementOrder/mergingList': [{ name: 3 }, { name: 2 }, { name: 1 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
      { mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
    ],
    ['$setElementOrder reorders an int list', { mergingIntList: [1, 3] }, { '$setElementOrder/mergingIntList': [3, 2, 1] }, { mergingIntList: [3, 1] }],
    ['$deleteFromPrimitiveList of nonexistent item', { mergingIntList: [1, 2] }, { '$deleteFromPrimitiveList/mergingIntList': [3] }, { mergingIntList: [1, 2] }],
    ['$deleteFromPrimitiveList on nonexistent list', { foo: ['bar'] }, { '$deleteFromPrimitiveList/mergingIntList': [3] }, { foo: ['bar'] }],
    ['$deleteFromPrimitiveList deletes from a merging list', { mergingIntList: [1, 2, 3] }, { '$deleteFromPrimitiveList/mergingIntList': [2] }, { mergingIntList: [1, 3] }],
    ['$deleteFromPrimitiveList deletes from a non-merging list', { nonMergingIntList: [1, 2, 3] }, { '$deleteFromPrimitiveList/nonMergingIntList': [2] }, { nonMergingIntList: [1, 3] }],
    ['non-merging lists are replaced', { nonMergingList: [{ name: 1 }, { name: 2 }] }, { nonMergingList: [{ name: 3 }] }, { nonMergingList: [{ name: 3 }] }],
    ['replace strategy maps are replaced', { replacingItem: { a: 1, b: 2 } }, { replacingItem: { c: 3 } }, { replacingItem: { c: 3 } }],
  ];
  for (const [name, original, patch, want] of cases) {
    test(name, () => {
      assert.deepEqual(applyStrategicMergePatch(original, patch, mergeItem), want);
    });
  }

  test('a $setElementOrder list that disagrees with the patch list is refused', () => {
    const d = detail(
      { mergingList: [{ name: 1 }, { name: 3 }, { name: 2 }] },
      { '$setElementOrder/mergingList': [{ name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
      mergeItem,
    );
    assert.equal(d, "The order in patch list:\n[map[name:3 value:3] map[name:1 value:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n");
    assert.match(detail({ mergingIntList: [1, 3, 2] }, { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] }, mergeItem), /doesn't match/);
  });

  test('a missing merge key is an error', () => {
    assert.equal(detail({ mergingList: [{ name: 1, value: 'a' }] }, { mergingList: [{ value: 'b' }] }, mergeItem), 'map: map[value:b] does not contain declared merge key: name');
  });
});

describe('applyStrategicMergePatch on a Pod', () => {
  const original = {
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b', 'c'] },
    spec: {
      containers: [
        {
          name: 'nginx',
          image: 'nginx:1.25',
          ports: [{ containerPort: 80 }, { containerPort: 443 }],
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
          args: ['-x', '-y'],
        },
        { name: 'sidecar', image: 'busybox' },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [{ key: 'a', operator: 'Exists' }],
    },
  };

  test('updates one container by name and keeps the others (kubectl set image)', () => {
    const out = applyStrategicMergePatch(original, { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } }, pod);
    assert.deepEqual(out, { ...original, spec: { ...original.spec, containers: [{ ...original.spec.containers[0], image: 'nginx:1.26' }, original.spec.containers[1]] } });
    assert.equal(original.spec.containers[0]?.image, 'nginx:1.25');
  });

  test('merges env and ports by their keys; new items go where upstream puts them, ahead of server-only ones', () => {
    const out = applyStrategicMergePatch(
      original,
      {
        spec: {
          containers: [
            {
              name: 'nginx',
              env: [{ name: 'B', value: '20' }, { name: 'C', value: '3' }, { name: 'A', $patch: 'delete' }],
              ports: [{ containerPort: 8080 }],
              args: ['-z'],
            },
            { name: 'logger', image: 'fluentd' },
          ],
        },
      },
      pod,
    ) as { spec: { containers: unknown[] } };
    assert.deepEqual(out.spec.containers, [
      {
        name: 'nginx',
        image: 'nginx:1.25',
        ports: [{ containerPort: 8080 }, { containerPort: 80 }, { containerPort: 443 }],
        env: [
          { name: 'B', value: '20' },
          { name: 'C', value: '3' },
        ],
        args: ['-z'],
      },
      { name: 'logger', image: 'fluentd' },
      { name: 'sidecar', image: 'busybox' },
    ]);
  });

  test('orders containers by $setElementOrder, as kubectl apply sends', () => {
    const out = applyStrategicMergePatch(
      original,
      { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }], containers: [{ name: 'sidecar', image: 'busybox:2' }] } },
      pod,
    ) as { spec: { containers: Array<{ name: string; image: string }> } };
    assert.deepEqual(
      out.spec.containers.map((c) => [c.name, c.image]),
      [
        ['sidecar', 'busybox:2'],
        ['nginx', 'nginx:1.25'],
      ],
    );
  });

  test('replaces tolerations and a whole list marked $patch: replace', () => {
    const out = applyStrategicMergePatch(
      original,
      { spec: { tolerations: [{ key: 'b', operator: 'Equal', value: 'x' }], containers: [{ name: 'only', image: 'alpine' }, { $patch: 'replace' }] } },
      pod,
    ) as { spec: { tolerations: unknown; containers: unknown } };
    assert.deepEqual(out.spec.tolerations, [{ key: 'b', operator: 'Equal', value: 'x' }]);
    assert.deepEqual(out.spec.containers, [{ name: 'only', image: 'alpine' }]);
  });

  test('switches a volume source with $retainKeys', () => {
    const out = applyStrategicMergePatch(original, { spec: { volumes: [{ name: 'data', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/d' } }] } }, pod) as {
      spec: { volumes: unknown };
    };
    assert.deepEqual(out.spec.volumes, [{ name: 'data', hostPath: { path: '/d' } }]);
  });

  test('deletes labels with null, finalizers with $deleteFromPrimitiveList and a map with $patch: delete', () => {
    const out = applyStrategicMergePatch(
      { ...original, spec: { ...original.spec, securityContext: { runAsUser: 1 } } },
      { metadata: { labels: { tier: null, new: 'x' }, '$deleteFromPrimitiveList/finalizers': ['b'] }, spec: { securityContext: { $patch: 'delete' } } },
      pod,
    ) as { metadata: unknown; spec: { securityContext: unknown } };
    assert.deepEqual(out.metadata, { name: 'web', labels: { app: 'web', new: 'x' }, finalizers: ['a', 'c'] });
    assert.deepEqual(out.spec.securityContext, {});
  });

  test('merges finalizers as a set', () => {
    const out = applyStrategicMergePatch(original, { metadata: { finalizers: ['c', 'd'] } }, pod) as { metadata: { finalizers: unknown } };
    assert.deepEqual(out.metadata.finalizers, ['a', 'b', 'c', 'd']);
  });

  test('drops nulls and directives from values that are new', () => {
    const out = applyStrategicMergePatch(original, { spec: { nodeSelector: { a: 'b', c: null }, affinity: { $patch: 'replace', x: 1 } } }, pod) as { spec: JsonLike };
    assert.deepEqual(out.spec['nodeSelector'], { a: 'b' });
    assert.equal('affinity' in out.spec, false);
  });
});

type JsonLike = Record<string, unknown>;

describe('applyStrategicMergePatch errors', () => {
  test('an unknown $patch directive is a 500 with upstream message', () => {
    try {
      applyStrategicMergePatch({ a: {} }, { a: { $patch: 'frob', b: 1 } }, mergeItem);
      assert.fail('expected an error');
    } catch (e: unknown) {
      assert.ok(e instanceof StrategicMergePatchError);
      assert.equal(e.code, 500);
      assert.equal(e.message, 'unknown patch type: frob in map: map[$patch:frob b:1]');
    }
  });

  test('$patch: merge in a list is not supported', () => {
    assert.equal(detail({ mergingList: [{ name: 1 }] }, { mergingList: [{ name: 1, $patch: 'merge' }] }, mergeItem), 'merging lists cannot yet be specified in the patch');
  });

  test('malformed directives are bad requests', () => {
    for (const patch of [{ $deleteFromPrimitiveList: [1] }, { '$deleteFromPrimitiveListx/a': [1] }]) {
      assert.throws(() => applyStrategicMergePatch({}, patch, mergeItem), { code: 400, reason: 'BadRequest', message: 'invalid patch format of primitive list' });
    }
    assert.throws(() => applyStrategicMergePatch({}, { $setElementOrder: [] }, mergeItem), { code: 400, message: 'invalid patch format of setElementOrder list' });
    assert.throws(() => applyStrategicMergePatch({ retainKeysMap: { name: 'a' } }, { retainKeysMap: { $retainKeys: ['name'], value: 'x' } }, mergeItem), {
      code: 400,
      message: 'invalid patch format of retainKeys',
    });
    assert.throws(() => applyStrategicMergePatch({}, { $retainKeys: 'name' }, mergeItem), { code: 400, message: 'invalid patch format of retainKeys' });
  });

  test('lists of lists are refused as upstream refuses them', () => {
    assert.throws(() => applyStrategicMergePatch({ mergingIntList: [[1]] }, { mergingIntList: [[2]] }, mergeItem), {
      code: 422,
      reason: 'Invalid',
      message: 'the server rejected our request due to an error in our request',
    });
  });

  test('mixed element types name the lists', () => {
    assert.equal(detail({ mergingIntList: [1] }, { mergingIntList: ['a'] }, mergeItem), 'list element types are not identical: [[1] [a]]');
  });

  test('merging maps without a merge key fails', () => {
    const meta = struct(() => ({ items: mergePrimitives }));
    assert.equal(detail({ items: [{ a: 1 }] }, { items: [{ a: 2 }] }, meta), 'cannot merge lists without merge key for struct');
  });
});
