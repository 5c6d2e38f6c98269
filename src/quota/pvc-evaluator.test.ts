import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { pvcEvaluator, pvcUsage } from './pvc-evaluator.js';
import { resourceListToJSON } from './resource-list.js';

const pvc = (storage: string, extra: { storageClassName?: string; annotations?: Record<string, string>; allocated?: string } = {}): PersistentVolumeClaim => ({
  metadata: { name: 'c', namespace: 'ns', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: { resources: { requests: { storage } }, ...(extra.storageClassName !== undefined ? { storageClassName: extra.storageClassName } : {}) },
  status: extra.allocated !== undefined ? { allocatedResources: { storage: extra.allocated } } : {},
});

describe('persistent volume claim quota evaluator', () => {
  test('a claim counts once and charges its storage, also under its storage class', () => {
    assert.deepEqual(resourceListToJSON(pvcUsage(pvc('10Gi', { storageClassName: 'gold' }))), {
      'count/persistentvolumeclaims': '1',
      'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
      'gold.storageclass.storage.k8s.io/requests.storage': '10Gi',
      persistentvolumeclaims: '1',
      'requests.storage': '10Gi',
    });
  });

  test('the beta storage-class annotation wins over storageClassName', () => {
    const u = resourceListToJSON(pvcUsage(pvc('1Gi', { storageClassName: 'gold', annotations: { 'volume.beta.kubernetes.io/storage-class': 'bronze' } })));
    assert.equal(u['bronze.storageclass.storage.k8s.io/requests.storage'], '1Gi');
    assert.equal(u['gold.storageclass.storage.k8s.io/requests.storage'], undefined);
  });

  test('storage is rounded up to whole bytes, and a larger allocation is charged instead', () => {
    assert.equal(resourceListToJSON(pvcUsage(pvc('1500m')))['requests.storage'], '2');
    assert.equal(resourceListToJSON(pvcUsage(pvc('1Gi', { allocated: '2Gi' })))['requests.storage'], '2Gi');
    assert.equal(resourceListToJSON(pvcUsage(pvc('2Gi', { allocated: '1Gi' })))['requests.storage'], '2Gi');
  });

  test('matches claim names and per-class names', () => {
    assert.deepEqual(pvcEvaluator.matchingResources(['pods', 'requests.storage', 'gold.storageclass.storage.k8s.io/requests.storage', 'count/persistentvolumeclaims']), [
      'requests.storage',
      'gold.storageclass.storage.k8s.io/requests.storage',
      'count/persistentvolumeclaims',
    ]);
  });
});
