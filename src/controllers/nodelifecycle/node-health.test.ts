import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { afterStatusUpdate, assessNodeHealth, type NodeHealthData } from './node-health.js';

const grace = { monitorGraceMs: 50_000, startupGraceMs: 60_000 };
const t0 = Date.parse('2024-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function readyNode(heartbeatMs: number): Node {
  const cond = (type: string, status: string, reason: string) => ({ type, status, reason, message: 'm', lastHeartbeatTime: iso(heartbeatMs), lastTransitionTime: iso(t0) });
  return {
    metadata: { name: 'n1', creationTimestamp: iso(t0), resourceVersion: '5' },
    status: {
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID'),
        cond('Ready', 'True', 'KubeletReady'),
        cond('NetworkUnavailable', 'False', 'RouteCreated'),
      ],
    },
  };
}
const lease = (renewMs: number): Lease => ({ metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime: new Date(renewMs).toISOString().replace('Z', '000Z') } });

describe('node health', () => {
  test('a node seen for the first time is healthy from now on', () => {
    const a = assessNodeHealth(readyNode(t0), undefined, undefined, t0 + 5000, grace);
    assert.equal(a.health.probeTimestampMs, t0 + 5000);
    assert.equal(a.statusUpdate, undefined);
    assert.equal(a.currentReady?.status, 'True');
  });

  test('renewed Leases keep a node healthy although its status heartbeat is old', () => {
    let saved: NodeHealthData | undefined;
    for (let t = t0; t <= t0 + 120_000; t += 10_000) {
      const a = assessNodeHealth(readyNode(t0), saved, lease(t), t, grace);
      assert.equal(a.statusUpdate, undefined, `at +${(t - t0) / 1000}s`);
      saved = a.health;
    }
  });

  test('after the grace period without a Lease renewal every kubelet condition becomes Unknown', () => {
    const first = assessNodeHealth(readyNode(t0), undefined, lease(t0), t0, grace);
    const early = assessNodeHealth(readyNode(t0), first.health, lease(t0), t0 + 50_000, grace);
    assert.equal(early.statusUpdate, undefined, 'not before the grace period has passed');
    const late = assessNodeHealth(readyNode(t0), early.health, lease(t0), t0 + 50_001, grace);
    assert.ok(late.statusUpdate !== undefined);
    const byType = new Map((late.statusUpdate.status?.conditions ?? []).map((c) => [c.type, c]));
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      assert.deepEqual(
        { status: byType.get(type)?.status, reason: byType.get(type)?.reason, message: byType.get(type)?.message },
        { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' },
        type,
      );
      assert.equal(byType.get(type)?.lastTransitionTime, iso(t0 + 50_001 - 1));
      assert.equal(byType.get(type)?.lastHeartbeatTime, iso(t0), 'the heartbeat stays as the kubelet left it');
    }
    assert.equal(byType.get('NetworkUnavailable')?.status, 'False', 'NetworkUnavailable is left alone');
    assert.equal(late.observedReady.status, 'True');
    assert.equal(late.currentReady?.status, 'Unknown');
  });

  test('a node already Unknown is not written again', () => {
    const first = assessNodeHealth(readyNode(t0), undefined, lease(t0), t0, grace);
    const late = assessNodeHealth(readyNode(t0), first.health, lease(t0), t0 + 60_000, grace);
    assert.ok(late.statusUpdate !== undefined);
    const saved = afterStatusUpdate(late, late.statusUpdate, t0 + 60_000);
    const again = assessNodeHealth(late.statusUpdate, saved, lease(t0), t0 + 65_000, grace);
    assert.equal(again.statusUpdate, undefined);
    assert.equal(again.observedReady.status, 'Unknown');
  });

  test('a new Ready heartbeat counts as a sign of life without a Lease', () => {
    const first = assessNodeHealth(readyNode(t0), undefined, undefined, t0, grace);
    const a = assessNodeHealth(readyNode(t0 + 40_000), first.health, undefined, t0 + 40_000, grace);
    const b = assessNodeHealth(readyNode(t0 + 40_000), a.health, undefined, t0 + 80_000, grace);
    assert.equal(b.statusUpdate, undefined);
  });

  test('a node that never posted status gets the startup grace period and NodeStatusNeverUpdated conditions', () => {
    const bare: Node = { metadata: { name: 'n1', creationTimestamp: iso(t0) }, status: {} };
    const early = assessNodeHealth(bare, undefined, undefined, t0 + 60_000, grace);
    assert.equal(early.gracePeriodMs, 60_000);
    const late = assessNodeHealth(bare, early.health, undefined, t0 + 61_000, grace);
    const ready = (late.statusUpdate?.status?.conditions ?? []).find((c) => c.type === 'Ready');
    assert.deepEqual({ status: ready?.status, reason: ready?.reason, message: ready?.message, hb: ready?.lastHeartbeatTime }, { status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', hb: iso(t0) });
  });
});
