// The kubelet's half of cluster DNS on real containers: `k8ts server` with its node agent, --resolv-conf pointing at a
// file this test writes, and busybox pods whose /etc/resolv.conf, /etc/hosts and host name are read with `kubectl
// exec`: ClusterFirst (the cluster DNS address, the cluster search domains before the node's, ndots:5) in every
// container of the pod, Default (the --resolv-conf file), None with dnsConfig, a host-network pod with ClusterFirst
// (falls back to Default; the node's hosts file under the managed header) and one with ClusterFirstWithHostNet,
// hostAliases, hostname and subdomain, setHostnameAsFQDN, a container that mounts its own /etc/hosts, the
// DNSConfigForming warning, and the FailedCreatePodSandBox event of a pod created while --resolv-conf is missing.
//
// Network safety: the pods only read files; no DNS query is made, and the nameservers of the --resolv-conf file are
// loopback addresses anyway. Pods on the pod network run behind the REJECT guards of bench/node-network-guard.ts
// (nothing from the pod range leaves the machine, nothing goes towards the service range), removed in after().
// Holds /tmp/k8ts-node-e2e.lock while it runs (the node agent uses cni0). Skipped without root or containerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkGuard } from '../../bench/node-network-guard.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';
import { K8tsServer, waitFor } from './support/server.js';
import { agentKubectl, busyboxContainer, importBusybox, stopNodeAgent, waitForNode, type PodJson } from './support/node-agent-fixture.js';

const CLUSTER_CIDR = '10.244.0.0/16';
const SERVICE_CIDR = '10.96.0.0/16';
/** The tenth address of the service range: the default --cluster-dns. */
const CLUSTER_DNS = '10.96.0.10';
const RESOLV_CONF = ['# the node resolvers of this test', 'nameserver 127.0.0.53', 'nameserver 127.0.0.54', 'search corp.example lab.example', 'options timeout:2 edns0', ''].join('\n');
const LOCALHOST_LINES = [
  '# Kubernetes-managed hosts file.',
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'fe00::0\tip6-mcastprefix',
  'fe00::1\tip6-allnodes',
  'fe00::2\tip6-allrouters',
].join('\n');

function skipReason(): string | false {
  const containerd = containerdTestSkipReason();
  if (containerd !== false) return containerd;
  if (!existsSync('/usr/lib/cni/bridge') || !existsSync('/usr/lib/cni/host-local')) return 'the CNI plugins are missing: apt-get install containernetworking-plugins';
  return false;
}

const sleeper = (name: string): Record<string, unknown> => busyboxContainer(name, 'trap "exit 0" TERM; while true; do sleep 1; done');

function podJson(name: string, spec: Record<string, unknown>, containers = [sleeper('main')]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers, ...spec } });
}

