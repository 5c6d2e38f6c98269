// `k8ts agent`: a node that joins a server (k3s's agent). It checks the server against the token's CA hash, gets
// its node credentials and the cluster's settings from it, and runs the node agent (containerd, the kubelet, the
// overlay) as a client of that server.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { readMachineInfo } from '../node-status/index.js';
import { parseFlannelBackend } from '../network/flannel-backend.js';
import { caBundleHash, parseJoinToken } from '../pki/join-token.js';
import type { NodeJoinRequest, NodeJoinResponse } from '../apiserver/node-join.js';
import { log } from './log.js';
import { defaultDataDir } from './server-command.js';

export const agentUsage = `Usage: k8ts agent --server https://ADDRESS:6443 --token TOKEN [flags]

Joins this machine to a k8ts server as a node: containerd, the kubelet and the overlay network.

Flags:
  -s, --server URL                the server to join (https://ADDRESS:6443)
  -t, --token TOKEN               the server's join token (its DATA_DIR/token)
      --token-file FILE           read the token from a file instead
  -d, --data-dir DIR              state of this node (default /var/lib/k8ts as root, ~/.k8ts otherwise)
      --node-name NAME            this machine's node name (default: the host name)
      --node-ip IP                this node's InternalIP (default: the address of the default route's interface)
      --container-runtime-endpoint SOCK  use this CRI runtime instead of starting containerd
      --pause-image REF           the pod sandbox image (default registry.k8s.io/pause:3.10, built offline when absent)
      --kubelet-port PORT         the kubelet's HTTPS port on the node IP (default 10250; 0 picks a free one)
      --resolv-conf FILE          the resolvers for dnsPolicy Default (default /etc/resolv.conf)
      --virtual N                 instead of this machine, register N virtual (kwok-style) nodes, named
                                  NODE-NAME-virtual-0 and on, labelled type=virtual, whose pods are marked Running
                                  without containers (for tests and scale; needs neither root nor containerd)
      --virtual-node-cpu Q        cpu of each virtual node (default 4)
      --virtual-node-memory Q     memory of each virtual node (default 16Gi)
`;

const agentOptions = {
  help: { type: 'boolean', short: 'h' },
  server: { type: 'string', short: 's' },
  token: { type: 'string', short: 't' },
  'token-file': { type: 'string' },
  'data-dir': { type: 'string', short: 'd' },
  'node-name': { type: 'string' },
  'node-ip': { type: 'string' },
  'container-runtime-endpoint': { type: 'string' },
  'pause-image': { type: 'string' },
  'kubelet-port': { type: 'string' },
  'resolv-conf': { type: 'string', default: '/etc/resolv.conf' },
  virtual: { type: 'string', default: '0' },
  'virtual-node-cpu': { type: 'string', default: '4' },
  'virtual-node-memory': { type: 'string', default: '16Gi' },
} as const;

/** What a join gave, kept under DATA_DIR/agent: later starts use it when the token no longer joins (as k3s does). */
const savedFile = 'join.json';

function saveJoin(dir: string, joined: NodeJoinResponse, server: string): void {
  writeFileSync(join(dir, 'server-ca.crt'), joined.caCert, { mode: 0o644 });
  writeFileSync(join(dir, 'serving-kubelet.crt'), joined.serving.certPem, { mode: 0o644 });
  writeFileSync(join(dir, 'serving-kubelet.key'), joined.serving.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'kubelet.kubeconfig'), renderKubeconfig({ server, caPem: joined.caCert, certPem: joined.client.certPem, keyPem: joined.client.keyPem }), { mode: 0o600 });
  writeFileSync(join(dir, savedFile), JSON.stringify(joined), { mode: 0o600 });
}

/** The saved join, when it is for this CA (the token's hash, if it has one) and its client certificate is still valid. */
export function savedJoin(dir: string, caHash: string, now = Date.now()): NodeJoinResponse | undefined {
  let saved: NodeJoinResponse;
  try {
    saved = JSON.parse(readFileSync(join(dir, savedFile), 'utf8')) as NodeJoinResponse;
  } catch {
    return undefined;
  }
  if (typeof saved.caCert !== 'string' || typeof saved.client?.certPem !== 'string') return undefined;
  if (caHash !== '' && caBundleHash(saved.caCert) !== caHash) return undefined;
  try {
    const cert = new X509Certificate(saved.client.certPem);
    if (Date.parse(cert.validTo) <= now + 60_000) return undefined;
  } catch {
    return undefined;
  }
  return saved;
}

/**
 * Joins the server; while it cannot be reached, tries again every 2 s (k3s's agent waits for its server likewise). A
 * server that refuses the token, or cannot be reached, is passed over when an earlier join of this node is saved
 * (a bootstrap token expires; a node restarts while its server is down).
 */
