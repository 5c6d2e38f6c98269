// Live: virtual nodes (with the node IPAM controller) against a real k8ts server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { readKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { ApiError } from '../machinery/errors.js';
import { K8tsServer, waitFor } from '../../test/e2e/support/server.js';
import { cidrContains, parseIpv4, parseIpv4Cidr } from '../controllers/nodeipam/cidr-set.js';
import { startNodeIpamController } from '../controllers/nodeipam/node-ipam-controller.js';
import { startVirtualNodes, type VirtualNodes } from './virtual-nodes.js';
import { completeAfterAnnotation, failAfterAnnotation } from './virtual-pod-status.js';

describe('virtual nodes', () => {
  let server: K8tsServer;
  let client: RestClient;
  let vnodes: VirtualNodes;
  let ipam: { stop(): void };
  const ns = 'vn';

  before(async () => {
    server = await K8tsServer.start({ extraArgs: ['--disable-controller', 'node-ipam', '--disable-scheduler'] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    ipam = startNodeIpamController(client, { clusterCidr: '10.240.0.0/16' });
    vnodes = startVirtualNodes(client, { count: 3, renewIntervalMs: 1500 });
    await vnodes.registered;
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });
  after(async () => {
    vnodes.stop();
    ipam.stop();
    client.close();
    await server.destroy();
  });

  const getNode = (name: string): Promise<Node> => client.request<Node>('GET', `/api/v1/nodes/${name}`);
  const getPod = (name: string): Promise<Pod> => client.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
  const getLease = (name: string): Promise<Lease> => client.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`);

  /** Creates a pod and binds it to a node through pods/binding, as the scheduler will. */
  const createBoundPod = async (name: string, node: string, annotations: Record<string, string> = {}, restartPolicy = 'Always'): Promise<void> => {
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, annotations },
      spec: { restartPolicy, containers: [{ name: 'main', image: 'nginx:1.27' }] },
    });
    await client.request('POST', `/api/v1/namespaces/${ns}/pods/${name}/binding`, {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    });
  };
  const phaseIs = (name: string, phase: string) => async (): Promise<boolean> => (await getPod(name)).status?.phase === phase;

  test('the nodes are registered Ready with capacity, labels and a podCIDR', async () => {
    assert.deepEqual(vnodes.names, ['k8ts-virtual-0', 'k8ts-virtual-1', 'k8ts-virtual-2']);
    await waitFor('every node to get a podCIDR', async () => (await Promise.all(vnodes.names.map(getNode))).every((n) => n.spec?.podCIDR !== undefined));
    const node = await getNode('k8ts-virtual-1');
    assert.equal(node.metadata?.labels?.['type'], 'virtual');
    assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], 'k8ts-virtual-1');
    assert.equal(node.metadata?.labels?.['kubernetes.io/os'], 'linux');
    assert.deepEqual(
      { cpu: node.status?.capacity?.['cpu'], memory: node.status?.capacity?.['memory'], pods: node.status?.capacity?.['pods'] },
      { cpu: '4', memory: '16Gi', pods: '110' },
    );
    assert.deepEqual(node.status?.allocatable, node.status?.capacity);
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['True', 'KubeletReady', 'kubelet is posting ready status']);
    assert.deepEqual(
      node.status?.conditions?.filter((c) => c.type !== 'Ready').map((c) => [c.type, c.status, c.reason]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ],
    );
    assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.32.0-k8ts');
    assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'virtual://0.1');
    assert.ok(node.status?.addresses?.some((a) => a.type === 'InternalIP' && a.address.startsWith('198.18.')));
  });

  test('each node holds a Lease in kube-node-lease that is renewed', async () => {
    const first = await getLease('k8ts-virtual-0');
    assert.equal(first.spec?.holderIdentity, 'k8ts-virtual-0');
    assert.equal(first.spec?.leaseDurationSeconds, 40);
    assert.equal(first.metadata?.ownerReferences?.[0]?.kind, 'Node');
    await waitFor('the lease to be renewed', async () => (await getLease('k8ts-virtual-0')).spec?.renewTime !== first.spec?.renewTime, 10_000);
  });

  test('a pod bound to a node goes Running with an IP inside the node\'s podCIDR', async () => {
    await createBoundPod('web', 'k8ts-virtual-2');
    await waitFor('web to run', phaseIs('web', 'Running'));
    const pod = await getPod('web');
    const node = await getNode('k8ts-virtual-2');
    const cidr = parseIpv4Cidr(node.spec?.podCIDR ?? '');
    const ip = parseIpv4(pod.status?.podIP ?? '');
    assert.ok(ip !== undefined && cidrContains(cidr, ip), `${pod.status?.podIP} in ${node.spec?.podCIDR}`);
    assert.deepEqual(pod.status?.podIPs, [{ ip: pod.status?.podIP }]);
    assert.equal(pod.status?.hostIP, node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address);
    const types = Object.fromEntries((pod.status?.conditions ?? []).map((c) => [c.type, c.status]));
    assert.deepEqual(types, { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
    const cs = pod.status?.containerStatuses?.[0];
    assert.equal(cs?.ready, true);
    assert.equal(cs?.restartCount, 0);
    assert.equal(cs?.imageID, 'virtual://nginx:1.27');
    assert.match(cs?.containerID ?? '', /^virtual:\/\/[0-9a-f]{64}$/);
    assert.ok(cs?.state?.running?.startedAt !== undefined);
  });

  test('two pods on one node get different IPs', async () => {
    await createBoundPod('a1', 'k8ts-virtual-0');
    await createBoundPod('a2', 'k8ts-virtual-0');
    await waitFor('both to run', async () => (await phaseIs('a1', 'Running')()) && (await phaseIs('a2', 'Running')()));
    assert.notEqual((await getPod('a1')).status?.podIP, (await getPod('a2')).status?.podIP);
  });

  test('a pod annotated to complete goes Succeeded with its container Completed', async () => {
    await createBoundPod('job-ok', 'k8ts-virtual-1', { [completeAfterAnnotation]: '1s' }, 'Never');
    await waitFor('job-ok to succeed', phaseIs('job-ok', 'Succeeded'));
    const pod = await getPod('job-ok');
    const term = pod.status?.containerStatuses?.[0]?.state?.terminated;
    assert.deepEqual([term?.exitCode, term?.reason], [0, 'Completed']);
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason], ['False', 'PodCompleted']);
  });

  test('a pod annotated to fail goes Failed with exit code 1', async () => {
    await createBoundPod('job-bad', 'k8ts-virtual-1', { [failAfterAnnotation]: '500ms' }, 'Never');
    await waitFor('job-bad to fail', phaseIs('job-bad', 'Failed'));
    const term = (await getPod('job-bad')).status?.containerStatuses?.[0]?.state?.terminated;
    assert.deepEqual([term?.exitCode, term?.reason], [1, 'Error']);
  });

  test('a failing container of a restartPolicy Always pod is restarted', async () => {
    await createBoundPod('crashy', 'k8ts-virtual-1', { [failAfterAnnotation]: '500ms' });
    await waitFor('crashy to restart', async () => ((await getPod('crashy')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    const pod = await getPod('crashy');
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(pod.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 1);
  });

  test('a pod deleted with a grace period is removed once the period is over', async () => {
    await createBoundPod('slow', 'k8ts-virtual-0');
    await waitFor('slow to run', phaseIs('slow', 'Running'));
    const start = Date.now();
    await client.request('DELETE', `/api/v1/namespaces/${ns}/pods/slow`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 2 });
    const terminating = await getPod('slow');
    assert.ok(terminating.metadata?.deletionTimestamp !== undefined);
    await waitFor(
      'slow to be gone',
      async () => {
        try {
          await getPod('slow');
          return false;
        } catch (e: unknown) {
          if (e instanceof ApiError && e.code === 404) return true;
          throw e;
        }
      },
      10_000,
    );
    // The kubelet waited for the grace period rather than deleting at once.
    assert.ok(Date.now() - start >= 1000, `gone after ${Date.now() - start} ms`);
  });

  test('pausing a node\'s heartbeats stops its Lease renewals', async () => {
    vnodes.pauseHeartbeats('k8ts-virtual-2');
    // Let a renewal already on its way land.
    await new Promise((r) => setTimeout(r, 500));
    const paused = (await getLease('k8ts-virtual-2')).spec?.renewTime;
    // Two renewals of another node later, the paused node's Lease has not moved.
    for (let i = 0; i < 2; i++) {
      const seen = (await getLease('k8ts-virtual-1')).spec?.renewTime;
      await waitFor('k8ts-virtual-1 to renew', async () => (await getLease('k8ts-virtual-1')).spec?.renewTime !== seen, 10_000);
    }
    assert.equal((await getLease('k8ts-virtual-2')).spec?.renewTime, paused);
    vnodes.resumeHeartbeats('k8ts-virtual-2');
    await waitFor('k8ts-virtual-2 to renew after resuming', async () => (await getLease('k8ts-virtual-2')).spec?.renewTime !== paused, 10_000);
  });

  test('a restarted virtual kubelet leaves running pods alone and keeps their IPs', async () => {
    const before = await getPod('web');
    vnodes.stop();
    vnodes = startVirtualNodes(client, { count: 3, renewIntervalMs: 1500 });
    await vnodes.registered;
    await createBoundPod('web2', 'k8ts-virtual-2');
    await waitFor('web2 to run', phaseIs('web2', 'Running'));
    const after = await getPod('web');
    assert.equal(after.status?.containerStatuses?.[0]?.state?.running?.startedAt, before.status?.containerStatuses?.[0]?.state?.running?.startedAt);
    assert.equal(after.status?.podIP, before.status?.podIP);
    assert.notEqual((await getPod('web2')).status?.podIP, before.status?.podIP);
  });
});
