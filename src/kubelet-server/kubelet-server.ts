// The kubelet's HTTPS server (upstream's pkg/kubelet/server, port 10250): /healthz without authentication, and
// /containerLogs/NS/POD/CONTAINER for clients whose certificate the cluster CA signed and who may proxy to nodes
// (the API server's kubelet-client certificate: O=system:masters). Logs are read from the CRI log file of the
// container the pod's status names, followed until the container stops or the client goes.
import { createServer, type Server } from 'node:https';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { RuntimeService } from '../cri/index.js';
import { newLogOptions, readLogs } from './cri-log-reader.js';
import { containerForLogs, KubeletHttpError, parseContainerLogQuery, podHasContainer } from './container-log-request.js';
import { hostname } from 'node:os';
import { isStatsRuntime, startStatsProvider, type StatsProvider } from '../kubelet/stats/stats-provider.js';
import { serveStatsRoute } from './stats-routes.js';
import { serveStreamUpgrade } from './stream-routes.js';

export interface KubeletServerOptions {
  /** The address to listen on: the node's IP. */
  address: string;
  /** --kubelet-port (10250); 0 picks a free port. */
  port: number;
  tls: { certPem: string; keyPem: string };
  /** The CA that signs the client certificates accepted (the cluster CA). */
  clientCaPem: string;
  /** The CRI calls the server uses: containerStatus for logs; exec, attach, portForward and listPodSandbox for streams. */
  runtime: Pick<RuntimeService, 'containerStatus'> & Partial<Pick<RuntimeService, 'exec' | 'attach' | 'portForward' | 'listPodSandbox'>>;
  /** The pod as the kubelet knows it (spec and status), undefined when it is not this node's. */
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
  /** Users allowed besides members of system:masters. */
  allowedUsers?: readonly string[];
  /** While following, the log file is read again at least this often (1 s). */
  forceCheckMs?: number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
  /** /stats/summary and /metrics/resource; by default built from the runtime (when it offers the CRI stats calls). */
  stats?: StatsProvider;
}

export interface KubeletServer {
  readonly port: number;
  close(): Promise<void>;
}

interface UserInfo {
  name: string;
  groups: string[];
}

function sendText(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) {
    res.end(text);
    return;
  }
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** An HTTP answer in plain text on a socket the server has handed over (an upgrade request that is refused). */
function writeSocketText(socket: Duplex, code: number, text: string): void {
  if (socket.destroyed || !socket.writable) return;
  const body = Buffer.from(text);
  socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]));
}

/** The user of a request whose client certificate chains to the CA (CN: name, O: groups); undefined without one. */
function authenticate(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (cert === null || cert.subject === undefined) return undefined;
  const subject = cert.subject as unknown as Record<string, string | string[] | undefined>;
  const cn = subject['CN'];
  const o = subject['O'];
  return { name: (Array.isArray(cn) ? cn[0] : cn) ?? '', groups: o === undefined ? [] : Array.isArray(o) ? o : [o] };
}

/** Upstream's node authorizer attributes: the subresource of nodes a kubelet path stands for. */
function subresourceOf(path: string): string {
  if (path.startsWith('/stats/') || path === '/stats') return 'stats';
  if (path.startsWith('/metrics')) return 'metrics';
  if (path.startsWith('/logs/')) return 'log';
  if (path.startsWith('/checkpoint/')) return 'checkpoint';
  if (path === '/pods' || path.startsWith('/pods/')) return 'pods';
  return 'proxy';
}

