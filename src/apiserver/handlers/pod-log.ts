// GET pods/NAME/log: upstream's pod log REST (pkg/registry/core/pod/rest/log.go, strategy.go LogLocation). The
// options are validated, the container chosen, and the request proxied to the kubelet of the pod's node
// (https://ADDRESS:PORT/containerLogs/NS/POD/CONTAINER, the node's InternalIP and daemonEndpoints port) with the
// API server's kubelet-client certificate; the kubelet's body streams through (a followed log stays open until the
// client goes), and its error answers become Status objects as upstream's GenericHttpResponseChecker makes them.
import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { findResource } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import { fieldError, type FieldError } from '../../machinery/field-errors.js';
import { pipeBody, type Req, type Res } from '../http.js';
import { dialErrorText } from '../../streaming/upgrade-dial.js';
import type { ResourceRequestInfo } from '../request-info.js';
import type { HandlerContext } from './resource-handler.js';

/** The credentials the API server presents to kubelets, and the CA their serving certificates chain to. */
export interface KubeletClientConfig {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** --kubelet-preferred-address-types (k3s's order by default: InternalIP, ExternalIP, Hostname). */
  preferredAddressTypes?: readonly string[];
  /** The port when the Node does not say (10250). */
  defaultPort?: number;
}

let kubeletClient: KubeletClientConfig | undefined;

/** Sets (or clears) the credentials pods/log uses towards kubelets. */
export function setKubeletClientConfig(c: KubeletClientConfig | undefined): void {
  kubeletClient = c;
}

/** The credentials in use towards kubelets (undefined until the server has set them). */
export function getKubeletClientConfig(): KubeletClientConfig | undefined {
  return kubeletClient;
}

/** The kubelet-client credentials the server's PKI keeps in DATA_DIR/tls (src/pki/cluster-pki.ts). */
export function loadKubeletClientConfig(dataDir: string): KubeletClientConfig {
  const dir = join(dataDir, 'tls');
  return {
    caPem: readFileSync(join(dir, 'server-ca.crt'), 'utf8'),
    certPem: readFileSync(join(dir, 'client-kube-apiserver.crt'), 'utf8'),
    keyPem: readFileSync(join(dir, 'client-kube-apiserver.key'), 'utf8'),
  };
}

/** v1.PodLogOptions as the query gives them. */
export interface PodLogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  timestamps?: boolean;
  sinceSeconds?: number;
  /** RFC 3339, as given. */
  sinceTime?: string;
  tailLines?: number;
  limitBytes?: number;
  insecureSkipTLSVerifyBackend?: boolean;
}

/** Decodes the query parameters of a log request; a value that does not convert is a 400, as upstream's parameter codec. */
export function parsePodLogOptions(q: URLSearchParams): PodLogOptions {
  const out: PodLogOptions = {};
  const container = q.get('container');
  if (container !== null && container !== '') out.container = container;
  for (const name of ['follow', 'previous', 'timestamps', 'insecureSkipTLSVerifyBackend'] as const) {
    const v = q.get(name);
    if (v === null || v === '') continue;
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) out[name] = true;
    else if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) out[name] = false;
    else throw ApiError.badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  for (const name of ['sinceSeconds', 'tailLines', 'limitBytes'] as const) {
    const v = q.get(name);
    if (v === null || v === '') continue;
    if (!/^[+-]?\d+$/.test(v)) throw ApiError.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    out[name] = Number(v);
  }
  const since = q.get('sinceTime');
  if (since !== null && since !== '') {
    const t = Date.parse(since);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(since) || Number.isNaN(t)) {
      throw ApiError.badRequest(`parsing time ${JSON.stringify(since)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(since)} as "2006"`);
    }
    out.sinceTime = since;
  }
  return out;
}

/** Upstream's ValidatePodLogOptions. */
export function validatePodLogOptions(o: PodLogOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0) errs.push(fieldError.invalid('tailLines', o.tailLines, 'must be greater than or equal to 0'));
  if (o.limitBytes !== undefined && o.limitBytes < 1) errs.push(fieldError.invalid('limitBytes', o.limitBytes, 'must be greater than 0'));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) {
    errs.push(fieldError.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  } else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) {
    errs.push(fieldError.invalid('sinceSeconds', o.sinceSeconds, 'must be greater than 0'));
  }
  return errs;
}

/** The log's words for a pod of several containers when none is named (VisitContainers' order: init, regular, ephemeral). */
function logAmbiguity(pod: Pod): string {
  const spec = pod.spec;
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
  return `a container name must be specified for pod ${pod.metadata?.name ?? ''}, choose one of: [${all.join(' ')}]`;
}

/**
 * Upstream's validateContainer: the container named (one of the pod's init, regular or ephemeral containers), or the
 * pod's only one; `ambiguous` words the error for a pod of several when none is named.
 */
