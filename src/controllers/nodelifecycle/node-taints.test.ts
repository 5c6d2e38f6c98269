import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js';
import { addOrUpdateTaints, conditionNoScheduleTaints, metaTime, noExecuteTaintFor, noScheduleTaintChanges, removeTaints } from './node-taints.js';

function node(conditions: Partial<Record<string, string>>, extra: { unschedulable?: boolean; taints?: Taint[] } = {}): Node {
  const conds: NodeCondition[] = Object.entries(conditions).map(([type, status]) => ({ type, status: status ?? 'Unknown' }));
  return { metadata: { name: 'n1' }, spec: { unschedulable: extra.unschedulable, taints: extra.taints }, status: { conditions: conds } };
}

describe('NoSchedule taints for node conditions', () => {
  test('a healthy node wants no taints', () => {
    assert.deepEqual(conditionNoScheduleTaints(node({ Ready: 'True', MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False' })), []);
  });

  test('Ready False gives not-ready and Ready Unknown gives unreachable', () => {
    assert.deepEqual(conditionNoScheduleTaints(node({ Ready: 'False' })), [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
    assert.deepEqual(conditionNoScheduleTaints(node({ Ready: 'Unknown' })), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
  });

  test('pressure conditions and spec.unschedulable give their taints', () => {
    const keys = conditionNoScheduleTaints(node({ Ready: 'True', MemoryPressure: 'True', DiskPressure: 'True', PIDPressure: 'True', NetworkUnavailable: 'True' }, { unschedulable: true })).map((t) => t.key);
    assert.deepEqual(keys, [
      'node.kubernetes.io/memory-pressure',
      'node.kubernetes.io/disk-pressure',
      'node.kubernetes.io/pid-pressure',
      'node.kubernetes.io/network-unavailable',
      'node.kubernetes.io/unschedulable',
    ]);
  });

  test('the changes add what is missing and remove stale controller taints, leaving other taints alone', () => {
    const n = node(
      { Ready: 'Unknown' },
      {
        taints: [
          { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' },
          { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
        ],
      },
    );
    const { add, remove } = noScheduleTaintChanges(n);
    assert.deepEqual(add, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
    assert.deepEqual(remove, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
  });
});

describe('NoExecute taints for the Ready condition', () => {
  test('Unknown adds unreachable and removes not-ready; False does the opposite; True asks for nothing', () => {
    assert.deepEqual(noExecuteTaintFor('Unknown'), { add: { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, remove: { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' } });
    assert.deepEqual(noExecuteTaintFor('False'), { add: { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }, remove: { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' } });
    assert.equal(noExecuteTaintFor('True'), undefined);
  });
});

describe('taint list edits', () => {
  test('adding a taint with the same key and effect replaces it, an identical one changes nothing', () => {
    const t0 = [{ key: 'a', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' }];
    assert.equal(addOrUpdateTaints(t0, [{ key: 'a', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' }]), undefined);
    assert.deepEqual(addOrUpdateTaints(t0, [{ key: 'a', effect: 'NoExecute', timeAdded: '2025-01-01T00:00:00Z' }]), [{ key: 'a', effect: 'NoExecute', timeAdded: '2025-01-01T00:00:00Z' }]);
    assert.deepEqual(addOrUpdateTaints(t0, [{ key: 'a', effect: 'NoSchedule' }]), [...t0, { key: 'a', effect: 'NoSchedule' }]);
  });

  test('removing matches key and effect, and says when there was nothing to remove', () => {
    const t0 = [{ key: 'a', effect: 'NoExecute' }, { key: 'a', effect: 'NoSchedule' }];
    assert.deepEqual(removeTaints(t0, [{ key: 'a', effect: 'NoExecute' }]), [{ key: 'a', effect: 'NoSchedule' }]);
    assert.equal(removeTaints(t0, [{ key: 'b', effect: 'NoExecute' }]), undefined);
  });

  test('times are written as RFC 3339 with whole seconds', () => {
    assert.equal(metaTime(Date.parse('2024-05-06T07:08:09.999Z')), '2024-05-06T07:08:09Z');
  });
});