function verbOf(method: string): string {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'get';
  }
}

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const log = opts.log ?? ((): void => undefined);
  const allowed = new Set(opts.allowedUsers ?? []);
  const ownStats = opts.stats === undefined && isStatsRuntime(opts.runtime) ? await startStatsProvider({ runtime: opts.runtime, nodeName: hostname().toLowerCase(), log }) : undefined;
  const stats = opts.stats ?? ownStats;

  const serveContainerLogs = async (req: IncomingMessage, res: ServerResponse, ns: string, podName: string, container: string, query: URLSearchParams): Promise<void> => {
    if (podName === '') throw new KubeletHttpError(400, '{"message": "Missing podID."}');
    if (container === '') throw new KubeletHttpError(400, '{"message": "Missing container name."}');
    if (ns === '') throw new KubeletHttpError(400, '{"message": "Missing podNamespace."}');
    const logOpts = parseContainerLogQuery(query);
    const pod = await opts.getPod(ns, podName);
    if (pod === undefined) throw new KubeletHttpError(404, `pod ${JSON.stringify(podName)} does not exist`);
    if (!podHasContainer(pod, container)) throw new KubeletHttpError(404, `container ${JSON.stringify(container)} not found in pod ${JSON.stringify(podName)}`);
    const containerId = containerForLogs(podName, pod, container, logOpts.previous === true);

    // From here on the answer is 200 and errors go into the body, as upstream's flushing writer has sent the headers.
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
    res.flushHeaders();
    const aborted = new AbortController();
    const onClose = (): void => aborted.abort();
    res.on('close', onClose);
    req.on('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    try {
      let logPath: string;
      try {
        logPath = (await opts.runtime.containerStatus({ containerId })).status?.logPath ?? '';
      } catch {
        throw new Error(`unable to retrieve container logs for containerd://${containerId}`);
      }
      await readLogs({
        path: logPath,
        containerId,
        opts: newLogOptions(logOpts, Date.now()),
        runtime: opts.runtime,
        signal: aborted.signal,
        ...(opts.forceCheckMs !== undefined ? { forceCheckMs: opts.forceCheckMs } : {}),
        onSkippedLine: (err) => log('failed when parsing line in log file', { path: logPath, err }),
        write: (_stream, data) =>
          new Promise<void>((resolve) => {
            if (aborted.signal.aborted || res.destroyed) return resolve();
            if (res.write(data)) return resolve();
            const done = (): void => {
              res.off('drain', done);
              aborted.signal.removeEventListener('abort', done);
              resolve();
            };
            res.once('drain', done);
            aborted.signal.addEventListener('abort', done, { once: true });
          }),
      });
      res.end();
    } catch (e: unknown) {
      if (aborted.signal.aborted) {
        res.destroy();
        return;
      }
      res.end(e instanceof Error ? e.message : String(e));
    } finally {
      res.off('close', onClose);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const path = url.pathname;
    if (path === '/healthz') {
      sendText(res, 200, 'ok');
      return;
    }
    const user = authenticate(req);
    if (user === undefined) {
      sendText(res, 401, 'Unauthorized');
      return;
    }
    if (!user.groups.includes('system:masters') && !allowed.has(user.name)) {
      sendText(res, 403, `Forbidden (user=${user.name}, verb=${verbOf(req.method ?? 'GET')}, resource=nodes, subresource(s)=[${subresourceOf(path)}])\n`);
      return;
    }
    const m = /^\/containerLogs\/([^/]*)\/([^/]*)\/([^/]*)\/?$/.exec(path);
    if (m !== null) {
      if (req.method !== 'GET') {
        sendText(res, 405, '405: Method Not Allowed');
        return;
      }
      const dec = (s: string | undefined): string => decodeURIComponent(s ?? '');
      await serveContainerLogs(req, res, dec(m[1]), dec(m[2]), dec(m[3]), url.searchParams);
      return;
    }
    if (stats !== undefined && (await serveStatsRoute(req, res, url, stats, log))) return;
    sendText(res, 404, '404 page not found\n');
  };

  const server: Server = createServer(
    { cert: opts.tls.certPem, key: opts.tls.keyPem, ca: opts.clientCaPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    (req, res) => {
      handle(req, res).catch((e: unknown) => {
        if (e instanceof KubeletHttpError) {
          sendText(res, e.code, e.message);
          return;
        }
        log('kubelet request failed', { path: req.url, err: e instanceof Error ? e.message : String(e) });
        sendText(res, 500, e instanceof Error ? e.message : String(e));
      });
    },
  );
  // exec, attach and port-forward: HTTP/1.1 upgrades, handed to the runtime's streaming server.
  // Upgraded connections are the server's no more: close() ends them itself.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const user = authenticate(req);
    if (user === undefined) return writeSocketText(socket, 401, 'Unauthorized');
    if (!user.groups.includes('system:masters') && !allowed.has(user.name)) {
      return writeSocketText(socket, 403, `Forbidden (user=${user.name}, verb=${verbOf(req.method ?? 'GET')}, resource=nodes, subresource(s)=[proxy])\n`);
    }
    serveStreamUpgrade(req, socket, head, url, { runtime: opts.runtime, getPod: opts.getPod }).catch((e: unknown) => {
      const code = e instanceof KubeletHttpError ? e.code : 500;
      if (!(e instanceof KubeletHttpError)) log('kubelet streaming request failed', { path: req.url, err: e instanceof Error ? e.message : String(e) });
      writeSocketText(socket, code, e instanceof Error ? e.message : String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        ownStats?.close();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
      }),
  };
}
