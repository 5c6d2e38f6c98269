// What a virtual node's kubelet reports for a pod: Running with an IP and started containers, a container restart,
// or a terminal phase. Pure functions of the pod and the time; conditions follow pkg/kubelet/status/generate.go.
import { createHash } from 'node:crypto';
import type { ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { parseGoDuration } from '../machinery/go-duration.js';

/**
 * Annotation `k8ts.io/virtual-complete-after`: a Go duration ("2s", "1m30s"). The pod's containers exit 0 that long
 * after they start: the pod goes Succeeded (restartPolicy Never or OnFailure, as a Job's pods have), or its containers
 * restart (restartPolicy Always).
 */
export const completeAfterAnnotation = 'k8ts.io/virtual-complete-after';
/**
 * Annotation `k8ts.io/virtual-fail-after`: a Go duration. The pod's containers exit 1 (reason Error) that long after
 * they start: the pod goes Failed (restartPolicy Never), or its containers restart (OnFailure, Always).
 */
export const failAfterAnnotation = 'k8ts.io/virtual-fail-after';

/** How a pod's containers end: after how long, with which code. */
export interface ExitPlan {
  readonly afterMs: number;
  readonly exitCode: 0 | 1;
  readonly reason: 'Completed' | 'Error';
}

/** The pod's exit plan from its annotations (the earlier one wins); undefined runs forever. Throws on a bad duration. */
export function exitPlanOf(pod: Pod): ExitPlan | undefined {
  const ann = pod.metadata?.annotations ?? {};
  const plans: ExitPlan[] = [];
  const complete = ann[completeAfterAnnotation];
  const fail = ann[failAfterAnnotation];
  if (complete !== undefined) plans.push({ afterMs: Math.max(0, parseGoDuration(complete)), exitCode: 0, reason: 'Completed' });
  if (fail !== undefined) plans.push({ afterMs: Math.max(0, parseGoDuration(fail)), exitCode: 1, reason: 'Error' });
  plans.sort((a, b) => a.afterMs - b.afterMs);
  return plans[0];
}

/** Whether the kubelet ends the pod (true) or restarts its containers (false) when they exit so. */
export function exitEndsPod(pod: Pod, plan: ExitPlan): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return true;
  if (policy === 'OnFailure') return plan.exitCode === 0;
  return false;
}

/** metav1.Time: RFC 3339 with whole seconds. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A stable fake container ID, "virtual://<64 hex>", different for every pod, container and restart. */
export function virtualContainerId(podUid: string, container: string, restartCount: number): string {
  return `virtual://${createHash('sha256').update(`${podUid}/${container}/${restartCount}`).digest('hex')}`;
}

/** The image ID a virtual runtime reports: the image itself, marked so that nobody mistakes it for a digest. */
export function virtualImageId(image: string): string {
  return `virtual://${image}`;
}

function condition(pod: Pod, type: string, status: 'True' | 'False', nowMs: number, reason?: string, message?: string): PodCondition {
  const old = (pod.status?.conditions ?? []).find((c) => c.type === type);
  const c: PodCondition = {
    type,
    status,
    lastTransitionTime: old !== undefined && old.status === status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : metaTime(nowMs),
  };
  if (reason !== undefined) c.reason = reason;
  if (message !== undefined) c.message = message;
  return c;
}

/** Upstream's Ready condition for a pod whose containers are all ready: readiness gates may still hold it back. */
export function readyCondition(pod: Pod, nowMs: number): PodCondition {
  const unready: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === gate.conditionType);
    if (c === undefined) unready.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') unready.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (unready.length > 0) return condition(pod, 'Ready', 'False', nowMs, 'ReadinessGatesNotReady', unready.join(', '));
  return condition(pod, 'Ready', 'True', nowMs);
}

function isSidecar(c: { restartPolicy?: string }): boolean {
  return c.restartPolicy === 'Always';
}

function runningContainer(podUid: string, name: string, image: string, startedAtMs: number, restartCount: number, lastState?: ContainerStatus['lastState']): ContainerStatus {
  const s: ContainerStatus = {
    name,
    image,
    imageID: virtualImageId(image),
    containerID: virtualContainerId(podUid, name, restartCount),
    ready: true,
    started: true,
    restartCount,
    state: { running: { startedAt: metaTime(startedAtMs) } },
  };
  if (lastState !== undefined) s.lastState = lastState;
  return s;
}

