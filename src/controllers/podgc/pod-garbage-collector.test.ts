// Live: the pod garbage collector against a real k8ts server with two virtual nodes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient, type WatchStream } from '../../client/rest-client.js';
import { K8tsServer, waitFor } from '../../../test/e2e/support/server.js';
import { startPodGarbageCollector, type PodGarbageCollectorHandle } from './pod-garbage-collector.js';

describe('pod garbage collector against a real server', () => {
  let server: K8tsServer;
  let client: RestClient;
  let gc: PodGarbageCollectorHandle;

  before(async () => {
    server = await K8tsServer.start({ extraArgs: ['--virtual-nodes', '2', '--disable-controller', 'pod-garbage-collector'] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    await waitFor('two virtual nodes', async () => (await client.request<{ items: unknown[] }>('GET', '/api/v1/nodes')).items.length === 2, 20_000);
    gc = startPodGarbageCollector(client, { terminatedPodThreshold: 2, periodMs: 300, quarantineMs: 3000 });
    await gc.waitForSync();
  });

  after(async () => {
    gc.stop();
    client.close();
    await server.destroy();
  });

  const exists = async (ns: string, name: string): Promise<boolean> => {
    try {
      await client.request('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      return true;
    } catch {
      return false;
    }
  };
  const createPod = (ns: string, name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): Promise<Pod> =>
    client.request<Pod>('POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name, annotations }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });

  test('a pod bound to a node that does not exist is marked Failed with DisruptionTarget and deleted after the quarantine', async () => {
    const seen: Pod[] = [];
    const stream: WatchStream = client.watch(
      `/api/v1/namespaces/default/pods?watch=1&fieldSelector=${encodeURIComponent('metadata.name=orphan')}`,
      (ev) => seen.push(ev.object as Pod),
      () => undefined,
    );
    try {
      await createPod('default', 'orphan', { nodeName: 'no-such-node' });
      const createdAt = Date.now();
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await exists('default', 'orphan'), true, 'still there during the quarantine');
      await waitFor('the orphan to be deleted', async () => !(await exists('default', 'orphan')), 15_000);
      assert.ok(Date.now() - createdAt >= 3000, 'not before the quarantine was over');
      await waitFor('the watch to show the Failed status', () => seen.some((p) => p.status?.phase === 'Failed'), 5000);
      const failed = seen.find((p) => p.status?.phase === 'Failed');
      const c = (failed?.status?.conditions ?? []).find((x) => x.type === 'DisruptionTarget');
      assert.deepEqual({ status: c?.status, reason: c?.reason, message: c?.message }, { status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
    } finally {
      stream.stop();
    }
  });

  test('pods on a node that exists are left alone', async () => {
    const nodes = (await client.request<{ items: { metadata: { name: string } }[] }>('GET', '/api/v1/nodes')).items;
    const node = nodes[0]?.metadata.name ?? '';
    await createPod('default', 'bound', { nodeName: node });
    await new Promise((r) => setTimeout(r, 4500));
    assert.equal(await exists('default', 'bound'), true);
    await client.request('DELETE', '/api/v1/namespaces/default/pods/bound', { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 });
  });

  test('terminated pods above the threshold are deleted oldest first', async () => {
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gc-done' } });
    const nodes = (await client.request<{ items: { metadata: { name: string } }[] }>('GET', '/api/v1/nodes')).items;
    const node = nodes[0]?.metadata.name ?? '';
    for (const name of ['done-1', 'done-2', 'done-3', 'done-4']) {
      await createPod('gc-done', name, { nodeName: node, restartPolicy: 'Never' }, { 'k8ts.io/virtual-complete-after': '0s' });
    }
    await waitFor('two terminated pods to remain', async () => {
      const pods = (await client.request<{ items: Pod[] }>('GET', '/api/v1/namespaces/gc-done/pods')).items;
      return pods.length === 2 && pods.every((p) => p.status?.phase === 'Succeeded');
    }, 20_000);
    const left = (await client.request<{ items: Pod[] }>('GET', '/api/v1/namespaces/gc-done/pods')).items.map((p) => p.metadata?.name).sort();
    assert.deepEqual(left, ['done-3', 'done-4']);
  });
});
