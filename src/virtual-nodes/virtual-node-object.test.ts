import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionsAreHealthy, defaultVirtualNodeIp, microTime, virtualNodeConditions, virtualNodeLease, virtualNodeObject } from './virtual-node-object.js';

const spec = { name: 'k8ts-virtual-0', ip: '198.18.0.1', cpu: '4', memory: '16Gi', pods: 110, ephemeralStorage: '100Gi' };

describe('virtual node objects', () => {
  test('node IPs come from the benchmarking range, one per index', () => {
    assert.equal(defaultVirtualNodeIp(0), '198.18.0.1');
    assert.equal(defaultVirtualNodeIp(300), '198.18.1.45');
  });

  test('the node is labelled virtual and reports equal capacity and allocatable', () => {
    const n = virtualNodeObject(spec, Date.parse('2025-01-01T00:00:00Z'), 'boot');
    assert.equal(n.metadata?.labels?.['type'], 'virtual');
    assert.equal(n.status?.capacity?.['pods'], '110');
    assert.deepEqual(n.status?.allocatable, n.status?.capacity);
    assert.equal(n.status?.nodeInfo?.kubeletVersion, 'v1.32.0-k8ts');
    assert.ok(conditionsAreHealthy(n.status?.conditions));
  });

  test('a heartbeat keeps the transition time of an unchanged condition', () => {
    const first = virtualNodeConditions(Date.parse('2025-01-01T00:00:00Z'));
    const later = virtualNodeConditions(Date.parse('2025-01-01T00:05:00Z'), first);
    const ready = later.find((c) => c.type === 'Ready');
    assert.equal(ready?.lastHeartbeatTime, '2025-01-01T00:05:00Z');
    assert.equal(ready?.lastTransitionTime, '2025-01-01T00:00:00Z');
  });

  test('a node the lifecycle controller marked Unknown is not healthy', () => {
    const conds = virtualNodeConditions(0).map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c));
    assert.equal(conditionsAreHealthy(conds), false);
  });

  test('the lease is held by the node, owned by it, and renewed in microseconds', () => {
    const l = virtualNodeLease('k8ts-virtual-0', 'uid-1', 40, Date.parse('2025-01-01T00:00:00.123Z'));
    assert.deepEqual(l.spec, { holderIdentity: 'k8ts-virtual-0', leaseDurationSeconds: 40, renewTime: '2025-01-01T00:00:00.123000Z' });
    assert.deepEqual(l.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'k8ts-virtual-0', uid: 'uid-1' }]);
    assert.equal(microTime(0), '1970-01-01T00:00:00.000000Z');
  });
});
