// The node agent (k3s's agent half): the container runtime, this machine's Node (registration, status, Lease
// heartbeats, subnet.env) and the kubelet that runs the pods bound to it. `k8ts server` runs it unless
// --disable-agent; it talks to the API server like any other client.
import { backendMtu, type FlannelBackend } from '../network/flannel-backend.js';
import { startOverlay } from '../network/overlay.js';
import type { KubeletTls } from '../kubelet-server/kubelet-serving-cert.js';
import { join } from 'node:path';
import type { RestClient } from '../client/rest-client.js';
import { resolveContainerdBinaries } from '../containerd/containerd-binaries.js';
import { writeCniConfig } from '../cni/pod-network.js';
import { startKubelet } from '../kubelet/kubelet.js';
import { readMachineInfo, startNodeStatus } from '../node-status/index.js';
import { log } from '../cli/log.js';
import { startNodeRuntime } from './node-runtime.js';
import { serveKubelet } from '../kubelet-server/serve-kubelet.js';
import type { KubeletServer } from '../kubelet-server/kubelet-server.js';
import { loadKubeletClientConfig, setKubeletClientConfig } from '../apiserver/handlers/pod-log.js';
import { startServiceProxy } from '../proxy/service-proxy.js';

export interface AgentOptions {
  dataDir: string;
  client: RestClient;
  /** --node-name (default: the host name, lowercased). */
  nodeName?: string;
  /** --node-ip (default: the address of the default route's interface). */
  nodeIp?: string;
  /** --container-runtime-endpoint: an existing CRI runtime instead of k8ts's own containerd. */
  runtimeEndpoint?: string;
  /** --pause-image (default registry.k8s.io/pause:3.10, built from busybox-static when absent). */
  pauseImage?: string;
  clusterCidr: string;
  /** --service-cidr: the service (portal) network the proxy routes. */
  serviceCidr: string;
  /** --cluster-dns: the cluster DNS service's address, the nameserver of ClusterFirst pods. */
  clusterDns: string;
  /** --cluster-domain, without a trailing dot (default cluster.local). */
  clusterDomain: string;
  /** --resolv-conf: the node's resolvers (dnsPolicy Default; names outside the cluster). */
  resolvConf: string;
  /** --flannel-backend: how this node's pods reach other nodes' pods. */
  flannelBackend: FlannelBackend;
  /** The kubelet's serving certificate the server issued at join; a server's node issues its own from DATA_DIR/tls. */
  kubeletTls?: KubeletTls;
  /** A server's node carries the control-plane role labels. */
  isServer: boolean;
  /** --kubelet-port: the kubelet's HTTPS server, on the node IP (default 10250; 0 picks a free port). */
  kubeletPort?: number;
}

export interface Agent {
  readonly nodeName: string;
  /** Stops the kubelet and the heartbeats and closes the runtime; running containers go on. */
  stop(): Promise<void>;
}

/** Fails early, before anything starts, when the agent cannot run here: the message says what to do. */
export function checkAgentPrerequisites(opts: { runtimeEndpoint?: string }): void {
  if (opts.runtimeEndpoint !== undefined && opts.runtimeEndpoint !== '') return;
  resolveContainerdBinaries();
  if (process.getuid?.() !== 0) throw new Error('the node agent runs containerd, which needs root: run k8ts as root, or pass --disable-agent');
}

