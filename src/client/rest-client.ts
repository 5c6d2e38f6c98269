// A small REST client for the Kubernetes API: JSON requests over HTTPS with client certificates or a token,
// keep-alive connections, ApiError for non-2xx answers, and watch streams.
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { ApiError, type Status } from '../machinery/errors.js';
import { isRecord } from '../api/object.js';
import type { Req, Res } from '../apiserver/http.js';
import { InProcessRequest, InProcessResponse, inProcessDispatcher, type InProcessDispatcher } from './in-process-transport.js';
import type { ClientConfig } from './kubeconfig.js';

export interface WatchEventJson {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

export interface WatchStream {
  stop(): void;
}

/** Requests of one client at once (the HTTPS agent's maxSockets, and the in-process transport's limit). */
const maxInFlight = 16;

export class RestClient {
  private readonly agent: HttpAgent;
  /**
   * Watches hold their connection for as long as they run (HTTP/1.1 has no multiplexing): they get connections of
   * their own, without a limit, so that many informers never starve the requests, nor each other.
   */
  private readonly watchAgent: HttpAgent;
  private readonly base: URL;
  private inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private readonly send: (opts: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;

  constructor(readonly config: ClientConfig) {
    this.base = new URL(config.server);
    if (config.socketPath !== undefined) {
      this.agent = new HttpAgent({ keepAlive: true, maxSockets: maxInFlight });
      this.watchAgent = new HttpAgent({ keepAlive: false, maxSockets: Infinity });
      this.send = httpRequest;
    } else {
      this.agent = new HttpsAgent({ keepAlive: true, maxSockets: maxInFlight, ca: config.caPem, cert: config.certPem, key: config.keyPem });
      this.watchAgent = new HttpsAgent({ keepAlive: false, maxSockets: Infinity, ca: config.caPem, cert: config.certPem, key: config.keyPem });
      this.send = httpsRequest;
    }
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', ...extra };
    if (this.config.token !== undefined) h['authorization'] = `Bearer ${this.config.token}`;
    return h;
  }

  /** The API server's handler when it runs in this thread and this client is its loopback client. */
  private inProcess(): InProcessDispatcher | undefined {
    return this.config.socketPath === undefined ? undefined : inProcessDispatcher(this.config.socketPath);
  }

  private options(method: string, path: string, headers: Record<string, string>, agent = this.agent): RequestOptions {
    const h = this.headers(headers);
    if (this.config.socketPath !== undefined) return { method, socketPath: this.config.socketPath, path, headers: h, agent };
    return { method, host: this.base.hostname, port: this.base.port === '' ? 443 : Number(this.base.port), path, headers: h, agent };
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    return this.call<T>(method, path, body, contentType, true);
  }

  /**
   * A request whose successful answer is not wanted (a status patch, a binding, an event): its body is not decoded,
   * which spares the JSON parse of a whole object per write. Failures reject with the ApiError as request's do.
   */
  async requestDiscardingResult(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<void> {
    await this.call<undefined>(method, path, body, contentType, false);
  }

  private async call<T>(method: string, path: string, body: unknown, contentType: string, decode: boolean): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = {};
    if (payload !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = String(payload.length);
    }
    const dispatch = this.inProcess();
    if (dispatch !== undefined) {
      // At most maxInFlight at once, as the HTTP agent's sockets limit a client over the wire: a controller's burst
      // then queues here, behind nobody else's requests.
      while (this.inFlight >= maxInFlight) await new Promise<void>((wake) => this.slotWaiters.push(wake));
      this.inFlight++;
      try {
        return await new Promise<T>((resolve, reject) => {
          const res = new InProcessResponse();
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('finish', () => settle(res.statusCode, chunks, resolve, reject, decode));
          dispatch(new InProcessRequest(method, path, this.headers(headers), payload) as unknown as Req, res as unknown as Res);
        });
      } finally {
        this.inFlight--;
        this.slotWaiters.shift()?.();
      }
    }
    return new Promise<T>((resolve, reject) => {
      const req = this.send(this.options(method, path, headers), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => settle(res.statusCode ?? 0, chunks, resolve, reject, decode));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Streams watch events until stop() or the server ends the stream (then onEnd). */
  watch(path: string, onEvent: (ev: WatchEventJson) => void, onEnd: (err?: Error) => void): WatchStream {
    const dispatch = this.inProcess();
    if (dispatch !== undefined) return this.watchInProcess(dispatch, path, onEvent, onEnd);
    let stopped = false;
    let response: IncomingMessage | undefined;
    const req = this.send(this.options('GET', path, {}, this.watchAgent), (res) => {
      response = res;
      if ((res.statusCode ?? 0) !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: unknown = {};
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            // keep {}
          }
          if (!stopped) onEnd(toApiError(res.statusCode ?? 0, parsed));
        });
        return;
      }
      const lines = new WatchLines(
        onEvent,
        (e) => {
          stopped = true;
          req.destroy();
          onEnd(e);
        },
        () => !stopped,
      );
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (!stopped) lines.push(chunk);
      });
      res.on('end', () => {
        if (!stopped) {
          stopped = true;
          onEnd();
        }
      });
      res.on('error', (e) => {
        if (!stopped) {
          stopped = true;
          onEnd(e);
        }
      });
    });
    req.on('error', (e) => {
      if (!stopped) {
        stopped = true;
        onEnd(e);
      }
    });
    req.end();
    return {
      stop: () => {
        stopped = true;
        response?.destroy();
        req.destroy();
      },
    };
  }

