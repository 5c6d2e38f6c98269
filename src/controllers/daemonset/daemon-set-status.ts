// The counts of updateDaemonSetStatus in upstream's daemon_controller.go, computed over the nodes and the daemon
// pods found on them; and storeDaemonSetStatus's "nothing changed" test.
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodReady } from '../podcontrol/active-pods.js';
import { comparePodsByCreationTimestampAndPhase, getTemplateGeneration, isPodUpdated } from './daemon-set-util.js';
import { nodeShouldRunDaemonPod } from './node-should-run-daemon-pod.js';

export interface DaemonSetCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

export function calculateDaemonSetCounts(ds: DaemonSet, nodes: readonly Node[], nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>, hash: string, now: number): DaemonSetCounts {
  const c: DaemonSetCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  const generation = getTemplateGeneration(ds);
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = nodeToDaemonPods.get(node.metadata?.name ?? '') ?? [];
    const scheduled = pods.length > 0;
    if (!shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    // The oldest pod speaks for the node.
    const pod = [...pods].sort(comparePodsByCreationTimestampAndPhase)[0];
    if (pod === undefined) continue;
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

/** storeDaemonSetStatus's early return: the counts are stored and the generation observed. */
export function daemonSetStatusUpToDate(ds: DaemonSet, c: DaemonSetCounts): boolean {
  const s: Partial<DaemonSetStatus> = ds.status ?? {};
  return (
    (s.desiredNumberScheduled ?? 0) === c.desiredNumberScheduled &&
    (s.currentNumberScheduled ?? 0) === c.currentNumberScheduled &&
    (s.numberMisscheduled ?? 0) === c.numberMisscheduled &&
    (s.numberReady ?? 0) === c.numberReady &&
    (s.updatedNumberScheduled ?? 0) === c.updatedNumberScheduled &&
    (s.numberAvailable ?? 0) === c.numberAvailable &&
    (s.numberUnavailable ?? 0) === c.numberUnavailable &&
    (s.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0)
  );
}

/** The fields of DaemonSetStatus that Go writes with omitempty. */
const omitEmpty = ['observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'] as const;

/** The status to store: the counts, and the generation when the controller acted on it; zero omitempty fields left out. */
export function daemonSetStatusWith(ds: DaemonSet, c: DaemonSetCounts, updateObservedGen: boolean): DaemonSetStatus {
  const status: DaemonSetStatus = { ...(ds.status ?? { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 }), ...c };
  if (updateObservedGen) status.observedGeneration = ds.metadata?.generation ?? 0;
  for (const f of omitEmpty) if (status[f] === 0) delete status[f];
  return status;
}
