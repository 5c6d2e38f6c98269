import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { ApiError } from '../../machinery/errors.js';
import { evictPodWithBudgets, evictionRetrySteps, type EvictionStorage } from './evict-pod-with-budgets.js';
import type { Preconditions } from './mark-disruption-target.js';

const now = Date.parse('2025-01-01T00:10:00Z');
const env = { now: () => now, sleep: async () => {} };

/** An in-memory pod and budgets with resourceVersions checked as the API server does. */
class FakeStorage implements EvictionStorage {
  pod: Pod | undefined;
  pdbs: PodDisruptionBudget[];
  deletes: { preconditions?: Preconditions; dryRun: boolean }[] = [];
  statusWrites = 0;
  /** Conflicts to inject into the next budget status writes. */
  pdbConflicts = 0;
  /** Called before each pod delete (to change the pod under the eviction). */
  beforeDelete: (() => void) | undefined;
  private rv = 100;

  constructor(pod: Pod, pdbs: PodDisruptionBudget[]) {
    this.pod = pod;
    this.pdbs = pdbs;
  }

  async getPod(): Promise<Pod> {
    if (this.pod === undefined) throw ApiError.notFound({ group: '', name: 'pods' }, 'web-1');
    return structuredClone(this.pod);
  }
  async listPdbs(): Promise<PodDisruptionBudget[]> {
    return structuredClone(this.pdbs);
  }
  async getPdb(name: string): Promise<PodDisruptionBudget> {
    const p = this.pdbs.find((x) => x.metadata?.name === name);
    if (p === undefined) throw ApiError.notFound({ group: 'policy', name: 'poddisruptionbudgets' }, name);
    return structuredClone(p);
  }
  async updatePdbStatus(pdb: PodDisruptionBudget): Promise<void> {
    const i = this.pdbs.findIndex((x) => x.metadata?.name === pdb.metadata?.name);
    const cur = this.pdbs[i];
    if (cur === undefined) throw new Error('no such budget');
    if (this.pdbConflicts > 0 || cur.metadata?.resourceVersion !== pdb.metadata?.resourceVersion) {
      this.pdbConflicts--;
      // Someone else wrote the budget meanwhile.
      this.pdbs[i] = { ...cur, metadata: { ...cur.metadata, resourceVersion: String(++this.rv) } };
      throw ApiError.conflict({ group: 'policy', name: 'poddisruptionbudgets' }, pdb.metadata?.name ?? '', ApiError.optimisticLockMessage);
    }
    this.statusWrites++;
    this.pdbs[i] = { ...pdb, metadata: { ...pdb.metadata, resourceVersion: String(++this.rv) } };
  }
  async updatePodStatus(mutate: (latest: Pod) => Pod): Promise<Pod> {
    if (this.pod === undefined) throw new Error('no pod');
    const next = mutate(structuredClone(this.pod));
    this.pod = { ...next, metadata: { ...next.metadata, resourceVersion: String(++this.rv) } };
    return this.pod;
  }
  async deletePod(opts: { preconditions?: Preconditions; dryRun: boolean }): Promise<void> {
    this.beforeDelete?.();
    const rv = opts.preconditions?.resourceVersion;
    if (rv !== undefined && rv !== this.pod?.metadata?.resourceVersion) throw ApiError.conflict({ group: '', name: 'pods' }, 'web-1', 'precondition failed');
    this.deletes.push(opts);
    if (!opts.dryRun) this.pod = undefined;
  }
}

const pod = (opts: { phase?: string; ready?: boolean } = {}): Pod => ({
  metadata: { name: 'web-1', namespace: 'ns', uid: 'u1', resourceVersion: '42', labels: { app: 'web' } },
  status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});
const pdb = (status: Partial<PodDisruptionBudgetStatus> = {}, policy?: string): PodDisruptionBudget => ({
  metadata: { name: 'web-pdb', namespace: 'ns', generation: 1, resourceVersion: '9' },
  spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } }, ...(policy !== undefined ? { unhealthyPodEvictionPolicy: policy } : {}) },
  status: { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, ...status },
});

