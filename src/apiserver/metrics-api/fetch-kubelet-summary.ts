// GET https://NODE:PORT/stats/summary?only_cpu_and_memory=true from a node's kubelet, as metrics-server scrapes it:
// the node's preferred address and daemonEndpoints port (kubeletEndpoint), the API server's kubelet-client certificate,
// the kubelet's serving certificate checked against the cluster CA, and a short timeout. Several nodes are asked in
// parallel; a node whose kubelet does not answer (or answers badly) is left out.
import { request } from 'node:https';
import type { Node } from 'kubernetes-types/core/v1.js';
import { isRecord } from '../../api/object.js';
import { log } from '../../cli/log.js';
import type { Summary } from '../../kubelet/stats/summary.js';
import { kubeletEndpoint, type KubeletClientConfig } from '../handlers/pod-log.js';

export const summaryPath = '/stats/summary?only_cpu_and_memory=true';

/** How long one kubelet may take to answer. */
export const defaultScrapeTimeoutMs = 5_000;

const maxSummaryBytes = 64 * 1024 * 1024;

/**
 * Whether the node has a kubelet to ask: virtual (kwok-style) nodes, whose runtime is virtual://, only have addresses
 * that are labels (198.18.0.0/15) and must never be sent a packet.
 */
export function hasKubelet(node: Node): boolean {
  return !(node.status?.nodeInfo?.containerRuntimeVersion ?? '').startsWith('virtual://');
}

/** The shape check of a decoded Summary: a node with a name and a list of pods with references and containers. */
export function isSummary(v: unknown): v is Summary {
  if (!isRecord(v) || !isRecord(v['node']) || typeof v['node']['nodeName'] !== 'string' || !Array.isArray(v['pods'])) return false;
  return v['pods'].every(
    (p: unknown) =>
      isRecord(p) &&
      isRecord(p['podRef']) &&
      typeof p['podRef']['name'] === 'string' &&
      typeof p['podRef']['namespace'] === 'string' &&
      Array.isArray(p['containers']) &&
      p['containers'].every((c: unknown) => isRecord(c) && typeof c['name'] === 'string'),
  );
}

/** One kubelet's Summary; rejects on a dial or TLS error, a timeout, a non-200 answer or a body that is not a Summary. */
export function fetchKubeletSummary(node: Node, client: KubeletClientConfig, timeoutMs = defaultScrapeTimeoutMs): Promise<Summary> {
  const { host, port } = kubeletEndpoint(node, client.preferredAddressTypes, client.defaultPort);
  return new Promise<Summary>((resolve, reject) => {
    const req = request(
      { host, port, path: summaryPath, method: 'GET', ca: client.caPem, cert: client.certPem, key: client.keyPem, agent: false, headers: { accept: 'application/json' } },
      (res) => {
        const parts: Buffer[] = [];
        let n = 0;
        res.on('data', (d: Buffer) => {
          n += d.length;
          if (n > maxSummaryBytes) {
            req.destroy(new Error(`the summary of node ${node.metadata?.name ?? ''} is larger than ${maxSummaryBytes} bytes`));
            return;
          }
          parts.push(d);
        });
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(parts).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new Error(`request failed, status: ${JSON.stringify(`${res.statusCode ?? 0} ${res.statusMessage ?? ''}`)}: ${body.slice(0, 512)}`));
            return;
          }
          try {
            const v: unknown = JSON.parse(body);
            if (!isSummary(v)) throw new Error('the answer is not a stats Summary');
            resolve(v);
          } catch (e: unknown) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`Get "https://${host.includes(':') ? `[${host}]` : host}:${port}${summaryPath}": context deadline exceeded`)));
    req.on('error', reject);
    req.end();
  });
}

/** The Summaries of the nodes whose kubelets answered in time, by node name; the others are left out. */
export async function fetchKubeletSummaries(
  nodes: readonly Node[],
  client: KubeletClientConfig,
  timeoutMs = defaultScrapeTimeoutMs,
  fetch: (node: Node, client: KubeletClientConfig, timeoutMs: number) => Promise<Summary> = fetchKubeletSummary,
): Promise<Map<string, Summary>> {
  const asked = nodes.filter(hasKubelet);
  const settled = await Promise.allSettled(asked.map(async (n) => fetch(n, client, timeoutMs)));
  const out = new Map<string, Summary>();
  settled.forEach((s, i) => {
    const name = asked[i]?.metadata?.name;
    if (name === undefined) return;
    if (s.status === 'fulfilled') out.set(name, s.value);
    else log.warn('Failed to scrape node', { component: 'metrics-api', node: name, err: s.reason instanceof Error ? s.reason.message : String(s.reason) });
  });
  return out;
}
