// Live: the disruption controller, run in this process, against a real k8ts server with two virtual nodes (whose pods
// go Running and Ready), and what kubectl shows of the budgets it maintains.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { K8tsServer, waitFor } from '../../../test/e2e/support/server.js';
import { controllerNames } from '../controller-names.js';
import { startDisruptionController, type DisruptionControllerHandle } from './disruption-controller.js';

function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const replicaSet = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
  },
};

const budget = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } };

const disabled = controllerNames.includes('disruption-controller') ? ['--disable-controller', 'disruption-controller'] : [];

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

describe('disruption controller against a real server with virtual nodes', () => {
  let server: K8tsServer;
  let client: RestClient;
  let dc: DisruptionControllerHandle | undefined;
  const ns = 'pdb-test';
  const pdbPath = `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/web`;

  before(async () => {
    server = await K8tsServer.start({ extraArgs: ['--virtual-nodes', '2', ...disabled] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    dc = startDisruptionController(client);
    await dc.waitForSync();
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await waitFor(`the default service account of ${ns}`, async () => {
      try {
        await client.request('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`);
        return true;
      } catch {
        return false;
      }
    });
  });

  after(async () => {
    dc?.stop();
    client.close();
    await server.destroy();
  });

  const statusOf = async (): Promise<PodDisruptionBudget> => client.request<PodDisruptionBudget>('GET', pdbPath);

  test('a budget of minAvailable 2 over a ready 3-replica ReplicaSet allows one disruption, and kubectl shows it', async () => {
    await client.request('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, replicaSet);
    await client.request('POST', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, budget);
    let pdb: PodDisruptionBudget | undefined;
    await waitFor('three healthy pods in the budget status', async () => {
      pdb = await statusOf();
      return pdb.status?.currentHealthy === 3;
    }, 60_000);
    const st = pdb?.status;
    assert.equal(st?.currentHealthy, 3);
    assert.equal(st?.desiredHealthy, 2);
    assert.equal(st?.disruptionsAllowed, 1);
    assert.equal(st?.expectedPods, 3);
    assert.equal(st?.observedGeneration, 1);
    assert.equal(st?.disruptedPods, undefined);
    assert.deepEqual(
      st?.conditions?.map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration]),
      [['DisruptionAllowed', 'True', 'SufficientPods', '', 1]],
    );

    const table = await kubectl(server.kubeconfig, ['get', 'pdb', '-n', ns]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.deepEqual(lines[0]?.split(/\s{2,}/), ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);
    const row = lines[1]?.split(/\s+/) ?? [];
    assert.deepEqual(row.slice(0, 4), ['web', '2', 'N/A', '1']);
    assert.match(row[4] ?? '', /^\d+s$/);
  });

  test('a pod the eviction subresource recorded does not count as healthy until its entry expires', async () => {
    const pods = (await client.request<{ items: { metadata: { name: string } }[] }>('GET', `/api/v1/namespaces/${ns}/pods`)).items.map((p) => p.metadata.name).sort();
    const [fresh, stale] = pods;
    assert.ok(fresh !== undefined && stale !== undefined);
    const current = await statusOf();
    const now = Date.now();
    // What an eviction writes (a just-evicted pod), plus an entry older than the two-minute deletion timeout.
    await client.request('PUT', `${pdbPath}/status`, {
      ...current,
      status: { ...current.status, disruptionsAllowed: 0, disruptedPods: { [fresh]: iso(now), [stale]: iso(now - 3 * 60_000) } },
    });
    let pdb: PodDisruptionBudget | undefined;
    await waitFor('the stale entry dropped', async () => {
      pdb = await statusOf();
      return Object.keys(pdb.status?.disruptedPods ?? {}).length === 1;
    }, 30_000);
    assert.deepEqual(pdb?.status?.disruptedPods, { [fresh]: iso(now) });
    assert.equal(pdb?.status?.currentHealthy, 2);
    assert.equal(pdb?.status?.disruptionsAllowed, 0);
    assert.deepEqual(pdb?.status?.conditions?.map((c) => [c.status, c.reason]), [['False', 'InsufficientPods']]);
  });

  test('a percentage maxUnavailable is taken of the ReplicaSet scale, and a new generation is observed', async () => {
    await client.request('PATCH', pdbPath, { spec: { minAvailable: null, maxUnavailable: '34%' } }, 'application/merge-patch+json');
    let pdb: PodDisruptionBudget | undefined;
    await waitFor('generation 2 observed', async () => {
      pdb = await statusOf();
      return pdb.status?.observedGeneration === 2;
    }, 30_000);
    // 34% of 3 rounds up to 2 unavailable: 1 must stay healthy; one pod is still recorded as disrupted.
    assert.equal(pdb?.status?.expectedPods, 3);
    assert.equal(pdb?.status?.desiredHealthy, 1);
    assert.equal(pdb?.status?.currentHealthy, 2);
    assert.equal(pdb?.status?.disruptionsAllowed, 1);
    const table = await kubectl(server.kubeconfig, ['get', 'pdb', 'web', '-n', ns, '--no-headers']);
    assert.deepEqual(table.stdout.trim().split(/\s+/).slice(0, 4), ['web', 'N/A', '34%', '1']);
  });

  test('a budget over a pod without a controller fails safe when the scale matters', async () => {
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'loner', labels: { app: 'loner' }, ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: '00000000-0000-0000-0000-000000000001', controller: true }] },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await client.request('POST', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, { ...budget, metadata: { name: 'loner' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'loner' } } } });
    let pdb: PodDisruptionBudget | undefined;
    await waitFor('a SyncFailed condition', async () => {
      pdb = await client.request<PodDisruptionBudget>('GET', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/loner`);
      return (pdb.status?.conditions ?? []).some((c) => c.reason === 'SyncFailed');
    }, 30_000);
    const cond = pdb?.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
    assert.equal(cond?.status, 'False');
    assert.equal(cond?.message, 'no matches for kind "Widget" in version "example.com/v1"');
    assert.equal(pdb?.status?.disruptionsAllowed, 0);
  });
});
