// The kubelet's view of one pod in the runtime (kubecontainer.PodStatus): its sandboxes and its containers, newest
// first, read from CRI by the pod's uid label.
import type { ContainerStatus as CriContainerStatus, PodSandboxState, PodSandboxStatus, RuntimeService } from '../cri/index.js';
import { isCriError, GrpcCode } from '../cri/index.js';
import { containerMessageWithTermination } from './termination-message.js';

export const labelPodName = 'io.kubernetes.pod.name';
export const labelPodNamespace = 'io.kubernetes.pod.namespace';
export const labelPodUid = 'io.kubernetes.pod.uid';
export const labelContainerName = 'io.kubernetes.container.name';
export const labelContainerType = 'io.kubernetes.container.type';
export const annotationRestartCount = 'io.kubernetes.container.restartCount';
export const annotationTerminationMessagePath = 'io.kubernetes.container.terminationMessagePath';
export const annotationTerminationMessagePolicy = 'io.kubernetes.container.terminationMessagePolicy';
export const annotationTerminationGracePeriod = 'io.kubernetes.pod.terminationGracePeriod';

export type KubeContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface SandboxInfo {
  id: string;
  state: PodSandboxState;
  /** Nanoseconds since the epoch. */
  createdAt: bigint;
  attempt: number;
  ip: string;
}

export interface KubeContainerStatus {
  id: string;
  name: string;
  state: KubeContainerState;
  /** Nanoseconds since the epoch; 0n when not set. */
  createdAt: bigint;
  startedAt: bigint;
  finishedAt: bigint;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  restartCount: number;
}

export interface PodRuntimeStatus {
  /** Newest first. */
  sandboxes: SandboxInfo[];
  /** Newest first. */
  containers: KubeContainerStatus[];
}

export function toKubeContainerState(s: CriContainerStatus['state']): KubeContainerState {
  switch (s) {
    case 'CONTAINER_CREATED':
      return 'created';
    case 'CONTAINER_RUNNING':
      return 'running';
    case 'CONTAINER_EXITED':
      return 'exited';
    default:
      return 'unknown';
  }
}

export function kubeContainerStatus(s: CriContainerStatus): KubeContainerStatus {
  const restarts = Number.parseInt(s.annotations[annotationRestartCount] ?? '', 10);
  return {
    id: s.id,
    name: s.labels[labelContainerName] ?? s.metadata?.name ?? '',
    state: toKubeContainerState(s.state),
    createdAt: BigInt(s.createdAt || '0'),
    startedAt: BigInt(s.startedAt || '0'),
    finishedAt: BigInt(s.finishedAt || '0'),
    exitCode: s.exitCode,
    reason: s.reason,
    message: s.message,
    image: s.image?.image ?? '',
    imageRef: s.imageRef,
    restartCount: Number.isFinite(restarts) ? restarts : (s.metadata?.attempt ?? 0),
  };
}

export function sandboxInfo(s: PodSandboxStatus): SandboxInfo {
  return { id: s.id, state: s.state, createdAt: BigInt(s.createdAt || '0'), attempt: s.metadata?.attempt ?? 0, ip: s.network?.ip ?? '' };
}

const newestFirst = <T extends { createdAt: bigint }>(a: T, b: T): number => (a.createdAt > b.createdAt ? -1 : a.createdAt < b.createdAt ? 1 : 0);

export function sortNewestFirst(status: PodRuntimeStatus): PodRuntimeStatus {
  return { sandboxes: [...status.sandboxes].sort(newestFirst), containers: [...status.containers].sort(newestFirst) };
}

/** Reads a pod's sandboxes and containers from the runtime (GetPodStatus). Objects removed meanwhile are skipped. */
export async function readPodRuntimeStatus(runtime: RuntimeService, podUid: string): Promise<PodRuntimeStatus> {
  const selector = { [labelPodUid]: podUid };
  const [sbs, cs] = await Promise.all([
    runtime.listPodSandbox({ filter: { labelSelector: selector } }),
    runtime.listContainers({ filter: { labelSelector: selector } }),
  ]);
  const sandboxes: SandboxInfo[] = [];
  for (const sb of sbs.items) {
    try {
      const st = await runtime.podSandboxStatus({ podSandboxId: sb.id });
      if (st.status !== undefined) sandboxes.push(sandboxInfo(st.status));
    } catch (e: unknown) {
      if (!isCriError(e, GrpcCode.NotFound)) throw e;
    }
  }
  const containers: KubeContainerStatus[] = [];
  for (const c of cs.containers) {
    try {
      const st = await runtime.containerStatus({ containerId: c.id });
      if (st.status === undefined) continue;
      const ks = kubeContainerStatus(st.status);
      // An exited container's message carries its termination message (convertToKubeContainerStatus).
      ks.message = await containerMessageWithTermination(st.status);
      containers.push(ks);
    } catch (e: unknown) {
      if (!isCriError(e, GrpcCode.NotFound)) throw e;
    }
  }
  return sortNewestFirst({ sandboxes, containers });
}

/** The newest status of a container by name. */
export function latestStatus(status: PodRuntimeStatus, name: string): KubeContainerStatus | undefined {
  return status.containers.find((c) => c.name === name);
}
