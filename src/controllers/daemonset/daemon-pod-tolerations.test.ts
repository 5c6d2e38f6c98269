import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { addOrUpdateDaemonPodTolerations, addOrUpdateTolerationInPodSpec } from './daemon-pod-tolerations.js';

describe('addOrUpdateDaemonPodTolerations', () => {
  test('adds the NoExecute and NoSchedule tolerations of daemon pods in upstream order', () => {
    const spec: PodSpec = { containers: [] };
    addOrUpdateDaemonPodTolerations(spec);
    assert.deepEqual(spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  test('adds network-unavailable for host-network pods', () => {
    const spec: PodSpec = { containers: [], hostNetwork: true };
    addOrUpdateDaemonPodTolerations(spec);
    assert.equal(spec.tolerations?.at(-1)?.key, 'node.kubernetes.io/network-unavailable');
    assert.equal(spec.tolerations?.length, 7);
  });

  test('keeps the template tolerations and does not duplicate an equal one', () => {
    const spec: PodSpec = { containers: [], tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }] };
    addOrUpdateDaemonPodTolerations(spec);
    assert.equal(spec.tolerations?.[0]?.key, 'a');
    assert.equal(spec.tolerations?.filter((t) => t.key === 'node.kubernetes.io/not-ready').length, 1);
    assert.equal(spec.tolerations?.length, 7);
  });

  test('a matching toleration with tolerationSeconds is replaced by one without', () => {
    const spec: PodSpec = { containers: [], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] };
    assert.equal(addOrUpdateTolerationInPodSpec(spec, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }), true);
    assert.deepEqual(spec.tolerations, [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]);
    assert.equal(addOrUpdateTolerationInPodSpec(spec, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }), false);
  });
});
