// The HTTP probe (pkg/probe/http): GET scheme://host:port/path with the probe's headers, User-Agent kube-probe/1.32
// and Accept */* unless given; certificates are not verified; no proxy; no keep-alive. 200-399 is success (a 3xx
// the client stopped at is a success with a warning); any other status a failure `HTTP probe failed with
// statuscode: N`; a request that fails a failure whose output is Go's url.Error text (`Get "URL": ...`).
// Redirects are followed (at most 10 requests) only while they stay on the same host name.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Container, HTTPGetAction } from 'kubernetes-types/core/v1.js';
import { goDialError, goQuote, goReadError, joinHostPort } from './go-net-error.js';
import type { ProbeOutcome } from './probe-outcome.js';
import { resolveContainerPort } from './resolve-container-port.js';

/** The User-Agent of the kubelet's probes (userAgent("probe") with the version k8ts implements). */
export const probeUserAgent = 'kube-probe/1.32';
/** maxRespBodyLength of pkg/probe/http. */
export const maxHttpBodyBytes = 10 * 1024;
const maxRequests = 10;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

export interface HttpProbeRequest {
  /** The URL as Go prints it (no trailing slash is added to an empty path). */
  url: string;
  /** Canonical header names (textproto.CanonicalMIMEHeaderKey) to their values, in order. */
  headers: Map<string, string[]>;
  /** The Host header's value when the probe sets one (req.Host). */
  host?: string;
}

const tokenChar = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** textproto.CanonicalMIMEHeaderKey: user-agent -> User-Agent; names with invalid characters stay as they are. */
export function canonicalHeaderKey(name: string): string {
  if (!tokenChar.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

/** httpprobe.NewRequestForHTTPGetAction: the URL and headers of an httpGet probe. Throws when the port does not resolve. */
export function newHttpProbeRequest(action: HTTPGetAction, container: Container, podIP: string): HttpProbeRequest {
  const scheme = (action.scheme ?? '').toLowerCase() || 'http';
  const host = action.host !== undefined && action.host !== '' ? action.host : podIP;
  const port = resolveContainerPort(action.port, container);
  let path = action.path ?? '';
  if (path !== '' && !path.startsWith('/') && !path.startsWith('?')) path = `/${path}`;
  const url = `${scheme}://${joinHostPort(host, port)}${path}`;
  const headers = new Map<string, string[]>();
  for (const h of action.httpHeaders ?? []) {
    const key = canonicalHeaderKey(h.name);
    headers.set(key, [...(headers.get(key) ?? []), h.value]);
  }
  if (!headers.has('User-Agent')) headers.set('User-Agent', [probeUserAgent]);
  const accept = headers.get('Accept');
  if (accept === undefined) headers.set('Accept', ['*/*']);
  else if ((accept[0] ?? '') === '') headers.delete('Accept');
  const hostHeader = headers.get('Host')?.[0];
  headers.delete('Host');
  return { url, headers, ...(hostHeader !== undefined && hostHeader !== '' ? { host: hostHeader } : {}) };
}

type Attempt =
  | { kind: 'response'; status: number; location: string | undefined; body: string }
  | { kind: 'error'; message: string }
  | { kind: 'body-error'; message: string };

class Deadline {
  private current: ClientRequest | undefined;
  expired = false;
  private readonly timer: NodeJS.Timeout;
  constructor(ms: number) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.current?.destroy(new Error('deadline'));
    }, ms);
  }
  track(req: ClientRequest): void {
    this.current = req;
  }
  clear(): void {
    clearTimeout(this.timer);
  }
}

