import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { buildSnapshot } from '../framework.js';
import { makeNode, makePod, runFilter, runScore } from '../test-objects.js';
import { nodeMatchingPods, podTopologySpreadFilter, podTopologySpreadScore } from './pod-topology-spread.js';
import { LabelSelector } from '../../machinery/label-selector.js';

const zone = 'topology.kubernetes.io/zone';
const host = 'kubernetes.io/hostname';
const nodes = [
  makeNode('node-1', { labels: { [zone]: 'a', disk: 'ssd' } }),
  makeNode('node-2', { labels: { [zone]: 'a', disk: 'ssd' } }),
  makeNode('node-3', { labels: { [zone]: 'b' } }),
];
const webOn = (name: string, nodeName: string): Pod => makePod(name, { nodeName, labels: { app: 'web' } });

function spread(c: Partial<TopologySpreadConstraint>, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  const constraint: TopologySpreadConstraint = {
    maxSkew: 1,
    topologyKey: zone,
    whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: { matchLabels: { app: 'web' } },
    ...c,
  };
  return makePod('web-new', { labels: { app: 'web' }, spec: { topologySpreadConstraints: [constraint], ...extra } });
}

const reason = "node(s) didn't match pod topology spread constraints";

describe('PodTopologySpread filter', () => {
  test('a domain that would exceed maxSkew over the least crowded one is rejected', () => {
    const snap = buildSnapshot(nodes, [webOn('web-1', 'node-1'), webOn('web-2', 'node-1')]);
    const pod = spread({});
    assert.deepEqual(runFilter(podTopologySpreadFilter, pod, snap, 'node-2'), { code: 'Unschedulable', reasons: [reason], plugin: 'PodTopologySpread' });
    assert.equal(runFilter(podTopologySpreadFilter, pod, snap, 'node-3'), null);
  });

  test('a node without the topology label is rejected as missing the label', () => {
    const snap = buildSnapshot([...nodes, makeNode('bare')], []);
    assert.deepEqual(runFilter(podTopologySpreadFilter, spread({}), snap, 'bare'), {
      code: 'UnschedulableAndUnresolvable',
      reasons: [`${reason} (missing required label)`],
      plugin: 'PodTopologySpread',
    });
  });

  test('with fewer eligible domains than minDomains the global minimum is 0', () => {
    const snap = buildSnapshot(nodes, [webOn('web-1', 'node-1'), webOn('web-2', 'node-2'), webOn('web-3', 'node-3')]);
    assert.equal(runFilter(podTopologySpreadFilter, spread({ topologyKey: host }), snap, 'node-1'), null);
    assert.notEqual(runFilter(podTopologySpreadFilter, spread({ topologyKey: host, minDomains: 4 }), snap, 'node-1'), null);
  });

  test("by default only nodes matching the pod's node affinity count as domains", () => {
    const snap = buildSnapshot(nodes, [webOn('web-1', 'node-1'), webOn('web-2', 'node-1')]);
    const honor = spread({}, { nodeSelector: { disk: 'ssd' } });
    assert.equal(runFilter(podTopologySpreadFilter, honor, snap, 'node-2'), null);
    const ignore = spread({ nodeAffinityPolicy: 'Ignore' }, { nodeSelector: { disk: 'ssd' } });
    assert.notEqual(runFilter(podTopologySpreadFilter, ignore, snap, 'node-2'), null);
  });

  test('nodeTaintsPolicy Honor leaves out nodes with untolerated taints', () => {
    const tainted = [nodes[0], nodes[1], makeNode('node-3', { labels: { [zone]: 'b' }, taints: [{ key: 'maintenance', effect: 'NoSchedule' }] })].filter((n) => n !== undefined);
    const snap = buildSnapshot(tainted, [webOn('web-1', 'node-1'), webOn('web-2', 'node-1')]);
    assert.notEqual(runFilter(podTopologySpreadFilter, spread({}), snap, 'node-2'), null);
    assert.equal(runFilter(podTopologySpreadFilter, spread({ nodeTaintsPolicy: 'Honor' }), snap, 'node-2'), null);
  });

  test('ScheduleAnyway constraints do not filter', () => {
    const snap = buildSnapshot(nodes, [webOn('web-1', 'node-1'), webOn('web-2', 'node-1')]);
    assert.equal(runFilter(podTopologySpreadFilter, spread({ whenUnsatisfiable: 'ScheduleAnyway' }), snap, 'node-2'), 'skip');
  });
});

describe('PodTopologySpread score', () => {
  test('ScheduleAnyway prefers the less crowded hosts', () => {
    const snap = buildSnapshot(nodes, [webOn('web-1', 'node-1'), webOn('web-2', 'node-1'), webOn('web-3', 'node-2')]);
    const pod = spread({ topologyKey: host, whenUnsatisfiable: 'ScheduleAnyway' });
    assert.deepEqual(runScore(podTopologySpreadScore, pod, snap), { 'node-1': 0, 'node-2': 33, 'node-3': 100 });
  });

  test("system defaults spread a ReplicaSet's pods over hosts and zones", () => {
    const owner = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true }];
    const rsPod = (name: string, nodeName?: string): Pod => makePod(name, { labels: { app: 'web' }, ownerReferences: owner, ...(nodeName === undefined ? {} : { nodeName }) });
    const rs: ReplicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-abc', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } } } };
    const snap = buildSnapshot(nodes, [rsPod('web-1', 'node-1'), rsPod('web-2', 'node-1')], { replicaSets: [rs] });
    assert.deepEqual(runScore(podTopologySpreadScore, rsPod('web-3'), snap), { 'node-1': 50, 'node-2': 75, 'node-3': 100 });
  });

  test('a pod without constraints or a controller skips the score', () => {
    assert.equal(runScore(podTopologySpreadScore, makePod('lonely', { labels: { app: 'web' } }), buildSnapshot(nodes, [])), null);
  });
});

describe('matching pods per node', () => {
  test('a count is remembered for a NodeInfo and a rebuilt NodeInfo is counted afresh', () => {
    const first = buildSnapshot(nodes, [webOn('w1', 'node-1'), webOn('w2', 'node-1'), makePod('other', { nodeName: 'node-1', labels: { app: 'db' } })]);
    const info = first.nodeByName.get('node-1');
    assert.ok(info !== undefined);
    assert.equal(nodeMatchingPods(info, LabelSelector.fromSet({ app: 'web' }), 'default'), 2);
    assert.equal(nodeMatchingPods(info, LabelSelector.fromSet({ app: 'web' }), 'default'), 2, 'an equal selector hits the same count');
    assert.equal(nodeMatchingPods(info, LabelSelector.fromSet({ app: 'db' }), 'default'), 1);
    assert.equal(nodeMatchingPods(info, LabelSelector.fromSet({ app: 'web' }), 'elsewhere'), 0, 'another namespace counts separately');
    const second = buildSnapshot(nodes, [webOn('w1', 'node-1'), webOn('w2', 'node-1'), webOn('w3', 'node-1')]);
    const rebuilt = second.nodeByName.get('node-1');
    assert.ok(rebuilt !== undefined);
    assert.equal(nodeMatchingPods(rebuilt, LabelSelector.fromSet({ app: 'web' }), 'default'), 3);
  });
});
