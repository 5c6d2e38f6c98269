// Live: the kube-dns registration against a real k8ts server running its endpoints and EndpointSlice controllers
// (the server's own cluster DNS is turned off; the endpoint addresses here are only data, nothing connects to them).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { readKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { K8tsServer } from '../../test/e2e/support/server.js';
import { KubeDnsRegistration } from './kube-dns-registration.js';

const slices = '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices';

describe('kube-dns registration against a real server', { timeout: 90_000 }, () => {
  let server: K8tsServer;
  let client: RestClient;
  const a = (): KubeDnsRegistration => new KubeDnsRegistration(client, { clusterIp: '10.254.0.10', endpoint: { nodeName: 'node-a', address: '198.51.100.7', port: 5353 } });
  const b = (): KubeDnsRegistration => new KubeDnsRegistration(client, { clusterIp: '10.254.0.10', endpoint: { nodeName: 'node-b', address: '198.51.100.8', port: 53 } });

  before(async () => {
    server = await K8tsServer.start({ controlLoops: true, extraArgs: ['--disable-cluster-dns', '--disable-scheduler'] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
  });

  after(async () => {
    client?.close();
    await server?.destroy();
  });

  test('one pass creates the Service, this server\'s slice and the Endpoints kubectl shows', async () => {
    await a().reconcileOnce();
    const svc = await client.request<Service>('GET', '/api/v1/namespaces/kube-system/services/kube-dns');
    assert.equal(svc.spec?.clusterIP, '10.254.0.10');
    const slice = await client.request<EndpointSlice>('GET', `${slices}/kube-dns-node-a`);
    assert.deepEqual(slice.endpoints?.[0]?.addresses, ['198.51.100.7']);
    assert.equal(slice.metadata?.ownerReferences?.[0]?.uid, svc.metadata?.uid);
    assert.match(server.k(['get', 'endpoints', '-n', 'kube-system', 'kube-dns']), /\nkube-dns\s+198\.51\.100\.7:5353,198\.51\.100\.7:5353\s/);
  });

  test('a second server adds its own slice; the Endpoints list both', async () => {
    await b().reconcileOnce();
    const ep = await client.request<Endpoints>('GET', '/api/v1/namespaces/kube-system/endpoints/kube-dns');
    assert.deepEqual(ep.subsets?.map((s) => [s.addresses?.map((x) => x.ip), s.ports?.map((p) => p.port)]), [
      [['198.51.100.8'], [53, 53]],
      [['198.51.100.7'], [5353, 5353]],
    ]);
    assert.equal(ep.metadata?.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');
  });

  test('a Service edited by hand gets its ports and labels back; one with another cluster IP is replaced', async () => {
    server.k(['label', 'svc', '-n', 'kube-system', 'kube-dns', 'k8s-app-']);
    server.k(['patch', 'svc', '-n', 'kube-system', 'kube-dns', '--type=json', '-p', '[{"op":"remove","path":"/spec/ports/1"}]']);
    await a().reconcileOnce();
    const fixed = await client.request<Service>('GET', '/api/v1/namespaces/kube-system/services/kube-dns');
    assert.equal(fixed.metadata?.labels?.['k8s-app'], 'kube-dns');
    assert.deepEqual(fixed.spec?.ports?.map((p) => `${p.name}/${p.protocol}`), ['dns/UDP', 'dns-tcp/TCP']);
    server.k(['delete', 'svc', '-n', 'kube-system', 'kube-dns']);
    server.k(['create', 'service', 'clusterip', 'kube-dns', '-n', 'kube-system', '--tcp=53:53', '--clusterip=10.254.0.50']);
    await a().reconcileOnce();
    assert.equal((await client.request<Service>('GET', '/api/v1/namespaces/kube-system/services/kube-dns')).spec?.clusterIP, '10.254.0.10');
  });

  test('the endpoints controllers leave the selector-less kube-dns objects alone', async () => {
    const reg = a();
    await reg.reconcileOnce();
    await b().reconcileOnce();
    await new Promise((r) => setTimeout(r, 3000));
    const all = await client.request<{ items: EndpointSlice[] }>('GET', `${slices}?labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns`);
    assert.deepEqual(all.items.map((s) => s.metadata?.name).sort(), ['kube-dns-node-a', 'kube-dns-node-b']);
    const ep = await client.request<Endpoints>('GET', '/api/v1/namespaces/kube-system/endpoints/kube-dns');
    assert.equal(ep.subsets?.length, 2);
  });

  test('stop withdraws this server\'s slice and address, and leaves the other server\'s', async () => {
    const reg = a();
    reg.start();
    await reg.stop();
    await assert.rejects(client.request('GET', `${slices}/kube-dns-node-a`), (e: unknown) => (e as { code?: number }).code === 404);
    const ep = await client.request<Endpoints>('GET', '/api/v1/namespaces/kube-system/endpoints/kube-dns');
    assert.deepEqual(ep.subsets?.flatMap((s) => s.addresses?.map((x) => x.ip) ?? []), ['198.51.100.8']);
  });
});
