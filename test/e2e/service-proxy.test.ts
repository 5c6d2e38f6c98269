// Services on real containers: the tutorials' replication.yaml (three nginx pods) and service.yaml with its selector
// corrected to `app: nginx` (a LoadBalancer on port 8080, NodePort 30080). The service proxy of `k8ts server` serves
// nginx's welcome page at NODE_IP:30080, at CLUSTER_IP:8080 and, through ServiceLB's ingress address, at
// NODE_IP:8080, to this process and to a busybox pod; a pod reaches itself through its own service (hairpin); a
// deleted endpoint pod's rules go within a second of its EndpointSlice change; and the table is gone once the server
// has stopped.
//
// The node's address is this machine's own global address (traffic to it never leaves the machine). Network
// safety: the REJECT guards of bench/node-network-guard.ts stop anything from the pod range leaving the machine and
// anything towards the service range that no DNAT rule took (FORWARD and OUTPUT); the proxy's DNAT happens before
// them (nat output/prerouting), so a service with endpoints passes and one without is rejected. The guard for local
// traffic to the pod range checks the device in mangle POSTROUTING, the one the packet really leaves by after DNAT.
// after() deletes the proxy's table if the server left it, then the guards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { parse as parseYaml } from 'yaml';
import { NetworkGuard } from '../../bench/node-network-guard.js';
import { Informer } from '../../src/client/informer.js';
import { readKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';
import { buildBusyboxImage } from '../../src/images/builtin-images.js';
import { NGINX_PATH, NGINX_TUTORIAL_REFS, buildNginxImage } from '../../src/images/nginx-image.js';
import { clusterPolicyChainPrefix, servicePortChainNameBase } from '../../src/proxy/chain-names.js';
import { httpGet, K8tsServer, seedDir, waitFor } from './support/server.js';
import { agentKubectl, busyboxContainer, importImage, type PodJson } from './support/node-agent-fixture.js';

const run = promisify(execFile);

const CLUSTER_CIDR = '10.244.0.0/16';
const SERVICE_CIDR = '10.96.0.0/16';
const TABLE = 'k8ts-proxy';
const SERVICE_CHAIN = clusterPolicyChainPrefix + servicePortChainNameBase({ namespace: 'default', name: 'nginx-service', port: '', protocol: 'TCP' });

/** This machine's first global IPv4 address: the node's address (packets to it stay on the machine). */
async function hostAddress(): Promise<string | undefined> {
  const out = (await run('ip', ['-4', '-o', 'addr', 'show', 'scope', 'global'])).stdout;
  return /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(out)?.[1];
}

function skipReason(): string | false {
  const containerd = containerdTestSkipReason();
  if (containerd !== false) return containerd;
  if (!existsSync('/usr/lib/cni/bridge')) return 'the CNI plugins are missing: apt-get install containernetworking-plugins';
  if (!existsSync(NGINX_PATH)) return `${NGINX_PATH} is missing: apt-get install nginx-light`;
  if (!existsSync('/usr/sbin/nft')) return 'nft is missing: apt-get install nftables';
  return false;
}


async function nftList(args: string[]): Promise<string | undefined> {
  try {
    return (await run('nft', ['list', ...args])).stdout;
  } catch {
    return undefined;
  }
}

const skip = skipReason();

describe('services on real containers through the service proxy', { skip }, () => {
  let server: K8tsServer | undefined;
  let guard: NetworkGuard | undefined;
  let client: RestClient | undefined;
  let nodeIP = '';
  let clusterIP = '';
  const { kubectl, pod } = agentKubectl(() => server?.kubeconfig ?? '');
  const pods = async (selector: string): Promise<PodJson[]> => (JSON.parse(await kubectl(['get', 'pods', '-l', selector, '-o', 'json'])) as { items: PodJson[] }).items;
  const running = (p: PodJson): boolean => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready === true);
  const welcome = async (url: string): Promise<boolean> => /<title>Welcome to nginx!<\/title>/.test((await httpGet(url).catch(() => ({ body: '' }))).body);

  before(async () => {
    nodeIP = (await hostAddress()) ?? '';
    assert.notEqual(nodeIP, '', 'this machine has a global IPv4 address');
    guard = await NetworkGuard.install(CLUSTER_CIDR, SERVICE_CIDR);
    server = await K8tsServer.start({ agent: true, controlLoops: true, extraArgs: ['--cluster-cidr', CLUSTER_CIDR, '--service-cidr', SERVICE_CIDR, '--node-ip', nodeIP] });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    const dir = server.dataDir;
    await buildNginxImage(join(dir, 'nginx.tar'), undefined, { refs: NGINX_TUTORIAL_REFS });
    await buildBusyboxImage(join(dir, 'busybox.tar'));
    await waitFor('the node Ready', async () => / Ready /.test((await kubectl(['get', 'nodes', '--no-headers']).catch(() => '')).replace(/\s+/g, ' ')), 60_000);
    for (const f of ['nginx.tar', 'busybox.tar']) await importImage(dir, join(dir, f));
    // replication.yaml names the untagged image "nginx" (pull policy Always, a pull from docker.io): the copy applied
    // has IfNotPresent. service.yaml selects `name: nginx`, which no pod carries: the copy selects `app: nginx`.
    const rc = parseYaml(await readFile(join(seedDir, 'replication.yaml'), 'utf8')) as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    for (const c of rc.spec.template.spec.containers) c['imagePullPolicy'] = 'IfNotPresent';
    const svc = parseYaml(await readFile(join(seedDir, 'service.yaml'), 'utf8')) as { spec: { selector: Record<string, string> } };
    assert.deepEqual(svc.spec.selector, { name: 'nginx' });
    svc.spec.selector = { app: 'nginx' };
    await kubectl(['apply', '-f', '-'], JSON.stringify(rc));
    await kubectl(['apply', '-f', '-'], JSON.stringify(svc));
  });

  after(async () => {
    try {
      client?.close();
      if (server !== undefined) {
        if (server.alive) await kubectl(['delete', 'replicationcontrollers,pods', '--all', '--grace-period=1', '--wait=true', '--timeout=60s']).catch(() => '');
        await server.destroy();
      }
      // A server that died would leave the table behind.
      if ((await nftList(['table', 'ip', TABLE])) !== undefined) await run('nft', ['delete', 'table', 'ip', TABLE]).catch(() => undefined);
    } finally {
      await guard?.remove();
    }
  });

  test('nginx-service gets its cluster IP, NodePort 30080 and the node address from ServiceLB', { timeout: 120_000 }, async () => {
    await waitFor('3 nginx pods ready', async () => (await pods('app=nginx')).filter(running).length === 3, 90_000);
    await waitFor('the load balancer ingress', async () => (await kubectl(['get', 'svc', 'nginx-service', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).trim() !== '', 15_000);
    const svc = JSON.parse(await kubectl(['get', 'svc', 'nginx-service', '-o', 'json'])) as {
      spec: { clusterIP: string; ports: { nodePort: number }[] };
      status: { loadBalancer: { ingress: { ip: string; ipMode?: string }[] } };
    };
    clusterIP = svc.spec.clusterIP;
    assert.equal(svc.spec.ports[0]?.nodePort, 30080);
    assert.deepEqual(svc.status.loadBalancer.ingress, [{ ip: nodeIP, ipMode: 'VIP' }]);
    const row = (await kubectl(['get', 'svc', 'nginx-service', '--no-headers'])).trim().split(/\s+/);
    assert.deepEqual(row.slice(0, 5), ['nginx-service', 'LoadBalancer', clusterIP, nodeIP, '8080:30080/TCP']);
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=nginx-service', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, new RegExp(`UpdatedLoadBalancer: Updated LoadBalancer with new IPs: \\[\\] -> \\[${nodeIP.replace(/\./g, '\\.')}\\]`));
  });

  test('the welcome page is served at NODE_IP:30080, CLUSTER_IP:8080 and the load balancer address to this machine', { timeout: 30_000 }, async () => {
    await waitFor('nginx at the cluster IP', () => welcome(`http://${clusterIP}:8080/`), 10_000);
    assert.ok(await welcome(`http://${nodeIP}:30080/`), `http://${nodeIP}:30080/`);
    assert.ok(await welcome(`http://${nodeIP}:8080/`), `the load balancer ingress http://${nodeIP}:8080/`);
    // The three endpoints share the service chain's random pick.
    const chain = (await nftList(['chain', 'ip', TABLE, SERVICE_CHAIN])) ?? '';
    assert.match(chain, /numgen random mod 3 vmap \{ 0 : goto endpoint-\S+, 1 : goto endpoint-\S+, 2 : goto endpoint-\S+ \}/);
    // A port the service does not have is refused, not sent off the machine.
    await assert.rejects(httpGet(`http://${clusterIP}:8081/`), /ECONNREFUSED/);
  });

  test('a busybox pod fetches the welcome page through the cluster IP and the NodePort', { timeout: 90_000 }, async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'fetch' },
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 1,
        // (Debian's busybox-static wget dies on a refused connection and with -T: timeout bounds it instead.)
        containers: [busyboxContainer('main', `timeout 10 wget -qO- http://${clusterIP}:8080/ && echo --- && timeout 10 wget -qO- http://${nodeIP}:30080/`)],
      },
    }));
    await waitFor('fetch finished', async () => ['Succeeded', 'Failed'].includes((await pod('fetch')).status?.phase ?? ''), 60_000);
    const logs = await kubectl(['logs', 'fetch']);
    assert.equal((await pod('fetch')).status?.phase, 'Succeeded', logs);
    const [viaClusterIP, viaNodePort] = logs.split('---\n');
    assert.match(viaClusterIP ?? '', /Welcome to nginx!/);
    assert.match(viaNodePort ?? '', /Welcome to nginx!/);
  });

  test('a pod reaches itself through its own service (hairpin)', { timeout: 90_000 }, async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hairpin' }, spec: { selector: { app: 'hairpin' }, ports: [{ port: 80 }] } }));
    const ip = (await kubectl(['get', 'svc', 'hairpin', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const script = `mkdir /www && echo hairpin-ok > /www/index.html && httpd -p 80 -h /www && for i in $(seq 1 30); do timeout 3 wget -qO- http://${ip}/ && exit 0; sleep 1; done; exit 1`;
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hairpin', labels: { app: 'hairpin' } },
      spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [busyboxContainer('main', script)] },
    }));
    await waitFor('hairpin finished', async () => ['Succeeded', 'Failed'].includes((await pod('hairpin')).status?.phase ?? ''), 60_000);
    const logs = await kubectl(['logs', 'hairpin']);
    assert.equal((await pod('hairpin')).status?.phase, 'Succeeded', logs);
    assert.match(logs, /hairpin-ok/);
    await kubectl(['delete', 'svc', 'hairpin']);
  });

  test('a deleted endpoint pod leaves the service rules within a second of its EndpointSlice change', { timeout: 60_000 }, async (t) => {
    const c = client;
    assert.ok(c !== undefined);
    const victim = (await pods('app=nginx')).find(running);
    const victimIP = victim?.status?.podIP ?? '';
    assert.match((await nftList(['chain', 'ip', TABLE, SERVICE_CHAIN])) ?? '', new RegExp(`__${victimIP.replace(/\./g, '\\.')}/80`));
    // The moment the EndpointSlice stops offering the pod as ready, seen through a watch of our own.
    let sliceChangedAt = 0;
    const slices = new Informer(c, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { labelSelector: 'kubernetes.io/service-name=nginx-service' });
    slices.addHandlers({
      update: (_o, n) => {
        const ep = ((n as unknown as EndpointSlice).endpoints ?? []).find((e) => e.addresses[0] === victimIP);
        if (sliceChangedAt === 0 && (ep === undefined || ep.conditions?.ready !== true)) sliceChangedAt = Date.now();
      },
    });
    slices.start();
    await slices.waitForSync();
    try {
      await kubectl(['delete', 'pod', victim?.metadata?.name ?? '', '--wait=false']);
      let goneAt = 0;
      await waitFor(
        'the endpoint out of the service chain',
        async () => {
          const chain = (await nftList(['chain', 'ip', TABLE, SERVICE_CHAIN])) ?? '';
          if (!chain.includes(`__${victimIP}/80`)) goneAt = Date.now();
          return goneAt !== 0;
        },
        20_000,
      );
      await waitFor('the slice change seen', () => sliceChangedAt !== 0, 5000);
      const ms = goneAt - sliceChangedAt;
      t.diagnostic(`the endpoint left the rules ${ms} ms after its EndpointSlice changed`);
      assert.ok(ms <= 1000, `the rule went ${ms} ms after the EndpointSlice changed`);
      // The service still answers through the others.
      assert.ok(await welcome(`http://${clusterIP}:8080/`));
    } finally {
      slices.stop();
    }
  });

  test('once the server has stopped, no table of the proxy is left', { timeout: 90_000 }, async () => {
    assert.notEqual(await nftList(['table', 'ip', TABLE]), undefined);
    await kubectl(['delete', 'replicationcontrollers,pods', '--all', '--grace-period=1', '--wait=true', '--timeout=60s']);
    await server?.stop();
    assert.equal(await nftList(['table', 'ip', TABLE]), undefined, 'the table is gone');
    // With the table gone, the service range is the guards' again: nothing answers there.
    await assert.rejects(httpGet(`http://${clusterIP}:8080/`), /ECONNREFUSED/);
  });
});
