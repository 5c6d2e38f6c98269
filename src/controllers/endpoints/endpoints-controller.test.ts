// Live: the Endpoints controller (with the EndpointSlice controller, which `kubectl describe svc` reads) against a
// real k8ts server with three virtual nodes, whose pods go Running and Ready with pod IPs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { Endpoints, Pod } from 'kubernetes-types/core/v1.js';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { K8tsServer, waitFor } from '../../../test/e2e/support/server.js';
import { controllerNames } from '../controller-names.js';
import { startEndpointSliceController, type EndpointSliceControllerHandle } from '../endpointslice/endpoint-slice-controller.js';
import { startEndpointsController, type EndpointsControllerHandle } from './endpoints-controller.js';

/** kubectl without blocking the event loop (the controllers under test run in this process). */
function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** An RC of nginx pods labelled app=nginx (plus `extra`, which its selector also requires). */
const rc = (replicas: number, extra: Record<string, string> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'nginx' },
  spec: {
    replicas,
    selector: { app: 'nginx', ...extra },
    template: { metadata: { labels: { app: 'nginx', ...extra } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] } },
  },
});

const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', labels: { app: 'nginx' } }, spec: { selector: { app: 'nginx' }, ports: [{ port: 8080, targetPort: 'http' }] } };

const gatedPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'gated', labels: { app: 'nginx' } },
  spec: { readinessGates: [{ conditionType: 'example.com/ready' }], containers: [{ name: 'nginx', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] },
};

const disabled = ['endpoints-controller', 'endpointslice-controller'].filter((n) => controllerNames.includes(n)).flatMap((n) => ['--disable-controller', n]);

