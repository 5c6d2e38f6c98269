import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { getPodsToDelete, isPodActive, isPodAvailable, isPodReady, podDeletionCost } from './active-pods.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const iso = (msAgo: number): string => new Date(now - msAgo).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface PodOpts {
  node?: string;
  phase?: string;
  ready?: boolean;
  readyAgoMs?: number;
  createdAgoMs?: number;
  restarts?: number;
  cost?: string;
  deleting?: boolean;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const p: Pod = {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: iso(o.createdAgoMs ?? 60_000) },
    spec: { containers: [{ name: 'c' }] },
    status: { phase: o.phase ?? 'Running' },
  };
  const meta = p.metadata as { annotations?: Record<string, string>; deletionTimestamp?: string };
  if (o.cost !== undefined) meta.annotations = { 'controller.kubernetes.io/pod-deletion-cost': o.cost };
  if (o.deleting === true) meta.deletionTimestamp = iso(0);
  if (o.node !== undefined) (p.spec as { nodeName?: string }).nodeName = o.node;
  const status = p.status as { conditions?: unknown[]; containerStatuses?: unknown[] };
  if (o.ready !== undefined) status.conditions = [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: iso(o.readyAgoMs ?? 30_000) }];
  if (o.restarts !== undefined) status.containerStatuses = [{ name: 'c', restartCount: o.restarts, ready: true, image: 'x', imageID: '' }];
  return p;
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata?.name ?? '');

describe('pod predicates', () => {
  test('succeeded, failed and terminating pods are not active', () => {
    assert.equal(isPodActive(pod('a')), true);
    assert.equal(isPodActive(pod('a', { phase: 'Pending' })), true);
    assert.equal(isPodActive(pod('a', { phase: 'Succeeded' })), false);
    assert.equal(isPodActive(pod('a', { phase: 'Failed' })), false);
    assert.equal(isPodActive(pod('a', { deleting: true })), false);
  });

  test('a pod is available once it has been ready for minReadySeconds', () => {
    const p = pod('a', { ready: true, readyAgoMs: 10_000 });
    assert.equal(isPodReady(p), true);
    assert.equal(isPodAvailable(p, 0, now), true);
    assert.equal(isPodAvailable(p, 5, now), true);
    assert.equal(isPodAvailable(p, 10, now), false);
    assert.equal(isPodAvailable(pod('b', { ready: false }), 0, now), false);
  });

  test('an invalid deletion cost counts as zero', () => {
    assert.equal(podDeletionCost(pod('a', { cost: '-5' })), -5);
    assert.equal(podDeletionCost(pod('a', { cost: 'x' })), 0);
    assert.equal(podDeletionCost(pod('a', { cost: '99999999999' })), 0);
  });
});

describe('getPodsToDelete', () => {
  test('unassigned pods go before assigned ones', () => {
    const pods = [pod('assigned', { node: 'n1', ready: true }), pod('unassigned', { phase: 'Pending' })];
    assert.deepEqual(names(getPodsToDelete(pods, pods, 1, now)), ['unassigned']);
  });

  test('pending goes before unknown, which goes before running', () => {
    const pods = [pod('running', { node: 'n1' }), pod('unknown', { node: 'n1', phase: 'Unknown' }), pod('pending', { node: 'n1', phase: 'Pending' })];
    assert.deepEqual(names(getPodsToDelete(pods, pods, 2, now)), ['pending', 'unknown']);
  });

  test('not ready goes before ready', () => {
    const pods = [pod('ready', { node: 'n1', ready: true }), pod('notready', { node: 'n1', ready: false })];
    assert.deepEqual(names(getPodsToDelete(pods, pods, 1, now)), ['notready']);
  });

  test('a lower deletion cost goes first', () => {
    const pods = [pod('costly', { node: 'n1', cost: '100' }), pod('cheap', { node: 'n1', cost: '-1' })];
    assert.deepEqual(names(getPodsToDelete(pods, pods, 1, now)), ['cheap']);
  });

  test('pods doubled up on a node go before pods alone on theirs', () => {
    const pods = [pod('alone', { node: 'n1' }), pod('crowded', { node: 'n2' })];
    const related = [...pods, pod('other', { node: 'n2' })];
    assert.deepEqual(names(getPodsToDelete(pods, related, 1, now)), ['crowded']);
  });

  test('the pod ready for less time goes first when the difference crosses a power of two', () => {
    const pods = [pod('old', { node: 'n1', ready: true, readyAgoMs: 3_600_000 }), pod('new', { node: 'n1', ready: true, readyAgoMs: 10_000 })];
    assert.deepEqual(names(getPodsToDelete(pods, pods, 1, now)), ['new']);
  });

  test('more container restarts go first', () => {
    const pods = [pod('calm', { node: 'n1', restarts: 0 }), pod('flappy', { node: 'n1', restarts: 4 })];
    assert.deepEqual(names(getPodsToDelete(pods, pods, 1, now)), ['flappy']);
  });

  test('newer pods go before older ones', () => {
    const pods = [pod('older', { node: 'n1', createdAgoMs: 7_200_000 }), pod('newer', { node: 'n1', createdAgoMs: 5_000 })];
    assert.deepEqual(names(getPodsToDelete(pods, pods, 1, now)), ['newer']);
  });

  test('deleting all pods keeps them in the given order', () => {
    const pods = [pod('a', { node: 'n1' }), pod('b')];
    assert.deepEqual(names(getPodsToDelete(pods, pods, 2, now)), ['a', 'b']);
  });
});
