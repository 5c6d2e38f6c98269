// pods/exec, pods/attach and pods/portforward: upstream's connect REST (pkg/registry/core/pod/rest/subresources.go,
// strategy.go ExecLocation/AttachLocation/PortForwardLocation). The options are read from the query, the container
// chosen, and the request goes to the kubelet of the pod's node (https://ADDRESS:PORT/exec/NS/POD/CONTAINER?...,
// /attach/..., /portForward/NS/POD) with the API server's kubelet-client certificate:
//   - a WebSocket request for v5.channel.k8s.io (kubectl 1.30+ exec and attach) is translated: the API server holds
//     the WebSocket and speaks SPDY v4.channel.k8s.io to the kubelet (upstream's StreamTranslatorHandler);
//   - a WebSocket request for SPDY/3.1+portforward.k8s.io (kubectl 1.31+ port-forward) is tunnelled: SPDY upgrade to
//     the kubelet, then the WebSocket's binary messages carry the SPDY bytes both ways (upstream's TunnelingHandler);
//   - anything else (SPDY upgrades of older clients, WebSocket v4 and earlier) passes through to the kubelet as is
//     (upstream's UpgradeAwareHandler), the kubelet's response included.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { WebSocketServer } from 'ws';
import { findResource } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import type { ResourceRequestInfo } from '../request-info.js';
import type { HandlerContext } from './resource-handler.js';
import { getKubeletClientConfig, kubeletEndpoint, validateContainer } from './pod-log.js';
import { dialUpgrade, splice, UpgradeDialError, type UpgradeResponse } from '../../streaming/upgrade-dial.js';
import { STREAM_PROTOCOL_V4, STREAM_PROTOCOL_V5, translateRemoteCommand } from '../../streaming/remote-command-translator.js';

export const streamSubresources = new Set(['exec', 'attach', 'portforward']);

export const TUNNELING_PREFIX = 'SPDY/3.1+';

/** v1.PodExecOptions / PodAttachOptions / PodPortForwardOptions as the query gives them. */
export interface PodStreamOptions {
  container?: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  ports: number[];
}

function parseBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw ApiError.badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

/** Decodes the query (a value that does not convert is a 400, as upstream's parameter codec). */
export function parsePodStreamOptions(subresource: string, q: URLSearchParams): PodStreamOptions {
  const container = q.get('container');
  const ports: number[] = [];
  if (subresource === 'portforward') {
    for (const v of q.getAll('ports')) {
      for (const p of v.split(',')) {
        if (p === '') continue;
        if (!/^[+-]?\d+$/.test(p)) throw ApiError.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(p)}: invalid syntax`);
        const n = Number(p);
        if (n < 1 || n > 65535) throw ApiError.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(p)}: value out of range`);
        ports.push(n);
      }
    }
  }
  return {
    ...(container !== null && container !== '' ? { container } : {}),
    command: subresource === 'exec' ? q.getAll('command') : [],
    stdin: parseBool(q, 'stdin'),
    stdout: parseBool(q, 'stdout'),
    stderr: parseBool(q, 'stderr'),
    tty: parseBool(q, 'tty'),
    ports,
  };
}

/** streamLocation's words for a pod of several containers when none is named (they differ from the log's). */
function streamAmbiguity(pod: Pod): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name).join(' ');
  const inits = (pod.spec?.initContainers ?? []).map((c) => c.name);
  const msg = `a container name must be specified for pod ${pod.metadata?.name ?? ''}, choose one of: [${names}]`;
  return inits.length > 0 ? `${msg} or one of the init containers: [${inits.join(' ')}]` : msg;
}

/** streamLocation's container choice. */
export function streamContainer(container: string | undefined, pod: Pod): string {
  return validateContainer(container, pod, streamAmbiguity);
}

