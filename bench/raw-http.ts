// A lean HTTP/1.1 keep-alive client over TLS for the benchmarks. The bench client shares the machine's cores with
// the server, and node:https (Agent, IncomingMessage streams, header objects) spends about as much CPU per request
// as the server does; this one writes each request as one buffer and parses only the status line, Content-Length
// and chunked framing, as load generators such as wrk do.
import { connect, type TLSSocket } from 'node:tls';

export interface RawResponse {
  status: number;
  body: Buffer;
}

export interface RawConnectionOptions {
  host: string;
  port: number;
  /** The CA (PEM) that signed the server's certificate; without it the certificate is not verified. */
  caPem?: string;
}

interface Pending {
  resolve: (r: RawResponse) => void;
  reject: (e: Error) => void;
}

const CRLF2 = Buffer.from('\r\n\r\n');

interface ResponseHead {
  status: number;
  /** -1 when the body is chunked. */
  contentLength: number;
  /** Bytes of the head including its blank line. */
  used: number;
}

/** Parses a response head from the front of `buf`, or undefined when it has not all arrived. */
function parseHead(buf: Buffer): ResponseHead | undefined {
  const headEnd = buf.indexOf(CRLF2);
  if (headEnd < 0) return undefined;
  const head = buf.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  if (!Number.isInteger(status)) throw new Error(`bad status line: ${head.slice(0, 40)}`);
  let contentLength = 0;
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') contentLength = Number(value);
    else if (name === 'transfer-encoding' && value.toLowerCase().includes('chunked')) contentLength = -1;
  }
  return { status, contentLength, used: headEnd + 4 };
}

/** Parses one whole response from the front of `buf`: the response and the bytes it used, or undefined when incomplete. */
export function parseResponse(buf: Buffer): { response: RawResponse; used: number } | undefined {
  const head = parseHead(buf);
  if (head === undefined) return undefined;
  if (head.contentLength >= 0) {
    const end = head.used + head.contentLength;
    if (buf.length < end) return undefined;
    return { response: { status: head.status, body: buf.subarray(head.used, end) }, used: end };
  }
  const parts: Buffer[] = [];
  let ended = false;
  const decoder = new ChunkedDecoder(
    (p) => parts.push(p),
    () => (ended = true),
  );
  const used = decoder.push(buf.subarray(head.used));
  if (!ended) return undefined;
  return { response: { status: head.status, body: Buffer.concat(parts) }, used: head.used + used };
}

/** One keep-alive TLS connection carrying one request at a time. */
export class RawConnection {
  private socket: TLSSocket | undefined;
  private connecting: Promise<TLSSocket> | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  /** The response being read: its head, and its body so far (parts, kept apart until the end: no quadratic copies). */
  private head: ResponseHead | undefined;
  private parts: Buffer[] = [];
  private bodyBytes = 0;
  private chunked: ChunkedDecoder | undefined;
  private chunkedEnded = false;

  constructor(private readonly opts: RawConnectionOptions) {}

  private open(): Promise<TLSSocket> {
    if (this.socket !== undefined) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<TLSSocket>((resolve, reject) => {
      const socket = connect({
        host: this.opts.host,
        port: this.opts.port,
        servername: this.opts.host === '127.0.0.1' ? undefined : this.opts.host,
        ALPNProtocols: ['http/1.1'],
        ...(this.opts.caPem !== undefined ? { ca: this.opts.caPem } : { rejectUnauthorized: false }),
      });
      socket.setNoDelay(true);
      socket.once('secureConnect', () => {
        this.socket = socket;
        this.connecting = undefined;
        resolve(socket);
      });
      socket.on('data', (d: Buffer) => this.onData(d));
      const fail = (e: Error): void => {
        this.socket = undefined;
        this.connecting = undefined;
        this.buffered = Buffer.alloc(0);
        const p = this.pending;
        this.pending = undefined;
        p?.reject(e);
        reject(e);
      };
      socket.once('error', fail);
      socket.once('close', () => fail(new Error('connection closed')));
    });
    return this.connecting;
  }

  private onData(d: Buffer): void {
    if (this.head === undefined) {
      this.buffered = this.buffered.length === 0 ? d : Buffer.concat([this.buffered, d]);
      this.head = parseHead(this.buffered);
      if (this.head === undefined) return;
      d = this.buffered.subarray(this.head.used);
      this.buffered = Buffer.alloc(0);
      this.parts = [];
      this.bodyBytes = 0;
      this.chunkedEnded = false;
      this.chunked =
        this.head.contentLength >= 0
          ? undefined
          : new ChunkedDecoder(
              (p) => this.parts.push(p),
              () => (this.chunkedEnded = true),
            );
    }
    const head = this.head;
    if (this.chunked !== undefined) {
      this.chunked.push(d);
      if (!this.chunkedEnded) return;
    } else {
      this.parts.push(d);
      this.bodyBytes += d.length;
      if (this.bodyBytes < head.contentLength) return;
    }
    let body = this.parts.length === 1 ? (this.parts[0] ?? Buffer.alloc(0)) : Buffer.concat(this.parts);
    if (this.chunked === undefined) body = body.subarray(0, head.contentLength);
    this.head = undefined;
    this.parts = [];
    this.chunked = undefined;
    const p = this.pending;
    this.pending = undefined;
    p?.resolve({ status: head.status, body });
  }