export async function startAgent(opts: AgentOptions): Promise<Agent> {
  const runtime = await startNodeRuntime({
    dataDir: opts.dataDir,
    ...(opts.runtimeEndpoint !== undefined ? { runtimeEndpoint: opts.runtimeEndpoint } : {}),
    ...(opts.pauseImage !== undefined ? { sandboxImage: opts.pauseImage } : {}),
  });
  try {
    const machine = await readMachineInfo({
      dataDir: opts.dataDir,
      ...(opts.nodeIp !== undefined ? { nodeIp: opts.nodeIp } : {}),
      ...(opts.nodeName !== undefined ? { hostname: opts.nodeName } : {}),
    });
    const nodeName = machine.hostname;
    // The kubelet's HTTPS server (logs, exec, attach, port-forward, stats through the API server), first: the node
    // publishes its port. The API server of this process talks to it with the kubelet-client certificate of its PKI.
    if (opts.isServer) setKubeletClientConfig(loadKubeletClientConfig(opts.dataDir));
    let kubeletServer: KubeletServer | undefined;
    try {
      kubeletServer = await serveKubelet({
        dataDir: opts.dataDir,
        nodeName,
        address: machine.internalIp,
        ...(opts.kubeletPort !== undefined ? { port: opts.kubeletPort } : {}),
        runtime: runtime.cri,
        client: opts.client,
        ...(opts.kubeletTls !== undefined ? { tls: opts.kubeletTls } : {}),
        log: (msg, fields) => log.error(msg, { component: 'kubelet-server', ...fields }),
      });
    } catch (e: unknown) {
      log.error('the kubelet server did not start: logs, exec and port-forward cannot go through the API server', { component: 'agent', err: e instanceof Error ? e.message : String(e) });
    }
    const status = startNodeStatus({
      client: opts.client,
      nodeName,
      machine,
      runtimeVersion: () => runtime.cri.version({}),
      runtimeStatus: () => runtime.cri.status({}),
      isServer: opts.isServer,
      dataDir: opts.dataDir,
      clusterCidr: opts.clusterCidr,
      mtu: backendMtu(opts.flannelBackend),
      ...(kubeletServer !== undefined ? { kubeletPort: kubeletServer.port } : {}),
    });
    // The overlay: this node's routes (or VXLAN entries) to the other nodes' pods, and masquerade.
    const overlay = await startOverlay({
      client: opts.client,
      nodeName,
      nodeIp: machine.internalIp,
      backend: opts.flannelBackend,
      clusterCidr: opts.clusterCidr,
      serviceCidr: opts.serviceCidr,
      podCidr: status.podCidr(),
      log: (level, msg, fields) => log[level](msg, { component: 'overlay', ...fields }),
    });
    // The service proxy (kube-proxy's part): Services and EndpointSlices to this node's nftables table.
    const proxy = startServiceProxy({
      client: opts.client,
      nodeName,
      nodeIPs: [machine.internalIp],
      clusterCidr: opts.clusterCidr,
      serviceCidr: opts.serviceCidr,
    });
    // The pod network: once the node has its podCIDR, the CNI conflist containerd's CRI plugin loads by itself.
    void status
      .podCidr()
      .then((podCidr) => writeCniConfig({ dataDir: opts.dataDir, podCidr }))
      .then((res) => log.info('pod network configured', { component: 'agent', path: res.path, changed: res.changed }))
      .catch((e: unknown) => log.error('writing the CNI config failed', { component: 'agent', err: e instanceof Error ? e.message : String(e) }));
    const kubelet = startKubelet({
      client: opts.client,
      nodeName,
      runtime: runtime.cri,
      images: runtime.cri,
      rootDir: join(opts.dataDir, 'agent'),
      hostIP: machine.internalIp,
      clusterDns: [opts.clusterDns],
      clusterDomain: opts.clusterDomain,
      resolvConf: opts.resolvConf,
      // Image GC never removes the sandbox image, whichever --pause-image names.
      imageGC: { sandboxImage: runtime.sandboxImage },
    });
    log.info('node agent started', { component: 'agent', node: nodeName, internalIP: machine.internalIp, kubeletPort: kubeletServer?.port });
    return {
      nodeName,
      async stop(): Promise<void> {
        await proxy.stop();
        await kubeletServer?.close();
        await kubelet.stop();
        await overlay.stop();
        await status.stop();
        await runtime.stop();
      },
    };
  } catch (e: unknown) {
    await runtime.stop();
    throw e;
  }
}