  private watchInProcess(dispatch: InProcessDispatcher, path: string, onEvent: (ev: WatchEventJson) => void, onEnd: (err?: Error) => void): WatchStream {
    let stopped = false;
    const req = new InProcessRequest('GET', path, this.headers({}), undefined);
    const res = new InProcessResponse();
    const end = (err?: Error): void => {
      if (stopped) return;
      stopped = true;
      req.destroy();
      res.close();
      onEnd(err);
    };
    const errorChunks: Buffer[] = [];
    const lines = new WatchLines(onEvent, end, () => !stopped);
    res.on('data', (c: Buffer) => {
      if (stopped) return;
      if (res.statusCode !== 200) errorChunks.push(c);
      else lines.push(c.toString('utf8'));
    });
    res.on('finish', () => {
      if (stopped) return;
      if (res.statusCode === 200) return end();
      let parsed: unknown = {};
      try {
        parsed = JSON.parse(Buffer.concat(errorChunks).toString('utf8'));
      } catch {
        // keep {}
      }
      end(toApiError(res.statusCode, parsed));
    });
    dispatch(req as unknown as Req, res as unknown as Res);
    return {
      stop: () => {
        stopped = true;
        req.destroy();
        res.close();
      },
    };
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}

/** Splits a watch stream into its newline-delimited JSON events; a line that is not JSON ends the stream. */
class WatchLines {
  private buf = '';
  private failed = false;

  constructor(
    private readonly onEvent: (ev: WatchEventJson) => void,
    private readonly onError: (e: Error) => void,
    /** False once the stream was stopped (an event handler may stop it mid-chunk). */
    private readonly active: () => boolean,
  ) {}

  push(chunk: string): void {
    if (this.failed) return;
    const buf = this.buf === '' ? chunk : this.buf + chunk;
    let start = 0;
    let nl: number;
    // Every complete line of the chunk, then one slice for the rest (not one slice of the whole rest per line).
    while ((nl = buf.indexOf('\n', start)) >= 0) {
      const line = buf.slice(start, nl);
      start = nl + 1;
      if (!this.active()) return;
      if (line.length === 0 || line.trim() === '') continue;
      let ev: WatchEventJson;
      try {
        ev = JSON.parse(line) as WatchEventJson;
      } catch (e: unknown) {
        this.failed = true;
        this.onError(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      this.onEvent(ev);
      if (this.failed) return;
    }
    this.buf = start === 0 ? buf : buf.slice(start);
  }
}

/** Resolves with the parsed body of a 2xx answer (undefined when not to decode); rejects with the ApiError of any other. */
function settle<T>(code: number, chunks: readonly Buffer[], resolve: (v: T) => void, reject: (e: Error) => void, decode: boolean): void {
  if (!decode && code >= 200 && code < 300) {
    resolve(undefined as T);
    return;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    parsed = { message: text };
  }
  if (code >= 200 && code < 300) resolve(parsed as T);
  else reject(toApiError(code, parsed));
}

export function toApiError(code: number, body: unknown): ApiError {
  if (isRecord(body) && body['kind'] === 'Status') {
    const s = body as unknown as Status;
    return new ApiError(s.code ?? code, s.reason ?? '', s.message ?? '', s.details);
  }
  return new ApiError(code, '', isRecord(body) && typeof body['message'] === 'string' ? body['message'] : `HTTP ${code}`);
}