  /** Sends one request (already framed: head and body) and resolves with its response. */
  async request(framed: Buffer): Promise<RawResponse> {
    if (this.pending !== undefined) throw new Error('a request is already in flight on this connection');
    const socket = await this.open();
    return new Promise<RawResponse>((resolve, reject) => {
      this.pending = { resolve, reject };
      socket.write(framed);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}

/** Frames an HTTP/1.1 request: request line, headers and body in one buffer. */
export function frameRequest(method: string, path: string, host: string, headers: Record<string, string>, body?: Buffer): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (body !== undefined) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  return body === undefined ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Splits a chunked HTTP body as it streams in; `onData` gets each chunk's payload, `onEnd` the zero-size chunk. */
export class ChunkedDecoder {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of the current chunk's payload still to come, then its CRLF. */
  private remaining = 0;
  private skipCrlf = 0;
  /** After the zero-size chunk only the final CRLF (or trailers) can follow, which carry nothing. */
  private ended = false;
  /** The zero-size chunk has been read; its CRLF ends the body. */
  private last = false;

  constructor(
    private readonly onData: (payload: Buffer) => void,
    private readonly onEnd: () => void = () => undefined,
  ) {}

  /** Feeds bytes in; returns how many of them (with those held back before) were consumed up to the end, if reached. */
  push(d: Buffer): number {
    if (this.ended) return 0;
    const held = this.pending.length;
    const buf = this.pending.length === 0 ? d : Buffer.concat([this.pending, d]);
    this.pending = Buffer.alloc(0);
    let at = 0;
    while (at < buf.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, buf.length - at);
        this.onData(buf.subarray(at, at + take));
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) this.skipCrlf = 2;
        continue;
      }
      if (this.skipCrlf > 0) {
        const skip = Math.min(this.skipCrlf, buf.length - at);
        this.skipCrlf -= skip;
        at += skip;
        if (this.skipCrlf === 0 && this.last) {
          this.ended = true;
          this.onEnd();
          return at - held;
        }
        continue;
      }
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) break;
      const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
      if (!Number.isInteger(size)) throw new Error('bad chunk size');
      at = lineEnd + 2;
      if (size === 0) {
        // The body ends with the CRLF after the zero-size chunk (the server sends no trailers).
        this.last = true;
        this.skipCrlf = 2;
        continue;
      }
      this.remaining = size;
    }
    if (at < buf.length) this.pending = Buffer.from(buf.subarray(at));
    return buf.length - held;
  }
}

export interface RawStream {
  status: number;
  close(): void;
}

/**
 * Opens a streaming GET on its own TLS connection; once the response head has arrived, resolves with its status and
 * hands every body byte (chunked framing removed) to `onData`, with the time the bytes reached this process.
 */
export function openRawStream(opts: RawConnectionOptions, path: string, headers: Record<string, string>, onData: (payload: Buffer, at: bigint) => void): Promise<RawStream> {
  return new Promise<RawStream>((resolve, reject) => {
    const socket = connect({
      host: opts.host,
      port: opts.port,
      ALPNProtocols: ['http/1.1'],
      ...(opts.caPem !== undefined ? { ca: opts.caPem } : { rejectUnauthorized: false }),
    });
    socket.setNoDelay(true);
    let head: Buffer | undefined = Buffer.alloc(0);
    let at = 0n;
    const decoder = new ChunkedDecoder((payload) => onData(payload, at));
    socket.once('secureConnect', () => socket.write(frameRequest('GET', path, `${opts.host}:${opts.port}`, headers)));
    socket.on('data', (d: Buffer) => {
      at = process.hrtime.bigint();
      if (head === undefined) {
        decoder.push(d);
        return;
      }
      head = Buffer.concat([head, d]);
      const headEnd = head.indexOf(CRLF2);
      if (headEnd < 0) return;
      const status = Number(head.toString('latin1', 9, 12));
      const rest = head.subarray(headEnd + 4);
      head = undefined;
      resolve({ status, close: () => socket.destroy() });
      if (rest.length > 0) decoder.push(rest);
    });
    socket.once('error', reject);
  });
}