/** One GET; the body is read (up to the limit) unless `skipBody` says this response is a redirect to follow. */
function get(url: URL, headers: Map<string, string[]>, hostHeader: string, deadline: Deadline, skipBody: (status: number, location: string | undefined) => boolean): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (a: Attempt): void => {
      if (settled) return;
      settled = true;
      resolve(a);
    };
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const outHeaders: Record<string, string[] | string> = { Host: hostHeader };
    for (const [k, v] of headers) outHeaders[k] = v.length === 1 ? (v[0] ?? '') : v;
    const options = { hostname, port, path: `${url.pathname || '/'}${url.search}`, method: 'GET', headers: outHeaders, agent: false as const, setHost: false };
    let req: ClientRequest;
    try {
      req = url.protocol === 'https:'
        ? httpsRequest({ ...options, rejectUnauthorized: false, ...(isIP(hostname) === 0 ? { servername: hostname } : {}) })
        : httpRequest(options);
    } catch (e: unknown) {
      settle({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      return;
    }
    deadline.track(req);
    const addr = joinHostPort(hostname, port);
    req.on('error', (e: Error & { code?: string; syscall?: string }) => {
      if (deadline.expired) settle({ kind: 'error', message: 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' });
      else if (e.syscall === 'connect' || e.syscall === 'getaddrinfo' || e.code === 'ENOTFOUND') settle({ kind: 'error', message: goDialError(addr, e) });
      else if (e.code === 'EPROTO' || (e.code ?? '').startsWith('ERR_SSL')) settle({ kind: 'error', message: 'http: server gave HTTP response to HTTPS client' });
      else settle({ kind: 'error', message: goReadError(e, req.socket ? joinHostPort(req.socket.localAddress ?? '', req.socket.localPort ?? 0) : undefined, addr) });
    });
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const location = typeof res.headers.location === 'string' && res.headers.location !== '' ? res.headers.location : undefined;
      if (skipBody(status, location)) {
        res.resume();
        req.destroy();
        settle({ kind: 'response', status, location, body: '' });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= maxHttpBodyBytes) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size >= maxHttpBodyBytes) {
          // ReadAtMost: the rest is not read (a non-fatal truncation).
          settle({ kind: 'response', status, location, body: Buffer.concat(chunks).subarray(0, maxHttpBodyBytes).toString('utf8') });
          req.destroy();
        }
      });
      res.on('end', () => settle({ kind: 'response', status, location, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e: Error) => settle({ kind: 'body-error', message: deadline.expired ? 'context deadline exceeded (Client.Timeout or context cancellation while reading body)' : goReadError(e) }));
      res.on('aborted', () => settle({ kind: 'body-error', message: deadline.expired ? 'context deadline exceeded (Client.Timeout or context cancellation while reading body)' : 'unexpected EOF' }));
    });
    req.end();
  });
}

/** httpProber.Probe with followNonLocalRedirects false, as the kubelet builds it. */
export async function httpProbe(probe: HttpProbeRequest, timeoutSeconds: number): Promise<ProbeOutcome> {
  let url: URL;
  try {
    url = new URL(probe.url);
  } catch (e: unknown) {
    return { result: 'failure', output: `parse ${goQuote(probe.url)}: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { result: 'failure', output: `Get ${goQuote(probe.url)}: unsupported protocol scheme ${goQuote(url.protocol.slice(0, -1))}` };
  }
  const first = url;
  const deadline = new Deadline(timeoutSeconds * 1000);
  try {
    const headers = new Map(probe.headers);
    // Go writes the URL's host as given (an explicit :80 included); WHATWG URL would drop a default port.
    let hostHeader = probe.host ?? (/^[a-z]+:\/\/([^/?#]*)/i.exec(probe.url)?.[1] ?? url.host);
    let printed = probe.url;
    let requests = 0;
    for (;;) {
      requests++;
      const current = url;
      let follow: URL | undefined;
      let stopAt: string | undefined;
      const attempt = await get(current, headers, hostHeader, deadline, (status, location) => {
        if (!redirectStatuses.has(status) || location === undefined) return false;
        // An unparsable Location is not followed: the 3xx is the answer.
        if (!URL.canParse(location, current)) return false;
        const next = new URL(location, current);
        // RedirectChecker: a redirect to another host name ends with this response (http.ErrUseLastResponse).
        if (next.hostname !== first.hostname) return false;
        if (requests >= maxRequests) {
          stopAt = location;
          return true;
        }
        follow = next;
        return true;
      });
      switch (attempt.kind) {
        case 'error':
          return { result: 'failure', output: `Get ${goQuote(printed)}: ${attempt.message}` };
        case 'body-error':
          return { result: 'failure', output: '', error: attempt.message };
        case 'response':
          break;
      }
      if (stopAt !== undefined) return { result: 'failure', output: `Get ${goQuote(stopAt)}: stopped after 10 redirects` };
      if (follow !== undefined) {
        const location = attempt.location ?? '';
        // A custom Host header survives only a relative redirect (net/http's redirect handling).
        const relative = !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(location) && !location.startsWith('//');
        hostHeader = probe.host !== undefined && relative ? probe.host : follow.host;
        if (!(current.protocol === 'https:' && follow.protocol === 'http:')) {
          const ref = new URL(current.href);
          ref.hash = '';
          ref.username = '';
          ref.password = '';
          headers.set('Referer', [ref.href]);
        }
        url = follow;
        printed = follow.href;
        continue;
      }
      const { status, body } = attempt;
      if (status >= 200 && status < 400) {
        if (status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${body}` };
        return { result: 'success', output: body };
      }
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${status}` };
    }
  } finally {
    deadline.clear();
  }
}
