import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import {
  DesiredReplicasAnnotation,
  MaxReplicasAnnotation,
  RevisionAnnotation,
  RevisionHistoryAnnotation,
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getProportion,
  lastRevision,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newDeploymentCondition,
  newRSNewReplicas,
  proportionalSizes,
  setDeploymentAnnotationsTo,
  setDeploymentCondition,
  setNewReplicaSetAnnotations,
  statusEqual,
  byRevision,
} from './deployment-util.js';

const template = (image: string, extraLabels: Record<string, string> = {}) => ({
  metadata: { labels: { app: 'web', ...extraLabels } },
  spec: { containers: [{ name: 'web', image }] },
});

function deployment(replicas: number, opts: { surge?: number | string; unavailable?: number | string; recreate?: boolean; image?: string; annotations?: Record<string, string> } = {}): Deployment {
  return {
    metadata: { name: 'web', namespace: 'default', generation: 1, annotations: { ...(opts.annotations ?? {}) } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: template(opts.image ?? 'nginx:2'),
      strategy: opts.recreate === true ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: opts.surge ?? '25%', maxUnavailable: opts.unavailable ?? '25%' } },
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
    },
    status: {},
  };
}

function rs(name: string, replicas: number, opts: { image?: string; revision?: string; created?: string; available?: number; actual?: number; maxReplicas?: number; desired?: number } = {}): ReplicaSet {
  const annotations: Record<string, string> = {};
  if (opts.revision !== undefined) annotations[RevisionAnnotation] = opts.revision;
  if (opts.maxReplicas !== undefined) annotations[MaxReplicasAnnotation] = String(opts.maxReplicas);
  if (opts.desired !== undefined) annotations[DesiredReplicasAnnotation] = String(opts.desired);
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: opts.created ?? '2024-01-01T00:00:00Z', annotations },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(opts.image ?? 'nginx:1', { 'pod-template-hash': name }) },
    status: { replicas: opts.actual ?? replicas, availableReplicas: opts.available ?? replicas, readyReplicas: opts.available ?? replicas },
  };
}

describe('maxSurge and maxUnavailable of a deployment', () => {
  test('percentages resolve against spec.replicas, surge up and unavailable down', () => {
    assert.equal(maxSurge(deployment(10)), 3);
    assert.equal(maxUnavailable(deployment(10)), 2);
  });

  test('maxUnavailable is capped at the replica count and is zero for Recreate', () => {
    assert.equal(maxUnavailable(deployment(2, { surge: 0, unavailable: 5 })), 2);
    assert.equal(maxUnavailable(deployment(4, { recreate: true })), 0);
    assert.equal(maxSurge(deployment(4, { recreate: true })), 0);
  });
});

describe('newRSNewReplicas', () => {
  test('a rolling update scales the new ReplicaSet up to the surge limit, never beyond spec.replicas', () => {
    const d = deployment(3, { surge: 1, unavailable: 1 });
    const old = rs('old', 3);
    const fresh = rs('new', 0, { image: 'nginx:2' });
    assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 1);
    assert.equal(newRSNewReplicas(d, [rs('old', 1), fresh], fresh), 3);
    assert.equal(newRSNewReplicas(d, [rs('old', 3), rs('new', 1)], rs('new', 1)), 1);
  });

  test('Recreate goes straight to spec.replicas', () => {
    assert.equal(newRSNewReplicas(deployment(5, { recreate: true }), [], rs('new', 0)), 5);
  });
});

describe('proportional scaling', () => {
  test('a scale from 10 to 20 mid-rollout shares 25 replicas as 8:5 were shared', () => {
    const d = deployment(20);
    const old = rs('old', 8, { maxReplicas: 13, created: '2024-01-01T00:00:00Z' });
    const fresh = rs('new', 5, { maxReplicas: 13, created: '2024-01-02T00:00:00Z', image: 'nginx:2' });
    const sizes = proportionalSizes(d, [fresh, old]).map(({ rs: r, size }) => [r.metadata?.name, size]);
    assert.deepEqual(sizes, [['old', 15], ['new', 10]]);
  });

  test('scaling down takes from the larger ReplicaSets first and leftovers go to the first', () => {
    const d = deployment(5, { surge: 0, unavailable: 1 });
    const a = rs('a', 6, { maxReplicas: 10 });
    const b = rs('b', 4, { maxReplicas: 10, created: '2024-01-02T00:00:00Z' });
    const sizes = proportionalSizes(d, [a, b]);
    assert.equal(sizes.reduce((n, s) => n + s.size, 0), 5);
    assert.deepEqual(sizes.map(({ rs: r, size }) => [r.metadata?.name, size]), [['a', 3], ['b', 2]]);
  });

  test('scaling to zero removes every replica', () => {
    const sizes = proportionalSizes(deployment(0), [rs('a', 3, { maxReplicas: 5 }), rs('b', 2, { maxReplicas: 5 })]);
    assert.deepEqual(sizes.map((s) => s.size), [0, 0]);
  });

  test('getProportion never hands out more than is left to add', () => {
    const d = deployment(20);
    assert.equal(getProportion(rs('x', 8, { maxReplicas: 13 }), d, 12, 10), 2);
    assert.equal(getProportion(rs('x', 0), d, 12, 0), 0);
    assert.equal(getProportion(undefined, d, 12, 0), 0);
  });
});