describe('Endpoints controller against a real server with virtual nodes', () => {
  let server: K8tsServer;
  let client: RestClient;
  let epc: EndpointsControllerHandle | undefined;
  let esc: EndpointSliceControllerHandle | undefined;
  let nsCounter = 0;

  before(async () => {
    server = await K8tsServer.start({ extraArgs: ['--virtual-nodes', '3', ...disabled] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    const e = startEndpointsController(client);
    const s = startEndpointSliceController(client);
    epc = e;
    esc = s;
    await e.waitForSync();
    await s.waitForSync();
  });

  after(async () => {
    epc?.stop();
    esc?.stop();
    client.close();
    await server.destroy();
  });

  async function namespace(): Promise<string> {
    const ns = `ep-test-${++nsCounter}`;
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

  const getEndpoints = async (ns: string, name: string): Promise<Endpoints | undefined> => {
    try {
      return await client.request<Endpoints>('GET', `/api/v1/namespaces/${ns}/endpoints/${name}`);
    } catch {
      return undefined;
    }
  };

  const runningPodIPs = async (ns: string): Promise<string[]> => {
    const pods = (await client.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dnginx`)).items;
    return pods.filter((p) => p.metadata?.deletionTimestamp === undefined && p.status?.podIP !== undefined).map((p) => p.status?.podIP ?? '');
  };

  const ips = (ep: Endpoints | undefined, field: 'addresses' | 'notReadyAddresses'): string[] => (ep?.subsets ?? []).flatMap((s) => (s[field] ?? []).map((a) => a.ip)).sort();

  test('a Service over three ready pods gets Endpoints with their IPs on the resolved named port', async () => {
    const ns = await namespace();
    await client.request('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, rc(3));
    await client.request('POST', `/api/v1/namespaces/${ns}/services`, service);
    let ep: Endpoints | undefined;
    await waitFor('three ready addresses', async () => {
      ep = await getEndpoints(ns, 'nginx');
      return ips(ep, 'addresses').length === 3;
    }, 60_000);
    assert.deepEqual(ips(ep, 'addresses'), (await runningPodIPs(ns)).sort());
    assert.equal(ep?.subsets?.length, 1);
    assert.deepEqual(ep?.subsets?.[0]?.ports, [{ port: 80, protocol: 'TCP' }]);
    const first = ep?.subsets?.[0]?.addresses?.[0];
    assert.match(first?.nodeName ?? '', /.+/);
    assert.equal(first?.targetRef?.kind, 'Pod');
    assert.equal(first?.targetRef?.namespace, ns);
    assert.match(first?.targetRef?.uid ?? '', /.+/);
    assert.deepEqual(ep?.metadata?.labels, { app: 'nginx' });
    // The last write carries the trigger time when it published a change not published before; a write that only
    // catches up (after a conflict, say) clears it, as upstream's controller does.
    const trigger = ep?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'];
    if (trigger !== undefined) assert.match(trigger, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const got = await kubectl(server.kubeconfig, ['get', 'endpoints', 'nginx', '-n', ns]);
    assert.equal(got.code, 0, got.stderr);
    const line = got.stdout.split('\n')[1] ?? '';
    const shown = (line.split(/\s+/)[1] ?? '').split(',');
    assert.deepEqual(shown.sort(), ips(ep, 'addresses').map((ip) => `${ip}:80`));
  });

  test('a pod that is not ready is listed under notReadyAddresses until it becomes ready', async () => {
    const ns = await namespace();
    // The RC selects tier=rc too, so that it does not adopt the gated pod.
    await client.request('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, rc(2, { tier: 'rc' }));
    await client.request('POST', `/api/v1/namespaces/${ns}/services`, service);
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, gatedPod);
    let ep: Endpoints | undefined;
    await waitFor('two ready and one not-ready address', async () => {
      ep = await getEndpoints(ns, 'nginx');
      return ips(ep, 'addresses').length === 2 && ips(ep, 'notReadyAddresses').length === 1;
    }, 60_000);
    const gated = await client.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/gated`);
    assert.deepEqual(ips(ep, 'notReadyAddresses'), [gated.status?.podIP ?? '']);
    assert.equal(ep?.subsets?.[0]?.notReadyAddresses?.[0]?.targetRef?.name, 'gated');

    const got = await kubectl(server.kubeconfig, ['get', 'endpoints', 'nginx', '-n', ns]);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(((got.stdout.split('\n')[1] ?? '').split(/\s+/)[1] ?? '').split(',').length, 2, got.stdout);

    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await client.request('PATCH', `/api/v1/namespaces/${ns}/pods/gated/status`, { status: { conditions: [{ type: 'example.com/ready', status: 'True', lastTransitionTime: now }] } }, 'application/strategic-merge-patch+json');
    await waitFor('three ready addresses', async () => {
      ep = await getEndpoints(ns, 'nginx');
      return ips(ep, 'addresses').length === 3 && ips(ep, 'notReadyAddresses').length === 0;
    }, 60_000);
  });

  test('scaling the pods changes the Endpoints, and kubectl shows three of them and how many more', async () => {
    const ns = await namespace();
    await client.request('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, rc(3));
    await client.request('POST', `/api/v1/namespaces/${ns}/services`, service);
    await waitFor('three addresses', async () => ips(await getEndpoints(ns, 'nginx'), 'addresses').length === 3, 60_000);

    const scaled = await kubectl(server.kubeconfig, ['scale', 'rc', 'nginx', '--replicas=5', '-n', ns]);
    assert.equal(scaled.code, 0, scaled.stderr);
    let ep: Endpoints | undefined;
    await waitFor('five addresses', async () => {
      ep = await getEndpoints(ns, 'nginx');
      return ips(ep, 'addresses').length === 5;
    }, 60_000);
    const got = await kubectl(server.kubeconfig, ['get', 'endpoints', '-n', ns]);
    assert.equal(got.code, 0, got.stderr);
    const lines = got.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+ENDPOINTS\s+AGE$/);
    assert.match(lines[1] ?? '', /^nginx\s+\d+\.\d+\.\d+\.\d+:80,\d+\.\d+\.\d+\.\d+:80,\d+\.\d+\.\d+\.\d+:80 \+ 2 more\.\.\.\s+\d+s$/);

    const described = await kubectl(server.kubeconfig, ['describe', 'svc', 'nginx', '-n', ns]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /\nEndpoints:\s+\d+\.\d+\.\d+\.\d+:80,\d+\.\d+\.\d+\.\d+:80,\d+\.\d+\.\d+\.\d+:80 \+ 2 more\.\.\.\n/);
    assert.match(described.stdout, /\nTargetPort:\s+http\/TCP\n/);

    await kubectl(server.kubeconfig, ['scale', 'rc', 'nginx', '--replicas=1', '-n', ns]);
    await waitFor('one address', async () => {
      ep = await getEndpoints(ns, 'nginx');
      return ips(ep, 'addresses').length === 1 && ips(ep, 'notReadyAddresses').length === 0;
    }, 60_000);
    assert.deepEqual(ips(ep, 'addresses'), (await runningPodIPs(ns)).sort());
  });

  test('a Service without a selector keeps the Endpoints its user wrote, and a deleted Service loses its Endpoints', async () => {
    const ns = await namespace();
    await client.request('POST', `/api/v1/namespaces/${ns}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external' }, spec: { ports: [{ port: 80 }] } });
    await client.request('POST', `/api/v1/namespaces/${ns}/endpoints`, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] }] });
    await client.request('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, rc(1));
    await client.request('POST', `/api/v1/namespaces/${ns}/services`, service);
    await waitFor('the selector Service endpoints', async () => ips(await getEndpoints(ns, 'nginx'), 'addresses').length === 1, 60_000);
    assert.deepEqual(ips(await getEndpoints(ns, 'external'), 'addresses'), ['192.0.2.1']);
    const kube = await getEndpoints('default', 'kubernetes');
    assert.equal(kube?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], undefined);

    await client.request('DELETE', `/api/v1/namespaces/${ns}/services/nginx`);
    await waitFor('the Endpoints to go', async () => (await getEndpoints(ns, 'nginx')) === undefined, 30_000);
  });
});
