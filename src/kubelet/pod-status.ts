// The v1 PodStatus the kubelet reports (kubelet_pods.go generateAPIPodStatus, getPhase and
// convertToAPIContainerStatuses; status/generate.go for the conditions). Pure: a function of the pod, the runtime's
// view of it, the waiting reasons of the last sync and the time.
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { podQOSClass } from '../apiserver/registry/strategy.js';
import { podSandboxChanged } from './compute-pod-actions.js';
import type { KubeContainerStatus, PodRuntimeStatus } from './pod-runtime-status.js';

/** Why a container is waiting, from the last sync (the kubelet's reasonCache): CrashLoopBackOff, ErrImagePull, ... */
export interface WaitingReason {
  reason: string;
  message: string;
}

export interface PodStatusInput {
  pod: Pod;
  runtime: PodRuntimeStatus;
  hostIP: string;
  /** Waiting reasons by container name. */
  reasons?: ReadonlyMap<string, WaitingReason>;
  /** Prefix of container IDs: containerd. */
  runtimeName?: string;
  nowMs: number;
  /** The probes' verdict on a running container (started: its startup probe passed; ready: its readiness probe). */
  probes?: { isStarted(uid: string, name: string, containerId: string): boolean; isReady(uid: string, name: string, containerId: string): boolean };
}

type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** metav1.Time: RFC 3339 with whole seconds. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function nsTime(ns: bigint): string {
  return metaTime(Number(ns / 1_000_000n));
}

/** Go's %s of a []string: [a b]. */
function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

function toApiState(s: KubeContainerStatus, containerId: string): ContainerState {
  switch (s.state) {
    case 'running':
      return { running: { startedAt: nsTime(s.startedAt) } };
    case 'exited': {
      const t: NonNullable<ContainerState['terminated']> = { exitCode: s.exitCode, containerID: containerId };
      if (s.reason !== '') t.reason = s.reason;
      if (s.message !== '') t.message = s.message;
      if (s.startedAt > 0n) t.startedAt = nsTime(s.startedAt);
      if (s.finishedAt > 0n) t.finishedAt = nsTime(s.finishedAt);
      return { terminated: t };
    }
    case 'created':
    case 'unknown':
      return { waiting: { reason: 'ContainerCreating' } };
  }
}

/** convertToAPIContainerStatuses for one list of containers (init or regular). */
export function containerStatuses(input: PodStatusInput, containers: Container[], isInit: boolean): ContainerStatus[] {
  const { pod, runtime } = input;
  const prefix = `${input.runtimeName ?? 'containerd'}://`;
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;
  return containers.map((c) => {
    const all = runtime.containers.filter((s) => s.name === c.name);
    const current = all[0];
    const out: ContainerStatus = {
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: false,
      restartCount: 0,
      started: false,
      state: { waiting: { reason: !isInit && hasInit ? 'PodInitializing' : 'ContainerCreating' } },
      lastState: {},
    };
    if (current !== undefined) {
      const id = `${prefix}${current.id}`;
      out.containerID = id;
      if (current.image !== '') out.image = current.image;
      out.imageID = current.imageRef;
      out.restartCount = current.restartCount;
      out.state = toApiState(current, id);
      out.started = current.state === 'running';
      out.ready = current.state === 'running' || (isInit && current.state === 'exited' && current.exitCode === 0);
      if (current.state === 'running' && input.probes !== undefined) {
        const uid = pod.metadata?.uid ?? '';
        out.started = input.probes.isStarted(uid, c.name, current.id);
        out.ready = out.started && input.probes.isReady(uid, c.name, current.id);
      }
      const previous = all[1];
      if (previous !== undefined && previous.state === 'exited') out.lastState = toApiState(previous, `${prefix}${previous.id}`);
    }
    // The last sync's reason for not running it (back-off, image pull, config error) wins over a terminated state.
    const reason = input.reasons?.get(c.name);
    if (reason !== undefined && current?.state !== 'running') {
      if (out.state?.terminated !== undefined) out.lastState = out.state;
      out.state = { waiting: reason.message === '' ? { reason: reason.reason } : { reason: reason.reason, message: reason.message } };
      out.ready = false;
      out.started = false;
    }
    return out;
  });
}

/** getPhase: from the init and regular container statuses (sidecars count as plain init containers). */
export function podPhase(pod: Pod, init: ContainerStatus[], regular: ContainerStatus[]): Phase {
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of init) {
    const st = s.state ?? {};
    if (st.running !== undefined) pendingInit++;
    else if (st.terminated !== undefined) {
      if (st.terminated.exitCode !== 0) failedInit++;
    } else if (st.waiting !== undefined && s.lastState?.terminated !== undefined && s.lastState.terminated.exitCode !== 0) failedInit++;
    else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of regular) {
    const st = s.state ?? {};
    if (st.running !== undefined) running++;
    else if (st.terminated !== undefined) {
      stopped++;
      if (st.terminated.exitCode === 0) succeeded++;
    } else if (st.waiting !== undefined) {
      if (s.lastState?.terminated !== undefined) stopped++;
      else waiting++;
    } else unknown++;
  }
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function cond(type: string, status: 'True' | 'False', reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status };
  if (reason !== undefined) c.reason = reason;
  if (message !== undefined && message !== '') c.message = message;
  return c;
}

