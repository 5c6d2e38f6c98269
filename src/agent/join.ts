// An agent joining a server (k3s's agent bootstrap): fetch the server's CA bundle without trusting it, compare its
// hash with the one the token carries, then, over a connection that trusts only that CA, present the token's
// password and get this node's credentials and the cluster's settings (node-join.ts on the server).
import { request as httpsRequest } from 'node:https';
import { caBundleHash, parseJoinToken } from '../pki/join-token.js';
import type { NodeJoinRequest, NodeJoinResponse } from '../apiserver/node-join.js';

export interface JoinOptions {
  /** https://HOST:PORT of a server. */
  server: string;
  token: string;
  request: NodeJoinRequest;
  /** Give up a request after this long (default 10 s). */
  timeoutMs?: number;
}

/** Why a join failed: the server could not be reached (worth another try), or it said no / is not the token's. */
export class JoinError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'JoinError';
  }
}

interface HttpAnswer {
  status: number;
  body: string;
}

function fetchText(url: URL, opts: { method: string; ca?: string; headers?: Record<string, string>; body?: string; timeoutMs: number }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        method: opts.method,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port === '' ? 443 : Number(url.port),
        path: url.pathname,
        headers: { ...(opts.headers ?? {}), ...(opts.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(opts.body)) } : {}) },
        ...(opts.ca !== undefined ? { ca: opts.ca, rejectUnauthorized: true } : { rejectUnauthorized: false }),
        agent: false,
        timeout: opts.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

function statusMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not a Status: the text itself
  }
  return body.trim().slice(0, 300);
}

function isNodeJoinResponse(v: unknown): v is NodeJoinResponse {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const pair = (p: unknown): boolean => typeof p === 'object' && p !== null && typeof (p as Record<string, unknown>)['certPem'] === 'string' && typeof (p as Record<string, unknown>)['keyPem'] === 'string';
  return typeof r['caCert'] === 'string' && pair(r['client']) && pair(r['serving']) && typeof r['settings'] === 'object' && r['settings'] !== null;
}

/** Joins; every failure is an Error whose message says what to do. */
export async function joinServer(opts: JoinOptions): Promise<NodeJoinResponse> {
  const token = parseJoinToken(opts.token);
  let base: URL;
  try {
    base = new URL(opts.server);
  } catch {
    throw new Error(`invalid --server ${JSON.stringify(opts.server)}: a URL such as https://10.0.0.1:6443 is needed`);
  }
  if (base.protocol !== 'https:') throw new Error(`invalid --server ${opts.server}: the server is reached over https`);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const where = base.host;
  let ca: HttpAnswer;
  try {
    ca = await fetchText(new URL('/cacerts', base), { method: 'GET', timeoutMs });
  } catch (e: unknown) {
    throw new JoinError('unreachable', `cannot reach the server at ${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (ca.status >= 500) throw new JoinError('unreachable', `${where} is not ready to serve its CA certificates (HTTP ${ca.status})`);
  if (ca.status !== 200 || !ca.body.includes('BEGIN CERTIFICATE')) throw new JoinError('refused', `${where} did not serve its CA certificates (HTTP ${ca.status}): is it a k8ts server?`);
  if (token.caHash !== '' && caBundleHash(ca.body) !== token.caHash) {
    throw new JoinError('refused', `the CA of the server at ${where} does not match the token (hash ${caBundleHash(ca.body)}, the token names ${token.caHash}): wrong --server, or a token of another cluster`);
  }
  const auth = `Basic ${Buffer.from(`node:${token.password}`).toString('base64')}`;
  let answer: HttpAnswer;
  try {
    answer = await fetchText(new URL('/v1-k8ts/node-join', base), { method: 'POST', ca: ca.body, headers: { authorization: auth }, body: JSON.stringify(opts.request), timeoutMs });
  } catch (e: unknown) {
    throw new JoinError('unreachable', `joining the server at ${where} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (answer.status === 401) throw new JoinError('refused', `the server at ${where} refused the token: ${statusMessage(answer.body)}`);
  if (answer.status >= 500) throw new JoinError('unreachable', `the server at ${where} could not join this node now (HTTP ${answer.status}): ${statusMessage(answer.body)}`);
  if (answer.status !== 200) throw new JoinError('refused', `the server at ${where} refused to join this node (HTTP ${answer.status}): ${statusMessage(answer.body)}`);
  const parsed: unknown = JSON.parse(answer.body);
  if (!isNodeJoinResponse(parsed)) throw new Error(`the server at ${where} answered the join with something else than node credentials`);
  return parsed;
}
