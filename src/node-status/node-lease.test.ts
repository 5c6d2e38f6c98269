import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { FakeApiClient } from './fake-api-client.js';
import { microTime, NodeLeaseController, renewedLease } from './node-lease.js';

const leasePath = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a';
const t0 = Date.parse('2026-01-01T00:00:00.123Z');

describe('the node lease', () => {
  test('is held by the node for 40 s, renewed now, owned by the Node', () => {
    const l = renewedLease(undefined, 'node-a', 'u1', t0);
    assert.deepEqual(l.metadata, { name: 'node-a', namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: 'u1' }] });
    assert.deepEqual(l.spec, { holderIdentity: 'node-a', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.123000Z' });
    assert.equal(microTime(t0), '2026-01-01T00:00:00.123000Z');
  });

  test('a renewal keeps an existing owner and the resourceVersion it read', () => {
    const base: Lease = { metadata: { name: 'node-a', resourceVersion: '7', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: 'old' }] }, spec: { holderIdentity: 'x' } };
    const l = renewedLease(base, 'node-a', 'new', t0 + 1000);
    assert.equal(l.metadata?.resourceVersion, '7');
    assert.equal(l.metadata?.ownerReferences?.[0]?.uid, 'old');
    assert.equal(l.spec?.holderIdentity, 'node-a');
  });

  test('the controller creates the lease, renews it, and recovers from a conflicting writer', async () => {
    const api = new FakeApiClient();
    api.put('/api/v1/nodes/node-a', { metadata: { name: 'node-a', uid: 'node-uid' } });
    let now = t0;
    const c = new NodeLeaseController(api, 'node-a', 40, () => now);
    const created = await c.sync();
    assert.equal(api.requests.filter((r) => r.method === 'POST').length, 1);
    assert.equal(created.metadata?.ownerReferences?.[0]?.uid, 'node-uid');

    now += 10_000;
    const renewed = await c.sync();
    assert.equal(renewed.spec?.renewTime, microTime(now));

    // Another writer changes the lease: our PUT conflicts, we read the server's copy and write again.
    const stored = api.objects.get(leasePath) ?? {};
    api.put(leasePath, { ...stored, spec: { holderIdentity: 'someone-else' } });
    now += 10_000;
    const after = await c.sync();
    assert.equal(after.spec?.holderIdentity, 'node-a');
    assert.equal(after.spec?.renewTime, microTime(now));
    assert.ok(api.requests.some((r) => r.method === 'GET' && r.path === leasePath));
  });

  test('the controller creates the lease again when it was deleted', async () => {
    const api = new FakeApiClient();
    const c = new NodeLeaseController(api, 'node-a');
    await c.sync();
    api.objects.delete(leasePath);
    const again = await c.sync();
    assert.equal(again.spec?.holderIdentity, 'node-a');
    assert.ok(api.objects.has(leasePath));
  });
});