/** GenerateContainersReadyCondition. */
export function containersReadyCondition(pod: Pod, regular: ContainerStatus[], phase: Phase): PodCondition {
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of pod.spec?.containers ?? []) {
    const s = regular.find((x) => x.name === c.name);
    if (s === undefined) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return cond('ContainersReady', 'False', 'PodCompleted');
  if (phase === 'Failed' && unknown.length === 0) return cond('ContainersReady', 'False', 'PodFailed');
  const msgs: string[] = [];
  if (unknown.length > 0) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length > 0) msgs.push(`containers with unready status: ${goList(unready)}`);
  if (msgs.length > 0) return cond('ContainersReady', 'False', 'ContainersNotReady', msgs.join(', '));
  return cond('ContainersReady', 'True');
}

/** GeneratePodReadyCondition: ContainersReady, then the readiness gates. */
export function podReadyCondition(pod: Pod, regular: ContainerStatus[], phase: Phase): PodCondition {
  const cr = containersReadyCondition(pod, regular, phase);
  if (cr.status !== 'True') return { ...cr, type: 'Ready' };
  const unready: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === gate.conditionType);
    if (c === undefined) unready.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') unready.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (unready.length > 0) return cond('Ready', 'False', 'ReadinessGatesNotReady', unready.join(', '));
  return cond('Ready', 'True');
}

/** GeneratePodInitializedCondition. */
export function initializedCondition(pod: Pod, init: ContainerStatus[], regular: ContainerStatus[], phase: Phase): PodCondition {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name);
    if (s === undefined || s.containerID === undefined) {
      if (s === undefined) unknown.push(c.name);
      else incomplete.push(c.name);
      continue;
    }
    const t = s.state?.terminated;
    if (t === undefined || t.exitCode !== 0) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return cond('Initialized', 'True', 'PodCompleted');
  // A regular container that has started means the pod was initialized before.
  if (regular.some((s) => s.containerID !== undefined)) return cond('Initialized', 'True');
  const msgs: string[] = [];
  if (unknown.length > 0) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length > 0) msgs.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (msgs.length > 0) return cond('Initialized', 'False', 'ContainersNotInitialized', msgs.join(', '));
  return cond('Initialized', 'True');
}

/** Carries lastTransitionTime over from the old condition of the same type and status, else now. */
function withTransitionTimes(old: PodCondition[], fresh: PodCondition[], nowMs: number): PodCondition[] {
  return fresh.map((c) => {
    const o = old.find((x) => x.type === c.type);
    const lastTransitionTime = o !== undefined && o.status === c.status && o.lastTransitionTime !== undefined ? o.lastTransitionTime : metaTime(nowMs);
    return { ...c, lastTransitionTime };
  });
}

const kubeletConditions = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

/** The pod's status as the kubelet reports it. A terminal phase already reported is kept (the status manager refuses to leave it). */
export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { pod, runtime, hostIP, nowMs } = input;
  const old = pod.status ?? {};
  const init = containerStatuses(input, pod.spec?.initContainers ?? [], true);
  const regular = containerStatuses(input, pod.spec?.containers ?? [], false);
  let phase = podPhase(pod, init, regular);
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;

  const sandboxReady = !podSandboxChanged(runtime).changed;
  const fresh: PodCondition[] = [
    cond('PodReadyToStartContainers', sandboxReady ? 'True' : 'False'),
    initializedCondition(pod, init, regular, phase),
    podReadyCondition(pod, regular, phase),
    containersReadyCondition(pod, regular, phase),
    cond('PodScheduled', 'True'),
  ];
  const others = (old.conditions ?? []).filter((c) => !kubeletConditions.has(c.type));
  const conditions = [...withTransitionTimes(old.conditions ?? [], fresh, nowMs), ...others];

  const status: PodStatus = { phase, conditions };
  if (hostIP !== '') {
    status.hostIP = hostIP;
    status.hostIPs = [{ ip: hostIP }];
  }
  const podIP = pod.spec?.hostNetwork === true ? hostIP : (runtime.sandboxes.find((s) => s.state === 'SANDBOX_READY')?.ip ?? old.podIP ?? '');
  if (podIP !== '') {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  status.startTime = old.startTime ?? metaTime(nowMs);
  if ((pod.spec?.initContainers ?? []).length > 0) status.initContainerStatuses = init;
  status.containerStatuses = regular;
  status.qosClass = podQOSClass(pod.spec);
  return status;
}
