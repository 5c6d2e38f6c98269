// `k8ts server`: the API server on embedded SQLite (or etcd), its PKI and admin kubeconfig.
import { ensureServerToken, readServerPassword, serverPasswordOf } from '../pki/join-token.js';
import { restoreBootstrapData, saveBootstrapData } from '../apiserver/bootstrap-data.js';
import { parseFlannelBackend } from '../network/flannel-backend.js';
import { hostname, networkInterfaces, homedir } from 'node:os';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiServer } from '../apiserver/server.js';
import { loadTokenFile, type UserInfo } from '../apiserver/auth/authenticator.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { nthAddress, parseCidr } from '../apiserver/admission/service-allocator.js';
import { renderKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { ensureClusterPki } from '../pki/cluster-pki.js';
import { openStorage, startAutoCompaction } from '../storage/index.js';
import { canonicalControllerName, controllerNames } from '../controllers/controller-names.js';
import { parseGoDuration } from '../machinery/go-duration.js';
import { log } from './log.js';

export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/k8ts' : join(homedir(), '.k8ts');
}

export const serverOptions = {
  'data-dir': { type: 'string', short: 'd' },
  'bind-address': { type: 'string', default: '0.0.0.0' },
  'advertise-address': { type: 'string' },
  'https-listen-port': { type: 'string', default: '6443' },
  'write-kubeconfig': { type: 'string', short: 'o' },
  'write-kubeconfig-mode': { type: 'string' },
  'datastore-endpoint': { type: 'string', default: '' },
  'service-cidr': { type: 'string', default: '10.254.0.0/16' },
  'cluster-cidr': { type: 'string', default: '10.240.0.0/16' },
  'disable-agent': { type: 'boolean', default: false },
  'node-name': { type: 'string' },
  'node-ip': { type: 'string' },
  'container-runtime-endpoint': { type: 'string' },
  'pause-image': { type: 'string' },
  'kubelet-port': { type: 'string' },
  'disable-scheduler': { type: 'boolean', default: false },
  'default-not-ready-toleration-seconds': { type: 'string', default: '300' },
  'default-unreachable-toleration-seconds': { type: 'string', default: '300' },
  'node-monitor-grace-period': { type: 'string', default: '50s' },
  'node-monitor-period': { type: 'string', default: '5s' },
  'terminated-pod-gc-threshold': { type: 'string', default: '12500' },
  'virtual-nodes': { type: 'string', default: '0' },
  'virtual-node-cpu': { type: 'string', default: '4' },
  'virtual-node-memory': { type: 'string', default: '16Gi' },
  'disable-controller': { type: 'string', multiple: true },
  'leader-elect': { type: 'string' },
  'leader-elect-lease-duration': { type: 'string', default: '15s' },
  'leader-elect-renew-deadline': { type: 'string', default: '10s' },
  'leader-elect-retry-period': { type: 'string', default: '2s' },
  'token-file': { type: 'string' },
  'tls-san': { type: 'string', multiple: true },
  'cluster-domain': { type: 'string', default: 'cluster.local' },
  'cluster-dns': { type: 'string' },
  'resolv-conf': { type: 'string', default: '/etc/resolv.conf' },
  'cluster-dns-port': { type: 'string', default: '53' },
  'disable-cluster-dns': { type: 'boolean', default: false },
  'flannel-backend': { type: 'string', default: 'vxlan' },
  token: { type: 'string', short: 't' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const serverUsage = `Usage: k8ts server [flags]

Runs a Kubernetes control plane (API server, scheduler, controllers) and a node on this machine.

Flags:
  -d, --data-dir DIR              state, certificates and the embedded store (default /var/lib/k8ts as root, ~/.k8ts otherwise)
      --bind-address IP           address to listen on (default 0.0.0.0)
      --advertise-address IP      address clients reach the API server at (default: the bind address, or 127.0.0.1)
      --https-listen-port PORT    HTTPS port (default 6443)
  -o, --write-kubeconfig PATH     where to write the admin kubeconfig (default DATA_DIR/kubeconfig.yaml)
      --write-kubeconfig-mode M   file mode of the kubeconfig, e.g. 644 (default 600)
      --datastore-endpoint URL    empty: embedded SQLite in DATA_DIR; http://HOST:2379[,...]: etcd
      --service-cidr CIDR         service (portal) network (default 10.254.0.0/16)
      --cluster-cidr CIDR         pod network, one /24 per node (default 10.240.0.0/16)
      --disable-agent             do not run the node agent (containerd and the kubelet) on this machine
      --node-name NAME            this machine's node name (default: the host name)
      --node-ip IP                this node's InternalIP (default: the address of the default route's interface)
      --container-runtime-endpoint SOCK  use this CRI runtime instead of starting containerd
      --pause-image REF           the pod sandbox image (default registry.k8s.io/pause:3.10, built offline when absent)
      --kubelet-port PORT         the kubelet's HTTPS port on the node IP (default 10250; 0 picks a free one)
      --disable-scheduler         do not run the scheduler
      --default-not-ready-toleration-seconds S     tolerationSeconds of the not-ready toleration added to
      --default-unreachable-toleration-seconds S   every pod (and of the unreachable one; 300 each)
      --node-monitor-grace-period D   a node whose heartbeats stop for this long goes Ready Unknown (default 50s)
      --node-monitor-period D     how often node health is checked (default 5s)
      --terminated-pod-gc-threshold N  finished pods kept before the oldest are deleted (default 12500)
      --virtual-nodes N           also register N virtual (kwok-style) nodes, labelled type=virtual, whose pods
                                  are marked Running without containers (for tests and scale)
      --virtual-node-cpu Q        cpu of each virtual node (default 4)
      --virtual-node-memory Q     memory of each virtual node (default 16Gi)
      --disable-controller NAME   do not run this controller, e.g. replicaset (repeatable; names as
                                  kube-controller-manager's --controllers, with or without "-controller")
      --leader-elect BOOL         run the scheduler and controllers only while holding their kube-system Leases
                                  (default: true on etcd, which several servers may share; false on SQLite)
      --leader-elect-lease-duration D, --leader-elect-renew-deadline D, --leader-elect-retry-period D
                                  leader election timing, as upstream's (default 15s, 10s, 2s)
      --token-file FILE           static bearer tokens, CSV: token,user,uid,"group1,group2"
      --tls-san NAME              extra host name or IP for the serving certificate (repeatable)
      --cluster-domain DOMAIN     the cluster's DNS domain (default cluster.local)
      --cluster-dns IP            the cluster DNS service's address (default: the tenth address of --service-cidr)
      --resolv-conf FILE          the resolvers for names outside the cluster and for dnsPolicy Default
                                  (default /etc/resolv.conf)
      --cluster-dns-port PORT     UDP and TCP port of the cluster DNS server on the node address (default 53; 0 picks
                                  a free one); the kube-dns Service routes CLUSTER_DNS:53 to it
      --disable-cluster-dns       do not run the cluster DNS server (nor keep the kube-dns Service)
  -t, --token TOKEN               the cluster's shared secret: agents join with it; a server that starts on the
                                  datastore of another needs that server's token (its DATA_DIR/token)
      --flannel-backend B         how pods on different nodes reach each other: vxlan (default), host-gw or none
`;

function localIPs(): string[] {
  const out: string[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4') out.push(a.address);
  }
  return out;
}

function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new Error(`invalid --${flag} ${value}: a whole number of seconds is needed`);
  return n;
}

function goDuration(flag: string, value: string): number {
  try {
    const ms = parseGoDuration(value);
    if (ms > 0) return ms;
  } catch (e: unknown) {
    void e;
  }
  throw new Error(`invalid --${flag} ${value}: a positive duration such as 40s or 1m30s is needed`);
}

export async function runServer(argv: string[]): Promise<void> {
  const started = Date.now();
  const { values } = parseArgs({ args: argv, options: serverOptions, strict: true, allowPositionals: false });
  if (values.help === true) {
    process.stdout.write(serverUsage);
    return;
  }
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const port = Number(values['https-listen-port']);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid --https-listen-port ${values['https-listen-port']}`);
  const serviceCidr = parseCidr(values['service-cidr']);
  parseCidr(values['cluster-cidr']);
  const clusterDns = values['cluster-dns'] ?? nthAddress(serviceCidr, 10);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(clusterDns)) throw new Error(`invalid --cluster-dns ${clusterDns}: an IPv4 address is needed`);
  const clusterDomain = values['cluster-domain'].replace(/\.$/, '');
  const clusterDnsPort = Number(values['cluster-dns-port']);
  if (!/^\d+$/.test(values['cluster-dns-port']) || clusterDnsPort > 65535) throw new Error(`invalid --cluster-dns-port ${values['cluster-dns-port']}: a port number (0 picks a free one)`);
  const flannelBackend = parseFlannelBackend(values['flannel-backend']);
  const tolerationSeconds = {
    notReady: wholeNumber('default-not-ready-toleration-seconds', values['default-not-ready-toleration-seconds']),
    unreachable: wholeNumber('default-unreachable-toleration-seconds', values['default-unreachable-toleration-seconds']),
  };
  const nodeMonitorGracePeriodMs = goDuration('node-monitor-grace-period', values['node-monitor-grace-period']);
  const nodeMonitorPeriodMs = goDuration('node-monitor-period', values['node-monitor-period']);
  const leaderElectFlag = values['leader-elect'];
  if (leaderElectFlag !== undefined && leaderElectFlag !== 'true' && leaderElectFlag !== 'false') throw new Error(`invalid --leader-elect ${leaderElectFlag}: true or false`);
  const leaderElect = leaderElectFlag === undefined ? values['datastore-endpoint'] !== '' : leaderElectFlag === 'true';
  const leaderElectionTimings = {
    leaseDurationMs: goDuration('leader-elect-lease-duration', values['leader-elect-lease-duration']),
    renewDeadlineMs: goDuration('leader-elect-renew-deadline', values['leader-elect-renew-deadline']),
    retryPeriodMs: goDuration('leader-elect-retry-period', values['leader-elect-retry-period']),
  };
  const terminatedPodGcThreshold = wholeNumber('terminated-pod-gc-threshold', values['terminated-pod-gc-threshold']);
  const virtualNodeCount = Number(values['virtual-nodes']);
  if (!Number.isInteger(virtualNodeCount) || virtualNodeCount < 0) throw new Error(`invalid --virtual-nodes ${values['virtual-nodes']}: a whole number is needed`);
  const disabledControllers = values['disable-controller'] ?? [];
  for (const name of disabledControllers) {
    if (canonicalControllerName(name) === undefined) throw new Error(`unknown controller ${JSON.stringify(name)} in --disable-controller; known: ${controllerNames.join(', ')}`);
  }
  const runAgent = values['disable-agent'] !== true;
  if (runAgent) {
    const { checkAgentPrerequisites } = await import('../agent/agent.js');
    checkAgentPrerequisites({ ...(values['container-runtime-endpoint'] !== undefined ? { runtimeEndpoint: values['container-runtime-endpoint'] } : {}) });
  }
  const bind = values['bind-address'];
  const wildcard = bind === '0.0.0.0' || bind === '::';
  // As k3s: clients on this machine use loopback; the `kubernetes` endpoints advertise the node's address.
  const advertise = values['advertise-address'] ?? (wildcard ? (localIPs().find((ip) => !ip.startsWith('127.')) ?? '127.0.0.1') : bind);
  const clientHost = values['advertise-address'] ?? (wildcard ? '127.0.0.1' : bind);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const tokenFile = values['token-file'];
  let tokens = new Map<string, UserInfo>();
  if (tokenFile !== undefined) tokens = loadTokenFile(tokenFile);

  const extra = values['tls-san'] ?? [];
  const ipRe = /^\d+\.\d+\.\d+\.\d+$/;
  const storage = await openStorage({ dataDir, datastoreEndpoint: values['datastore-endpoint'] });
  // The servers' shared CA: restored from the datastore when another server saved it there first (same --token).
  const tokenFlag = values.token;
  const password = tokenFlag !== undefined ? serverPasswordOf(tokenFlag) : readServerPassword(dataDir);
  // (Only etcd is shared: an embedded SQLite store has one server, whose data dir is the truth.)
  const sharedStore = values['datastore-endpoint'] !== '';
  const restored = sharedStore ? await restoreBootstrapData(storage, dataDir, password ?? '') : false;
  const pki = await ensureClusterPki(dataDir, {
    dnsNames: ['localhost', hostname(), 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...extra.filter((s) => !ipRe.test(s))],
    ipAddresses: ['127.0.0.1', ...localIPs(), nthAddress(serviceCidr, 1), advertise, clientHost, ...(bind !== '0.0.0.0' ? [bind] : []), ...extra.filter((s) => ipRe.test(s))],
  });
  // The join token agents present (DATA_DIR/token), bound to this CA by its hash.
  const joinToken = ensureServerToken(dataDir, pki.ca.certPem, password);
  if (sharedStore && !restored) await saveBootstrapData(storage, dataDir, joinToken.password);

  const compaction = startAutoCompaction(storage, 5 * 60_000, 1000);
  const server = new ApiServer({
    bindAddress: bind,
    port,
    tls: { certPem: pki.serving.certPem, keyPem: pki.serving.keyPem, caPem: pki.ca.certPem },
    storage,
    serviceCidr: values['service-cidr'],
    clusterCidr: values['cluster-cidr'],
    tokens: () => tokens,
    advertiseAddress: advertise,
    tolerationSeconds,
    nodeJoin: {
      ca: pki.ca,
      password: () => joinToken.password,
      settings: { clusterCidr: values['cluster-cidr'], serviceCidr: values['service-cidr'], clusterDns, clusterDomain, flannelBackend },
    },
  });
  await server.listen();
  await bootstrapCluster(server, advertise, port);
  server.markReady();
  server.startCaches();

  const kubeconfigPath = values['write-kubeconfig'] ?? join(dataDir, 'kubeconfig.yaml');
  const clientServer = `https://${clientHost.includes(':') ? `[${clientHost}]` : clientHost}:${port}`;
  const kubeconfig = renderKubeconfig({ server: clientServer, caPem: pki.ca.certPem, certPem: pki.admin.certPem, keyPem: pki.admin.keyPem });
  mkdirSync(dirname(kubeconfigPath), { recursive: true });
  const mode = values['write-kubeconfig-mode'] !== undefined ? parseInt(values['write-kubeconfig-mode'], 8) : 0o600;
  writeFileSync(kubeconfigPath, kubeconfig, { mode });
  if (kubeconfigPath !== join(dataDir, 'kubeconfig.yaml') && !existsSync(join(dataDir, 'kubeconfig.yaml'))) {
    writeFileSync(join(dataDir, 'kubeconfig.yaml'), kubeconfig, { mode: 0o600 });
  }
  log.info('k8ts server ready', { address: clientServer, dataDir, datastore: values['datastore-endpoint'] === '' ? 'sqlite' : 'etcd', kubeconfig: kubeconfigPath, startupMs: Date.now() - started });
  // The control loops are clients of the in-process loopback listener (plain HTTP on an abstract Unix socket).
  const loopbackConfig = await server.listenLoopback();
  // The control loops load once the API server is up: they are not needed to answer /readyz, and a server run with
  // them turned off never loads them.
  const running: { stop(): void | Promise<void> }[] = [];
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    // Components stop first (leaders release their Leases), for at most 5 s.
    await Promise.race([Promise.allSettled(running.reverse().map((r) => r.stop())), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    compaction.stop();
    await server.close();
    await storage.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const { startControllers } = await import('../controllers/index.js');
  running.push(
    await startControllers(loopbackConfig, {
      clusterCidr: values['cluster-cidr'],
      disabled: disabledControllers,
      nodeMonitorGracePeriodMs,
      nodeMonitorPeriodMs,
      terminatedPodGcThreshold,
      leaderElect,
      leaderElectionTimings,
    }),
  );
  if (values['disable-scheduler'] !== true) {
    const { startComponentThread } = await import('./component-thread.js');
    running.push(startComponentThread(loopbackConfig, { component: 'scheduler', opts: {}, leaderElection: { leaderElect, timings: leaderElectionTimings } }));
  }
  if (virtualNodeCount > 0) {
    const { startVirtualNodes } = await import('../virtual-nodes/virtual-nodes.js');
    running.push(startVirtualNodes(new RestClient(loopbackConfig), { count: virtualNodeCount, cpu: values['virtual-node-cpu'], memory: values['virtual-node-memory'] }));
  }
  if (values['disable-cluster-dns'] !== true) {
    // The cluster DNS server on the node address; a server that cannot listen (port taken) runs on without it.
    const { startClusterDns } = await import('../dns/index.js');
    const dnsAddress = values['node-ip'] ?? advertise;
    try {
      running.push(
        await startClusterDns({
          client: new RestClient(loopbackConfig),
          address: dnsAddress,
          port: clusterDnsPort,
          clusterDomain,
          clusterDns,
          resolvConf: values['resolv-conf'],
          nodeName: (values['node-name'] ?? hostname()).trim().toLowerCase(),
          // Names outside the cluster are looked up only for pods, loopback and the nodes: not an open resolver.
          recursionFrom: [values['cluster-cidr']],
        }),
      );
    } catch (e: unknown) {
      log.error('cluster DNS could not start', { address: dnsAddress, port: clusterDnsPort, error: e instanceof Error ? e.message : String(e) });
    }
  }
  if (runAgent) {
    const { startAgent } = await import('../agent/agent.js');
    const opt = (flag: 'node-name' | 'node-ip' | 'container-runtime-endpoint' | 'pause-image'): string | undefined => values[flag];
    const nodeName = opt('node-name');
    const nodeIp = opt('node-ip');
    const runtimeEndpoint = opt('container-runtime-endpoint');
    const pauseImage = opt('pause-image');
    const kubeletPortFlag = values['kubelet-port'];
    const kubeletPort = kubeletPortFlag === undefined ? undefined : Number(kubeletPortFlag);
    if (kubeletPort !== undefined && (!Number.isInteger(kubeletPort) || kubeletPort < 0 || kubeletPort > 65535)) {
      throw new Error(`invalid --kubelet-port ${JSON.stringify(kubeletPortFlag)}: a port number (0 picks a free one)`);
    }
    running.push(
      await startAgent({
        dataDir,
        client: new RestClient(loopbackConfig),
        clusterCidr: values['cluster-cidr'],
        serviceCidr: values['service-cidr'],
        clusterDns,
        clusterDomain,
        resolvConf: values['resolv-conf'],
        flannelBackend,
        isServer: true,
        ...(nodeName !== undefined ? { nodeName } : {}),
        ...(nodeIp !== undefined ? { nodeIp } : {}),
        ...(runtimeEndpoint !== undefined ? { runtimeEndpoint } : {}),
        ...(pauseImage !== undefined ? { pauseImage } : {}),
        ...(kubeletPort !== undefined ? { kubeletPort } : {}),
      }),
    );
  }
}
