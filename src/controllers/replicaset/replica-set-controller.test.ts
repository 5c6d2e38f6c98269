// Live: the ReplicaSet and ReplicationController controllers against a real k8ts server (no scheduler or node agent
// runs, so pods stay Pending unless a test patches their status).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { K8tsServer, waitFor } from '../../../test/e2e/support/server.js';
import { startReplicaSetController, startReplicationControllerController, type ReplicaSetControllerHandle } from './replica-set-controller.js';

interface Meta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  labels?: Record<string, string>;
  generateName?: string;
  deletionTimestamp?: string;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
}
interface PodJson {
  metadata: Meta;
  spec: { serviceAccountName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}
interface OwnerJson {
  metadata: Meta;
  spec: { replicas?: number };
  status?: {
    replicas?: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}
interface EventJson {
  reason: string;
  message: string;
  type: string;
  count: number;
  source?: { component?: string };
  involvedObject: { kind?: string; name?: string; apiVersion?: string };
}

const rsPath = (ns: string, name = ''): string => `/apis/apps/v1/namespaces/${ns}/replicasets${name === '' ? '' : `/${name}`}`;
const rcPath = (ns: string, name = ''): string => `/api/v1/namespaces/${ns}/replicationcontrollers${name === '' ? '' : `/${name}`}`;

function rsManifest(name: string, replicas: number, labels: Record<string, string>, extra: { minReadySeconds?: number; serviceAccountName?: string } = {}): Record<string, unknown> {
  const podSpec: Record<string, unknown> = { containers: [{ name: 'c', image: 'nginx' }] };
  if (extra.serviceAccountName !== undefined) podSpec['serviceAccountName'] = extra.serviceAccountName;
  const spec: Record<string, unknown> = { replicas, selector: { matchLabels: labels }, template: { metadata: { labels: { ...labels, extra: 'x' } }, spec: podSpec } };
  if (extra.minReadySeconds !== undefined) spec['minReadySeconds'] = extra.minReadySeconds;
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name }, spec };
}

