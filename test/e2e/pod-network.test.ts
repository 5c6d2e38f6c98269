// `k8ts server` with its node agent gives pods their own network: once the node has its podCIDR the agent writes
// the CNI conflist (bridge cni0 + host-local), containerd's CRI loads it and the node goes Ready; the tutorials'
// nginx pod (the seed pod.yaml) gets an address from the podCIDR and serves its welcome page to this process over
// cni0; a busybox pod fetches it by IP; deleting the pods releases their addresses and network namespaces.
//
// Network safety: before k8ts starts, the REJECT rules of bench/node-network-guard.ts stop anything from the pod range
// leaving the machine and anything towards the service range (FORWARD and OUTPUT), and this process may reach the pod
// range only through cni0; after() removes exactly those rules, restores ip_forward (the bridge plugin turns it on)
// and deletes cni0. The pod and service ranges are checked against this machine's addresses and routes first, and a
// cni0 that exists already is refused. Every pod IP this test sends to must lie in the node's podCIDR. nginx listens
// only inside its pod's network namespace. Skipped without root, containerd, the CNI plugins, busybox-static or nginx.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { cniConfigFileName, cniNetworkName, hostLocalDataDir, podCidrGateway, type CniConfList } from '../../src/cni/cni-config.js';
import { defaultCniConfDir } from '../../src/containerd/containerd-config.js';
import { resolveContainerdBinaries } from '../../src/containerd/containerd-binaries.js';
import { cidrContains, parseIpv4, parseIpv4Cidr, type Ipv4Cidr } from '../../src/controllers/nodeipam/cidr-set.js';
import { BUSYBOX_PATH } from '../../src/images/builtin-images.js';
import { NGINX_PATH, NGINX_TUTORIAL_REFS, buildNginxImage } from '../../src/images/nginx-image.js';
import { BRIDGE, NetworkGuard } from '../../bench/node-network-guard.js';
import { K8tsServer, seedDir, waitFor } from './support/server.js';
import { containerdPaths } from '../../src/containerd/containerd-config.js';
import { agentKubectl, importBusybox, importImage, stopNodeAgent } from './support/node-agent-fixture.js';

const run = promisify(execFile);

const CLUSTER_CIDR = '10.244.0.0/16';
const SERVICE_CIDR = '10.96.0.0/16';
/** Where k8ts's containerd pins pods' network namespaces: its CRI plugin's state dir (netns_mounts_under_state_dir). */
const netnsDir = (dataDir: string): string => join(containerdPaths(dataDir).state, 'io.containerd.grpc.v1.cri', 'netns');

function skipReason(): string | false {
  try {
    resolveContainerdBinaries();
  } catch (e: unknown) {
    return e instanceof Error ? e.message : String(e);
  }
  if (!existsSync('/usr/lib/cni/bridge') || !existsSync('/usr/lib/cni/host-local')) return 'the CNI plugins are missing: apt-get install containernetworking-plugins';
  if (!existsSync(BUSYBOX_PATH)) return `${BUSYBOX_PATH} is missing: apt-get install busybox-static`;
  if (!existsSync(NGINX_PATH)) return `${NGINX_PATH} is missing: apt-get install nginx-light`;
  if (process.getuid?.() !== 0) return 'the node agent and the iptables guards need root';
  return false;
}

function httpGet(url: string): Promise<{ status: number; server: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, server: String(res.headers.server ?? ''), body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

async function netnsNames(dataDir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(netnsDir(dataDir)));
  } catch {
    return new Set();
  }
}

const skip = skipReason();