describe('finding the new and old ReplicaSets', () => {
  test('the new ReplicaSet is the oldest one whose template equals the deployment template, hash label aside', () => {
    const d = deployment(3, { image: 'nginx:2' });
    const a = rs('a', 1, { image: 'nginx:2', created: '2024-01-03T00:00:00Z' });
    const b = rs('b', 1, { image: 'nginx:2', created: '2024-01-02T00:00:00Z' });
    const c = rs('c', 0, { image: 'nginx:1' });
    assert.equal(findNewReplicaSet(d, [a, b, c])?.metadata?.name, 'b');
    const { required, all } = findOldReplicaSets(d, [a, b, c]);
    assert.deepEqual(all.map((r) => r.metadata?.name), ['a', 'c']);
    assert.deepEqual(required.map((r) => r.metadata?.name), ['a']);
  });

  test('templates differing only in empty fields or the hash label are equal', () => {
    assert.ok(equalIgnoreHash(template('x', { 'pod-template-hash': 'abc' }), { ...template('x'), spec: { ...template('x').spec, volumes: [] } }));
    assert.ok(!equalIgnoreHash(template('x'), template('y')));
  });

  test('findActiveOrLatest returns the only active set, the newest when none is active, nothing when several are', () => {
    const old1 = rs('o1', 0, { created: '2024-01-01T00:00:00Z' });
    const old2 = rs('o2', 0, { created: '2024-01-02T00:00:00Z' });
    assert.equal(findActiveOrLatest(undefined, [old1, old2])?.metadata?.name, 'o2');
    assert.equal(findActiveOrLatest(rs('n', 0), [old1])?.metadata?.name, 'n');
    assert.equal(findActiveOrLatest(rs('n', 2), [old1])?.metadata?.name, 'n');
    assert.equal(findActiveOrLatest(rs('n', 2), [rs('o3', 1)]), undefined);
  });
});

describe('revisions', () => {
  test('the max and the last revision come from the annotations, unparsable ones skipped', () => {
    const sets = [rs('a', 0, { revision: '1' }), rs('b', 0, { revision: '4' }), rs('c', 0, { revision: '2' }), rs('d', 0, { revision: 'x' })];
    assert.equal(maxRevision(sets), 4);
    assert.equal(lastRevision(sets), 2);
    assert.deepEqual([sets[1], sets[0], sets[2]].filter((r) => r !== undefined).sort(byRevision).map((r) => r.metadata?.name), ['a', 'c', 'b']);
  });

  test('a new ReplicaSet gets the revision, the replica annotations and the deployment annotations but not the skipped ones', () => {
    const d = deployment(3, { surge: 1, annotations: { 'kubernetes.io/change-cause': 'kubectl set image', [RevisionAnnotation]: '7', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } });
    const r = rs('n', 0);
    assert.equal(setNewReplicaSetAnnotations(d, r, '2', false), true);
    assert.deepEqual(r.metadata?.annotations, { 'kubernetes.io/change-cause': 'kubectl set image', [RevisionAnnotation]: '2', [DesiredReplicasAnnotation]: '3', [MaxReplicasAnnotation]: '4' });
    assert.equal(setNewReplicaSetAnnotations(d, r, '2', true), false);
  });

  test('a ReplicaSet brought back by a rollback keeps its earlier revisions in revision-history', () => {
    const d = deployment(3);
    const r = rs('back', 3, { revision: '1' });
    setNewReplicaSetAnnotations(d, r, '3', true);
    assert.equal(r.metadata?.annotations?.[RevisionAnnotation], '3');
    assert.equal(r.metadata?.annotations?.[RevisionHistoryAnnotation], '1');
    setNewReplicaSetAnnotations(d, r, '5', true);
    assert.equal(r.metadata?.annotations?.[RevisionHistoryAnnotation], '1,3');
  });

  test('the revision history drops its oldest entries beyond the length limit', () => {
    const r = rs('back', 3, { revision: '30' });
    (r.metadata?.annotations ?? {})[RevisionHistoryAnnotation] = '10,20';
    setNewReplicaSetAnnotations(deployment(3), r, '40', true, 6);
    assert.equal(r.metadata?.annotations?.[RevisionHistoryAnnotation], '20,30');
  });

  test('a rollback gives the deployment the ReplicaSet annotations and keeps its own revision', () => {
    const d = deployment(3, { annotations: { [RevisionAnnotation]: '2', 'kubernetes.io/change-cause': 'two' } });
    const r = rs('one', 0, { revision: '1' });
    (r.metadata?.annotations ?? {})['kubernetes.io/change-cause'] = 'one';
    setDeploymentAnnotationsTo(d, r);
    assert.deepEqual(d.metadata?.annotations, { [RevisionAnnotation]: '2', 'kubernetes.io/change-cause': 'one' });
  });
});

