// The kubelet's streaming routes (upstream's pkg/kubelet/server/server.go getExec, getAttach, getPortForward):
// /exec/NS/POD[/UID]/CONTAINER, /attach/NS/POD[/UID]/CONTAINER and /portForward/NS/POD[/UID]. The kubelet asks the
// runtime (CRI Exec, Attach, PortForward) for a URL on its streaming server and proxies the upgrade there: the request
// as it came (SPDY or WebSocket, any protocol version), the streaming server's answer as it comes.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { RuntimeService } from '../cri/index.js';
import { labelPodUid } from '../kubelet/pod-runtime-status.js';
import { dialUpgrade, splice } from '../streaming/upgrade-dial.js';
import { KubeletHttpError } from './container-log-request.js';

export interface StreamRouteDeps {
  runtime: Partial<Pick<RuntimeService, 'exec' | 'attach' | 'portForward' | 'listPodSandbox'>>;
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
}

export type StreamRoute =
  | { kind: 'exec' | 'attach'; namespace: string; pod: string; uid?: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string; uid?: string };

/** The route of a streaming path, or undefined for any other path. */
export function parseStreamRoute(path: string): StreamRoute | undefined {
  let parts: string[];
  try {
    parts = path.split('/').slice(1).map((p) => decodeURIComponent(p));
  } catch {
    return undefined; // a malformed escape names no route
  }
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const [kind, namespace = '', pod = ''] = parts;
  if (kind === 'exec' || kind === 'attach') {
    if (parts.length === 4) return { kind, namespace, pod, container: parts[3] ?? '' };
    if (parts.length === 5) return { kind, namespace, pod, uid: parts[3] ?? '', container: parts[4] ?? '' };
    return undefined;
  }
  if (kind === 'portForward') {
    if (parts.length === 3) return { kind, namespace, pod };
    if (parts.length === 4) return { kind, namespace, pod, uid: parts[3] ?? '' };
  }
  return undefined;
}

/** The remote command options of the query (upstream's NewOptions: "1" for each stream; stderr is dropped with a TTY). */
export function remoteCommandOptions(q: URLSearchParams): { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean } {
  const on = (name: string): boolean => {
    const v = q.get(name);
    return v === '1' || v === 'true';
  };
  const tty = on('tty');
  const stdin = on('input');
  const stdout = on('output');
  const stderr = on('error') && !tty;
  if (!stdin && !stdout && !stderr) throw new KubeletHttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
  return { stdin, stdout, stderr, tty };
}

/** The running container's runtime id from the pod's status (`containerd://ID`). */
function runningContainerId(pod: Pod, container: string): string | undefined {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const s = statuses.find((c) => c.name === container);
  if (s?.state?.running === undefined || s.containerID === undefined) return undefined;
  const i = s.containerID.indexOf('://');
  return i < 0 ? s.containerID : s.containerID.slice(i + 3);
}

export async function serveStreamUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, deps: StreamRouteDeps): Promise<void> {
  const route = parseStreamRoute(url.pathname);
  if (route === undefined) throw new KubeletHttpError(404, '404 page not found\n');
  if (req.method !== 'GET' && req.method !== 'POST') throw new KubeletHttpError(405, '405: Method Not Allowed');
  const pod = await deps.getPod(route.namespace, route.pod);
  if (pod === undefined || (route.uid !== undefined && route.uid !== pod.metadata?.uid)) throw new KubeletHttpError(404, 'pod does not exist');

  let streamUrl: string;
  if (route.kind === 'portForward') {
    const list = deps.runtime.listPodSandbox;
    const portForward = deps.runtime.portForward;
    if (list === undefined || portForward === undefined) throw new KubeletHttpError(500, 'the container runtime does not support port forwarding');
    const sandboxes = await list.call(deps.runtime, { filter: { labelSelector: { [labelPodUid]: pod.metadata?.uid ?? '' }, state: { state: 'SANDBOX_READY' } } });
    const sandbox = sandboxes.items[0];
    if (sandbox === undefined) throw new KubeletHttpError(500, `pod not found (${JSON.stringify(`${route.pod}_${route.namespace}`)})`);
    const ports = (url.searchParams.get('port') ?? '')
      .split(',')
      .filter((p) => p !== '')
      .map(Number);
    streamUrl = (await portForward.call(deps.runtime, { podSandboxId: sandbox.id, port: ports })).url;
  } else {
    const o = remoteCommandOptions(url.searchParams);
    const containerId = runningContainerId(pod, route.container);
    if (containerId === undefined) throw new KubeletHttpError(500, `container not found (${JSON.stringify(route.container)})`);
    if (route.kind === 'exec') {
      if (deps.runtime.exec === undefined) throw new KubeletHttpError(500, 'the container runtime does not support exec');
      streamUrl = (await deps.runtime.exec({ containerId, cmd: url.searchParams.getAll('command'), ...o })).url;
    } else {
      if (deps.runtime.attach === undefined) throw new KubeletHttpError(500, 'the container runtime does not support attach');
      streamUrl = (await deps.runtime.attach({ containerId, ...o })).url;
    }
  }

  const target = new URL(streamUrl);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new KubeletHttpError(500, `unsupported streaming URL ${JSON.stringify(streamUrl)}`);
  // The request keeps its query (the runtime ignores it; its URL carries the session's token).
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const n = req.rawHeaders[i] ?? '';
    if (n.toLowerCase() !== 'host' && n.toLowerCase() !== 'authorization') headers.push([n, req.rawHeaders[i + 1] ?? '']);
  }
  const upstream = await dialUpgrade({ url: target, method: req.method, headers, body: head, tls: { rejectUnauthorized: false } });
  socket.write(upstream.rawHead);
  if (upstream.leftover.length > 0) socket.write(upstream.leftover);
  splice(socket, upstream.socket);
}
