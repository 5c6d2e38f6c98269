import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { buildSnapshot } from './framework.js';
import { SchedulerCache } from './scheduler-cache.js';

const node = (name: string, cpu = '4'): Node => ({ metadata: { name }, status: { allocatable: { cpu, memory: '8Gi', pods: '110' } } });
const pod = (name: string, nodeName: string, cpu = '500m', phase = 'Running'): Pod => ({
  metadata: { name, namespace: 'default' },
  spec: { nodeName, containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }] },
  status: { phase },
});

function requested(cache: SchedulerCache): Record<string, number> {
  return Object.fromEntries(cache.snapshot().nodes.map((n) => [n.name, n.requested.milliCPU]));
}

describe('the scheduler cache', () => {
  test('its snapshot counts the same requests as a snapshot built from scratch', () => {
    const cache = new SchedulerCache();
    const nodes = [node('a'), node('b')];
    const pods = [pod('p1', 'a'), pod('p2', 'a', '1'), pod('p3', 'b'), pod('p4', '')];
    for (const n of nodes) cache.setNode(n);
    for (const p of pods) cache.setPod(p);
    const fresh = buildSnapshot(nodes, pods);
    assert.deepEqual(
      cache.snapshot().nodes.map((n) => [n.name, n.requested, n.pods.length]),
      fresh.nodes.map((n) => [n.name, n.requested, n.pods.length]),
    );
  });

  test('a pod that moves, finishes or goes away is counted where it is now', () => {
    const cache = new SchedulerCache();
    cache.setNode(node('a'));
    cache.setNode(node('b'));
    cache.setPod(pod('p', 'a'));
    assert.deepEqual(requested(cache), { a: 500, b: 0 });
    cache.setPod(pod('p', 'b'));
    assert.deepEqual(requested(cache), { a: 0, b: 500 });
    cache.setPod(pod('p', 'b', '500m', 'Succeeded'));
    assert.deepEqual(requested(cache), { a: 0, b: 0 });
    cache.setPod(pod('q', 'a'));
    cache.deletePod(pod('q', 'a'));
    assert.deepEqual(requested(cache), { a: 0, b: 0 });
  });

  test('pods bound to a node the cache does not know yet count once the node appears, and a deleted node is gone', () => {
    const cache = new SchedulerCache();
    cache.setPod(pod('early', 'late-node'));
    assert.equal(cache.snapshot().nodes.length, 0);
    cache.setNode(node('late-node'));
    assert.deepEqual(requested(cache), { 'late-node': 500 });
    cache.deleteNode('late-node');
    assert.equal(cache.snapshot().nodeByName.has('late-node'), false);
  });

  test('unchanged nodes keep their NodeInfo between snapshots', () => {
    const cache = new SchedulerCache();
    cache.setNode(node('a'));
    cache.setNode(node('b'));
    const first = cache.snapshot();
    const [a1, b1] = [first.nodeByName.get('a'), first.nodeByName.get('b')];
    cache.setPod(pod('p', 'b'));
    const second = cache.snapshot();
    assert.equal(second.nodeByName.get('a'), a1);
    assert.notEqual(second.nodeByName.get('b'), b1);
    assert.deepEqual(second.nodes.map((n) => n.pods.length), [0, 1]);
  });
});
