// The kubelet's side of `/containerLogs/NS/POD/CONTAINER`: the query as v1.PodLogOptions (pkg/kubelet/server
// getContainerLogs) and which container's log answers it (pkg/kubelet validateContainerLogStatus), with upstream's
// messages.
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import type { PodLogOptionsInput } from './cri-log-reader.js';

export interface ContainerLogQuery extends PodLogOptionsInput {
  previous?: boolean;
}

/** An answer the kubelet gives instead of logs: the HTTP code and the plain-text body. */
export class KubeletHttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubeletHttpError';
  }
}

/** Go's strconv.ParseBool. */
export function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

function parseGoInt(v: string): number | undefined {
  return /^[+-]?\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * The query of a container log request as v1.PodLogOptions: `tail` is the old name of tailLines (`all` = no limit);
 * a value that does not convert gives 400, options that do not validate 422, with upstream's JSON-looking texts.
 */
export function parseContainerLogQuery(q: URLSearchParams): ContainerLogQuery {
  const query = new URLSearchParams(q);
  const tail = query.get('tail');
  if (tail !== null && tail !== '') {
    query.set('tailLines', tail);
    if (tail === 'all') query.delete('tailLines');
  }
  const undecodable = (): KubeletHttpError => new KubeletHttpError(400, '{"message": "Unable to decode query."}');
  const out: ContainerLogQuery = {};
  for (const name of ['follow', 'previous', 'timestamps'] as const) {
    const v = query.get(name);
    if (v === null || v === '') continue;
    const b = parseGoBool(v);
    if (b === undefined) throw undecodable();
    out[name] = b;
  }
  for (const name of ['tailLines', 'limitBytes', 'sinceSeconds'] as const) {
    const v = query.get(name);
    if (v === null || v === '') continue;
    const n = parseGoInt(v);
    if (n === undefined) throw undecodable();
    out[name] = n;
  }
  const since = query.get('sinceTime');
  if (since !== null && since !== '') {
    if (Number.isNaN(Date.parse(since))) throw undecodable();
    out.sinceTime = since;
  }
  const invalid =
    (out.tailLines !== undefined && out.tailLines < 0) ||
    (out.limitBytes !== undefined && out.limitBytes < 1) ||
    (out.sinceSeconds !== undefined && out.sinceSeconds < 1) ||
    (out.sinceSeconds !== undefined && out.sinceTime !== undefined);
  if (invalid) throw new KubeletHttpError(422, '{"message": "Invalid request."}');
  return out;
}

/** Whether the pod's spec names the container (regular, init or ephemeral). */
export function podHasContainer(pod: Pod, name: string): boolean {
  const spec = pod.spec;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? []), ...(spec?.ephemeralContainers ?? [])].some((c) => c.name === name);
}

/** The runtime's id in a status's containerID (`containerd://ID`). */
export function parseContainerId(id: string): string {
  const i = id.indexOf('://');
  return i < 0 ? id : id.slice(i + 3);
}

/**
 * Upstream's validateContainerLogStatus: the container whose log answers the request (previous: the last terminated
 * one; else the running one, else the terminated one), or the reason there is none yet.
 */
export function containerForLogs(podName: string, pod: Pod, containerName: string, previous: boolean): string {
  const st = pod.status;
  const find = (list: readonly ContainerStatus[] | undefined): ContainerStatus | undefined => list?.find((s) => s.name === containerName);
  const cs = find(st?.containerStatuses) ?? find(st?.initContainerStatuses) ?? find(st?.ephemeralContainerStatuses);
  const q = JSON.stringify;
  if (cs === undefined) throw new KubeletHttpError(400, `container ${q(containerName)} in pod ${q(podName)} is not available`);
  const last = cs.lastState?.terminated;
  const { waiting, running, terminated } = cs.state ?? {};
  const isTerminated = (): KubeletHttpError => new KubeletHttpError(400, `container ${q(containerName)} in pod ${q(podName)} is terminated`);
  let id: string;
  if (previous) {
    if (last === undefined || (last.containerID ?? '') === '') {
      throw new KubeletHttpError(400, `previous terminated container ${q(containerName)} in pod ${q(podName)} not found`);
    }
    id = last.containerID ?? '';
  } else if (running !== undefined) {
    id = cs.containerID ?? '';
  } else if (terminated !== undefined) {
    // When the next container did not start, the terminated state has no ID: the last one's log answers.
    if ((terminated.containerID ?? '') !== '') id = terminated.containerID ?? '';
    else if (last !== undefined && (last.containerID ?? '') !== '') id = last.containerID ?? '';
    else throw isTerminated();
  } else if (last !== undefined) {
    if ((last.containerID ?? '') === '') throw isTerminated();
    id = last.containerID ?? '';
  } else if (waiting !== undefined) {
    const reason = waiting.reason ?? '';
    const why = reason === 'ErrImagePull' ? "image can't be pulled" : reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : reason;
    throw new KubeletHttpError(400, `container ${q(containerName)} in pod ${q(podName)} is waiting to start: ${why}`);
  } else {
    throw new KubeletHttpError(400, `container ${q(containerName)} in pod ${q(podName)} is waiting to start - no logs yet`);
  }
  return parseContainerId(id);
}
