// `k8ts agent`: a node that joins a server (k3s's agent). It checks the server against the token's CA hash, gets
// its node credentials and the cluster's settings from it, and runs the node agent (containerd, the kubelet, the
// overlay) as a client of that server.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { readMachineInfo } from '../node-status/index.js';
import { parseFlannelBackend } from '../network/flannel-backend.js';
import { parseJoinToken } from '../pki/join-token.js';
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
} as const;

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
  const runtimeEndpoint = values['container-runtime-endpoint'];
  const { checkAgentPrerequisites, startAgent } = await import('../agent/agent.js');
  checkAgentPrerequisites({ ...(runtimeEndpoint !== undefined ? { runtimeEndpoint } : {}) });
  const dataDir = values['data-dir'] ?? defaultDataDir();
  mkdirSync(join(dataDir, 'agent'), { recursive: true, mode: 0o700 });
  const machine = await readMachineInfo({
    dataDir,
    ...(values['node-ip'] !== undefined ? { nodeIp: values['node-ip'] } : {}),
    ...(values['node-name'] !== undefined ? { hostname: values['node-name'] } : {}),
  });
  const { joinServer } = await import('../agent/join.js');
  const joined = await joinServer({ server, token: tokenText, request: { nodeName: machine.hostname, addresses: [machine.internalIp] } });
  const s = joined.settings;
  // The credentials, as k3s keeps them: the kubelet's kubeconfig and its serving pair under DATA_DIR/agent.
  const dir = join(dataDir, 'agent');
  writeFileSync(join(dir, 'server-ca.crt'), joined.caCert, { mode: 0o644 });
  writeFileSync(join(dir, 'serving-kubelet.crt'), joined.serving.certPem, { mode: 0o644 });
  writeFileSync(join(dir, 'serving-kubelet.key'), joined.serving.keyPem, { mode: 0o600 });
  const clientConfig = { server, caPem: joined.caCert, certPem: joined.client.certPem, keyPem: joined.client.keyPem };
  writeFileSync(join(dir, 'kubelet.kubeconfig'), renderKubeconfig(clientConfig), { mode: 0o600 });
  log.info('joined the server', { component: 'agent', server, node: machine.hostname, clusterCIDR: s.clusterCidr, serviceCIDR: s.serviceCidr, flannelBackend: s.flannelBackend });
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
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { component: 'agent', signal });
    await Promise.race([agent.stop(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
