// nodes/proxy: upstream's node proxy REST (pkg/registry/core/node/rest/proxy.go, strategy.go ResourceLocation). A
// request to /api/v1/nodes/NAME/proxy/PATH goes to the node's kubelet at https://ADDRESS:PORT/PATH (the node's
// preferred address and daemonEndpoints port) with the API server's kubelet-client certificate: the method, the
// query, the body and the content headers pass through, and the kubelet's status, headers and body come back as
// they are (`kubectl get --raw /api/v1/nodes/NODE/proxy/stats/summary`, /metrics/resource, /healthz, /pods …).
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Node } from 'kubernetes-types/core/v1.js';
import { findResource } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import { dialErrorText } from '../../streaming/upgrade-dial.js';
import { pipeBody, type Req, type Res } from '../http.js';
import type { ResourceRequestInfo } from '../request-info.js';
import type { HandlerContext } from './resource-handler.js';
import { getKubeletClientConfig, kubeletEndpoint } from './pod-log.js';

/** Request headers passed to the kubelet (the client's credentials and hop-by-hop headers are not). */
const forwarded = ['accept', 'accept-encoding', 'content-type', 'content-length', 'user-agent'];

/** The kubelet path of a proxy request: the segments after proxy/, a trailing slash kept (JoinPreservingTrailingSlash). */
export function nodeProxyPath(rest: readonly string[], rawPath: string): string {
  const path = `/${rest.map((s) => encodeURIComponent(s)).join('/')}`;
  return rest.length > 0 && rawPath.endsWith('/') && !path.endsWith('/') ? `${path}/` : path;
}

export async function serveNodeProxy(req: Req, res: Res, info: ResourceRequestInfo, query: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const nodeR = findResource('', 'v1', 'nodes');
  if (nodeR === undefined) throw ApiError.internal('the nodes resource is not registered');
  const node = (await ctx.registry.storeFor(nodeR).get('', info.name)) as unknown as Node;
  const client = getKubeletClientConfig();
  if (client === undefined) throw ApiError.serviceUnavailable('nodes/proxy: the API server has no kubelet client credentials');
  const { host, port } = kubeletEndpoint(node, client.preferredAddressTypes, client.defaultPort);
  const rawPath = (req.url ?? '').split('?')[0] ?? '';
  const qs = query.toString();
  const path = `${nodeProxyPath(info.rest, rawPath)}${qs === '' ? '' : `?${qs}`}`;
  const headers: Record<string, string> = {};
  for (const h of forwarded) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const opts: RequestOptions = { host, port, path, method: req.method ?? 'GET', headers, ca: client.caPem, cert: client.certPem, key: client.keyPem, agent: false, timeout: 60_000 };

  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const r = request(opts, resolve);
    r.on('error', (e: unknown) => reject(new ApiError(503, 'ServiceUnavailable', `error trying to reach service: ${dialErrorText(host, port, e)}`)));
    r.on('timeout', () => r.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
    res.on('close', () => r.destroy());
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE' || req.method === 'OPTIONS') r.end();
    else req.pipe(r);
  });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(upstream.headers)) {
    if (v === undefined || ['connection', 'keep-alive', 'transfer-encoding', 'upgrade'].includes(k)) continue;
    out[k] = v;
  }
  res.writeHead(upstream.statusCode ?? 502, out);
  await pipeBody(upstream, res);
}
