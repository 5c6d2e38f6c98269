import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { updateChangesUsage } from './update-changes-usage.js';

const now = new Date('2025-01-01T00:00:00Z');

describe('which updates change quota usage', () => {
  test('a pod reaching a terminal phase does, other pod updates do not', () => {
    const running = { metadata: { name: 'p' }, status: { phase: 'Running' } };
    assert.equal(updateChangesUsage('', 'pods', running, { metadata: { name: 'p' }, status: { phase: 'Succeeded' } }, now), true);
    assert.equal(updateChangesUsage('', 'pods', running, { metadata: { name: 'p', resourceVersion: '2' }, status: { phase: 'Running' } }, now), false);
  });

  test('a service changing to or from a quota type does', () => {
    const svc = (type: string) => ({ metadata: { name: 's' }, spec: { type } });
    assert.equal(updateChangesUsage('', 'services', svc('ClusterIP'), svc('NodePort'), now), true);
    assert.equal(updateChangesUsage('', 'services', svc('ClusterIP'), svc('ExternalName'), now), false);
  });

  test('a claim whose allocated storage changes does', () => {
    const pvc = (storage?: string) => ({ metadata: { name: 'c' }, status: storage === undefined ? {} : { allocatedResources: { storage } } });
    assert.equal(updateChangesUsage('', 'persistentvolumeclaims', pvc('1Gi'), pvc('2Gi'), now), true);
    assert.equal(updateChangesUsage('', 'persistentvolumeclaims', pvc('1Gi'), pvc('1024Mi'), now), false);
    assert.equal(updateChangesUsage('apps', 'deployments', pvc(), pvc('1Gi'), now), false);
  });
});
