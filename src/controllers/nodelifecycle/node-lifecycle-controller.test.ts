// Live: the node lifecycle and taint eviction controllers against a real k8ts server (scheduler and replication
// controller in the server, virtual nodes in this process so that one node's heartbeats can be stopped).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { startVirtualNodes, type VirtualNodes } from '../../virtual-nodes/virtual-nodes.js';
import { K8tsServer, waitFor } from '../../../test/e2e/support/server.js';
import { startNodeLifecycleController, type NodeLifecycleControllerHandle } from './node-lifecycle-controller.js';
import { startTaintEvictionController, type TaintEvictionControllerHandle } from './taint-eviction-controller.js';

interface EventJson {
  reason: string;
  message: string;
  type: string;
  source?: { component?: string };
  involvedObject: { kind?: string; name?: string };
}

describe('node lifecycle and taint eviction against a real server', () => {
  let server: K8tsServer;
  let client: RestClient;
  let vnodes: VirtualNodes;
  let nlc: NodeLifecycleControllerHandle;
  let tec: TaintEvictionControllerHandle;

  before(async () => {
    server = await K8tsServer.start({ controlLoops: true, extraArgs: ['--disable-controller', 'node-lifecycle', '--disable-controller', 'taint-eviction'] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    vnodes = startVirtualNodes(client, { count: 3, renewIntervalMs: 500 });
    await vnodes.registered;
    nlc = startNodeLifecycleController(client, { nodeMonitorPeriodMs: 500, nodeMonitorGracePeriodMs: 4000 });
    tec = startTaintEvictionController(client);
    await nlc.waitForSync();
    await tec.waitForSync();
  });

  after(async () => {
    nlc.stop();
    tec.stop();
    vnodes.stop();
    client.close();
    await server.destroy();
  });

  const getNode = (name: string): Promise<Node> => client.request<Node>('GET', `/api/v1/nodes/${name}`);
  const listPods = async (ns: string): Promise<Pod[]> => (await client.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods`)).items;
  const activePods = async (ns: string): Promise<Pod[]> => (await listPods(ns)).filter((p) => p.metadata?.deletionTimestamp === undefined);
  const ready = (n: Node): string | undefined => (n.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status;

  async function namespace(name: string): Promise<string> {
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await waitFor(`the default service account of ${name}`, async () => {
      try {
        await client.request('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`);
        return true;
      } catch {
        return false;
      }
    });
    return name;
  }

  test('healthy nodes stay Ready and untainted', async () => {
    await new Promise((r) => setTimeout(r, 5000));
    for (const name of vnodes.names) {
      const n = await getNode(name);
      assert.equal(ready(n), 'True', name);
      assert.deepEqual(n.spec?.taints ?? [], [], name);
    }
  });

  test('a node whose heartbeats stop goes Unknown and unreachable, its pod is evicted after tolerationSeconds and re-created elsewhere', async () => {
    const ns = await namespace('nlc-evict');
    const labels = { app: 'web' };
    await client.request('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: labels,
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: 'c', image: 'nginx' }],
            tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }],
          },
        },
      },
    });
    let running: Pod[] = [];
    await waitFor('3 running pods', async () => {
      running = (await activePods(ns)).filter((p) => p.status?.phase === 'Running');
      return running.length === 3;
    }, 30_000);
    const victim = running[0];
    assert.ok(victim !== undefined);
    const victimNode = victim.spec?.nodeName ?? '';
    const victimName = victim.metadata?.name ?? '';
    assert.ok(vnodes.names.includes(victimNode));

    vnodes.pauseHeartbeats(victimNode);
    const pausedAt = Date.now();

    // Ready Unknown with upstream's reason and message, then the unreachable taints.
    await waitFor('the node to go Unknown', async () => ready(await getNode(victimNode)) === 'Unknown', 20_000);
    assert.ok(Date.now() - pausedAt >= 3500, 'not before the grace period');
    const node = await getNode(victimNode);
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      const c = (node.status?.conditions ?? []).find((x) => x.type === type);
      assert.deepEqual({ status: c?.status, reason: c?.reason, message: c?.message }, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }, type);
    }
    await waitFor('the unreachable taints', async () => {
      const taints = (await getNode(victimNode)).spec?.taints ?? [];
      return taints.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') && taints.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule');
    }, 10_000);
    const noExecute = ((await getNode(victimNode)).spec?.taints ?? []).find((t) => t.effect === 'NoExecute');
    assert.match(noExecute?.timeAdded ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // The pod is marked NotReady, then evicted (DisruptionTarget first) two seconds after the taint.
    const seen: Pod[] = [];
    await waitFor('the pod to be marked for deletion', async () => {
      try {
        const p = await client.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${victimName}`);
        seen.push(p);
        return p.metadata?.deletionTimestamp !== undefined;
      } catch {
        return true;
      }
    }, 15_000);
    const notReady = seen.find((p) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'False'));
    assert.ok(notReady !== undefined, 'the pod was marked NotReady');
    const last = seen[seen.length - 1];
    const disruption = (last?.status?.conditions ?? []).find((c) => c.type === 'DisruptionTarget');
    assert.deepEqual({ status: disruption?.status, reason: disruption?.reason, message: disruption?.message }, { status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' });

    await waitFor('the TaintManagerEviction event', async () => {
      const q = encodeURIComponent(`involvedObject.name=${victimName}`);
      const events = (await client.request<{ items: EventJson[] }>('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${q}`)).items;
      const ev = events.find((e) => e.reason === 'TaintManagerEviction');
      if (ev === undefined) return false;
      assert.equal(ev.message, `Marking for deletion Pod ${ns}/${victimName}`);
      assert.equal(ev.type, 'Normal');
      assert.equal(ev.source?.component, 'taint-eviction-controller');
      return events.some((e) => e.reason === 'NodeNotReady' && e.message === 'Node is not ready' && e.type === 'Warning');
    }, 10_000);

    // The replication controller replaces it on a node that still works.
    await waitFor('3 running pods on the other nodes', async () => {
      const pods = (await activePods(ns)).filter((p) => p.status?.phase === 'Running');
      return pods.length === 3 && pods.every((p) => p.spec?.nodeName !== victimNode);
    }, 30_000);

    // Heartbeats again: Ready, and the controller's taints are gone.
    vnodes.resumeHeartbeats(victimNode);
    await waitFor('the node to be Ready and untainted again', async () => {
      const n = await getNode(victimNode);
      return ready(n) === 'True' && (n.spec?.taints ?? []).length === 0;
    }, 20_000);
  });

  test('when every node stops reporting, no node is tainted NoExecute and no pod is evicted', async () => {
    const ns = await namespace('nlc-all');
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'survivor' },
      spec: { containers: [{ name: 'c', image: 'nginx' }], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3 }] },
    });
    await waitFor('the pod to run', async () => (await client.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/survivor`)).status?.phase === 'Running', 15_000);
    for (const name of vnodes.names) vnodes.pauseHeartbeats(name);
    try {
      await waitFor('every node to go Unknown', async () => {
        for (const name of vnodes.names) if (ready(await getNode(name)) !== 'Unknown') return false;
        return true;
      }, 20_000);
      // A node that went Unknown a pass before the others may have been tainted; master disruption mode takes it off.
      await waitFor('no NoExecute taints', async () => {
        for (const name of vnodes.names) if (((await getNode(name)).spec?.taints ?? []).some((t) => t.effect === 'NoExecute')) return false;
        return true;
      }, 10_000);
      await new Promise((r) => setTimeout(r, 4000));
      for (const name of vnodes.names) assert.ok(!((await getNode(name)).spec?.taints ?? []).some((t) => t.effect === 'NoExecute'), name);
      const pod = await client.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/survivor`);
      assert.equal(pod.metadata?.deletionTimestamp, undefined, 'the pod was not evicted');
    } finally {
      for (const name of vnodes.names) vnodes.resumeHeartbeats(name);
    }
    await waitFor('every node Ready again', async () => {
      for (const name of vnodes.names) if (ready(await getNode(name)) !== 'True') return false;
      return true;
    }, 20_000);
  });

  test('a pod without a toleration for the taint is evicted at once', async () => {
    const ns = await namespace('nlc-now');
    const target = vnodes.names[0] ?? '';
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pinned' },
      spec: { nodeName: target, containers: [{ name: 'c', image: 'nginx' }] },
    });
    await waitFor('the pod to run', async () => (await client.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/pinned`)).status?.phase === 'Running', 15_000);
    // The API server's DefaultTolerationSeconds gave it 300 s for not-ready and unreachable; a custom NoExecute taint
    // is not tolerated at all.
    await client.request('PATCH', `/api/v1/nodes/${target}`, { spec: { taints: [{ key: 'example.com/broken', effect: 'NoExecute' }] } }, 'application/merge-patch+json');
    try {
      await waitFor('the pod to be marked for deletion', async () => {
        try {
          return (await client.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/pinned`)).metadata?.deletionTimestamp !== undefined;
        } catch {
          return true;
        }
      }, 5_000);
    } finally {
      await client.request('PATCH', `/api/v1/nodes/${target}`, { spec: { taints: [] } }, 'application/merge-patch+json');
    }
  });
});
