// Lifecycle hooks (pkg/kubelet/lifecycle/handlers.go handlerRunner.Run): exec through CRI ExecSync (RunInContainer:
// stdout then stderr; a non-zero exit is the error `command 'CMD' exited with N: STDERR`), httpGet against the pod's
// IP (or the handler's host) whose response status is not looked at, only whether the request went through (an
// https hook answered in plain HTTP is retried over http, with a LifecycleHTTPFallback event), and sleep. A failure
// comes back with upstream's message, e.g. `Exec lifecycle hook ([sh -c exit 1]) for Container "main" in Pod
// "p_default(uid)" failed - error: command 'sh -c exit 1' exited with 1: , message: ""`.
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import type { RuntimeService } from '../cri/index.js';
import { canonicalHeaderKey, newHttpProbeRequest } from './prober/http-probe.js';
import { goDialError, goReadError, joinHostPort } from './prober/go-net-error.js';
import { goQuote } from './volumes/downward-api.js';

/** userAgent("lifecycle") with the version k8ts implements. */
export const lifecycleUserAgent = 'kube-lifecycle/1.32';

export type LifecycleResult = { ok: true } | { ok: false; message: string; error: string };

export interface LifecycleHandlerContext {
  runtime: Pick<RuntimeService, 'execSync'>;
  /** The pod's IP, for an httpGet without a host; '' when the pod has none. */
  podIP: () => Promise<string>;
  /** Records an event on the pod (the LifecycleHTTPFallback warning). */
  record?: (type: 'Normal' | 'Warning', reason: string, message: string) => void;
  /** Ends a sleep early (the container is being stopped): the hook then fails as upstream's does. */
  signal?: AbortSignal;
}

/** format.Pod: NAME_NAMESPACE(UID). */
export function formatPod(pod: Pod): string {
  const m = pod.metadata ?? {};
  return `${m.name ?? ''}_${m.namespace ?? ''}(${m.uid ?? ''})`;
}

/** Go's %v of a []string: [a b c]. */
const goStrings = (xs: readonly string[]): string => `[${xs.join(' ')}]`;
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** RunInContainer over ExecSync with no timeout: the output and the error as the Go kubelet words it. */
async function runInContainer(runtime: Pick<RuntimeService, 'execSync'>, containerId: string, cmd: string[]): Promise<{ output: string; error?: string }> {
  try {
    const r = await runtime.execSync({ containerId, cmd, timeout: '0' });
    const output = Buffer.concat([Buffer.from(r.stdout), Buffer.from(r.stderr)]).toString('utf8');
    if (r.exitCode !== 0) return { output, error: `command '${cmd.join(' ')}' exited with ${r.exitCode}: ${Buffer.from(r.stderr).toString('utf8')}` };
    return { output };
  } catch (e: unknown) {
    return { output: '', error: errText(e) };
  }
}

/** One GET whose body is discarded; resolves to the url.Error text of a failed request, undefined when it went through. */
function httpGet(url: string, headers: Map<string, string[]>, hostHeader: string | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (v: string | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(v);
    };
    let u: URL;
    try {
      u = new URL(url);
    } catch (e: unknown) {
      done(`parse ${goQuote(url)}: ${errText(e)}`);
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      done(`Get ${goQuote(url)}: unsupported protocol scheme ${goQuote(u.protocol.slice(0, -1))}`);
      return;
    }
    const hostname = u.hostname.replace(/^\[|\]$/g, '');
    const port = u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    const out: Record<string, string | string[]> = { Host: hostHeader ?? u.host };
    for (const [k, v] of headers) out[k] = v.length === 1 ? (v[0] ?? '') : v;
    const options = { hostname, port, path: `${u.pathname || '/'}${u.search}`, method: 'GET', headers: out, agent: false as const, setHost: false };
    let req: ClientRequest;
    try {
      req = u.protocol === 'https:' ? httpsRequest({ ...options, rejectUnauthorized: false, ...(isIP(hostname) === 0 ? { servername: hostname } : {}) }) : httpRequest(options);
    } catch (e: unknown) {
      done(`Get ${goQuote(url)}: ${errText(e)}`);
      return;
    }
    const addr = joinHostPort(hostname, port);
    req.on('error', (e: Error & { code?: string; syscall?: string }) => {
      if (e.syscall === 'connect' || e.syscall === 'getaddrinfo' || e.code === 'ENOTFOUND') done(`Get ${goQuote(url)}: ${goDialError(addr, e)}`);
      else if (e.code === 'EPROTO' || (e.code ?? '').startsWith('ERR_SSL')) done(`Get ${goQuote(url)}: http: server gave HTTP response to HTTPS client`);
      else done(`Get ${goQuote(url)}: ${goReadError(e)}`);
    });
    req.on('response', (res) => {
      // The status is not checked (upstream only discards the body); the hook succeeded.
      res.resume();
      res.on('end', () => done(undefined));
      res.on('error', () => done(undefined));
      res.on('aborted', () => done(undefined));
    });
    req.end();
  });
}