describe('pod DNS and hosts files on real containers', { skip: skipReason() }, () => {
  let server: K8tsServer | undefined;
  let guard: NetworkGuard | undefined;
  let dir = '';
  let nodeName = '';
  const { kubectl, pod } = agentKubectl(() => server?.kubeconfig ?? '');
  const exec = (name: string, container: string, ...command: string[]): Promise<string> => kubectl(['exec', name, '-c', container, '--', ...command]);
  const running = async (name: string): Promise<PodJson> => {
    let last: PodJson | undefined;
    await waitFor(`pod ${name} running`, async () => {
      last = await pod(name);
      return last.status?.phase === 'Running' && (last.status.containerStatuses ?? []).every((c) => c.state?.running !== undefined);
    }, 60_000).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; last status: ${JSON.stringify(last?.status)}`);
    });
    return last ?? {};
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-pod-dns-'));
    await writeFile(join(dir, 'resolv.conf'), RESOLV_CONF);
    guard = await NetworkGuard.install(CLUSTER_CIDR, SERVICE_CIDR);
    server = await K8tsServer.start({
      agent: true,
      extraArgs: ['--cluster-cidr', CLUSTER_CIDR, '--service-cidr', SERVICE_CIDR, '--resolv-conf', join(dir, 'resolv.conf')],
    });
    nodeName = await waitForNode(kubectl, 30_000);
    await importBusybox(server.dataDir);
    await waitFor('the node Ready', async () => / Ready /.test((await kubectl(['get', 'nodes', '--no-headers']).catch(() => '')).replace(/\s+/g, ' ')), 60_000);
    await kubectl(['apply', '-f', '-'], [
      podJson('cluster-first', {
        nodeName, hostname: 'front', subdomain: 'web',
        hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] }, { ip: '10.1.2.3', hostnames: ['foo.remote'] }],
      }, [sleeper('main'), sleeper('side')]),
      podJson('default-dns', { nodeName, dnsPolicy: 'Default' }),
      podJson('none-dns', {
        nodeName, dnsPolicy: 'None', hostname: 'fq', subdomain: 'web', setHostnameAsFQDN: true,
        dnsConfig: { nameservers: ['127.0.0.99'], searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] },
      }),
      podJson('host-net', { nodeName, hostNetwork: true, hostAliases: [{ ip: '10.9.9.9', hostnames: ['db.alias'] }] }),
      podJson('host-net-cluster', { nodeName, hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }),
      podJson('too-many', { nodeName, dnsPolicy: 'Default', dnsConfig: { nameservers: ['127.0.0.11', '127.0.0.12'] } }),
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'own-hosts' }, data: { hosts: '127.0.0.1\tmine\n' } }),
      podJson('own-hosts', { nodeName, volumes: [{ name: 'hosts', configMap: { name: 'own-hosts' } }] }, [
        { ...sleeper('main'), volumeMounts: [{ name: 'hosts', mountPath: '/etc/hosts', subPath: 'hosts' }] },
      ]),
    ].join('\n'));
  });

  after(async () => {
    try {
      await stopNodeAgent(server, kubectl);
    } finally {
      await guard?.remove();
      if (dir !== '') await rm(dir, { recursive: true, force: true });
    }
  });

  test('a ClusterFirst pod resolves through the cluster DNS with the cluster search domains, in every container', async () => {
    await running('cluster-first');
    const expected = `search default.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver ${CLUSTER_DNS}\noptions ndots:5\n`;
    assert.equal(await exec('cluster-first', 'main', 'cat', '/etc/resolv.conf'), expected);
    assert.equal(await exec('cluster-first', 'side', 'cat', '/etc/resolv.conf'), expected);
  });

  test('its /etc/hosts names the pod IP with the FQDN of its hostname and subdomain, then the host aliases, in every container', async () => {
    const ip = (await running('cluster-first')).status?.podIP ?? '';
    assert.match(ip, /^10\.244\./);
    const expected = `${LOCALHOST_LINES}\n${ip}\tfront.web.default.svc.cluster.local\tfront\n\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n10.1.2.3\tfoo.remote\n`;
    assert.equal(await exec('cluster-first', 'main', 'cat', '/etc/hosts'), expected);
    assert.equal(await exec('cluster-first', 'side', 'cat', '/etc/hosts'), expected);
    assert.equal((await exec('cluster-first', 'main', 'hostname')).trim(), 'front');
  });

  test('a Default pod gets the nameservers, search domains and options of the --resolv-conf file', async () => {
    const ip = (await running('default-dns')).status?.podIP ?? '';
    assert.equal(await exec('default-dns', 'main', 'cat', '/etc/resolv.conf'), 'search corp.example lab.example\nnameserver 127.0.0.53\nnameserver 127.0.0.54\noptions timeout:2 edns0\n');
    assert.equal(await exec('default-dns', 'main', 'cat', '/etc/hosts'), `${LOCALHOST_LINES}\n${ip}\tdefault-dns\n`);
    assert.equal((await exec('default-dns', 'main', 'hostname')).trim(), 'default-dns');
  });

  test('a None pod gets only its dnsConfig, and setHostnameAsFQDN makes its host name the FQDN', async () => {
    const ip = (await running('none-dns')).status?.podIP ?? '';
    assert.equal(await exec('none-dns', 'main', 'cat', '/etc/resolv.conf'), 'search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 127.0.0.99\noptions ndots:2 edns0\n');
    assert.equal((await exec('none-dns', 'main', 'hostname')).trim(), 'fq.web.default.svc.cluster.local');
    assert.equal(await exec('none-dns', 'main', 'cat', '/etc/hosts'), `${LOCALHOST_LINES}\n${ip}\tfq.web.default.svc.cluster.local\tfq\n`);
  });

  test('a host-network pod with ClusterFirst falls back to Default and gets the node hosts file with its aliases', async () => {
    await running('host-net');
    assert.equal(await exec('host-net', 'main', 'cat', '/etc/resolv.conf'), 'search corp.example lab.example\nnameserver 127.0.0.53\nnameserver 127.0.0.54\noptions timeout:2 edns0\n');
    const nodeHosts = await readFile('/etc/hosts', 'utf8');
    assert.equal(await exec('host-net', 'main', 'cat', '/etc/hosts'), `# Kubernetes-managed hosts file (host network).\n${nodeHosts}\n# Entries added by HostAliases.\n10.9.9.9\tdb.alias\n`);
  });

  test('a host-network pod with ClusterFirstWithHostNet keeps the cluster DNS', async () => {
    await running('host-net-cluster');
    assert.equal(await exec('host-net-cluster', 'main', 'cat', '/etc/resolv.conf'), `search default.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver ${CLUSTER_DNS}\noptions ndots:5\n`);
  });

  test('nameservers beyond three (the node two and the pod two) are left out with a DNSConfigForming warning on the pod', async () => {
    await running('too-many');
    assert.equal(await exec('too-many', 'main', 'cat', '/etc/resolv.conf'), 'search corp.example lab.example\nnameserver 127.0.0.53\nnameserver 127.0.0.54\nnameserver 127.0.0.11\noptions timeout:2 edns0\n');
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=too-many,reason=DNSConfigForming', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /^Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 127\.0\.0\.53 127\.0\.0\.54 127\.0\.0\.11/);
    const type = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=too-many,reason=DNSConfigForming', '-o', 'jsonpath={.items[0].type}']);
    assert.equal(type, 'Warning');
  });

  test('a container that mounts its own /etc/hosts keeps it', async () => {
    await running('own-hosts');
    assert.equal(await exec('own-hosts', 'main', 'cat', '/etc/hosts'), '127.0.0.1\tmine\n');
  });

  test('a pod created while --resolv-conf is missing gets no sandbox, with upstream words in a FailedCreatePodSandBox event', async () => {
    const path = join(dir, 'resolv.conf');
    await rm(path);
    await kubectl(['apply', '-f', '-'], podJson('no-resolv', { nodeName }));
    const message = `Failed to create pod sandbox: open ${path}: no such file or directory`;
    await waitFor('the FailedCreatePodSandBox event', async () => {
      const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=no-resolv,reason=FailedCreatePodSandBox', '-o', 'jsonpath={.items[*].message}']);
      return events.includes(message);
    }, 30_000);
    assert.equal((await pod('no-resolv')).status?.podIP, undefined);
    // Back in place, the pod starts.
    await writeFile(path, RESOLV_CONF);
    await running('no-resolv');
  });
});