export function validateContainer(container: string | undefined, pod: Pod, ambiguous: (pod: Pod) => string = logAmbiguity): string {
  const name = pod.metadata?.name ?? '';
  const spec = pod.spec;
  if (container === undefined || container === '') {
    const containers = spec?.containers ?? [];
    if (containers.length === 1) return containers[0]?.name ?? '';
    if (containers.length === 0) throw ApiError.badRequest(`a container name must be specified for pod ${name}`);
    throw ApiError.badRequest(ambiguous(pod));
  }
  const known = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].some((c) => c.name === container);
  if (!known) throw ApiError.badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** The kubelet URL of a log request (LogLocation's query: only the options given, sinceTime in seconds). */
export function kubeletLogPath(pod: Pod, container: string, o: PodLogOptions): string {
  const params = new URLSearchParams();
  if (o.follow === true) params.append('follow', 'true');
  if (o.previous === true) params.append('previous', 'true');
  if (o.timestamps === true) params.append('timestamps', 'true');
  if (o.sinceSeconds !== undefined) params.append('sinceSeconds', String(o.sinceSeconds));
  if (o.sinceTime !== undefined) params.append('sinceTime', new Date(Date.parse(o.sinceTime)).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (o.tailLines !== undefined) params.append('tailLines', String(o.tailLines));
  if (o.limitBytes !== undefined) params.append('limitBytes', String(o.limitBytes));
  params.sort();
  const qs = params.toString();
  const seg = (s: string): string => encodeURIComponent(s);
  return `/containerLogs/${seg(pod.metadata?.namespace ?? '')}/${seg(pod.metadata?.name ?? '')}/${seg(container)}${qs === '' ? '' : `?${qs}`}`;
}

/** The node's kubelet address: the first address of the preferred types, and its daemon endpoint port. */
export function kubeletEndpoint(node: Node, preferred: readonly string[] = ['InternalIP', 'ExternalIP', 'Hostname'], defaultPort = 10250): { host: string; port: number } {
  const addrs = node.status?.addresses ?? [];
  for (const type of preferred) {
    const a = addrs.find((x) => x.type === type && x.address !== '');
    if (a !== undefined) {
      const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
      return { host: a.address, port: port !== undefined && port > 0 ? port : defaultPort };
    }
  }
  throw ApiError.internal(`no preferred addresses found; known addresses: [${addrs.map((a) => `{${a.type} ${a.address}}`).join(' ')}]`);
}

/** Upstream's GenericHttpResponseChecker: a kubelet's error answer as the Status the API server returns. */
export function kubeletErrorStatus(code: number, body: string, podName: string): ApiError {
  if (code === 500) return ApiError.internal(body);
  if (code === 400) return ApiError.badRequest(body);
  const details = { name: podName, kind: 'pods/log' };
  switch (code) {
    case 404:
      return new ApiError(404, 'NotFound', 'the server could not find the requested resource', details);
    case 401:
      return new ApiError(401, 'Unauthorized', 'the server has asked for the client to provide credentials', details);
    case 403:
      return new ApiError(403, 'Forbidden', body, details);
    case 405:
      return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', details);
    case 409:
      return new ApiError(409, 'Conflict', 'the server reported a conflict', details);
    case 422:
      return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', details);
    case 503:
      return new ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', details);
    case 504:
      return new ApiError(504, 'Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request', details);
    case 429:
      return new ApiError(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later', details);
    default:
      if (code >= 500) return new ApiError(code, 'InternalError', `an error on the server (${JSON.stringify(body)}) has prevented the request from succeeding`, details);
      return new ApiError(code, '', `the server responded with the status code ${code} but did not return more information`, details);
  }
}

/** Go's url.Error text for a failed GET (`Get "URL": dial tcp HOST:PORT: connect: connection refused`). */
function dialError(url: string, host: string, port: number, e: unknown): ApiError {
  return new ApiError(500, '', `Get "${url}": ${dialErrorText(host, port, e)}`);
}

const maxReadLength = 50_000;

function readLimited(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let n = 0;
    res.on('data', (d: Buffer) => {
      if (n < maxReadLength) parts.push(d.subarray(0, maxReadLength - n));
      n += d.length;
    });
    res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    res.on('error', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

export async function servePodLog(_req: Req, res: Res, info: ResourceRequestInfo, query: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const opts = parsePodLogOptions(query);
  const errs = validatePodLogOptions(opts);
  if (errs.length > 0) throw ApiError.invalid({ group: '', name: 'PodLogOptions' }, info.name, errs);
  const podR = findResource('', 'v1', 'pods');
  const nodeR = findResource('', 'v1', 'nodes');
  if (podR === undefined || nodeR === undefined) throw ApiError.internal('the pods and nodes resources are not registered');
  const pod = (await ctx.registry.storeFor(podR).get(info.namespace, info.name)) as unknown as Pod;
  const container = validateContainer(opts.container, pod);
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName === '') {
    // A pod not yet bound to a node has no logs: an empty answer, as upstream's null stream.
    res.writeHead(204, {});
    res.end();
    return;
  }
  const node = (await ctx.registry.storeFor(nodeR).get('', nodeName)) as unknown as Node;
  const client = kubeletClient;
  if (client === undefined) throw ApiError.serviceUnavailable('pods/log: the API server has no kubelet client credentials');
  const { host, port } = kubeletEndpoint(node, client.preferredAddressTypes, client.defaultPort);
  const path = kubeletLogPath(pod, container, opts);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `https://${hostPart}:${port}${path}`;
  const reqOpts: RequestOptions = {
    host,
    port,
    path,
    method: 'GET',
    ca: client.caPem,
    cert: client.certPem,
    key: client.keyPem,
    rejectUnauthorized: opts.insecureSkipTLSVerifyBackend !== true,
    agent: false,
  };

  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const r = request(reqOpts, resolve);
    r.on('error', (e: unknown) => reject(dialError(url, host, port, e)));
    // The client going away before the kubelet answers ends the kubelet request too.
    res.on('close', () => r.destroy());
    r.end();
  });
  const code = upstream.statusCode ?? 500;
  if (code < 200 || code > 206) {
    throw kubeletErrorStatus(code, await readLimited(upstream), info.name);
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
  await pipeBody(upstream, res, opts.follow === true);
}
