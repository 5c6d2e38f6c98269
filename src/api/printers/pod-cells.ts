// printPod from upstream pkg/printers/internalversion/printers.go (v1.32): READY, STATUS, RESTARTS and the wide columns.
import type { Container, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { parseTimestamp, translateTimestampSince } from './human-duration.js';

/** node.NodeUnreachablePodReason. */
const nodeUnreachablePodReason = 'NodeLost';

const isRestartableInitContainer = (c: Container | undefined): boolean => c?.restartPolicy === 'Always';

function hasPodReadyCondition(conditions: readonly PodCondition[]): boolean {
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

function isPodInitializedConditionTrue(conditions: readonly PodCondition[]): boolean {
  const c = conditions.find((x) => x.type === 'Initialized');
  return c?.status === 'True';
}

/** The later of a running latest-restart time and a container's last termination (finishedAt), as ms or undefined. */
function later(current: number | undefined, finishedAt: unknown): number | undefined {
  const t = parseTimestamp(finishedAt);
  if (t === undefined) return current;
  return current === undefined || current < t ? t : current;
}

/** The cells of a pod's row, wide columns included (the apiserver always prints wide). */
export function podCells(pod: Pod, now: Date): unknown[] {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const conditions = status.conditions ?? [];
  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = spec?.containers.length ?? 0;
  let readyContainers = 0;
  let lastRestartDate: number | undefined;
  let lastRestartableInitContainerRestartDate: number | undefined;

  const podPhase = status.phase ?? '';
  let reason: string = podPhase;
  if (status.reason) reason = status.reason;

  // A pod carrying {type: PodScheduled, reason: SchedulingGated} shows SchedulingGated.
  for (const c of conditions) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initContainers = new Map<string, Container>();
  for (const c of spec?.initContainers ?? []) {
    initContainers.set(c.name, c);
    if (isRestartableInitContainer(c)) totalContainers++;
  }
  const initCount = spec?.initContainers?.length ?? 0;

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i];
    if (!container) continue;
    restarts += container.restartCount ?? 0;
    const lastTerminated = container.lastState?.terminated;
    if (lastTerminated) lastRestartDate = later(lastRestartDate, lastTerminated.finishedAt);
    const restartable = isRestartableInitContainer(initContainers.get(container.name));
    if (restartable) {
      restartableInitContainerRestarts += container.restartCount ?? 0;
      if (lastTerminated) lastRestartableInitContainerRestartDate = later(lastRestartableInitContainerRestartDate, lastTerminated.finishedAt);
    }
    const terminated = container.state?.terminated;
    const waiting = container.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable && container.started === true) {
      if (container.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      // initialization failed
      if (!terminated.reason) {
        reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isPodInitializedConditionTrue(conditions)) {
    restarts = restartableInitContainerRestarts;
    lastRestartDate = lastRestartableInitContainerRestartDate;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i];
      if (!container) continue;
      restarts += container.restartCount ?? 0;
      const lastTerminated = container.lastState?.terminated;
      if (lastTerminated) lastRestartDate = later(lastRestartDate, lastTerminated.finishedAt);
      const waiting = container.state?.waiting;
      const terminated = container.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      } else if (container.ready && container.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // Back to "Running" if at least one container is still running.
    if (reason === 'Completed' && hasRunning) reason = hasPodReadyCondition(conditions) ? 'Running' : 'NotReady';
  }

  const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (deleting && status.reason === nodeUnreachablePodReason) {
    reason = 'Unknown';
  } else if (deleting && podPhase !== 'Succeeded' && podPhase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestartDate !== undefined) {
    restartsStr = `${restarts} (${translateTimestampSince(new Date(lastRestartDate).toISOString(), now)} ago)`;
  }

  // The v1 → internal conversion makes status.podIP authoritative over podIPs[0].
  const podIP = status.podIP || status.podIPs?.[0]?.ip || '<none>';
  const nodeName = spec?.nodeName || '<none>';
  const nominatedNodeName = status.nominatedNodeName || '<none>';
  let readinessGates = '<none>';
  const gates = spec?.readinessGates ?? [];
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const c = conditions.find((x) => x.type === gate.conditionType);
      if (c?.status === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  return [
    pod.metadata?.name ?? '',
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsStr,
    translateTimestampSince(pod.metadata?.creationTimestamp, now),
    podIP,
    nodeName,
    nominatedNodeName,
    readinessGates,
  ];
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The row conditions printPod attaches: Completed for Succeeded and Failed pods. */
export function podRowConditions(pod: Pod): TableRowCondition[] | undefined {
  switch (pod.status?.phase) {
    case 'Succeeded':
      return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    case 'Failed':
      return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    default:
      return undefined;
  }
}