describe('evictPodWithBudgets', () => {
  test('records the disruption in the budget before deleting the pod with a DisruptionTarget condition', async () => {
    const s = new FakeStorage(pod(), [pdb()]);
    let podAtDelete: Pod | undefined;
    s.beforeDelete = () => (podAtDelete = s.pod);
    await evictPodWithBudgets(s, { dryRun: false }, env);
    assert.equal(s.pod, undefined);
    assert.equal(s.pdbs[0]?.status?.disruptionsAllowed, 0);
    assert.deepEqual(s.pdbs[0]?.status?.disruptedPods, { 'web-1': '2025-01-01T00:10:00Z' });
    assert.equal(podAtDelete?.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'EvictionByEvictionAPI');
    assert.deepEqual(s.deletes, [{ dryRun: false }]);
  });

  test('refuses with the 429 when the budget allows no disruption, and leaves everything alone', async () => {
    const s = new FakeStorage(pod(), [pdb({ disruptionsAllowed: 0, currentHealthy: 2 })]);
    await assert.rejects(evictPodWithBudgets(s, { dryRun: false }, env), (e: unknown) => e instanceof ApiError && e.code === 429 && e.details?.causes?.[0]?.message === 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently');
    assert.ok(s.pod !== undefined);
    assert.equal(s.statusWrites, 0);
  });

  test('re-reads the budget after a conflict and checks it again', async () => {
    const s = new FakeStorage(pod(), [pdb()]);
    s.pdbConflicts = 2;
    await evictPodWithBudgets(s, { dryRun: false }, env);
    assert.equal(s.statusWrites, 1);
    assert.equal(s.pod, undefined);
  });

  test('gives up with the conflict after upstream\'s twenty tries', async () => {
    const s = new FakeStorage(pod(), [pdb()]);
    s.pdbConflicts = evictionRetrySteps;
    await assert.rejects(evictPodWithBudgets(s, { dryRun: false }, env), (e: unknown) => e instanceof ApiError && e.code === 409);
    assert.ok(s.pod !== undefined);
  });

  test('a dry run checks the budget, writes nothing and deletes in dry run', async () => {
    const s = new FakeStorage(pod(), [pdb()]);
    await evictPodWithBudgets(s, { dryRun: true }, env);
    assert.equal(s.statusWrites, 0);
    assert.ok(s.pod?.status?.conditions?.every((c) => c.type !== 'DisruptionTarget'));
    assert.deepEqual(s.deletes, [{ dryRun: true }]);
  });

  test('terminal pods are deleted whatever the budget says', async () => {
    const s = new FakeStorage(pod({ phase: 'Succeeded' }), [pdb({ disruptionsAllowed: 0 })]);
    await evictPodWithBudgets(s, { dryRun: false }, env);
    assert.equal(s.pod, undefined);
    assert.deepEqual(s.deletes, [{ dryRun: false }]);
  });

  test('pending pods are deleted guarded by the resourceVersion they had, moved by the condition update', async () => {
    const s = new FakeStorage(pod({ phase: 'Pending' }), [pdb({ disruptionsAllowed: 0 })]);
    await evictPodWithBudgets(s, { dryRun: false }, env);
    assert.equal(s.pod, undefined);
    assert.equal(s.deletes.length, 1);
    assert.ok(s.deletes[0]?.preconditions?.resourceVersion !== undefined && s.deletes[0].preconditions.resourceVersion !== '42');
  });

  test('an unready pod of a satisfied budget is deleted without touching the budget', async () => {
    const s = new FakeStorage(pod({ ready: false }), [pdb({ disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 })]);
    await evictPodWithBudgets(s, { dryRun: false }, env);
    assert.equal(s.pod, undefined);
    assert.equal(s.statusWrites, 0);
  });

  test('an unready pod that changed meanwhile is a 429 to retry', async () => {
    const s = new FakeStorage(pod({ ready: false }), [pdb({ disruptionsAllowed: 0 }, 'AlwaysAllow')]);
    s.beforeDelete = () => {
      if (s.pod !== undefined) s.pod = { ...s.pod, metadata: { ...s.pod.metadata, resourceVersion: '999' } };
    };
    await assert.rejects(evictPodWithBudgets(s, { dryRun: false }, env), (e: unknown) => e instanceof ApiError && e.code === 429 && e.details?.causes?.[0]?.message === 'The disruption budget web-pdb is still being processed by the server.');
  });

  test('a pod with two budgets is a 500', async () => {
    const s = new FakeStorage(pod(), [pdb(), { ...pdb(), metadata: { name: 'second', namespace: 'ns', generation: 1 } }]);
    await assert.rejects(evictPodWithBudgets(s, { dryRun: false }, env), (e: unknown) => e instanceof ApiError && e.code === 500);
    assert.ok(s.pod !== undefined);
  });

  test('a missing pod is the store\'s 404', async () => {
    const s = new FakeStorage(pod(), []);
    s.pod = undefined;
    await assert.rejects(evictPodWithBudgets(s, { dryRun: false }, env), (e: unknown) => e instanceof ApiError && e.code === 404);
  });
});