describe('the pod network of k8ts server', { skip }, () => {
  let server: K8tsServer | undefined;
  let guard: NetworkGuard | undefined;
  let podCidr: Ipv4Cidr = parseIpv4Cidr('0.0.0.0/32');
  let podCidrText = '';
  let nginxIP = '';
  let fetchIP = '';
  let netnsBefore = new Set<string>();

  const { kubectl, pod } = agentKubectl(() => server?.kubeconfig ?? '');
  /** The pod's IP, refused unless it lies in the node's podCIDR (no traffic is sent anywhere else). */
  const podIP = async (name: string): Promise<string> => {
    const ip = (await pod(name)).status?.podIP ?? '';
    const n = parseIpv4(ip);
    assert.ok(n !== undefined && cidrContains(podCidr, n), `pod ${name}'s IP ${JSON.stringify(ip)} lies in the node's podCIDR ${podCidrText}`);
    return ip;
  };
  const leaseDir = (): string => join(hostLocalDataDir(server?.dataDir ?? ''), cniNetworkName);

  before(async () => {
    guard = await NetworkGuard.install(CLUSTER_CIDR, SERVICE_CIDR);
    server = await K8tsServer.start({ agent: true, controlLoops: true, extraArgs: ['--cluster-cidr', CLUSTER_CIDR, '--service-cidr', SERVICE_CIDR] });
    netnsBefore = await netnsNames(server.dataDir);
  });

  after(async () => {
    try {
      await stopNodeAgent(server, kubectl);
    } finally {
      await guard?.remove();
    }
  });

  test('the node goes Ready once the agent has written the CNI config for its podCIDR', async () => {
    const confFile = join(defaultCniConfDir(server?.dataDir ?? ''), cniConfigFileName);
    await waitFor('the CNI config', () => existsSync(confFile), 30_000);
    const written = Date.now();
    podCidrText = (await kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].spec.podCIDR}'])).trim();
    podCidr = parseIpv4Cidr(podCidrText);
    assert.ok(cidrContains(parseIpv4Cidr(CLUSTER_CIDR), podCidr.base), `${podCidrText} lies in ${CLUSTER_CIDR}`);
    const conf = JSON.parse(await readFile(confFile, 'utf8')) as CniConfList;
    assert.deepEqual(conf.plugins[0].ipam.ranges[0]?.[0]?.subnet, podCidrText);
    assert.equal(conf.plugins[0].ipMasq, false);
    await waitFor(
      'the node Ready',
      async () => / Ready /.test((await kubectl(['get', 'nodes', '--no-headers'])).replace(/\s+/g, ' ')),
      30_000,
    );
    assert.ok(Date.now() - written < 20_000, `Ready ${Date.now() - written} ms after the CNI config appeared`);
    const ready = await kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].reason}']);
    assert.equal(ready, 'KubeletReady');
  });

  test('k8ts images import loads the nginx image under the tutorials tags, and busybox', async () => {
    const nginx = join(server?.dataDir ?? '', 'nginx.tar');
    await buildNginxImage(nginx, undefined, { refs: NGINX_TUTORIAL_REFS });
    const imported = await importImage(server?.dataDir ?? '', nginx);
    for (const ref of ['docker.io/library/nginx:latest', ...NGINX_TUTORIAL_REFS]) assert.match(imported, new RegExp(`^imported ${ref.replace(/\./g, '\\.')}$`, 'm'));
    await importBusybox(server?.dataDir ?? '');
  });

  test('the seed nginx pod runs 1/1 with an address from the podCIDR and serves its welcome page over cni0', async () => {
    // The seed manifest names the untagged image "nginx", which defaults to imagePullPolicy Always: the kubelet
    // would ask containerd to pull from docker.io, off this machine. The copy applied here only adds IfNotPresent.
    const manifest = parseYaml(await readFile(join(seedDir, 'pod.yaml'), 'utf8')) as { spec: { containers: Record<string, unknown>[] } };
    assert.equal(manifest.spec.containers[0]?.['image'], 'nginx');
    for (const c of manifest.spec.containers) c['imagePullPolicy'] = 'IfNotPresent';
    await kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
    await waitFor(
      'nginx 1/1 Running',
      async () => /^nginx +1\/1 +Running /m.test(await kubectl(['get', 'pod', 'nginx', '--no-headers']).catch(() => '')),
      60_000,
    );
    nginxIP = await podIP('nginx');
    assert.notEqual(nginxIP, podCidrGateway(podCidrText), 'the gateway address stays the bridge\'s');
    const wide = await kubectl(['get', 'pod', 'nginx', '-o', 'wide', '--no-headers']);
    assert.ok(wide.includes(` ${nginxIP} `), wide);

    let res: Awaited<ReturnType<typeof httpGet>> | undefined;
    await waitFor('nginx answering on its pod IP', async () => {
      res = await httpGet(`http://${nginxIP}:80/`).catch(() => undefined);
      return res !== undefined;
    }, 15_000);
    assert.equal(res?.status, 200);
    assert.match(res?.server ?? '', /^nginx\//);
    assert.match(res?.body ?? '', /<title>Welcome to nginx!<\/title>/);
    assert.match(res?.body ?? '', /<h1>Welcome to nginx!<\/h1>/);
    // It listens in its own namespace only: nothing on this machine's own addresses serves port 80.
    const listening = (await run('ss', ['-Hltn', 'sport = :80'])).stdout.trim();
    assert.equal(listening, '', `something listens on port 80 in the host's namespace: ${listening}`);
  });

  test('a busybox pod fetches the nginx pod by its IP, and nginx logs the busybox pod as the client', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'fetch' },
      spec: {
        restartPolicy: 'Never',
        containers: [{
          name: 'main',
          image: 'busybox',
          imagePullPolicy: 'IfNotPresent',
          // (Debian's busybox-static wget crashes with -T and on a refused connection: timeout bounds it instead.)
          command: ['sh', '-c', `ip -4 -o addr show eth0; timeout 10 wget -qO- http://${nginxIP}/`],
        }],
      },
    }));
    await waitFor('fetch Succeeded or Failed', async () => ['Succeeded', 'Failed'].includes((await pod('fetch')).status?.phase ?? ''), 60_000);
    const fetched = await pod('fetch');
    const logDir = join(server?.dataDir ?? '', 'agent', 'pod-logs', `default_fetch_${fetched.metadata?.uid ?? ''}`);
    const log = await readFile(join(logDir, 'main', '0.log'), 'utf8');
    assert.equal(fetched.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0, log);
    assert.equal(fetched.status?.phase, 'Succeeded');
    fetchIP = await podIP('fetch');
    assert.notEqual(fetchIP, nginxIP);

    assert.match(log, /Welcome to nginx!/);
    assert.ok(log.includes(`inet ${fetchIP}/${podCidr.prefix}`), `the fetch pod's eth0 has ${fetchIP}: ${log.split('\n')[0] ?? ''}`);

    const nginxUid = (await pod('nginx')).metadata?.uid ?? '';
    const access = await readFile(join(server?.dataDir ?? '', 'agent', 'pod-logs', `default_nginx_${nginxUid}`, 'nginx', '0.log'), 'utf8');
    assert.match(access, new RegExp(`stdout F ${fetchIP.replace(/\./g, '\\.')} - - \\[[^\\]]+\\] "GET / HTTP/1\\.1" 200 `));
  });

  test('deleting the pods releases their addresses and tears down their network namespaces', async () => {
    const leases = await readdir(leaseDir());
    assert.ok(leases.includes(nginxIP), `host-local holds ${nginxIP}: ${leases.join(' ')}`);
    const podNetns = [...(await netnsNames(server?.dataDir ?? ''))].filter((n) => !netnsBefore.has(n));
    assert.ok(podNetns.length >= 1, 'the nginx pod has a network namespace of its own');
    const veths = (await run('ip', ['-o', 'link', 'show', 'master', BRIDGE])).stdout.trim().split('\n').filter((l) => l !== '');
    assert.ok(veths.length >= 1, `a veth of the nginx pod is on ${BRIDGE}`);

    await kubectl(['delete', 'pod', 'nginx', 'fetch', '--grace-period=2', '--wait=true']);
    await waitFor('the addresses released', async () => {
      const left = await readdir(leaseDir()).catch(() => [] as string[]);
      return !left.includes(nginxIP) && !left.includes(fetchIP);
    }, 20_000);
    await waitFor('the network namespaces gone', async () => {
      const now = await netnsNames(server?.dataDir ?? '');
      return podNetns.every((n) => !now.has(n));
    }, 20_000);
    assert.equal((await run('ip', ['-o', 'link', 'show', 'master', BRIDGE])).stdout.trim(), '', `no veth is left on ${BRIDGE}`);
  });
});

