// The kubelet server's statistics routes: /stats/summary (upstream's pkg/kubelet/server/stats handler: GET or POST,
// ?only_cpu_and_memory=true for the CPU and memory part only, the Summary as compact JSON) and /metrics/resource
// (the resource metrics in the Prometheus text format).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StatsProvider } from '../kubelet/stats/stats-provider.js';
import { formatResourceMetrics } from './metrics-resource.js';

/** strconv.ParseBool's accepted spellings. */
const GO_BOOLS = new Map<string, boolean>([
  ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((k): [string, boolean] => [k, true]),
  ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((k): [string, boolean] => [k, false]),
]);

function send(res: ServerResponse, code: number, contentType: string, body: string): void {
  res.writeHead(code, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Serves the request when its path is a statistics route; false when it is not one of them. */
export async function serveStatsRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  stats: StatsProvider,
  log: (msg: string, fields: Record<string, unknown>) => void,
): Promise<boolean> {
  const path = url.pathname;
  if (path === '/stats/summary' || path === '/stats/summary/') {
    if (req.method !== 'GET' && req.method !== 'POST') {
      send(res, 405, 'text/plain; charset=utf-8', '405: Method Not Allowed');
      return true;
    }
    const only = url.searchParams.get('only_cpu_and_memory');
    let onlyCpuAndMemory = false;
    if (only !== null) {
      if (!GO_BOOLS.has(only)) {
        send(res, 500, 'text/plain; charset=utf-8', `Internal Error: parse form failed: strconv.ParseBool: parsing ${JSON.stringify(only)}: invalid syntax`);
        return true;
      }
      onlyCpuAndMemory = GO_BOOLS.get(only) === true;
    }
    try {
      const summary = await stats.summary(onlyCpuAndMemory);
      send(res, 200, 'application/json', JSON.stringify(summary));
    } catch (e: unknown) {
      const msg = e instanceof Error ? e.message : String(e);
      log('failed to get summary', { err: msg });
      send(res, 500, 'text/plain; charset=utf-8', `Internal Error: ${msg}`);
    }
    return true;
  }
  if (path === '/metrics/resource') {
    let text: string;
    try {
      text = formatResourceMetrics(await stats.summary(true));
    } catch (e: unknown) {
      log('Error getting summary for resourceMetric prometheus endpoint', { err: e instanceof Error ? e.message : String(e) });
      text = formatResourceMetrics(undefined);
    }
    send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', text);
    return true;
  }
  return false;
}
