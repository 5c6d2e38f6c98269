// Live: the EndpointSlice controller against a real k8ts server with three virtual nodes, whose pods go Running
// and Ready with pod IPs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { K8tsServer, waitFor } from '../../../test/e2e/support/server.js';
import { controllerNames } from '../controller-names.js';
import { startEndpointSliceController, type EndpointSliceControllerHandle } from './endpoint-slice-controller.js';

function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const rc = (replicas: number): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'nginx' },
  spec: {
    replicas,
    selector: { app: 'nginx', tier: 'rc' },
    template: { metadata: { labels: { app: 'nginx', tier: 'rc' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] } },
  },
});

const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { selector: { app: 'nginx' }, ports: [{ name: 'web', port: 8080, targetPort: 'http' }] } };

const disabled = controllerNames.includes('endpointslice-controller') ? ['--disable-controller', 'endpointslice-controller'] : [];

describe('EndpointSlice controller against a real server with virtual nodes', () => {
  let server: K8tsServer;
  let client: RestClient;
  let esc: EndpointSliceControllerHandle | undefined;
  let nsCounter = 0;

  before(async () => {
    server = await K8tsServer.start({ extraArgs: ['--virtual-nodes', '3', ...disabled] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    // Zones come from the nodes' topology label.
    let nodes: string[] = [];
    await waitFor('three nodes', async () => {
      nodes = (await client.request<{ items: { metadata: { name: string } }[] }>('GET', '/api/v1/nodes')).items.map((n) => n.metadata.name);
      return nodes.length === 3;
    }, 30_000);
    for (const node of nodes) {
      await client.request('PATCH', `/api/v1/nodes/${node}`, { metadata: { labels: { 'topology.kubernetes.io/zone': `zone-of-${node}` } } }, 'application/merge-patch+json');
    }
    esc = startEndpointSliceController(client);
    await esc.waitForSync();
  });

  after(async () => {
    esc?.stop();
    client.close();
    await server.destroy();
  });

  async function namespace(): Promise<string> {
    const ns = `eps-test-${++nsCounter}`;
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

  const slicesOf = async (ns: string, svc = 'nginx'): Promise<EndpointSlice[]> =>
    (await client.request<{ items: EndpointSlice[] }>('GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${svc}`)}`)).items;

  const endpointsOf = (slices: EndpointSlice[]): { ip: string; ready: boolean | undefined; serving: boolean | undefined; name: string }[] =>
    slices.flatMap((s) => (s.endpoints ?? []).map((e) => ({ ip: e.addresses[0] ?? '', ready: e.conditions?.ready, serving: e.conditions?.serving, name: e.targetRef?.name ?? '' })));

  test('a Service over three ready pods gets one slice of three ready endpoints, owned by it and labelled as upstream', async () => {
    const ns = await namespace();
    await client.request('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, rc(3));
    const svc = await client.request<{ metadata: { uid: string } }>('POST', `/api/v1/namespaces/${ns}/services`, service);
    let slices: EndpointSlice[] = [];
    await waitFor('three ready endpoints', async () => {
      slices = await slicesOf(ns);
      return slices.length === 1 && endpointsOf(slices).filter((e) => e.ready === true).length === 3;
    }, 60_000);
    const slice = slices[0];
    assert.match(slice?.metadata?.name ?? '', /^nginx-[a-z0-9]{5}$/);
    assert.equal(slice?.addressType, 'IPv4');
    assert.deepEqual(slice?.metadata?.labels, { 'kubernetes.io/service-name': 'nginx', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(slice?.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'nginx', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(slice?.ports, [{ name: 'web', port: 80, protocol: 'TCP' }]);
    assert.match(slice?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '', /Z$/);
    const pods = (await client.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods`)).items;
    for (const ep of slice?.endpoints ?? []) {
      const pod = pods.find((p) => p.metadata?.name === ep.targetRef?.name);
      assert.deepEqual(ep.addresses, [pod?.status?.podIP]);
      assert.deepEqual(ep.conditions, { ready: true, serving: true, terminating: false });
      assert.equal(ep.nodeName, pod?.spec?.nodeName);
      assert.equal(ep.zone, `zone-of-${pod?.spec?.nodeName ?? ''}`);
      assert.deepEqual(ep.targetRef, { kind: 'Pod', namespace: ns, name: pod?.metadata?.name, uid: pod?.metadata?.uid });
    }

    // A change that does not concern the endpoints leaves the slice alone.
    const before = slice?.metadata?.resourceVersion;
    const somePod = pods[0]?.metadata?.name ?? '';
    await client.request('PATCH', `/api/v1/namespaces/${ns}/pods/${somePod}`, { metadata: { annotations: { touched: 'yes' } } }, 'application/merge-patch+json');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await slicesOf(ns))[0]?.metadata?.resourceVersion, before);
  });

  test('a pod that is not ready is an endpoint that is neither ready nor serving until it becomes ready', async () => {
    const ns = await namespace();
    await client.request('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, rc(1));
    await client.request('POST', `/api/v1/namespaces/${ns}/services`, service);
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'gated', labels: { app: 'nginx' } },
      spec: { readinessGates: [{ conditionType: 'example.com/ready' }], containers: [{ name: 'nginx', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] },
    });
    await waitFor('a not-ready endpoint for the gated pod', async () => {
      const eps = endpointsOf(await slicesOf(ns));
      return eps.length === 2 && eps.some((e) => e.name === 'gated' && e.ready === false && e.serving === false);
    }, 60_000);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await client.request('PATCH', `/api/v1/namespaces/${ns}/pods/gated/status`, { status: { conditions: [{ type: 'example.com/ready', status: 'True', lastTransitionTime: now }] } }, 'application/strategic-merge-patch+json');
    await waitFor('both endpoints ready', async () => {
      const eps = endpointsOf(await slicesOf(ns));
      return eps.length === 2 && eps.every((e) => e.ready === true && e.serving === true);
    }, 60_000);
  });

  test('scaling updates the same slice, and kubectl lists it as upstream', async () => {
    const ns = await namespace();
    await client.request('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, rc(3));
    await client.request('POST', `/api/v1/namespaces/${ns}/services`, service);
    let slices: EndpointSlice[] = [];
    await waitFor('three endpoints', async () => {
      slices = await slicesOf(ns);
      return endpointsOf(slices).length === 3;
    }, 60_000);
    const name = slices[0]?.metadata?.name;

    await kubectl(server.kubeconfig, ['scale', 'rc', 'nginx', '--replicas=5', '-n', ns]);
    await waitFor('five ready endpoints', async () => {
      slices = await slicesOf(ns);
      return endpointsOf(slices).filter((e) => e.ready === true).length === 5;
    }, 60_000);
    assert.deepEqual(slices.map((s) => s.metadata?.name), [name]);
    const got = await kubectl(server.kubeconfig, ['get', 'endpointslices', '-n', ns]);
    assert.equal(got.code, 0, got.stderr);
    const lines = got.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/);
    assert.match(lines[1] ?? '', /^nginx-[a-z0-9]{5}\s+IPv4\s+80\s+\d+\.\d+\.\d+\.\d+,\d+\.\d+\.\d+\.\d+,\d+\.\d+\.\d+\.\d+ \+ 2 more\.\.\.\s+\d+s$/);

    await kubectl(server.kubeconfig, ['scale', 'rc', 'nginx', '--replicas=0', '-n', ns]);
    await waitFor('no endpoints left', async () => {
      slices = await slicesOf(ns);
      return slices.length === 1 && endpointsOf(slices).length === 0;
    }, 60_000);
    // The emptied slice stays as the placeholder rather than being deleted and created again.
    assert.deepEqual(slices.map((s) => s.metadata?.name), [name]);
  });

  test('a Service whose selector matches nothing gets one empty placeholder slice', async () => {
    const ns = await namespace();
    await client.request('POST', `/api/v1/namespaces/${ns}/services`, { ...service, metadata: { name: 'lonely' }, spec: { ...service.spec, selector: { app: 'none' } } });
    let slices: EndpointSlice[] = [];
    await waitFor('a placeholder', async () => {
      slices = await slicesOf(ns, 'lonely');
      return slices.length === 1;
    }, 30_000);
    assert.deepEqual([slices[0]?.endpoints ?? [], slices[0]?.ports ?? []], [[], []]);
  });
});
