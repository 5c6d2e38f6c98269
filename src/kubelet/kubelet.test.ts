import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { podGracePeriodSeconds, podUses, statusChanged } from './kubelet.js';

describe('kubelet helpers', () => {
  test('a status is unchanged when only key order or fields the kubelet does not write differ', () => {
    const a = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], podIP: '10.0.0.1' };
    const b = { podIP: '10.0.0.1', conditions: [{ status: 'True', type: 'Ready' }], phase: 'Running', nominatedNodeName: 'x' };
    assert.equal(statusChanged(a, b), false);
    assert.equal(statusChanged(a, { ...a, phase: 'Failed' }), true);
    assert.equal(statusChanged(undefined, a), true);
  });

  test('the grace period is the deletion one, else the spec one, else 30, and at least 2 seconds', () => {
    assert.equal(podGracePeriodSeconds({ metadata: { deletionGracePeriodSeconds: 5 }, spec: { containers: [], terminationGracePeriodSeconds: 60 } }), 5);
    assert.equal(podGracePeriodSeconds({ spec: { containers: [], terminationGracePeriodSeconds: 60 } }), 60);
    assert.equal(podGracePeriodSeconds({}), 30);
    assert.equal(podGracePeriodSeconds({ metadata: { deletionGracePeriodSeconds: 0 } }), 2);
  });

  test('a pod uses the ConfigMaps and Secrets its volumes, projected sources, env and envFrom name', () => {
    const pod = {
      spec: {
        volumes: [{ name: 'a', configMap: { name: 'cm-vol' } }, { name: 'b', projected: { sources: [{ secret: { name: 's-proj' } }] } }],
        containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm-env', key: 'k' } } }], envFrom: [{ secretRef: { name: 's-from' } }] }],
      },
    };
    for (const name of ['cm-vol', 'cm-env']) assert.equal(podUses(pod, 'ConfigMap', name), true);
    for (const name of ['s-proj', 's-from']) assert.equal(podUses(pod, 'Secret', name), true);
    assert.equal(podUses(pod, 'ConfigMap', 's-proj'), false);
    assert.equal(podUses(pod, 'Secret', 'cm-vol'), false);
    assert.equal(podUses({}, 'ConfigMap', 'cm-vol'), false);
  });
});