describe('conditions and status', () => {
  const t0 = Date.parse('2024-05-01T10:00:00Z');

  test('setting a condition of the same status and reason changes nothing; a new reason keeps lastTransitionTime', () => {
    const status = { conditions: [newDeploymentCondition('Progressing', 'True', 'NewReplicaSetCreated', 'a', t0)] };
    setDeploymentCondition(status, newDeploymentCondition('Progressing', 'True', 'NewReplicaSetCreated', 'b', t0 + 5000));
    assert.equal(status.conditions[0]?.message, 'a');
    setDeploymentCondition(status, newDeploymentCondition('Progressing', 'True', 'ReplicaSetUpdated', 'c', t0 + 5000));
    assert.deepEqual(status.conditions[0], { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'c', lastUpdateTime: '2024-05-01T10:00:05Z', lastTransitionTime: '2024-05-01T10:00:00Z' });
    setDeploymentCondition(status, newDeploymentCondition('Progressing', 'False', 'ProgressDeadlineExceeded', 'd', t0 + 9000));
    assert.equal(status.conditions[0]?.lastTransitionTime, '2024-05-01T10:00:09Z');
  });

  test('calculateStatus counts the ReplicaSets and sets Available by maxUnavailable', () => {
    const d = deployment(4, { surge: 1, unavailable: 1 });
    const old = rs('old', 2, { available: 2 });
    const fresh = rs('new', 3, { available: 1, actual: 3, image: 'nginx:2' });
    const s = calculateStatus([old, fresh], fresh, d, t0);
    assert.deepEqual({ ...s, conditions: undefined }, { observedGeneration: 1, replicas: 5, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 2, conditions: undefined });
    assert.deepEqual(s.conditions?.map((c) => [c.type, c.status, c.reason, c.message]), [['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']]);
    const low = calculateStatus([rs('new', 4, { available: 2 })], undefined, d, t0);
    assert.deepEqual(low.conditions?.map((c) => [c.status, c.reason, c.message]), [['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']]);
  });

  test('complete, progressing and timed out read as upstream defines them', () => {
    const d = deployment(2);
    assert.ok(deploymentComplete(d, { replicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 1 }));
    assert.ok(!deploymentComplete(d, { replicas: 3, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 1 }));
    d.status = { replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 };
    assert.ok(deploymentProgressing(d, { replicas: 3, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }));
    assert.ok(!deploymentProgressing(d, { replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 }));
    const s = { conditions: [newDeploymentCondition('Progressing', 'True', 'ReplicaSetUpdated', 'x', t0)] };
    assert.ok(!deploymentTimedOut(d, s, t0 + 600_000));
    assert.ok(deploymentTimedOut(d, s, t0 + 600_001));
    assert.ok(!deploymentTimedOut(d, { conditions: [newDeploymentCondition('Progressing', 'True', 'NewReplicaSetAvailable', 'x', t0)] }, t0 + 10_000_000));
  });

  test('statuses that differ only in zero counts are equal, as the API would store them', () => {
    assert.ok(statusEqual({ replicas: 0, observedGeneration: 1 }, { observedGeneration: 1 }));
    assert.ok(!statusEqual({ replicas: 1 }, {}));
  });
});
