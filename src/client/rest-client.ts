// A small REST client for the Kubernetes API: JSON requests over HTTPS with client certificates or a token,
// keep-alive connections, ApiError for non-2xx answers, and watch streams.
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { ApiError, type Status } from '../machinery/errors.js';
import { isRecord } from '../api/object.js';
import type { ClientConfig } from './kubeconfig.js';

export interface WatchEventJson {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

export interface WatchStream {
  stop(): void;
}

export class RestClient {
  private readonly agent: HttpAgent;
  /**
   * Watches hold their connection for as long as they run (HTTP/1.1 has no multiplexing): they get connections of
   * their own, without a limit, so that many informers never starve the requests, nor each other.
   */
  private readonly watchAgent: HttpAgent;
  private readonly base: URL;
  private readonly send: (opts: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;

  constructor(readonly config: ClientConfig) {
    this.base = new URL(config.server);
    if (config.socketPath !== undefined) {
      this.agent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
      this.watchAgent = new HttpAgent({ keepAlive: false, maxSockets: Infinity });
      this.send = httpRequest;
    } else {
      this.agent = new HttpsAgent({ keepAlive: true, maxSockets: 16, ca: config.caPem, cert: config.certPem, key: config.keyPem });
      this.watchAgent = new HttpsAgent({ keepAlive: false, maxSockets: Infinity, ca: config.caPem, cert: config.certPem, key: config.keyPem });
      this.send = httpsRequest;
    }
  }

  private options(method: string, path: string, headers: Record<string, string>, agent = this.agent): RequestOptions {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (this.config.token !== undefined) h['authorization'] = `Bearer ${this.config.token}`;
    if (this.config.socketPath !== undefined) return { method, socketPath: this.config.socketPath, path, headers: h, agent };
    return { method, host: this.base.hostname, port: this.base.port === '' ? 443 : Number(this.base.port), path, headers: h, agent };
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = {};
    if (payload !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = String(payload.length);
    }
    return new Promise<T>((resolve, reject) => {
      const req = this.send(this.options(method, path, headers), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = text === '' ? {} : JSON.parse(text);
          } catch {
            parsed = { message: text };
          }
          if (code >= 200 && code < 300) resolve(parsed as T);
          else reject(toApiError(code, parsed));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Streams watch events until stop() or the server ends the stream (then onEnd). */
  watch(path: string, onEvent: (ev: WatchEventJson) => void, onEnd: (err?: Error) => void): WatchStream {
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
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf = buf === '' ? chunk : buf + chunk;
        let start = 0;
        let nl: number;
        // Every complete line of the chunk, then one slice for the rest (not one slice of the whole rest per line).
        while ((nl = buf.indexOf('\n', start)) >= 0) {
          const line = buf.slice(start, nl);
          start = nl + 1;
          if (stopped) return;
          if (line.length === 0 || line.trim() === '') continue;
          try {
            onEvent(JSON.parse(line) as WatchEventJson);
          } catch (e: unknown) {
            stopped = true;
            req.destroy();
            onEnd(e instanceof Error ? e : new Error(String(e)));
            return;
          }
        }
        buf = start === 0 ? buf : buf.slice(start);
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

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}

export function toApiError(code: number, body: unknown): ApiError {
  if (isRecord(body) && body['kind'] === 'Status') {
    const s = body as unknown as Status;
    return new ApiError(s.code ?? code, s.reason ?? '', s.message ?? '', s.details);
  }
  return new ApiError(code, '', isRecord(body) && typeof body['message'] === 'string' ? body['message'] : `HTTP ${code}`);
}
