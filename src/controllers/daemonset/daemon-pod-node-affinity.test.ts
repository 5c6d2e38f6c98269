import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getTargetNodeName, replaceDaemonSetPodNodeNameNodeAffinity } from './daemon-pod-node-affinity.js';

describe('replaceDaemonSetPodNodeNameNodeAffinity', () => {
  const pinned = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] };

  test('pins a pod without affinity to the node by metadata.name', () => {
    assert.deepEqual(replaceDaemonSetPodNodeNameNodeAffinity(undefined, 'n1'), { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: pinned } });
  });

  test('replaces the required terms and keeps preferred terms and pod affinity', () => {
    const preferred = [{ weight: 1, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }];
    const out = replaceDaemonSetPodNodeNameNodeAffinity(
      {
        podAffinity: {},
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }] }, preferredDuringSchedulingIgnoredDuringExecution: preferred },
      },
      'n1',
    );
    assert.deepEqual(out, { podAffinity: {}, nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: pinned, preferredDuringSchedulingIgnoredDuringExecution: preferred } });
  });
});

describe('getTargetNodeName', () => {
  test('reads spec.nodeName once bound, else the pinned node, else fails', () => {
    assert.equal(getTargetNodeName({ spec: { nodeName: 'n2', containers: [] } }), 'n2');
    assert.equal(getTargetNodeName({ spec: { containers: [], affinity: replaceDaemonSetPodNodeNameNodeAffinity(undefined, 'n3') } }), 'n3');
    assert.throws(() => getTargetNodeName({ metadata: { namespace: 'default', name: 'p' }, spec: { containers: [] } }), /no node name found for pod default\/p/);
  });
});
