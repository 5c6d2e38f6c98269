// An HTTPS client for the benchmarks: HTTP/1.1 keep-alive connections with a bearer token, timing each request.
// Requests go over lean keep-alive connections (raw-http.ts); watch-fanout.ts opens its streams with openRawStream.
import { RawConnection, frameRequest } from './raw-http.js';

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
  private readonly idle: RawConnection[] = [];
  private readonly waiting: ((c: RawConnection) => void)[] = [];
  private readonly all: RawConnection[] = [];

  constructor(readonly opts: BenchClientOptions) {
    for (let i = 0; i < opts.maxSockets; i++) {
      const c = new RawConnection({ host: opts.host, port: opts.port, ...(opts.caPem !== undefined ? { caPem: opts.caPem } : {}) });
      this.all.push(c);
      this.idle.push(c);
    }
  }

  private acquire(): Promise<RawConnection> {
    const c = this.idle.pop();
    if (c !== undefined) return Promise.resolve(c);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(c: RawConnection): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(c);
    else this.idle.push(c);
  }

  /** Sends one request on a pooled keep-alive connection and reads the whole response. */
  async send(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<BenchResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { Authorization: `Bearer ${this.opts.token}`, Accept: 'application/json' };
    if (payload !== undefined) headers['Content-Type'] = contentType;
    const framed = frameRequest(method, path, `${this.opts.host}:${this.opts.port}`, headers, payload);
    const conn = await this.acquire();
    try {
      const started = process.hrtime.bigint();
      const res = await conn.request(framed);
      const doneAt = process.hrtime.bigint();
      return { status: res.status, body: res.body.toString('utf8'), ms: Number(doneAt - started) / 1e6, doneAt };
    } finally {
      this.release(conn);
    }
  }

  close(): void {
    for (const c of this.all) c.close();
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
