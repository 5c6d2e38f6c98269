// Live: the service proxy against a real `k8ts server` (API only), programming a network namespace of this test's
// own (no route out of it): busybox httpd "pods" on addresses of its loopback answer through the cluster IP and
// the NodePort, a changed EndpointSlice moves the traffic, a service without endpoints is refused, and stopping the
// proxy deletes its table. Every packet stays inside the namespace. Skipped without root, nft or busybox.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { K8tsServer, waitFor } from '../../test/e2e/support/server.js';
import { readKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { startServiceProxy, type ServiceProxy } from './service-proxy.js';

const run = promisify(execFile);
const NS = `k8ts-proxy-live-${process.pid}`;
const PEER_NS = `k8ts-proxy-peer-${process.pid}`;
const BUSYBOX = '/usr/bin/busybox';
const NODE_IP = '10.77.0.1';
const POD_A = '10.244.0.5';
const POD_B = '10.244.0.6';
const SERVICE_CIDR = '10.254.0.0/16';

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'network namespaces and nftables need root';
  if (!existsSync('/usr/sbin/nft')) return 'nft is missing: apt-get install nftables';
  if (!existsSync(BUSYBOX)) return `${BUSYBOX} is missing: apt-get install busybox-static`;
  return false;
}

const inNs = (args: string[]): Promise<{ stdout: string; stderr: string }> => run('ip', ['netns', 'exec', NS, ...args]);

/** A TCP connect from inside the namespace: '' when it connected, else nc's error ("Connection refused"). */
async function connectInNs(ip: string, port: number): Promise<string> {
  try {
    await run('ip', ['netns', 'exec', NS, 'timeout', '3', BUSYBOX, 'nc', '-w', '2', ip, String(port)], { timeout: 5000 });
    return '';
  } catch (e: unknown) {
    const x = e as { stderr?: string; message?: string };
    return (x.stderr ?? x.message ?? '').trim();
  }
}

/** GET from inside the namespace: the body, or the error text (Debian's busybox wget dies on a refused connection: connectInNs tells those). */
async function fetchInNs(url: string): Promise<string> {
  try {
    return (await run('ip', ['netns', 'exec', NS, 'timeout', '3', BUSYBOX, 'wget', '-qO-', url])).stdout.trim();
  } catch (e: unknown) {
    const x = e as { stderr?: string; message?: string };
    return `error: ${(x.stderr ?? x.message ?? '').trim()}`;
  }
}

async function listTable(): Promise<string> {
  try {
    return (await inNs(['nft', 'list', 'table', 'ip', 'k8ts-proxy'])).stdout;
  } catch {
    return '';
  }
}

