// What SyncPod must do to bring a pod's containers to its spec (kuberuntime_manager.go computePodActions): a new
// sandbox, a killed pod, the next init container, the containers to start and to kill. Pure: a function of the
// pod and the runtime's view of it. Sidecars (init containers with restartPolicy Always) run as plain init
// containers here, and probes and in-place resizes are not considered yet.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { latestStatus, type KubeContainerStatus, type PodRuntimeStatus } from './pod-runtime-status.js';

export interface ContainerToKill {
  id: string;
  name: string;
  message: string;
}

export interface PodActions {
  /** Stop every container and the sandbox. */
  killPod: boolean;
  createSandbox: boolean;
  /** The sandbox to use (when not creating one). */
  sandboxId: string;
  /** The attempt number of the sandbox to create. */
  attempt: number;
  /** The index in spec.initContainers of the init container to start next. */
  nextInitContainerToStart: number | undefined;
  /** Indexes in spec.containers. */
  containersToStart: number[];
  containersToKill: ContainerToKill[];
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export function restartPolicyOf(pod: Pod): RestartPolicy {
  const p = pod.spec?.restartPolicy;
  return p === 'OnFailure' || p === 'Never' ? p : 'Always';
}

/** kubecontainer.ShouldContainerBeRestarted for a container whose newest status is `status`. */
export function shouldContainerBeRestarted(policy: RestartPolicy, status: KubeContainerStatus | undefined): boolean {
  if (status === undefined) return true;
  if (status.state === 'running') return false;
  if (status.state === 'unknown' || status.state === 'created') return true;
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && status.exitCode === 0) return false;
  return true;
}

/**
 * podSandboxChanged: a new sandbox when there is none, when several are ready, or when the newest is not ready.
 * Returns whether to create one, its attempt and the sandbox to keep using otherwise.
 */
export function podSandboxChanged(status: PodRuntimeStatus): { changed: boolean; attempt: number; sandboxId: string } {
  const newest = status.sandboxes[0];
  if (newest === undefined) return { changed: true, attempt: 0, sandboxId: '' };
  const ready = status.sandboxes.filter((s) => s.state === 'SANDBOX_READY').length;
  if (ready > 1 || newest.state !== 'SANDBOX_READY') return { changed: true, attempt: newest.attempt + 1, sandboxId: newest.id };
  return { changed: false, attempt: newest.attempt, sandboxId: newest.id };
}

function emptyActions(sandboxId: string, attempt: number): PodActions {
  return { killPod: false, createSandbox: false, sandboxId, attempt, nextInitContainerToStart: undefined, containersToStart: [], containersToKill: [] };
}

/** The init containers' next step: 'done', 'wait' (one runs), 'failed' (the pod can't start), or an index to start. */
function initContainerStep(pod: Pod, status: PodRuntimeStatus, policy: RestartPolicy): 'done' | 'wait' | 'failed' | number {
  const inits: Container[] = pod.spec?.initContainers ?? [];
  for (let i = 0; i < inits.length; i++) {
    const s = latestStatus(status, inits[i]?.name ?? '');
    if (s === undefined || s.state === 'unknown' || s.state === 'created') return i;
    if (s.state === 'running') return 'wait';
    if (s.exitCode === 0) continue;
    return policy === 'Never' ? 'failed' : i;
  }
  return 'done';
}

/** Whether a regular container has ever run in this sandbox generation (the pod was initialized before). */
function hasRegularContainerStatus(pod: Pod, status: PodRuntimeStatus): boolean {
  return (pod.spec?.containers ?? []).some((c) => latestStatus(status, c.name) !== undefined);
}

export function computePodActions(pod: Pod, status: PodRuntimeStatus): PodActions {
  const policy = restartPolicyOf(pod);
  const sb = podSandboxChanged(status);
  const containers = pod.spec?.containers ?? [];
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;

  if (sb.changed) {
    const actions = emptyActions(sb.sandboxId, sb.attempt);
    actions.killPod = true;
    actions.createSandbox = true;
    // A pod that must not restart and whose containers already ran gets no new sandbox: it is done.
    if (policy === 'Never' && sb.attempt !== 0 && status.containers.length > 0) {
      actions.createSandbox = false;
      return actions;
    }
    if (hasInit) {
      actions.nextInitContainerToStart = 0;
      return actions;
    }
    containers.forEach((c, i) => {
      const s = latestStatus(status, c.name);
      if (policy === 'OnFailure' && s !== undefined && s.state === 'exited' && s.exitCode === 0) return;
      actions.containersToStart.push(i);
    });
    if (actions.containersToStart.length === 0) actions.createSandbox = false;
    return actions;
  }

  const actions = emptyActions(sb.sandboxId, sb.attempt);
  if (hasInit && !hasRegularContainerStatus(pod, status)) {
    const step = initContainerStep(pod, status, policy);
    if (step === 'failed') {
      actions.killPod = true;
      return actions;
    }
    if (step === 'wait') return actions;
    if (typeof step === 'number') {
      const s = latestStatus(status, pod.spec?.initContainers?.[step]?.name ?? '');
      if (s !== undefined && s.state !== 'exited') actions.containersToKill.push({ id: s.id, name: s.name, message: 'Init container is in an unknown state, it will be killed and re-created.' });
      actions.nextInitContainerToStart = step;
      return actions;
    }
  }

  let keep = 0;
  containers.forEach((c, i) => {
    const s = latestStatus(status, c.name);
    if (s !== undefined && s.state === 'running') {
      keep++;
      return;
    }
    if (s !== undefined && (s.state === 'created' || s.state === 'unknown')) {
      actions.containersToKill.push({ id: s.id, name: c.name, message: `Container ${c.name} is in an unknown state, it will be killed and re-created.` });
    }
    if (shouldContainerBeRestarted(policy, s)) actions.containersToStart.push(i);
  });
  if (keep === 0 && actions.containersToStart.length === 0) actions.killPod = true;
  return actions;
}
