import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Affinity, Pod } from 'kubernetes-types/core/v1.js';
import { buildSnapshot } from '../framework.js';
import { makeNode, makePod, runFilter, runScore } from '../test-objects.js';
import { interPodAffinityFilter, interPodAffinityScore } from './inter-pod-affinity.js';

const zone = 'topology.kubernetes.io/zone';
const host = 'kubernetes.io/hostname';
const nodes = [makeNode('node-a', { labels: { [zone]: 'a' } }), makeNode('node-b', { labels: { [zone]: 'a' } }), makeNode('node-c', { labels: { [zone]: 'b' } })];
const cache = makePod('cache', { nodeName: 'node-a', labels: { app: 'cache' } });

function web(affinity: Affinity, labels: Record<string, string> = { app: 'web' }): Pod {
  return makePod('web', { labels, spec: { affinity } });
}

const term = (app: string, topologyKey: string) => ({ labelSelector: { matchLabels: { app } }, topologyKey });

describe('InterPodAffinity filter', () => {
  const snap = buildSnapshot(nodes, [cache]);

  test('required affinity admits only nodes in the topology of a matching pod', () => {
    const pod = web({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', zone)] } });
    assert.equal(runFilter(interPodAffinityFilter, pod, snap, 'node-a'), null);
    assert.equal(runFilter(interPodAffinityFilter, pod, snap, 'node-b'), null);
    assert.deepEqual(runFilter(interPodAffinityFilter, pod, snap, 'node-c'), {
      code: 'UnschedulableAndUnresolvable',
      reasons: ["node(s) didn't match pod affinity rules"],
      plugin: 'InterPodAffinity',
    });
  });

  test('required anti-affinity keeps the pod out of the topology of a matching pod', () => {
    const pod = web({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', host)] } });
    assert.deepEqual(runFilter(interPodAffinityFilter, pod, snap, 'node-a'), {
      code: 'Unschedulable',
      reasons: ["node(s) didn't match pod anti-affinity rules"],
      plugin: 'InterPodAffinity',
    });
    assert.equal(runFilter(interPodAffinityFilter, pod, snap, 'node-b'), null);
  });

  test("an existing pod's anti-affinity keeps matching pods out of its topology", () => {
    const loner = makePod('loner', {
      nodeName: 'node-c',
      labels: { app: 'loner' },
      spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', zone)] } } },
    });
    const s = buildSnapshot(nodes, [cache, loner]);
    const pod = makePod('web', { labels: { app: 'web' } });
    assert.deepEqual(runFilter(interPodAffinityFilter, pod, s, 'node-c'), {
      code: 'Unschedulable',
      reasons: ["node(s) didn't satisfy existing pods anti-affinity rules"],
      plugin: 'InterPodAffinity',
    });
    assert.equal(runFilter(interPodAffinityFilter, pod, s, 'node-a'), null);
  });

  test('the first pod of a group with affinity to itself may go to any node with the topology', () => {
    const pod = web({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', zone)] } });
    assert.equal(runFilter(interPodAffinityFilter, pod, snap, 'node-c'), null);
  });

  test('terms without namespaces only match pods of the same namespace', () => {
    const pod = makePod('web', { namespace: 'prod', labels: { app: 'web' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', zone)] } } } });
    assert.notEqual(runFilter(interPodAffinityFilter, pod, snap, 'node-a'), null);
  });

  test('a namespaceSelector matches pods in namespaces with those labels', () => {
    const s = buildSnapshot(nodes, [cache], { namespaceLabels: new Map([['default', { team: 'shared' }]]) });
    const pod = makePod('web', {
      namespace: 'prod',
      spec: {
        affinity: {
          podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term('cache', zone), namespaceSelector: { matchLabels: { team: 'shared' } } }] },
        },
      },
    });
    assert.equal(runFilter(interPodAffinityFilter, pod, s, 'node-b'), null);
    assert.notEqual(runFilter(interPodAffinityFilter, pod, s, 'node-c'), null);
  });

  test('a pod without affinity on a cluster without anti-affinity is skipped', () => {
    assert.equal(runFilter(interPodAffinityFilter, makePod('web'), snap, 'node-a'), 'skip');
  });
});

describe('InterPodAffinity score', () => {
  const snap = buildSnapshot(nodes, [cache]);

  test('preferred affinity favours the topology of matching pods', () => {
    const pod = web({ podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('cache', zone) }] } });
    assert.deepEqual(runScore(interPodAffinityScore, pod, snap), { 'node-a': 100, 'node-b': 100, 'node-c': 0 });
  });

  test('preferred anti-affinity disfavours it', () => {
    const pod = web({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('cache', host) }] } });
    assert.deepEqual(runScore(interPodAffinityScore, pod, snap), { 'node-a': 0, 'node-b': 100, 'node-c': 100 });
  });

  test("an existing pod's required affinity to the incoming pod attracts it with weight 1", () => {
    const fan = makePod('fan', { nodeName: 'node-c', spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', zone)] } } } });
    const s = buildSnapshot(nodes, [cache, fan]);
    assert.deepEqual(runScore(interPodAffinityScore, makePod('web', { labels: { app: 'web' } }), s), { 'node-a': 0, 'node-b': 0, 'node-c': 100 });
  });

  test('without any affinity in play the score is skipped', () => {
    assert.equal(runScore(interPodAffinityScore, makePod('web'), snap), null);
  });
});