async function joinOrReuse(dir: string, server: string, token: string, caHash: string, request: NodeJoinRequest): Promise<NodeJoinResponse> {
  const { joinServer, JoinError } = await import('../agent/join.js');
  for (let attempt = 1; ; attempt++) {
    try {
      const joined = await joinServer({ server, token, request });
      saveJoin(dir, joined, server);
      return joined;
    } catch (e: unknown) {
      if (!(e instanceof JoinError)) throw e;
      const saved = savedJoin(dir, caHash);
      if (saved !== undefined) {
        log.warn('joining failed; using the credentials of an earlier join', { component: 'agent', server, err: e.message });
        return saved;
      }
      if (e.kind === 'refused') throw e;
      if (attempt === 1 || attempt % 15 === 0) log.warn('waiting for the server', { component: 'agent', server, err: e.message });
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

export async function runAgent(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: agentOptions, strict: true, allowPositionals: false });
  if (values.help === true) {
    process.stdout.write(agentUsage);
    return;
  }
  const server = values.server;
  if (server === undefined || server === '') throw new Error('--server is required: the URL of the server to join, e.g. https://10.0.0.1:6443');
  let tokenText = values.token;
  if (tokenText === undefined && values['token-file'] !== undefined) tokenText = readFileSync(values['token-file'], 'utf8');
  if (tokenText === undefined || tokenText.trim() === '') throw new Error("--token is required: the server's DATA_DIR/token");
  const token = parseJoinToken(tokenText);
  if (token.caHash === '') log.warn('the token carries no CA hash: the server is trusted on first use', { component: 'agent', server });
  const kubeletPortFlag = values['kubelet-port'];
  const kubeletPort = kubeletPortFlag === undefined ? undefined : Number(kubeletPortFlag);
  if (kubeletPort !== undefined && (!Number.isInteger(kubeletPort) || kubeletPort < 0 || kubeletPort > 65535)) {
    throw new Error(`invalid --kubelet-port ${JSON.stringify(kubeletPortFlag)}: a port number (0 picks a free one)`);
  }
  const virtualCount = Number(values.virtual);
  if (!/^\d+$/.test(values.virtual) || !Number.isSafeInteger(virtualCount)) throw new Error(`invalid --virtual ${values.virtual}: a whole number is needed`);
  const runtimeEndpoint = values['container-runtime-endpoint'];
  const { checkAgentPrerequisites, startAgent } = await import('../agent/agent.js');
  if (virtualCount === 0) checkAgentPrerequisites({ ...(runtimeEndpoint !== undefined ? { runtimeEndpoint } : {}) });
  const dataDir = values['data-dir'] ?? defaultDataDir();
  mkdirSync(join(dataDir, 'agent'), { recursive: true, mode: 0o700 });
  const machine = await readMachineInfo({
    dataDir,
    ...(values['node-ip'] !== undefined ? { nodeIp: values['node-ip'] } : {}),
    ...(values['node-name'] !== undefined ? { hostname: values['node-name'] } : {}),
  });
  const dir = join(dataDir, 'agent');
  const joined = await joinOrReuse(dir, server, tokenText, token.caHash, { nodeName: machine.hostname, addresses: [machine.internalIp] });
  const s = joined.settings;
  const clientConfig = { server, caPem: joined.caCert, certPem: joined.client.certPem, keyPem: joined.client.keyPem };
  log.info('joined the server', { component: 'agent', server, node: machine.hostname, clusterCIDR: s.clusterCidr, serviceCIDR: s.serviceCidr, flannelBackend: s.flannelBackend });
  let stopping = false;
  const onSignals = (stopIt: () => Promise<void> | void): void => {
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { component: 'agent', signal });
      await Promise.race([stopIt(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  };
  if (virtualCount > 0) {
    // Virtual nodes of this agent (issue 3's `k8ts agent --virtual N`): its node credentials, no containers.
    const { startVirtualNodes } = await import('../virtual-nodes/virtual-nodes.js');
    const nodes = startVirtualNodes(new RestClient(clientConfig), { count: virtualCount, namePrefix: `${machine.hostname}-virtual-`, cpu: values['virtual-node-cpu'], memory: values['virtual-node-memory'] });
    log.info('virtual nodes started', { component: 'agent', count: virtualCount, first: nodes.names[0] });
    onSignals(() => nodes.stop());
    return;
  }
  const pauseImage = values['pause-image'];
  const agent = await startAgent({
    dataDir,
    client: new RestClient(clientConfig),
    nodeName: machine.hostname,
    nodeIp: machine.internalIp,
    clusterCidr: s.clusterCidr,
    serviceCidr: s.serviceCidr,
    clusterDns: s.clusterDns,
    clusterDomain: s.clusterDomain,
    resolvConf: values['resolv-conf'],
    flannelBackend: parseFlannelBackend(s.flannelBackend),
    kubeletTls: { serving: joined.serving, clientCaPem: joined.caCert },
    isServer: false,
    ...(runtimeEndpoint !== undefined ? { runtimeEndpoint } : {}),
    ...(pauseImage !== undefined ? { pauseImage } : {}),
    ...(kubeletPort !== undefined ? { kubeletPort } : {}),
  });
  onSignals(() => agent.stop());
}
