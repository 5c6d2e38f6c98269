// The small HTTP surface the handlers use, identical for HTTP/1.1 and HTTP/2 (compat API) requests.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { ApiError, type Status } from '../machinery/errors.js';
import { stringify as yamlStringify } from 'yaml';

export type Req = IncomingMessage | Http2ServerRequest;
export type Res = ServerResponse | Http2ServerResponse;

/**
 * A Warning header value (`299 - "text"`): header values must be visible ASCII, so other characters become '?',
 * and the text is quoted with backslash escapes as RFC 7230 quoted-strings are.
 */
export function warningHeader(text: string): string {
  const safe = text.replace(/[^\x20-\x7e]/g, '?').replace(/(["\\])/g, '\\$1');
  return `299 - "${safe}"`;
}

/** Upstream's limit on request bodies (3 MiB). */
export const maxBodyBytes = 3 * 1024 * 1024;

/** Past this much discarded body the connection is dropped instead of drained. */
const maxDrainBytes = 64 * 1024 * 1024;

/**
 * Reads the request body. A body over the limit is read to its end and thrown away before the 413 is sent, so that
 * the HTTP/1.1 connection or HTTP/2 session stays usable (answering early leaves the client sending into a closed
 * stream, which Node's HTTP/2 counts as invalid frames until it drops the whole session).
 */
export function readBody(req: Req, limit = maxBodyBytes): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const tooLarge = (): ApiError => ApiError.tooLarge(`Request entity too large: limit is ${limit}`);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number(req.headers['content-length'] ?? '0') > limit;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over || size > limit) {
        over = true;
        chunks.length = 0;
        if (size > maxDrainBytes && !settled) {
          settled = true;
          reject(tooLarge());
          req.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      if (over) reject(tooLarge());
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (settled) return;
      settled = true;
      reject(e);
    });
  });
}

export interface Encoding {
  readonly kind: 'json' | 'yaml';
  /** as=Table / as=PartialObjectMetadata(List) requested through the Accept header. */
  readonly as?: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
}

interface MediaRange {
  type: string;
  params: Map<string, string>;
}

function parseAccept(accept: string): MediaRange[] {
  return accept.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    const map = new Map<string, string>();
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq > 0) map.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
    }
    return { type: type.toLowerCase(), params: map };
  });
}

/**
 * Picks the response encoding from Accept as upstream's negotiation does: the first range we can serve wins;
 * as=Table/PartialObjectMetadata only for meta.k8s.io v1 (and v1beta1).
 */
export function negotiate(accept: string | undefined, allowAs: boolean): Encoding {
  if (accept === undefined || accept === '') return { kind: 'json' };
  let sawUnsupportedOnly = true;
  // Higher q first; equal q keeps the client's order (q=0 means "not acceptable").
  const ranges = parseAccept(accept)
    .map((m, i) => ({ m, i, q: Number(m.params.get('q') ?? '1') }))
    .filter((x) => !(x.q <= 0))
    .sort((a, b) => (b.q === a.q || Number.isNaN(b.q - a.q) ? a.i - b.i : b.q - a.q))
    .map((x) => x.m);
  for (const m of ranges) {
    const as = m.params.get('as');
    const isJson = m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*';
    const isYaml = m.type === 'application/yaml';
    if (!isJson && !isYaml) continue;
    sawUnsupportedOnly = false;
    if (as !== undefined) {
      const g = m.params.get('g');
      const v = m.params.get('v');
      if (!allowAs || g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
      if (as === 'Table' || as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: isYaml ? 'yaml' : 'json', as };
      continue;
    }
    return { kind: isYaml ? 'yaml' : 'json' };
  }
  if (sawUnsupportedOnly && !accept.includes('protobuf')) {
    throw ApiError.notAcceptable(`only the following media types are accepted: application/json, application/yaml`);
  }
  return { kind: 'json' };
}

/** JSON text that is sent as it is (already serialized, e.g. from the serialization cache). */
export class RawJson {
  constructor(readonly text: string) {}
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** JSON already encoded as UTF-8 bytes (a list assembled from cached items), sent as it is. */
export class RawJsonBytes {
  constructor(readonly bytes: Buffer) {}
  toJSON(): unknown {
    return JSON.parse(this.bytes.toString('utf8'));
  }
}

function encodeBody(body: unknown, enc: Encoding): Buffer {
  if (body instanceof RawJsonBytes) return enc.kind === 'yaml' ? Buffer.from(yamlStringify(body.toJSON())) : body.bytes;
  const text =
    body instanceof RawJson ? (enc.kind === 'yaml' ? yamlStringify(JSON.parse(body.text)) : body.text) : enc.kind === 'yaml' ? yamlStringify(body) : JSON.stringify(body);
  return Buffer.from(text);
}

export function send(res: Res, code: number, body: unknown, enc: Encoding = { kind: 'json' }, headers: Record<string, string | string[]> = {}): void {
  const out = encodeBody(body, enc);
  if (res.headersSent) return;
  res.writeHead(code, {
    'content-type': enc.kind === 'yaml' ? 'application/yaml' : 'application/json',
    'content-length': String(out.length),
    'cache-control': 'no-cache, private',
    ...headers,
  });
  res.end(out);
}

export function sendRaw(res: Res, code: number, contentType: string, body: Buffer | string): void {
  const out = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(code, { 'content-type': contentType, 'content-length': String(out.length), 'cache-control': 'no-cache, private' });
  res.end(out);
}

export function statusOf(e: unknown): Status {
  if (e instanceof ApiError) return e.toStatus();
  const msg = e instanceof Error ? e.message : String(e);
  return ApiError.internal(msg).toStatus();
}

export function sendError(res: Res, e: unknown, enc: Encoding = { kind: 'json' }): void {
  const status = statusOf(e);
  const extra: Record<string, string> = {};
  const retry = status.details?.retryAfterSeconds;
  if (retry !== undefined && retry > 0) extra['retry-after'] = String(retry);
  send(res, status.code, status, enc.as !== undefined ? { kind: enc.kind } : enc, extra);
}

/** Writes a chunk to a streaming response (the HTTP/1 and HTTP/2 write signatures differ only in overloads). */
/**
 * Writes part of a streamed body. Node's HTTP/1.1 response holds the bytes back (corks its socket) until the next
 * process tick, which comes only once every pending promise continuation has run: a response written meanwhile with
 * end() goes out first, however much later it was written. `flush` sends these bytes at once instead.
 */
export function writeChunk(res: Res, chunk: string | Buffer, flush = false): boolean {
  const ok = (res as ServerResponse).write(chunk);
  // Only an HTTP/1.1 response corks its socket; HTTP/2 streams and in-process responses send what they are given.
  if (flush && res instanceof ServerResponse && res.socket !== null && res.socket.writableCorked > 0) res.socket.uncork();
  return ok;
}

/**
 * Streams a backend's response body to the client until either side ends (a client gone ends the backend's
 * response too), holding the backend back while the client's buffer is full. `flush` writes each chunk at once
 * (followed logs).
 */
export function pipeBody(from: IncomingMessage, res: Res, flush = false): Promise<void> {
  return new Promise<void>((resolve) => {
    res.on('close', () => {
      from.destroy();
      resolve();
    });
    from.on('data', (d: Buffer) => {
      if (!writeChunk(res, d, flush)) {
        from.pause();
        res.once('drain', () => from.resume());
      }
    });
    const end = (): void => {
      res.end();
      resolve();
    };
    from.on('end', end);
    from.on('error', end);
  });
}
