// An HTTP/1.1 upgrade request on a connection of its own (plain TCP or TLS with a client certificate), as the
// API server sends to a kubelet and a kubelet to its runtime's streaming server: the request head is written by hand
// (so that every header the client sent, Upgrade and protocol negotiation included, passes unchanged) and the
// response head is read off the socket, which then belongs to the caller, whatever the status.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';

export interface UpgradeTls {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

export interface UpgradeRequest {
  /** http: or https: URL with path and query. */
  url: URL;
  method: string;
  /** Headers as sent (Host is added from the URL when absent). */
  headers: ReadonlyArray<readonly [string, string]>;
  tls?: UpgradeTls;
  /** Bytes the client already sent after its request head. */
  body?: Buffer;
  timeoutMs?: number;
}

export interface UpgradeResponse {
  statusCode: number;
  /** Header names lower-case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The response head as received, blank line included. */
  rawHead: Buffer;
  /** What followed the head in the same reads. */
  leftover: Buffer;
  socket: Socket;
}

/** Go's dial error text (`dial tcp HOST:PORT: connect: connection refused`) for a failed connect. */
export function dialErrorText(host: string, port: number, e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const hp = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if (code === 'ECONNREFUSED') return `dial tcp ${hp}: connect: connection refused`;
  if (code === 'ETIMEDOUT') return `dial tcp ${hp}: i/o timeout`;
  if (code === 'EHOSTUNREACH') return `dial tcp ${hp}: connect: no route to host`;
  return e instanceof Error ? e.message : String(e);
}

export class UpgradeDialError extends Error {}

const maxHeadBytes = 1 << 20;

export function dialUpgrade(r: UpgradeRequest): Promise<UpgradeResponse> {
  const https = r.url.protocol === 'https:';
  const host = r.url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = r.url.port !== '' ? Number(r.url.port) : https ? 443 : 80;
  return new Promise<UpgradeResponse>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    const onConnect = (): void => {
      const lines = [`${r.method} ${r.url.pathname}${r.url.search} HTTP/1.1`];
      if (!r.headers.some(([n]) => n.toLowerCase() === 'host')) lines.push(`Host: ${r.url.host}`);
      for (const [n, v] of r.headers) lines.push(`${n}: ${v.replace(/[\r\n]/g, ' ')}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (r.body !== undefined && r.body.length > 0) socket.write(r.body);
    };
    const socket: Socket = https
      ? tlsConnect({ host, port, servername: /^[\d.]+$|:/.test(host) ? undefined : host, ca: r.tls?.ca, cert: r.tls?.cert, key: r.tls?.key, rejectUnauthorized: r.tls?.rejectUnauthorized ?? true, ALPNProtocols: ['http/1.1'] }, onConnect)
      : netConnect({ host, port }, onConnect);
    socket.setNoDelay(true);
    const timer = setTimeout(() => fail(new UpgradeDialError(`dial tcp ${host}:${port}: i/o timeout`)), r.timeoutMs ?? 30_000);
    const onError = (e: unknown): void => {
      clearTimeout(timer);
      fail(new UpgradeDialError(dialErrorText(host, port, e)));
    };
    socket.once('error', onError);
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > maxHeadBytes) fail(new UpgradeDialError('header size limit exceeded'));
        return;
      }
      socket.off('data', onData);
      socket.off('end', onEnd);
      clearTimeout(timer);
      socket.pause();
      const rawHead = buf.subarray(0, end + 4);
      const lines = rawHead.toString('latin1').split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (m === null) return fail(new UpgradeDialError(`malformed HTTP response ${JSON.stringify(lines[0] ?? '')}`));
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        const name = line.slice(0, i).trim().toLowerCase();
        const value = line.slice(i + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      settled = true;
      // The socket is the caller's now; an error on it (a reset) must never go unheard, whatever the caller listens to.
      socket.off('error', onError);
      socket.on('error', () => undefined);
      resolve({ statusCode: Number(m[1]), headers, rawHead, leftover: buf.subarray(end + 4), socket });
    };
    const onEnd = (): void => fail(new UpgradeDialError('EOF'));
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}

/** The body of a non-101 response (Content-Length, chunked, or up to the end), at most `limit` bytes. */
export function readResponseBody(r: UpgradeResponse, limit = 64 * 1024): Promise<Buffer> {
  return new Promise((resolve) => {
    const length = r.headers['content-length'] !== undefined ? Number(r.headers['content-length']) : undefined;
    const chunked = (r.headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked');
    let buf = r.leftover;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      r.socket.destroy();
      resolve((chunked ? dechunk(buf) : length !== undefined ? buf.subarray(0, length) : buf).subarray(0, limit));
    };
    const complete = (): boolean => (length !== undefined && !chunked ? buf.length >= length : chunked ? buf.includes('\r\n0\r\n') || buf.subarray(0, 3).toString() === '0\r\n' : false) || buf.length >= limit;
    if (complete()) return finish();
    r.socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (complete()) finish();
    });
    r.socket.on('end', finish);
    r.socket.on('close', finish);
    r.socket.on('error', finish);
    r.socket.setTimeout(10_000, finish);
    r.socket.resume();
  });
}

function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i < buf.length) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(i, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Pipes two sockets both ways until either ends; `onClose` runs once. */
export function splice(a: Duplex, b: Duplex, onClose?: () => void): void {
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    a.destroy();
    b.destroy();
    onClose?.();
  };
  // A side that closed while the other was being dialled has fired its 'close' already: end both now.
  if (a.destroyed || b.destroyed) {
    close();
    return;
  }
  a.pipe(b);
  b.pipe(a);
  for (const s of [a, b]) {
    s.on('error', close);
    s.on('close', close);
    s.on('end', close);
  }
  a.resume();
  b.resume();
}
