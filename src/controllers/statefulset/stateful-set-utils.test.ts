import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyRevision,
  getParentNameAndOrdinal,
  getPatch,
  getPersistentVolumeClaims,
  identityMatches,
  newStatefulSetPod,
  newVersionedStatefulSetPod,
  podInOrdinalRange,
  storageMatches,
} from './stateful-set-utils.js';
import { makeRevision, makeSet } from './test-fixtures.js';

const claimTemplate = { metadata: { name: 'www', labels: { tier: 'storage' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };

describe('StatefulSet naming', () => {
  test('a pod name parses into the set name and the ordinal after the last dash', () => {
    assert.deepEqual(getParentNameAndOrdinal({ metadata: { name: 'my-web-12' } }), ['my-web', 12]);
    assert.deepEqual(getParentNameAndOrdinal({ metadata: { name: 'web' } }), ['', -1]);
    assert.deepEqual(getParentNameAndOrdinal({ metadata: { name: 'web-99999999999' } }), ['web', -1]);
  });

  test('a new pod is named <set>-<ordinal> with hostname, subdomain, identity labels and its claims mounted', () => {
    const set = makeSet('web', 2, { volumeClaimTemplates: [claimTemplate] });
    const pod = newStatefulSetPod(set, 1);
    assert.equal(pod.metadata?.name, 'web-1');
    assert.equal(pod.metadata?.generateName, 'web-');
    assert.equal(pod.spec?.hostname, 'web-1');
    assert.equal(pod.spec?.subdomain, 'web');
    assert.deepEqual(pod.metadata?.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1' });
    assert.deepEqual(pod.spec?.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } }]);
    assert.equal(pod.metadata?.ownerReferences?.[0]?.kind, 'StatefulSet');
    assert.equal(pod.metadata?.ownerReferences?.[0]?.controller, true);
    assert.ok(identityMatches(set, pod));
    assert.ok(storageMatches(set, pod));
  });

  test('claims are named <claim>-<set>-<ordinal> and carry the template labels plus the selector labels', () => {
    const set = makeSet('web', 2, { volumeClaimTemplates: [claimTemplate] });
    const claims = getPersistentVolumeClaims(set, newStatefulSetPod(set, 0));
    assert.equal(claims.length, 1);
    assert.equal(claims[0]?.claim.metadata?.name, 'www-web-0');
    assert.equal(claims[0]?.claim.metadata?.namespace, 'default');
    assert.deepEqual(claims[0]?.claim.metadata?.labels, { tier: 'storage', app: 'web' });
  });

  test('spec.ordinals.start shifts the range of ordinals', () => {
    const set = makeSet('web', 2, { ordinals: { start: 5 } });
    assert.ok(podInOrdinalRange({ metadata: { name: 'web-6' } }, set));
    assert.ok(!podInOrdinalRange({ metadata: { name: 'web-7' } }, set));
    assert.ok(!podInOrdinalRange({ metadata: { name: 'web-0' } }, set));
  });
});

describe('StatefulSet revisions', () => {
  test('the revision patch replaces the template and applies back to the same template', () => {
    const v1 = makeSet('web', 1, {}, 'nginx:1');
    const v2 = makeSet('web', 1, {}, 'nginx:2');
    const patch = getPatch(v1) as { spec: { template: Record<string, unknown> } };
    assert.equal(patch.spec.template['$patch'], 'replace');
    const restored = applyRevision(v2, makeRevision(v1, 1));
    assert.equal(restored.spec?.template.spec?.containers[0]?.image, 'nginx:1');
    assert.deepEqual(restored.spec?.template, v1.spec?.template);
  });

  test('a new pod below the partition is made at the current revision, and at or above it at the update revision', () => {
    const current = makeSet('web', 3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, 'nginx:1');
    const update = makeSet('web', 3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, 'nginx:2');
    const low = newVersionedStatefulSetPod(current, update, 'web-a', 'web-b', 1);
    const high = newVersionedStatefulSetPod(current, update, 'web-a', 'web-b', 2);
    assert.equal(low.metadata?.labels?.['controller-revision-hash'], 'web-a');
    assert.equal(low.spec?.containers[0]?.image, 'nginx:1');
    assert.equal(high.metadata?.labels?.['controller-revision-hash'], 'web-b');
    assert.equal(high.spec?.containers[0]?.image, 'nginx:2');
  });

  test('without rollingUpdate a new pod below currentReplicas stays at the current revision', () => {
    const current = makeSet('web', 3, { updateStrategy: { type: 'RollingUpdate' } }, 'nginx:1');
    current.status = { replicas: 3, currentReplicas: 2 };
    const update = makeSet('web', 3, {}, 'nginx:2');
    assert.equal(newVersionedStatefulSetPod(current, update, 'a', 'b', 1).metadata?.labels?.['controller-revision-hash'], 'a');
    assert.equal(newVersionedStatefulSetPod(current, update, 'a', 'b', 2).metadata?.labels?.['controller-revision-hash'], 'b');
  });
});