function initContainerStatuses(pod: Pod, uid: string, startedAtMs: number): ContainerStatus[] {
  return (pod.spec?.initContainers ?? []).map((c) => {
    const image = c.image ?? '';
    if (isSidecar(c)) return runningContainer(uid, c.name, image, startedAtMs, 0);
    const containerID = virtualContainerId(uid, c.name, 0);
    return {
      name: c.name,
      image,
      imageID: virtualImageId(image),
      containerID,
      ready: true,
      started: false,
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: metaTime(startedAtMs), finishedAt: metaTime(startedAtMs), containerID } },
    };
  });
}

export interface RunningArgs {
  readonly podIP: string;
  readonly hostIP: string;
  readonly nowMs: number;
}

/** The status a pod gets when the virtual kubelet starts it: Running, Ready, every container started. */
export function runningStatus(pod: Pod, args: RunningArgs): PodStatus {
  const uid = pod.metadata?.uid ?? '';
  const { nowMs } = args;
  const conditions = [
    condition(pod, 'PodReadyToStartContainers', 'True', nowMs),
    condition(pod, 'Initialized', 'True', nowMs),
    readyCondition(pod, nowMs),
    condition(pod, 'ContainersReady', 'True', nowMs),
    condition(pod, 'PodScheduled', 'True', nowMs),
  ];
  const status: PodStatus = {
    phase: 'Running',
    conditions,
    hostIP: args.hostIP,
    hostIPs: [{ ip: args.hostIP }],
    podIP: args.podIP,
    podIPs: [{ ip: args.podIP }],
    startTime: pod.status?.startTime ?? metaTime(nowMs),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => runningContainer(uid, c.name, c.image ?? '', nowMs, 0)),
  };
  if ((pod.spec?.initContainers ?? []).length > 0) status.initContainerStatuses = initContainerStatuses(pod, uid, nowMs);
  return status;
}

/** The start time of the pod's current container run, from its status (for a pod this process did not start). */
export function containersStartedAtMs(pod: Pod): number | undefined {
  for (const cs of pod.status?.containerStatuses ?? []) {
    const t = cs.state?.running?.startedAt;
    if (t !== undefined) return Date.parse(t);
  }
  const start = pod.status?.startTime;
  return start === undefined ? undefined : Date.parse(start);
}

function terminatedState(cs: ContainerStatus, plan: ExitPlan, nowMs: number): NonNullable<ContainerStatus['state']> {
  return {
    terminated: {
      exitCode: plan.exitCode,
      reason: plan.reason,
      startedAt: cs.state?.running?.startedAt ?? metaTime(nowMs),
      finishedAt: metaTime(nowMs),
      containerID: cs.containerID ?? '',
    },
  };
}

/** The containers exited and the kubelet restarts them at once: restartCount up, lastState terminated, running again. */
export function restartedContainerStatuses(pod: Pod, plan: ExitPlan, nowMs: number): ContainerStatus[] {
  const uid = pod.metadata?.uid ?? '';
  return (pod.status?.containerStatuses ?? []).map((cs) => runningContainer(uid, cs.name, cs.image, nowMs, cs.restartCount + 1, terminatedState(cs, plan, nowMs)));
}

/** The pod's containers exited and it ends: Succeeded or Failed, containers terminated, not ready. */
export function terminalStatus(pod: Pod, plan: ExitPlan, nowMs: number): PodStatus {
  const phase = plan.exitCode === 0 ? 'Succeeded' : 'Failed';
  const reason = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
  const end = (cs: ContainerStatus, how: ExitPlan = plan): ContainerStatus => ({ ...cs, ready: false, started: false, state: terminatedState(cs, how, nowMs) });
  const status: PodStatus = {
    phase,
    conditions: [
      condition(pod, 'PodReadyToStartContainers', 'False', nowMs),
      phase === 'Succeeded' ? condition(pod, 'Initialized', 'True', nowMs, 'PodCompleted') : condition(pod, 'Initialized', 'True', nowMs),
      condition(pod, 'Ready', 'False', nowMs, reason),
      condition(pod, 'ContainersReady', 'False', nowMs, reason),
    ],
    containerStatuses: (pod.status?.containerStatuses ?? []).map((cs) => end(cs)),
  };
  const inits = pod.status?.initContainerStatuses;
  if (inits !== undefined) {
    const sidecars = new Set((pod.spec?.initContainers ?? []).filter(isSidecar).map((c) => c.name));
    // Sidecars are stopped by the kubelet once the main containers are done.
    status.initContainerStatuses = inits.map((cs) => (sidecars.has(cs.name) ? end(cs, { afterMs: 0, exitCode: 0, reason: 'Completed' }) : cs));
  }
  return status;
}
