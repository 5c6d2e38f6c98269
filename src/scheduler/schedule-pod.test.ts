import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import { buildSnapshot, snapshotWith } from './framework.js';
import { fitErrorMessage, numFeasibleNodesToFind, schedulePod, seededRandom, selectHost } from './schedule-pod.js';
import { makeNode, makePod } from './test-objects.js';

const notReady = [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' as const }];

function messageOf(result: ReturnType<typeof schedulePod>): string {
  assert.ok('error' in result, `expected a FitError, got ${JSON.stringify(result)}`);
  return fitErrorMessage(result.error);
}

describe('schedulePod', () => {
  test('the least loaded feasible node wins', () => {
    const snap = buildSnapshot([makeNode('node-1'), makeNode('node-2')], [makePod('db', { nodeName: 'node-1', cpu: '3', memory: '6Gi' })]);
    assert.deepEqual(schedulePod(makePod('web', { cpu: '500m', memory: '512Mi' }), snap), { node: 'node-2' });
  });

  test('a single feasible node is chosen without scoring', () => {
    const snap = buildSnapshot([makeNode('node-1', { taints: notReady }), makeNode('node-2')], []);
    assert.deepEqual(schedulePod(makePod('web'), snap), { node: 'node-2' });
  });

  test('equally scored nodes are picked with the injected random source', () => {
    const snap = buildSnapshot([makeNode('node-a'), makeNode('node-b')], []);
    assert.deepEqual(schedulePod(makePod('web'), snap, { random: () => 0 }), { node: 'node-b' });
    assert.deepEqual(schedulePod(makePod('web'), snap, { random: () => 0.99 }), { node: 'node-a' });
  });

  test('tie-breaking among three is uniform-ish by reservoir sampling', () => {
    const scores = [
      { name: 'a', totalScore: 5 },
      { name: 'b', totalScore: 5 },
      { name: 'c', totalScore: 5 },
      { name: 'd', totalScore: 1 },
    ];
    const random = seededRandom(42);
    const seen = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const n = selectHost(scores, random);
      seen.set(n, (seen.get(n) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), ['a', 'b', 'c']);
    for (const count of seen.values()) assert.ok(count > 60, `each tied node is picked often, got ${count}`);
  });

  test("a ReplicationController's pods are spread over the nodes one by one", () => {
    const rc: ReplicationController = { metadata: { name: 'nginx', namespace: 'default' }, spec: { selector: { app: 'nginx' } } };
    const owner = [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'nginx', uid: 'rc-uid', controller: true }];
    let snap = buildSnapshot([makeNode('node-1'), makeNode('node-2'), makeNode('node-3')], [], { replicationControllers: [rc] });
    const placed: string[] = [];
    const random = seededRandom(7);
    for (const name of ['nginx-a', 'nginx-b', 'nginx-c']) {
      const pod: Pod = makePod(name, { labels: { app: 'nginx' }, ownerReferences: owner });
      const r = schedulePod(pod, snap, { random });
      assert.ok('node' in r);
      placed.push(r.node);
      snap = snapshotWith(snap, pod, r.node);
    }
    assert.deepEqual([...placed].sort(), ['node-1', 'node-2', 'node-3']);
  });
});

describe('fitErrorMessage', () => {
  test('reasons are counted per node and sorted as strings', () => {
    const snap = buildSnapshot(
      [makeNode('node-1', { cpu: '1' }), makeNode('node-2', { taints: notReady }), makeNode('node-3', { taints: notReady })],
      [makePod('db', { nodeName: 'node-1', cpu: '800m' })],
    );
    assert.equal(
      messageOf(schedulePod(makePod('web', { cpu: '500m' }), snap)),
      '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.',
    );
  });

  test('a node short of several resources counts once per reason', () => {
    const snap = buildSnapshot([makeNode('small-1', { cpu: '1', memory: '1Gi' }), makeNode('small-2', { cpu: '1', memory: '1Gi' })], []);
    assert.equal(messageOf(schedulePod(makePod('big', { cpu: '2', memory: '2Gi' }), snap)), '0/2 nodes are available: 2 Insufficient cpu, 2 Insufficient memory.');
  });

  test('nodes left out by a PreFilter are reported as not satisfying that plugin', () => {
    const snap = buildSnapshot([makeNode('node-1'), makeNode('node-2'), makeNode('node-3', { cpu: '100m' })], []);
    const pod = makePod('ds-pod', {
      cpu: '200m',
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-3'] }] }] } } } },
    });
    assert.equal(messageOf(schedulePod(pod, snap)), "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].");
  });

  test('a PreFilter rejection is the whole message', () => {
    const snap = buildSnapshot([makeNode('node-1'), makeNode('node-2')], [], { persistentVolumeClaims: [] });
    const pod = makePod('db', { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }] } });
    assert.equal(messageOf(schedulePod(pod, snap)), '0/2 nodes are available: persistentvolumeclaim "data-db-0" not found.');
  });

  test('the PostFilter message follows the filter reasons', () => {
    assert.equal(
      fitErrorMessage({
        numAllNodes: 1,
        nodeToStatus: new Map([['node-1', { code: 'Unschedulable', reasons: ['Insufficient cpu'], plugin: 'NodeResourcesFit' }]]),
        postFilterMsg: 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      }),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });

  test('a cluster without nodes says so', () => {
    assert.equal(messageOf(schedulePod(makePod('web'), buildSnapshot([], []))), 'no nodes available to schedule pods');
  });
});

describe('percentageOfNodesToScore', () => {
  test('small clusters filter every node; big ones stop at upstream’s adaptive share, at least 100', () => {
    assert.equal(numFeasibleNodesToFind(50), 50);
    assert.equal(numFeasibleNodesToFind(100), 100);
    assert.equal(numFeasibleNodesToFind(200), 100);
    assert.equal(numFeasibleNodesToFind(500), 230);
    assert.equal(numFeasibleNodesToFind(5000), 500);
    assert.equal(numFeasibleNodesToFind(10000), 500);
  });

  test('with a cursor, filtering starts where the last cycle stopped and stops once enough nodes fit', () => {
    const nodes = Array.from({ length: 300 }, (_, i) => makeNode(`n${String(i).padStart(3, '0')}`));
    const snapshot = buildSnapshot(nodes, []);
    const cursor: { start: number; next?: number } = { start: 250 };
    const result = schedulePod(makePod('p'), snapshot, { cursor, random: seededRandom(1) });
    assert.ok('node' in result);
    // 300 nodes: 48% of them, 144, are enough.
    assert.equal(numFeasibleNodesToFind(300), 144);
    assert.equal(cursor.next, (250 + 144) % 300);
    const chosen = Number(result.node.slice(1));
    assert.ok(chosen >= 250 || chosen < 94, `chose ${result.node} outside the 144 filtered nodes`);
  });
});