/** The kubelet path and query (streamParams: "1" for each stream asked for, command repeated, ports joined). */
export function kubeletStreamPath(subresource: string, pod: Pod, container: string, o: PodStreamOptions): string {
  const seg = (s: string): string => encodeURIComponent(s);
  const ns = seg(pod.metadata?.namespace ?? '');
  const name = seg(pod.metadata?.name ?? '');
  const params = new URLSearchParams();
  if (subresource === 'portforward') {
    if (o.ports.length > 0) params.append('port', o.ports.join(','));
  } else {
    if (o.stdin) params.append('input', '1');
    if (o.stdout) params.append('output', '1');
    if (o.stderr) params.append('error', '1');
    if (o.tty) params.append('tty', '1');
    for (const c of o.command) params.append('command', c);
  }
  const qs = params.toString();
  const path = subresource === 'portforward' ? `/portForward/${ns}/${name}` : `/${subresource}/${ns}/${name}/${seg(container)}`;
  return qs === '' ? path : `${path}?${qs}`;
}

/** The WebSocket subprotocols a request offers, in order. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const h = req.headers['sec-websocket-protocol'];
  return (Array.isArray(h) ? h.join(',') : (h ?? ''))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function isWebSocket(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** Writes an HTTP error answer with a Status body on a socket taken over from the HTTP server, then ends it. */
export function writeSocketError(socket: Duplex, e: unknown): void {
  const err = e instanceof ApiError ? e : ApiError.internal(e instanceof Error ? e.message : String(e));
  const body = Buffer.from(JSON.stringify(err.toStatus()));
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error', 503: 'Service Unavailable' }[err.code] ?? 'Error';
  socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${err.code} ${reason}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]));
}

/**
 * Completes the WebSocket handshake on a socket the HTTP server handed over, answering with `protocol` (checked by
 * hand: ws refuses a subprotocol name with a '/', as SPDY/3.1+portforward.k8s.io has). Undefined when the handshake
 * fails (ws has answered 400 and closed the socket) or the client went first.
 */
function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string | undefined): Promise<import('ws').WebSocket | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const onClose = (): void => {
      if (done) return;
      done = true;
      resolve(undefined);
    };
    socket.once('close', onClose);
    if (socket.destroyed) return onClose();
    delete req.headers['sec-websocket-protocol'];
    const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
    if (protocol !== undefined) server.on('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
    server.handleUpgrade(req, socket, head, (w) => {
      socket.off('close', onClose);
      // A malformed frame or a reset ends the session ('close' follows), never the process.
      w.on('error', () => w.terminate());
      if (done) {
        w.terminate();
        return;
      }
      done = true;
      resolve(w);
    });
  });
}

/** Headers not passed to the kubelet: hop-by-hop ones are rewritten, and the client's credentials are not the API server's. */
const notForwarded = new Set(['host', 'authorization', 'impersonate-user', 'impersonate-group', 'impersonate-uid']);

