// An HTTPS client for the benchmarks: HTTP/1.1 keep-alive connections with a bearer token, timing each request.
import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';

export interface BenchResponse {
  status: number;
  body: string;
  /** Milliseconds from sending the request to the end of the response body. */
  ms: number;
  /** process.hrtime.bigint() when the response body ended. */
  doneAt: bigint;
}

export interface BenchClientOptions {
  host: string;
  port: number;
  token: string;
  /** The cluster CA (PEM); without it the server's certificate is not verified. */
  caPem?: string;
  /** Keep-alive sockets in the pool (the number of concurrent clients). */
  maxSockets: number;
}

export class BenchClient {
  readonly agent: Agent;

  constructor(readonly opts: BenchClientOptions) {
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: opts.maxSockets,
      maxFreeSockets: opts.maxSockets,
      ...(opts.caPem !== undefined ? { ca: opts.caPem } : { rejectUnauthorized: false }),
    });
  }

  private options(method: string, path: string, headers: Record<string, string>): RequestOptions {
    return {
      host: this.opts.host,
      port: this.opts.port,
      method,
      path,
      agent: this.agent,
      headers: { Authorization: `Bearer ${this.opts.token}`, Accept: 'application/json', ...headers },
    };
  }

  /** Sends one request and reads the whole response. */
  send(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<BenchResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = {};
    if (payload !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = request(this.options(method, path, headers), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const doneAt = process.hrtime.bigint();
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Number(doneAt - started) / 1e6, doneAt });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Opens a streaming GET (a watch); resolves with the response once its headers arrive. */
  stream(path: string, agent: Agent): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({ ...this.options('GET', path, {}), agent }, resolve);
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `worker` on `concurrency` parallel loops; each loop takes the next index until `count` are done. */
export async function runConcurrently(count: number, concurrency: number, worker: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const loops: Promise<void>[] = [];
  for (let c = 0; c < concurrency; c++) {
    loops.push(
      (async () => {
        while (next < count) {
          const i = next++;
          await worker(i);
        }
      })(),
    );
  }
  await Promise.all(loops);
}

/** Runs `worker` on `concurrency` parallel loops until `durationMs` has passed. */
export async function runFor(durationMs: number, concurrency: number, worker: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + durationMs;
  const loops: Promise<void>[] = [];
  for (let c = 0; c < concurrency; c++) {
    loops.push(
      (async () => {
        while (Date.now() < deadline) await worker();
      })(),
    );
  }
  await Promise.all(loops);
}
