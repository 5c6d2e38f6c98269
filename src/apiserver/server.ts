// The API server: HTTPS (HTTP/2 and HTTP/1.1), authentication -> authorization -> handlers, discovery,
// OpenAPI, health and metrics.
import { handleNodeJoin, type NodeJoinOptions } from './node-join.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, ServerResponse, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { openapiV2Json, openapiV2Protobuf, openapiV2ProtobufContentType, openapiV3Document, openapiV3Index } from '../api/openapi/index.js';
import { ApiError } from '../machinery/errors.js';
import type { Storage } from '../storage/storage.js';
import { createAdmission } from './admission/index.js';
import type { DefaultTolerationSeconds } from './admission/pod-admission.js';
import { parseCidr, ServiceAllocator, type Cidr } from './admission/service-allocator.js';
import { alwaysAllow, createAuthenticator, type Authorizer, type UserInfo } from './auth/authenticator.js';
import { aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from './discovery.js';
import { handleResource } from './handlers/resource-handler.js';
import { isPodStreamRequest, servePodStream, writeSocketError } from './handlers/pod-stream.js';
import { registerInProcessDispatcher, unregisterInProcessDispatcher } from '../client/in-process-transport.js';
import { send, sendError, sendRaw, statusOf, warningHeader, type Req, type Res } from './http.js';
import { ApiMetrics, metricsVerb } from './metrics.js';
import { Registry } from './registry/registry.js';
import { parseRequestInfo } from './request-info.js';
import { versionInfo } from './version.js';
import { findResource } from '../api/resources.js';
import type { StoredObject } from '../api/object.js';
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';

export interface ApiServerOptions {
  readonly bindAddress: string;
  readonly port: number;
  readonly tls: { readonly certPem: string; readonly keyPem: string; readonly caPem: string };
  readonly storage: Storage;
  readonly serviceCidr: string;
  readonly clusterCidr: string;
  /** Tokens from --token-file (re-read by the caller when it changes). */
  readonly tokens: () => Map<string, UserInfo>;
  readonly authorizer?: Authorizer;
  /** The address clients elsewhere use to reach this server (for /api's serverAddressByClientCIDRs and the kubernetes service). */
  readonly advertiseAddress: string;
  /** --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds (300 each by default). */
  readonly tolerationSeconds?: DefaultTolerationSeconds;
  /** Agents join through /cacerts and /v1-k8ts/node-join (node-join.ts) when given. */
  readonly nodeJoin?: NodeJoinOptions;
}

const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

export class ApiServer {
  readonly registry: Registry;
  readonly metrics = new ApiMetrics();
  readonly serviceCidr: Cidr;
  private readonly server: Http2SecureServer;
  private readonly authenticate;
  /**
   * The loopback identity, as upstream's: the server's own control loops (scheduler, controllers, virtual nodes) are
   * clients of it with a random token made at start that never leaves the process.
   */
  private readonly loopbackToken = randomBytes(32).toString('base64url');
  private loopbackServer: HttpServer | undefined;
  private loopbackSocketPath: string | undefined;
  private readonly authorize: Authorizer;
  private ready = false;
  private services: ServiceAllocator | undefined;
  private priorityClassCache: { at: number; items: StoredObject[] } | undefined;

  constructor(private readonly opts: ApiServerOptions) {
    this.serviceCidr = parseCidr(opts.serviceCidr);
    const nsStore = (): ReturnType<Registry['store']> => this.registry.store('', 'namespaces');
    const admission = createAdmission(
      {
        namespace: (name) => nsStore().tryGetCached('', name),
        serviceAccount: (ns, name) => this.registry.store('', 'serviceaccounts').tryGetCached(ns, name),
        priorityClass: (name) => this.registry.store('scheduling.k8s.io', 'priorityclasses').tryGet('', name),
        // Admission reads priority classes from a short-lived cache, as upstream's plugin reads its informer.
        priorityClasses: async () => {
          const now = Date.now();
          if (this.priorityClassCache === undefined || now - this.priorityClassCache.at > 1000) {
            this.priorityClassCache = { at: now, items: (await this.registry.store('scheduling.k8s.io', 'priorityclasses').list('', { selection: {} })).items };
          }
          return this.priorityClassCache.items;
        },
        resourceQuotas: async (ns) => (await this.registry.store('', 'resourcequotas').list(ns, { selection: {} })).items as unknown as ResourceQuota[],
        writeQuotaStatus: async (q) => {
          const store = this.registry.store('', 'resourcequotas');
          await store.guaranteedUpdate(q.metadata?.namespace ?? '', q.metadata?.name ?? '', () => q as unknown as StoredObject, { subresource: 'status' });
        },
      },
      () => {
        this.services ??= new ServiceAllocator(this.serviceCidr, async () => (await this.registry.store('', 'services').list('', { selection: {} })).items);
        return this.services;
      },
      opts.tolerationSeconds !== undefined ? { tolerationSeconds: opts.tolerationSeconds } : {},
    );
    this.registry = new Registry(opts.storage, admission);
    const loopbackUser: UserInfo = { name: 'system:apiserver', uid: randomUUID(), groups: ['system:masters'] };
    const authenticate = createAuthenticator(opts.tokens);
    const loopbackHeader = `Bearer ${this.loopbackToken}`;
    this.authenticate = (req: Req): UserInfo | undefined => (req.headers.authorization === loopbackHeader ? { ...loopbackUser, groups: [...loopbackUser.groups, 'system:authenticated'] } : authenticate(req));
    this.authorize = opts.authorizer ?? alwaysAllow;
    this.server = createSecureServer({
      key: opts.tls.keyPem,
      cert: opts.tls.certPem,
      ca: opts.tls.caPem,
      requestCert: true,
      rejectUnauthorized: false,
      allowHTTP1: true,
      // Nagle's algorithm would hold a small write (a watch event, a response) while an earlier one awaits the
      // client's ACK, which Linux delays by up to 40 ms: watch events reached their watchers 30-40 ms late.
      noDelay: true,
      settings: { maxConcurrentStreams: 1000 },
      // A client may keep sending the body of a request already answered (an error before the body was read);
      // those frames must not cost it the whole session, as Node's default of 1000 would.
      maxSessionInvalidFrames: 1_000_000,
      // Several request bodies of up to 3 MiB may be in flight on one session (Node's default allows 10 MB).
      maxSessionMemory: 128,
      maxSessionRejectedStreams: 1_000_000,
    });
    this.server.on('request', (req: Req, res: Res) => {
      void this.handle(req, res);
    });
    // HTTP/1.1 upgrades: exec, attach and port-forward (SPDY and WebSocket); any other request that asks for an
    // upgrade is answered as usual, on a connection that then closes.
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.handleUpgrade(req, socket, head);
    });
    this.server.on('sessionError', () => undefined);
    this.server.on('tlsClientError', () => undefined);
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.bindAddress, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /**
   * Serves plain HTTP/1.1 on an abstract Unix socket (Linux; it has no file and goes away with the process) for the
   * control loops in this process: the same handlers and authorization, without TLS on both ends of every request.
   * Only the loopback token authenticates there. Returns what a RestClient needs to use it.
   */
  async listenLoopback(): Promise<{ server: string; caPem: string; token: string; socketPath: string }> {
    const socketPath = `\0k8ts-loopback-${process.pid}-${randomBytes(8).toString('hex')}`;
    const loopbackHeader = `Bearer ${this.loopbackToken}`;
    const server = createHttpServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      if (req.headers.authorization !== loopbackHeader) {
        sendError(res, ApiError.unauthorized());
        return;
      }
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.loopbackServer = server;
    this.loopbackSocketPath = socketPath;
    // Clients in this thread skip the socket altogether (the same handler, authenticated by the same token).
    registerInProcessDispatcher(socketPath, (req, res) => void this.handle(req, res));
    return { server: 'http://localhost', caPem: this.opts.tls.caPem, token: this.loopbackToken, socketPath };
  }

  markReady(): void {
    this.ready = true;
  }

  /** Starts the watch caches of every resource in the background; LISTs use each once it is current. */
  startCaches(): void {
    for (const store of this.registry.allStores()) {
      store.startCache().catch((e: unknown) => {
        console.error(JSON.stringify({ level: 'warn', msg: 'watch cache not started', resource: store.r.resource, err: e instanceof Error ? e.message : String(e) }));
      });
    }
  }

  async close(): Promise<void> {
    for (const store of this.registry.allStores()) store.stopCache();
    this.loopbackServer?.close();
    this.loopbackServer?.closeAllConnections();
    if (this.loopbackSocketPath !== undefined) unregisterInProcessDispatcher(this.loopbackSocketPath);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Open watch streams would keep close() waiting: end their sessions.
      setTimeout(() => resolve(), 2000).unref();
    });
  }

  private async health(path: string, query: URLSearchParams, res: Res, only?: string): Promise<void> {
    const checks: [string, boolean][] = [['ping', true], ['log', true]];
    let storeOk = true;
    try {
      await this.opts.storage.currentRevision();
    } catch {
      storeOk = false;
    }
    checks.push(['etcd', storeOk]);
    if (path === '/readyz') checks.push(['informer-sync', this.ready], ['poststarthook/bootstrap-controller', this.ready]);
    if (only !== undefined) {
      const check = checks.find(([n]) => n === only);
      if (check === undefined) return sendRaw(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
      if (check[1]) return sendRaw(res, 200, 'text/plain; charset=utf-8', 'ok');
      return sendRaw(res, 500, 'text/plain; charset=utf-8', `internal server error: ${only} check failed\n`);
    }
    const ok = checks.every(([, v]) => v);
    const name = path.slice(1);
    if (query.has('verbose') || !ok) {
      const lines = checks.map(([n, v]) => (v ? `[+]${n} ok` : `[-]${n} failed: reason withheld`));
      lines.push(ok ? `${name} check passed` : `${name} check failed`);
      sendRaw(res, ok ? 200 : 500, 'text/plain; charset=utf-8', `${lines.join('\n')}\n`);
      return;
    }
    sendRaw(res, 200, 'text/plain; charset=utf-8', 'ok');
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'https://localhost');
    const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    if (!info.isResourceRequest || !isPodStreamRequest(info)) {
      const res = new ServerResponse(req);
      res.assignSocket(socket as Socket);
      res.shouldKeepAlive = false;
      res.on('finish', () => socket.end());
      return this.handle(req, res);
    }
    try {
      const user = this.authenticate(req);
      if (user === undefined) throw ApiError.unauthorized();
      const attrs = { group: info.group, resource: info.resource, namespace: info.namespace, name: info.name, subresource: info.subresource, path: url.pathname };
      // A WebSocket upgrade is a GET, yet it runs commands as a POST does: both need create (upstream 1.32's
      // AuthorizePodWebsocketUpgradeCreatePermission).
      for (const verb of info.verb === 'create' ? ['create'] : [info.verb, 'create']) {
        const decision = this.authorize(user, verb, attrs);
        if (!decision.allowed) throw new ApiError(403, 'Forbidden', decision.reason);
      }
      await servePodStream(req, socket, head, info, url.searchParams, { registry: this.registry, warnings: [] });
    } catch (e: unknown) {
      if (!(e instanceof ApiError)) {
        console.error(JSON.stringify({ level: 'error', msg: 'streaming request failed', path: url.pathname, err: e instanceof Error ? e.stack : String(e) }));
      }
      if (!socket.destroyed && socket.writable) writeSocketError(socket, e);
    }
  }

  private async handle(req: Req, res: Res): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname;
    const query = url.searchParams;
    const info = parseRequestInfo(req.method ?? 'GET', path, query);
    const ctx = { registry: this.registry, warnings: [] as string[] };
    try {
      const healthMatch = /^\/(healthz|livez|readyz)(?:\/([^/]+))?\/?$/.exec(path);
      if (healthMatch !== null) return await this.health(`/${healthMatch[1] ?? ''}`, query, res, healthMatch[2]);
      if (this.opts.nodeJoin !== undefined && (path === '/cacerts' || path.startsWith('/v1-k8ts/')) && (await handleNodeJoin(this.opts.nodeJoin, req, res, path, (id) => this.registry.store('', 'secrets').tryGet('kube-system', `bootstrap-token-${id}`) as Promise<{ data?: Record<string, string> } | undefined>))) return;
      if (!publicPaths.has(path) && healthMatch === null) {
        const user = this.authenticate(req);
        if (user === undefined) throw ApiError.unauthorized();
        const attrs = info.isResourceRequest
          ? { group: info.group, resource: info.resource, namespace: info.namespace, name: info.name, subresource: info.subresource, path }
          : { group: '', resource: '', namespace: '', name: '', subresource: '', path };
        const decision = this.authorize(user, info.verb, attrs);
        if (!decision.allowed) throw new ApiError(403, 'Forbidden', decision.reason);
      }
      if (info.isResourceRequest) return await handleResource(req, res, info, query, ctx);
      return await this.nonResource(req, res, path);
    } catch (e: unknown) {
      if (!(e instanceof ApiError)) {
        console.error(JSON.stringify({ level: 'error', msg: 'request failed', path, err: e instanceof Error ? e.stack : String(e) }));
      }
      if (res.headersSent) res.end();
      else if (ctx.warnings.length > 0) send(res, statusOf(e).code, statusOf(e), { kind: 'json' }, { warning: ctx.warnings.map((w) => warningHeader(w)) });
      else sendError(res, e);
    } finally {
      // A body left unread by an early answer is drained, so it neither blocks the connection nor the session.
      if (!req.readableEnded) req.resume();
      const code = res.statusCode;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (info.isResourceRequest) {
        const r = findResource(info.group, info.version, info.resource);
        this.metrics.observe(
          {
            verb: metricsVerb(info.verb, req.headers['content-type']),
            group: info.group,
            version: info.version,
            resource: info.resource,
            subresource: info.subresource,
            scope: r === undefined ? '' : info.name !== '' ? 'resource' : info.namespace !== '' ? 'namespace' : 'cluster',
          },
          code,
          seconds,
        );
      }
    }
  }

  private async nonResource(req: Req, res: Res, path: string): Promise<void> {
    const accept = req.headers.accept;
    const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    if (p === '/version') return send(res, 200, versionInfo());
    if (p === '/metrics') return sendRaw(res, 200, 'text/plain; version=0.0.4; charset=utf-8', this.metrics.render());
    if (p === '/api' || p === '/apis') {
      const agg = wantsAggregated(accept);
      if (agg !== undefined) {
        const body = Buffer.from(JSON.stringify(aggregatedDiscovery(p === '/api', agg)));
        return sendRaw(res, 200, `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`, body);
      }
      return send(res, 200, p === '/api' ? apiVersions(`${this.opts.advertiseAddress}:${this.opts.port}`) : apiGroupList());
    }
    const parts = p.split('/').filter((x) => x !== '');
    if (parts[0] === 'api' && parts.length === 2) {
      const doc = apiResourceList('', parts[1] ?? '');
      if (doc !== undefined) return send(res, 200, doc);
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const doc = apiGroupDoc(parts[1] ?? '');
      if (doc !== undefined) return send(res, 200, doc);
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const doc = apiResourceList(parts[1] ?? '', parts[2] ?? '');
      if (doc !== undefined) return send(res, 200, doc);
    }
    if (p === '/openapi/v2') {
      if ((accept ?? '').includes('protobuf')) {
        const pb = openapiV2Protobuf();
        if (pb.length > 0) return sendRaw(res, 200, openapiV2ProtobufContentType, pb);
      }
      return sendRaw(res, 200, 'application/json', openapiV2Json());
    }
    if (p === '/openapi/v3') return send(res, 200, openapiV3Index());
    if (p.startsWith('/openapi/v3/')) {
      const doc = openapiV3Document(p.slice('/openapi/v3/'.length));
      if (doc !== undefined) return sendRaw(res, 200, 'application/json', doc);
    }
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  }
}