export async function servePodStream(req: IncomingMessage, socket: Duplex, head: Buffer, info: ResourceRequestInfo, query: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const subresource = info.subresource;
  if (req.method !== 'GET' && req.method !== 'POST') {
    throw ApiError.methodNotSupported({ group: '', name: `pods/${subresource}` }, info.verb);
  }
  const opts = parsePodStreamOptions(subresource, query);
  const podR = findResource('', 'v1', 'pods');
  const nodeR = findResource('', 'v1', 'nodes');
  if (podR === undefined || nodeR === undefined) throw ApiError.internal('the pods and nodes resources are not registered');
  const pod = (await ctx.registry.storeFor(podR).get(info.namespace, info.name)) as unknown as Pod;
  const container = subresource === 'portforward' ? '' : streamContainer(opts.container, pod);
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName === '') throw ApiError.badRequest(`pod ${info.name} does not have a host assigned`);
  const node = (await ctx.registry.storeFor(nodeR).get('', nodeName)) as unknown as Node;
  const client = getKubeletClientConfig();
  if (client === undefined) throw ApiError.serviceUnavailable(`pods/${subresource}: the API server has no kubelet client credentials`);
  const { host, port } = kubeletEndpoint(node, client.preferredAddressTypes, client.defaultPort);
  const url = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}${kubeletStreamPath(subresource, pod, container, opts)}`);
  const tls = { ca: client.caPem, cert: client.certPem, key: client.keyPem };

  const protocols = offeredProtocols(req);
  if (isWebSocket(req) && subresource !== 'portforward' && protocols.includes(STREAM_PROTOCOL_V5)) {
    const ws = await acceptWebSocket(req, socket, head, STREAM_PROTOCOL_V5);
    if (ws === undefined) return;
    await translateRemoteCommand(ws, opts, () =>
      dialUpgrade({
        url,
        method: 'POST',
        tls,
        headers: [
          ['Connection', 'Upgrade'],
          ['Upgrade', 'SPDY/3.1'],
          ['X-Stream-Protocol-Version', STREAM_PROTOCOL_V4],
          ['Content-Length', '0'],
        ],
      }),
    );
    return;
  }

  if (isWebSocket(req) && subresource === 'portforward') {
    const spdyProtocols = protocols.filter((p) => p.startsWith(TUNNELING_PREFIX) && p.endsWith('.k8s.io')).map((p) => p.slice(TUNNELING_PREFIX.length));
    if (spdyProtocols.length > 0) return tunnelPortForward(req, socket, head, url, tls, spdyProtocols);
  }

  // Passthrough: the client's request as it came (its credentials aside), the kubelet's answer as it comes.
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const n = req.rawHeaders[i] ?? '';
    if (!notForwarded.has(n.toLowerCase())) headers.push([n, req.rawHeaders[i + 1] ?? '']);
  }
  let upstream: UpgradeResponse;
  try {
    upstream = await dialUpgrade({ url, method: req.method, headers, tls, body: head });
  } catch (e: unknown) {
    if (e instanceof UpgradeDialError) throw new ApiError(500, '', `error dialing backend: ${e.message}`);
    throw e;
  }
  socket.write(upstream.rawHead);
  if (upstream.leftover.length > 0) socket.write(upstream.leftover);
  splice(socket, upstream.socket);
}

async function tunnelPortForward(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, tls: { ca: string; cert: string; key: string }, spdyProtocols: string[]): Promise<void> {
  let upstream: UpgradeResponse;
  try {
    upstream = await dialUpgrade({
      url,
      method: 'POST',
      tls,
      headers: [['Connection', 'Upgrade'], ['Upgrade', 'SPDY/3.1'], ...spdyProtocols.map((p): [string, string] => ['X-Stream-Protocol-Version', p]), ['Content-Length', '0']],
    });
  } catch (e: unknown) {
    if (e instanceof UpgradeDialError) throw new ApiError(500, '', `error dialing backend: ${e.message}`);
    throw e;
  }
  if (upstream.statusCode !== 101) {
    // Not an upgrade: the kubelet's answer goes to the client as it is.
    socket.write(upstream.rawHead);
    if (upstream.leftover.length > 0) socket.write(upstream.leftover);
    splice(socket, upstream.socket);
    return;
  }
  const chosen = (upstream.headers['x-stream-protocol-version'] ?? '').trim();
  const backend = upstream.socket;
  const ws = await acceptWebSocket(req, socket, head, chosen === '' ? undefined : `${TUNNELING_PREFIX}${chosen}`);
  if (ws === undefined) {
    backend.destroy();
    return;
  }
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    backend.destroy();
    if (ws.readyState === ws.OPEN) ws.close(1000);
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      ws.close(1003, 'invalid message type received');
      return;
    }
    if (!backend.write(data) && !ws.isPaused) {
      ws.pause();
      backend.once('drain', () => ws.resume());
    }
  });
  ws.on('close', close);
  ws.on('error', close);
  const forward = (d: Buffer): void => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(d, { binary: true });
    if (ws.bufferedAmount > 4 * 1024 * 1024) {
      backend.pause();
      const wait = (): void => {
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount < 1024 * 1024) backend.resume();
        else setTimeout(wait, 5);
      };
      setTimeout(wait, 5);
    }
  };
  if (upstream.leftover.length > 0) forward(upstream.leftover);
  backend.on('data', forward);
  backend.on('end', close);
  backend.on('close', close);
  backend.on('error', close);
  backend.resume();
}

/** True when the request is for one of the streaming subresources of pods. */
export function isPodStreamRequest(info: ResourceRequestInfo): boolean {
  return info.group === '' && info.resource === 'pods' && streamSubresources.has(info.subresource);
}
