import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import { resourceListFromJSON } from '../../quota/resource-list.js';
import { syncQuotaStatus } from './quota-status.js';

const q = (hard: Record<string, string>, status?: ResourceQuota['status']): ResourceQuota => ({ metadata: { name: 'q', namespace: 'ns' }, spec: { hard }, ...(status ? { status } : {}) });

describe('the resource quota status the controller writes', () => {
  test('a new quota gets status.hard from spec.hard and the usage measured', () => {
    const r = syncQuotaStatus(q({ pods: '4', 'requests.cpu': '1000m' }), resourceListFromJSON({ pods: '1', 'requests.cpu': '500m' }));
    assert.deepEqual(r, { status: { hard: { pods: '4', 'requests.cpu': '1' }, used: { pods: '1', 'requests.cpu': '500m' } }, dirty: true });
  });

  test('nothing changed means nothing to write, however the values are spelled', () => {
    const r = syncQuotaStatus(q({ pods: '4' }, { hard: { pods: '4' }, used: { pods: '1' } }), resourceListFromJSON({ pods: '1' }));
    assert.equal(r.dirty, false);
    const s = syncQuotaStatus(q({ cpu: '1' }, { hard: { cpu: '1000m' }, used: { cpu: '0.5' } }), resourceListFromJSON({ cpu: '500m' }));
    assert.equal(s.dirty, false);
  });

  test('a changed spec.hard or usage makes it dirty, and names no longer hard are dropped from used', () => {
    const r = syncQuotaStatus(q({ pods: '5' }, { hard: { pods: '4', secrets: '2' }, used: { pods: '1', secrets: '1' } }), resourceListFromJSON({ pods: '1' }));
    assert.deepEqual(r, { status: { hard: { pods: '5' }, used: { pods: '1' } }, dirty: true });
    assert.equal(syncQuotaStatus(q({ pods: '4' }, { hard: { pods: '4' }, used: { pods: '1' } }), resourceListFromJSON({ pods: '2' })).dirty, true);
  });

  test('usage that could not be measured keeps its previous observation', () => {
    const r = syncQuotaStatus(q({ pods: '4', configmaps: '3' }, { hard: { pods: '4', configmaps: '3' }, used: { pods: '1', configmaps: '2' } }), resourceListFromJSON({ pods: '2' }));
    assert.deepEqual(r.status.used, { configmaps: '2', pods: '2' });
  });
});