describe('the service proxy in a network namespace of its own', { skip: skipReason() }, () => {
  let server: K8tsServer | undefined;
  let client: RestClient | undefined;
  let proxy: ServiceProxy | undefined;
  const httpds: ChildProcess[] = [];
  const www = mkdtempSync(join(tmpdir(), 'k8ts-proxy-live-'));
  let clusterIP = '';
  let nodePort = 0;

  const put = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const c = client;
    if (c === undefined) throw new Error('no client');
    return c.request('PUT', path, body);
  };

  before(async () => {
    await run('ip', ['netns', 'add', NS]);
    await inNs(['ip', 'link', 'set', 'lo', 'up']);
    for (const a of [NODE_IP, POD_A, POD_B]) await inNs(['ip', 'addr', 'add', `${a}/32`, 'dev', 'lo']);
    // A default route, as a host has (a connect with no route fails before any hook): through a veth pair to a second
    // namespace of this test, which routes nowhere. (A route through lo would not do: the kernel sends no ICMP
    // error for a packet rejected on its way out of lo.)
    await run('ip', ['netns', 'add', PEER_NS]);
    await run('ip', ['link', 'add', 'k8pxl0', 'netns', NS, 'type', 'veth', 'peer', 'name', 'k8pxl1', 'netns', PEER_NS]);
    await inNs(['ip', 'addr', 'add', '10.78.0.1/30', 'dev', 'k8pxl0']);
    await inNs(['ip', 'link', 'set', 'k8pxl0', 'up']);
    await run('ip', ['netns', 'exec', PEER_NS, 'ip', 'link', 'set', 'k8pxl1', 'up']);
    await inNs(['ip', 'route', 'add', 'default', 'via', '10.78.0.2']);
    for (const [ip, body] of [[POD_A, 'pod-a'], [POD_B, 'pod-b']] as const) {
      const dir = join(www, ip);
      mkdirSync(dir);
      writeFileSync(join(dir, 'index.html'), `${body}\n`);
      httpds.push(spawn('ip', ['netns', 'exec', NS, BUSYBOX, 'httpd', '-f', '-p', `${ip}:8080`, '-h', dir], { stdio: 'ignore' }));
    }
    server = await K8tsServer.start({ extraArgs: ['--service-cidr', SERVICE_CIDR] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    proxy = startServiceProxy({ client, nodeName: 'node-a', nodeIPs: [NODE_IP], clusterCidr: '10.244.0.0/16', serviceCidr: SERVICE_CIDR, nftCommand: ['ip', 'netns', 'exec', NS, 'nft'], conntrackCommand: ['ip', 'netns', 'exec', NS, 'conntrack'] });
  });

  after(async () => {
    await proxy?.stop();
    client?.close();
    for (const h of httpds) h.kill('SIGKILL');
    await run('ip', ['netns', 'delete', NS]).catch(() => undefined);
    await run('ip', ['netns', 'delete', PEER_NS]).catch(() => undefined);
    await server?.destroy();
    rmSync(www, { recursive: true, force: true });
  });

  test('the first sync writes the table with its fixed chains', async () => {
    await proxy?.ready();
    const table = await listTable();
    assert.match(table, /chain nat-prerouting \{\n\s+type nat hook prerouting priority dstnat; policy accept;/);
    assert.match(table, /elements = \{ 10\.77\.0\.1 \}/);
  });

  test('a NodePort service answers at its cluster IP and at the node address', async () => {
    const svc = await client?.request('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
    });
    const spec = svc?.['spec'] as { clusterIP: string; ports: { nodePort: number }[] };
    clusterIP = spec.clusterIP;
    nodePort = spec.ports[0]?.nodePort ?? 0;
    await client?.request('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: [POD_A], conditions: { ready: true }, nodeName: 'node-a' }],
    });
    await waitFor('the cluster IP to answer', async () => (await fetchInNs(`http://${clusterIP}/`)) === 'pod-a', 5000);
    assert.equal(await fetchInNs(`http://${NODE_IP}:${nodePort}/`), 'pod-a');
  });

  test('a changed endpoint moves the traffic within a second, rewriting only that service', async () => {
    const before = proxy?.stats();
    const slice = await client?.request('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-1');
    const started = Date.now();
    await put('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-1', { ...slice, endpoints: [{ addresses: [POD_B], conditions: { ready: true }, nodeName: 'node-a' }] });
    await waitFor('traffic to reach pod-b', async () => (await fetchInNs(`http://${clusterIP}/`)) === 'pod-b', 5000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1000, `${elapsed} ms`);
    assert.equal((proxy?.stats().fullSyncs ?? 0) - (before?.fullSyncs ?? 0), 0, JSON.stringify({ before, after: proxy?.stats() }));
    assert.ok((proxy?.stats().partialSyncs ?? 0) > (before?.partialSyncs ?? 0), JSON.stringify({ before, after: proxy?.stats() }));
  });

  test('a service whose endpoints are not ready refuses connections', async () => {
    const slice = await client?.request('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-1');
    await put('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-1', { ...slice, endpoints: [{ addresses: [POD_B], conditions: { ready: false }, nodeName: 'node-a' }] });
    let got = '';
    const refused = await waitFor('the service to refuse', async () => /refused/i.test((got = await connectInNs(clusterIP, 80))), 5000).then(() => true, () => false);
    assert.ok(refused, `${got}\n${await listTable()}`);
    assert.match(await listTable(), new RegExp(`${clusterIP.replace(/\./g, '\\.')} \\. tcp \\. 80 comment "default/web:http" : goto reject-chain`));
  });

  test('a headless service gets no rules', async () => {
    await client?.request('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'headless' },
      spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] },
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!(await listTable()).includes('default/headless'));
  });

  test('an external IP and port another service held goes to the one waiting for it when the holder is deleted', async () => {
    const mk = (name: string): Promise<Record<string, unknown> | undefined> | undefined =>
      client?.request('POST', '/api/v1/namespaces/default/services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name },
        spec: { externalIPs: ['10.77.0.50'], ports: [{ name: 'http', port: 81, targetPort: 8080 }] },
      });
    await mk('ext-a');
    await waitFor('ext-a to hold the address', async () => (await listTable()).includes('10.77.0.50 . tcp . 81 comment "default/ext-a:http"'), 5000);
    await mk('ext-b');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!(await listTable()).includes('10.77.0.50 . tcp . 81 comment "default/ext-b:http"'));
    await client?.request('DELETE', '/api/v1/namespaces/default/services/ext-a');
    await waitFor('ext-b to get the address', async () => (await listTable()).includes('10.77.0.50 . tcp . 81 comment "default/ext-b:http"'), 5000);
  });

  test('a UDP flow NATed to an endpoint that is gone is cleared from conntrack', { skip: existsSync('/usr/sbin/conntrack') ? false : 'apt-get install conntrack' }, async () => {
    const svc = await client?.request('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'dns' },
      spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 }] },
    });
    const ip = (svc?.['spec'] as { clusterIP: string }).clusterIP;
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'dns-1', labels: { 'kubernetes.io/service-name': 'dns' } },
      addressType: 'IPv4',
      ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }],
      endpoints: [{ addresses: [POD_A], conditions: { ready: true } }],
    };
    await client?.request('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', slice);
    const flows = async (): Promise<string> => (await run('ip', ['netns', 'exec', NS, 'conntrack', '-L', '-p', 'udp', '--orig-dst', ip]).catch((e: unknown) => ({ stdout: String(e) }))).stdout;
    // A datagram from a fixed source port, as a resolver re-using its socket sends them.
    const send = (): Promise<unknown> =>
      run('ip', ['netns', 'exec', NS, process.execPath, '-e', `const s = require('node:dgram').createSocket('udp4'); s.bind(40053, () => s.send('q', 53, '${ip}', () => s.close()));`]).catch(() => undefined);
    await waitFor('the UDP service in the rules', async () => (await listTable()).includes(`${ip} . udp . 53`), 5000);
    await send();
    await waitFor('a flow NATed to pod A', async () => (await flows()).includes(`src=${POD_A}`), 5000);
    const current = await client?.request('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/dns-1');
    await put('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/dns-1', { ...current, endpoints: [{ addresses: [POD_B], conditions: { ready: true } }] });
    await waitFor('the flow to pod A cleared', async () => !(await flows()).includes(`src=${POD_A}`), 5000);
    await send();
    await waitFor('the next datagram NATed to pod B', async () => (await flows()).includes(`src=${POD_B}`), 5000);
  });

  test('stopping the proxy deletes its table', async () => {
    await proxy?.stop();
    assert.equal(await listTable(), '');
    const tables = (await inNs(['nft', 'list', 'tables'])).stdout;
    assert.ok(!tables.includes('k8ts-proxy'), tables);
  });
});
