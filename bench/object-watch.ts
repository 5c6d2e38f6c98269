// A watch that follows a collection for as long as a benchmark runs (scale and rolling-update benchmarks): one TLS
// connection with a bearer token, chunked framing removed as bytes arrive, one JSON event per line. It starts with
// the collection's current objects (a watch without resourceVersion sends them as ADDED), resumes from the last
// resourceVersion seen (bookmarks included) when the server ends the stream, and starts over (after telling the
// caller to forget what it holds) when that resourceVersion is too old (410).
import { StringDecoder } from 'node:string_decoder';
import { connect, type TLSSocket } from 'node:tls';
import { ChunkedDecoder, frameRequest } from './raw-http.js';

export interface ObjectWatchOptions {
  host: string;
  port: number;
  token: string;
  /** The cluster CA (PEM); without it the server's certificate is not verified. */
  caPem?: string;
  /** The collection, e.g. /api/v1/namespaces/bench/pods. */
  path: string;
  /** More query parameters, already encoded (e.g. `fieldSelector=metadata.name%3Dweb`). */
  query?: string;
}

interface WatchedObject {
  metadata?: { resourceVersion?: string };
  code?: number;
}

const CRLF2 = Buffer.from('\r\n\r\n');

export class ObjectWatch<T extends WatchedObject> {
  /** Times the stream was resumed after the server ended it, and started over after a 410. */
  resumes = 0;
  restarts = 0;
  /** Events (bookmarks excluded) and body bytes received. */
  events = 0;
  bytes = 0;
  /** The last error seen while (re)connecting, if any. */
  lastError: string | undefined;
  private rv: string | undefined;
  private socket: TLSSocket | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: ObjectWatchOptions,
    private readonly onEvent: (type: string, object: T) => void,
    /** Called before a watch starts over from a fresh list: forget every object seen so far. */
    private readonly onRestart: () => void = () => undefined,
  ) {}

  /** Opens the stream; resolves once the server has answered 200, rejects on any other answer. */
  start(): Promise<void> {
    return this.connectOnce().then((status) => {
      if (status !== 200) throw new Error(`watch ${this.opts.path} answered ${status}${this.lastError !== undefined ? `: ${this.lastError}` : ''}`);
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.socket?.destroy();
  }

  private watchPath(): string {
    const q = ['watch=1', 'allowWatchBookmarks=true'];
    if (this.rv !== undefined) q.push(`resourceVersion=${encodeURIComponent(this.rv)}`);
    if (this.opts.query !== undefined && this.opts.query !== '') q.push(this.opts.query);
    return `${this.opts.path}?${q.join('&')}`;
  }

  private reconnectSoon(delayMs: number): void {
    if (this.closed || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      this.connectOnce().then(
        (status) => {
          if (status === 410) this.startOver();
          else if (status !== 200) this.reconnectSoon(1000);
        },
        (e: unknown) => {
          this.lastError = e instanceof Error ? e.message : String(e);
          this.reconnectSoon(1000);
        },
      );
    }, delayMs);
  }

  private startOver(): void {
    this.restarts++;
    this.rv = undefined;
    this.onRestart();
    this.socket?.destroy();
    this.reconnectSoon(0);
  }

  /** One connection: resolves with the response status once its head has arrived; streams events after a 200. */
  private connectOnce(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const opts = this.opts;
      const socket = connect({ host: opts.host, port: opts.port, ALPNProtocols: ['http/1.1'], ...(opts.caPem !== undefined ? { ca: opts.caPem } : { rejectUnauthorized: false }) });
      this.socket = socket;
      socket.setNoDelay(true);
      let head: Buffer | undefined = Buffer.alloc(0);
      let status = 0;
      let ended = false;
      const text = new StringDecoder('utf8');
      let pending = '';
      const onLine = (line: string): void => {
        if (line.trim() === '') return;
        const ev = JSON.parse(line) as { type?: string; object?: T };
        const type = ev.type ?? '';
        const obj = ev.object;
        if (obj === undefined) return;
        if (type === 'ERROR') {
          if (obj.code === 410) {
            ended = true;
            this.startOver();
          } else this.lastError = line.slice(0, 300);
          return;
        }
        const rv = obj.metadata?.resourceVersion;
        if (rv !== undefined && rv !== '') this.rv = rv;
        if (type === 'BOOKMARK') return;
        this.events++;
        this.onEvent(type, obj);
      };
      const body = new ChunkedDecoder(
        (payload) => {
          if (ended) return;
          this.bytes += payload.length;
          pending += text.write(payload);
          let start = 0;
          for (let nl = pending.indexOf('\n'); nl >= 0 && !ended; nl = pending.indexOf('\n', start)) {
            onLine(pending.slice(start, nl));
            start = nl + 1;
          }
          pending = ended ? '' : pending.slice(start);
        },
        () => {
          // The server ended the watch (its timeout): resume from the last resourceVersion seen.
          if (ended) return;
          ended = true;
          socket.destroy();
          this.resumes++;
          this.reconnectSoon(0);
        },
      );
      let errorBody = '';
      socket.once('secureConnect', () => {
        socket.write(frameRequest('GET', this.watchPath(), `${opts.host}:${opts.port}`, { Authorization: `Bearer ${opts.token}`, Accept: 'application/json' }));
      });
      socket.on('data', (d: Buffer) => {
        if (head === undefined) {
          if (status === 200) body.push(d);
          else errorBody += d.toString('utf8');
          return;
        }
        head = Buffer.concat([head, d]);
        const headEnd = head.indexOf(CRLF2);
        if (headEnd < 0) return;
        status = Number(head.toString('latin1', 9, 12));
        const rest = head.subarray(headEnd + 4);
        head = undefined;
        if (status !== 200) {
          errorBody = rest.toString('utf8');
          // Let the error body arrive, then close this connection; the caller decides what comes next.
          setTimeout(() => {
            this.lastError = `${status} ${errorBody.slice(0, 300)}`;
            ended = true;
            socket.destroy();
            resolve(status);
          }, 50);
          return;
        }
        resolve(200);
        if (rest.length > 0) body.push(rest);
      });
      socket.once('error', (e: Error) => {
        this.lastError = e.message;
        if (head !== undefined) reject(e);
      });
      socket.once('close', () => {
        if (head !== undefined) reject(new Error(`watch connection closed before an answer${this.lastError !== undefined ? `: ${this.lastError}` : ''}`));
        else if (!ended && status === 200 && !this.closed) {
          ended = true;
          this.resumes++;
          this.reconnectSoon(100);
        }
      });
    });
  }
}