describe('ReplicaSet and ReplicationController controllers against a real server', () => {
  let server: K8tsServer;
  let client: RestClient;
  let rsc: ReplicaSetControllerHandle;
  let rcc: ReplicaSetControllerHandle;
  let nsCounter = 0;

  before(async () => {
    server = await K8tsServer.start({ extraArgs: ['--disable-controller', 'replicaset', '--disable-controller', 'replicationcontroller', '--disable-scheduler'] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    rsc = startReplicaSetController(client);
    rcc = startReplicationControllerController(client);
    await rsc.waitForSync();
    await rcc.waitForSync();
  });

  after(async () => {
    rsc.stop();
    rcc.stop();
    client.close();
    await server.destroy();
  });

  async function namespace(): Promise<string> {
    const ns = `rs-test-${++nsCounter}`;
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await waitFor(`the default service account of ${ns}`, async () => {
      try {
        await client.request('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`);
        return true;
      } catch {
        return false;
      }
    });
    return ns;
  }

  async function pods(ns: string, selector = ''): Promise<PodJson[]> {
    const q = selector === '' ? '' : `?labelSelector=${encodeURIComponent(selector)}`;
    return (await client.request<{ items: PodJson[] }>('GET', `/api/v1/namespaces/${ns}/pods${q}`)).items;
  }

  async function activePods(ns: string, selector = ''): Promise<PodJson[]> {
    return (await pods(ns, selector)).filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
  }

  async function events(ns: string, name: string): Promise<EventJson[]> {
    const q = encodeURIComponent(`involvedObject.name=${name}`);
    return (await client.request<{ items: EventJson[] }>('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${q}`)).items;
  }

  async function get(path: string): Promise<OwnerJson> {
    return client.request<OwnerJson>('GET', path);
  }

  async function scale(path: string, replicas: number): Promise<void> {
    await client.request('PATCH', path, { spec: { replicas } }, 'application/merge-patch+json');
  }

  async function waitForCount(ns: string, selector: string, n: number, what: string): Promise<PodJson[]> {
    let last: PodJson[] = [];
    await waitFor(`${what}: ${n} active pods`, async () => {
      last = await activePods(ns, selector);
      return last.length === n;
    });
    return last;
  }

  async function setReady(ns: string, pod: PodJson): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await client.request(
      'PATCH',
      `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/status`,
      { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } },
      'application/merge-patch+json',
    );
  }

  test('a ReplicaSet of 3 creates 3 owned pods from its template, with SuccessfulCreate events and status', async () => {
    const ns = await namespace();
    const rs = await client.request<OwnerJson>('POST', rsPath(ns), rsManifest('web', 3, { app: 'web' }));
    const created = await waitForCount(ns, 'app=web', 3, 'initial creation');
    for (const p of created) {
      assert.equal(p.metadata.generateName, 'web-');
      assert.match(p.metadata.name, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.labels, { app: 'web', extra: 'x' });
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    await waitFor('three SuccessfulCreate events', async () => (await events(ns, 'web')).filter((e) => e.reason === 'SuccessfulCreate').length === 3);
    const evs = (await events(ns, 'web')).filter((e) => e.reason === 'SuccessfulCreate');
    assert.deepEqual(evs.map((e) => e.message).sort(), created.map((p) => `Created pod: ${p.metadata.name}`).sort());
    for (const e of evs) {
      assert.equal(e.type, 'Normal');
      assert.equal(e.source?.component, 'replicaset-controller');
      assert.equal(e.involvedObject.kind, 'ReplicaSet');
      assert.equal(e.involvedObject.apiVersion, 'apps/v1');
    }
    await waitFor('status of 3', async () => {
      const s = (await get(rsPath(ns, 'web'))).status;
      return s?.replicas === 3 && s.fullyLabeledReplicas === 3 && s.readyReplicas === 0 && s.availableReplicas === 0 && s.observedGeneration === 1;
    });
  });

  test('scaling up to 5 creates two more, scaling down to 1 deletes four with SuccessfulDelete events', async () => {
    const ns = await namespace();
    await client.request('POST', rsPath(ns), rsManifest('web', 3, { app: 'web' }));
    await waitForCount(ns, 'app=web', 3, 'initial creation');
    await scale(rsPath(ns, 'web'), 5);
    await waitForCount(ns, 'app=web', 5, 'scale up');
    await scale(rsPath(ns, 'web'), 1);
    const [survivor] = await waitForCount(ns, 'app=web', 1, 'scale down');
    assert.ok(survivor !== undefined);
    await waitFor('four SuccessfulDelete events', async () => (await events(ns, 'web')).filter((e) => e.reason === 'SuccessfulDelete').length === 4);
    const deleted = (await events(ns, 'web')).filter((e) => e.reason === 'SuccessfulDelete');
    assert.ok(deleted.every((e) => e.message.startsWith('Deleted pod: web-') && e.message !== `Deleted pod: ${survivor.metadata.name}`));
    await waitFor('status of 1 at generation 3', async () => {
      const r = await get(rsPath(ns, 'web'));
      return r.status?.replicas === 1 && r.status.observedGeneration === r.metadata.generation && r.metadata.generation === 3;
    });
  });

  test('a deleted pod is replaced, and so is a pod that fails', async () => {
    const ns = await namespace();
    await client.request('POST', rsPath(ns), rsManifest('web', 2, { app: 'web' }));
    const [first] = await waitForCount(ns, 'app=web', 2, 'initial creation');
    assert.ok(first !== undefined);
    await client.request('DELETE', `/api/v1/namespaces/${ns}/pods/${first.metadata.name}`);
    await waitFor('a replacement', async () => {
      const now = await activePods(ns, 'app=web');
      return now.length === 2 && now.every((p) => p.metadata.name !== first.metadata.name);
    });
    const [victim] = await activePods(ns, 'app=web');
    assert.ok(victim !== undefined);
    await client.request('PATCH', `/api/v1/namespaces/${ns}/pods/${victim.metadata.name}/status`, { status: { phase: 'Failed' } }, 'application/merge-patch+json');
    await waitFor('a replacement of the failed pod', async () => {
      const now = await activePods(ns, 'app=web');
      return now.length === 2 && now.every((p) => p.metadata.name !== victim.metadata.name);
    });
  });

  test('an orphan matching the selector is adopted, and a pod that stops matching is released and replaced', async () => {
    const ns = await namespace();
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const rs = await client.request<OwnerJson>('POST', rsPath(ns), rsManifest('web', 1, { app: 'web' }));
    await waitFor('the orphan to be adopted', async () => {
      const p = await client.request<PodJson>('GET', `/api/v1/namespaces/${ns}/pods/orphan`);
      return p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid;
    });
    const adopted = await client.request<PodJson>('GET', `/api/v1/namespaces/${ns}/pods/orphan`);
    assert.deepEqual(adopted.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    // The adopted pod counts: nothing else was created.
    await waitFor('status of 1', async () => (await get(rsPath(ns, 'web'))).status?.replicas === 1);
    assert.deepEqual((await pods(ns)).map((p) => p.metadata.name), ['orphan']);

    await client.request('PATCH', `/api/v1/namespaces/${ns}/pods/orphan`, { metadata: { labels: { app: 'other' } } }, 'application/merge-patch+json');
    await waitFor('the pod to be released', async () => {
      const p = await client.request<PodJson>('GET', `/api/v1/namespaces/${ns}/pods/orphan`);
      return (p.metadata.ownerReferences ?? []).length === 0;
    });
    await waitForCount(ns, 'app=web', 1, 'a replacement for the released pod');
  });

  test('readyReplicas and availableReplicas follow the pods\' Ready condition and minReadySeconds', async () => {
    const ns = await namespace();
    await client.request('POST', rsPath(ns), rsManifest('web', 2, { app: 'web' }, { minReadySeconds: 2 }));
    const created = await waitForCount(ns, 'app=web', 2, 'initial creation');
    for (const p of created) await setReady(ns, p);
    await waitFor('2 ready, none available yet', async () => {
      const s = (await get(rsPath(ns, 'web'))).status;
      return s?.readyReplicas === 2 && s.availableReplicas === 0;
    });
    await waitFor('2 available after minReadySeconds', async () => (await get(rsPath(ns, 'web'))).status?.availableReplicas === 2, 8000);
    // Settled: the status is not written again.
    const rv = (await get(rsPath(ns, 'web'))).metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await get(rsPath(ns, 'web'))).metadata.resourceVersion, rv);
  });

  test('a ReplicationController keeps its replicas the same way, reporting as replication-controller', async () => {
    const ns = await namespace();
    const rc = await client.request<OwnerJson>('POST', rcPath(ns), {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'nginx' },
      spec: { replicas: 3, selector: { app: 'nginx' }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
    });
    const created = await waitForCount(ns, 'app=nginx', 3, 'RC creation');
    for (const p of created) {
      assert.equal(p.metadata.generateName, 'nginx-');
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'nginx', uid: rc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    await scale(rcPath(ns, 'nginx'), 5);
    await waitForCount(ns, 'app=nginx', 5, 'RC scale up');
    const [victim] = await activePods(ns, 'app=nginx');
    assert.ok(victim !== undefined);
    await setReady(ns, victim);
    await waitFor('RC status', async () => {
      const s = (await get(rcPath(ns, 'nginx'))).status;
      return s?.replicas === 5 && s.fullyLabeledReplicas === 5 && s.readyReplicas === 1 && s.availableReplicas === 1 && s.observedGeneration === 2;
    });
    await waitFor('five SuccessfulCreate events from replication-controller', async () => {
      const evs = (await events(ns, 'nginx')).filter((e) => e.reason === 'SuccessfulCreate');
      return evs.length === 5 && evs.every((e) => e.source?.component === 'replication-controller' && e.involvedObject.kind === 'ReplicationController' && e.involvedObject.apiVersion === 'v1');
    });
  });

  test('a create refused by admission gives a FailedCreate event and the ReplicaFailure condition, cleared once creates succeed', async () => {
    const ns = await namespace();
    await client.request('POST', rsPath(ns), rsManifest('web', 3, { app: 'web' }, { serviceAccountName: 'builder' }));
    let failure: { reason?: string; message?: string; status: string } | undefined;
    await waitFor('the ReplicaFailure condition', async () => {
      failure = (await get(rsPath(ns, 'web'))).status?.conditions?.find((c) => c.type === 'ReplicaFailure');
      return failure !== undefined;
    });
    assert.equal(failure?.status, 'True');
    assert.equal(failure?.reason, 'FailedCreate');
    assert.match(failure?.message ?? '', /^pods "web-[a-z0-9]*" is forbidden: error looking up service account rs-test-\d+\/builder: serviceaccount "builder" not found$/);
    await waitFor('a FailedCreate event', async () => (await events(ns, 'web')).some((e) => e.reason === 'FailedCreate'));
    const failed = (await events(ns, 'web')).filter((e) => e.reason === 'FailedCreate');
    assert.equal(failed[0]?.type, 'Warning');
    assert.equal(failed[0]?.message, `Error creating: ${failure?.message ?? ''}`);
    // Slow start: one attempt per sync while the first of each batch fails.
    assert.equal((await pods(ns)).length, 0);

    await client.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } });
    await waitForCount(ns, 'app=web', 3, 'creation once the account exists');
    await waitFor('the condition to be removed', async () => {
      const s = (await get(rsPath(ns, 'web'))).status;
      return s?.replicas === 3 && (s.conditions ?? []).every((c) => c.type !== 'ReplicaFailure');
    }, 30_000);
  });
});
