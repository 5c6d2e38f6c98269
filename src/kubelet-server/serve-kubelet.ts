// The node agent's kubelet server: its serving certificate from the cluster CA, pods read from the API server
// (only those bound to this node), the CRI runtime for the containers' log paths.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { hostname } from 'node:os';
import type { RestClient } from '../client/rest-client.js';
import type { RuntimeService } from '../cri/index.js';
import { ApiError } from '../machinery/errors.js';
import { join } from 'node:path';
import { isStatsRuntime, startStatsProvider } from '../kubelet/stats/stats-provider.js';
import { startKubeletServer, type KubeletServer } from './kubelet-server.js';
import { ensureKubeletServingCertificate, type KubeletTls } from './kubelet-serving-cert.js';

export interface ServeKubeletOptions {
  dataDir: string;
  nodeName: string;
  /** The node's IP: the address listened on and named by the certificate. */
  address: string;
  /** --kubelet-port (10250). */
  port?: number;
  runtime: Pick<RuntimeService, 'containerStatus'> | RuntimeService;
  client: RestClient;
  /** Certificates the server issued (an agent's, from its join); else issued here from DATA_DIR/tls's CA. */
  tls?: KubeletTls;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

export async function serveKubelet(opts: ServeKubeletOptions): Promise<KubeletServer> {
  const dnsNames = [...new Set([opts.nodeName, hostname().toLowerCase(), 'localhost'])];
  const ips = [...new Set([opts.address, '127.0.0.1'])];
  const tls = opts.tls ?? await ensureKubeletServingCertificate({ dataDir: opts.dataDir, nodeName: opts.nodeName, ipAddresses: ips, dnsNames });
  // Statistics of this node by its own name, its disk figures from the kubelet's root dir.
  const stats = isStatsRuntime(opts.runtime) ? await startStatsProvider({ runtime: opts.runtime, nodeName: opts.nodeName, rootDir: join(opts.dataDir, 'agent') }) : undefined;
  const server = await startKubeletServer({
    ...(stats !== undefined ? { stats } : {}),
    address: opts.address,
    port: opts.port ?? 10250,
    tls: tls.serving,
    clientCaPem: tls.clientCaPem,
    runtime: opts.runtime,
    ...(opts.log !== undefined ? { log: opts.log } : {}),
    getPod: async (namespace, name) => {
      try {
        const pod = await opts.client.request<Pod>('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);
        return pod.spec?.nodeName === opts.nodeName ? pod : undefined;
      } catch (e: unknown) {
        if (e instanceof ApiError && e.code === 404) return undefined;
        throw e;
      }
    },
  });
  return {
    ...server,
    close: async () => {
      stats?.close();
      await server.close();
    },
  };
}