async function runHttpHandler(ctx: LifecycleHandlerContext, container: Container, handler: LifecycleHandler): Promise<string | undefined> {
  const action = handler.httpGet;
  if (action === undefined) return undefined;
  let host = action.host ?? '';
  if (host === '') {
    host = await ctx.podIP();
    if (host === '') return 'failed to find networking container: the pod has no IP';
  }
  let req;
  try {
    req = newHttpProbeRequest({ ...action, host }, container, host);
  } catch (e: unknown) {
    return errText(e);
  }
  if (!(action.httpHeaders ?? []).some((h) => canonicalHeaderKey(h.name) === 'User-Agent')) req.headers.set('User-Agent', [lifecycleUserAgent]);
  const err = await httpGet(req.url, req.headers, req.host);
  if (err === undefined || !err.includes('server gave HTTP response to HTTPS client')) return err;
  // isHTTPResponseError: retry over plain HTTP without the Authorization header.
  const headers = new Map(req.headers);
  headers.delete('Authorization');
  const plain = req.url.replace(/^https:/i, 'http:');
  const retry = await httpGet(plain, headers, req.host);
  if (retry !== undefined) return err;
  const target = /^[a-z]+:\/\/([^/?#]*)/i.exec(plain)?.[1] ?? '';
  ctx.record?.('Warning', 'LifecycleHTTPFallback', `request to HTTPS lifecycle hook ${target} got HTTP response, retry with HTTP succeeded`);
  return undefined;
}

function sleep(seconds: number, signal: AbortSignal | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve('container terminated before sleep hook finished');
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve('container terminated before sleep hook finished');
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(undefined);
    }, seconds * 1000);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** handlerRunner.Run: runs one hook of a container and says how it went. */
export async function runLifecycleHandler(ctx: LifecycleHandlerContext, containerId: string, pod: Pod, container: Container, handler: LifecycleHandler): Promise<LifecycleResult> {
  const where = `for Container ${goQuote(container.name)} in Pod ${goQuote(formatPod(pod))}`;
  if (handler.exec !== undefined) {
    const cmd = handler.exec.command ?? [];
    const { output, error } = await runInContainer(ctx.runtime, containerId, cmd);
    if (error === undefined) return { ok: true };
    return { ok: false, error, message: `Exec lifecycle hook (${goStrings(cmd)}) ${where} failed - error: ${error}, message: ${goQuote(output)}` };
  }
  if (handler.httpGet !== undefined) {
    const error = await runHttpHandler(ctx, container, handler);
    if (error === undefined) return { ok: true };
    return { ok: false, error, message: `HTTP lifecycle hook (${handler.httpGet.path ?? ''}) ${where} failed - error: ${error}` };
  }
  if (handler.sleep !== undefined) {
    const error = await sleep(handler.sleep.seconds, ctx.signal);
    if (error === undefined) return { ok: true };
    return { ok: false, error, message: `Sleep lifecycle hook (${handler.sleep.seconds}) ${where} failed - error: ${error}` };
  }
  const error = `invalid handler: ${JSON.stringify(handler)}`;
  return { ok: false, error, message: `Cannot run handler: ${error}` };
}
