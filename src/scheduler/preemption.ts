// DefaultPreemption (pkg/scheduler/framework/preemption and plugins/defaultpreemption of v1.32),
// without PodDisruptionBudgets: on the nodes where the filters said Unschedulable (not
// Unresolvable), remove every lower-priority pod, check the pod then fits, and reprieve as many
// of them as possible, most important first. Of the nodes that work, pick the one whose victims
// matter least. Otherwise the "preemption: ..." part of the FailedScheduling message.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, FitError, Snapshot, Status } from './framework.js';
import { snapshotWith, snapshotWithout, unresolvable } from './framework.js';
import { defaultFilterPlugins, fitErrorMessage, podFitsNode } from './schedule-pod.js';

export const preemptionNotHelpfulReason = 'Preemption is not helpful for scheduling';
export const noVictimsReason = 'No preemption victims found for incoming pod';

export type PreemptionResult =
  /** Delete `victims`, then the pod fits on `nodeName` (its nominatedNodeName). */
  | { readonly kind: 'candidate'; readonly nodeName: string; readonly victims: readonly Pod[] }
  /** Preemption cannot help; `message` is the PostFilter message ("preemption: ..."). */
  | { readonly kind: 'failed'; readonly message: string };

/** corev1helpers.PodPriority: spec.priority, 0 when unset. */
export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

/** The pod's start time in ms; a pod not started counts as starting now (latest). */
function startTime(pod: Pod): number {
  const t = pod.status?.startTime;
  const ms = t === undefined ? NaN : Date.parse(t);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/** util.MoreImportantPod: higher priority first, then the one that started earlier. */
export function moreImportantPod(a: Pod, b: Pod): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return startTime(a) < startTime(b);
}

function terminatingByPreemption(pod: Pod): boolean {
  if (pod.metadata?.deletionTimestamp === undefined) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler');
}

/** PodEligibleToPreemptOthers: the reason it is not, or undefined when it is. */
export function notEligibleReason(pod: Pod, snapshot: Snapshot, fitError: FitError): string | undefined {
  if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = pod.status?.nominatedNodeName ?? '';
  if (nominated === '') return undefined;
  if (fitError.nodeToStatus.get(nominated)?.code === 'UnschedulableAndUnresolvable') return undefined;
  const nodeInfo = snapshot.nodeByName.get(nominated);
  if (nodeInfo === undefined) return undefined;
  const priority = podPriority(pod);
  if (nodeInfo.pods.some((p) => podPriority(p) < priority && terminatingByPreemption(p))) {
    return 'not eligible due to a terminating pod on the nominated node.';
  }
  return undefined;
}

/** SelectVictimsOnNode: the minimal victims, most important first, or why the node cannot work. */
export function selectVictimsOnNode(
  pod: Pod,
  snapshot: Snapshot,
  nodeName: string,
  plugins: readonly FilterPlugin[] = defaultFilterPlugins,
): { victims: Pod[] } | { status: Status } {
  const nodeInfo = snapshot.nodeByName.get(nodeName);
  if (nodeInfo === undefined) return { status: unresolvable('DefaultPreemption', `node "${nodeName}" not found`) };
  const priority = podPriority(pod);
  const potential = nodeInfo.pods.filter((p) => podPriority(p) < priority);
  if (potential.length === 0) return { status: unresolvable('DefaultPreemption', noVictimsReason) };

  let removed = [...potential];
  const status = podFitsNode(pod, snapshotWithout(snapshot, removed), nodeName, plugins);
  if (status !== null) return { status };

  potential.sort((a, b) => (moreImportantPod(a, b) ? -1 : moreImportantPod(b, a) ? 1 : 0));
  const victims: Pod[] = [];
  for (const p of potential) {
    const withBack = removed.filter((r) => r !== p);
    if (podFitsNode(pod, snapshotWithout(snapshot, withBack), nodeName, plugins) === null) removed = withBack;
    else victims.push(p);
  }
  return { victims };
}

interface Candidate {
  readonly nodeName: string;
  readonly victims: readonly Pod[];
}

/** pickOneNodeForPreemption, PDB violations aside (there are none to count). */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate | undefined {
  const noVictims = candidates.find((c) => c.victims.length === 0);
  if (noVictims !== undefined) return noVictims;
  const narrow = (list: readonly Candidate[], key: (c: Candidate) => number): Candidate[] => {
    const best = Math.min(...list.map(key));
    return list.filter((c) => key(c) === best);
  };
  let list: readonly Candidate[] = candidates;
  // The lowest "highest victim priority" (victims are ordered most important first).
  list = narrow(list, (c) => podPriority(c.victims[0] as Pod));
  // The lowest sum of priorities, each shifted to be positive as upstream does.
  list = narrow(list, (c) => c.victims.reduce((s, v) => s + podPriority(v) + 2 ** 31, 0));
  list = narrow(list, (c) => c.victims.length);
  // The latest start among each node's highest-priority victims.
  list = narrow(list, (c) => {
    const top = podPriority(c.victims[0] as Pod);
    const earliest = Math.min(...c.victims.filter((v) => podPriority(v) === top).map(startTime));
    return -earliest;
  });
  return list[0];
}

/**
 * Preempt: a node and the lower-priority pods to delete so the pod fits there, or the
 * PostFilter message for the FailedScheduling event (put it in FitError.postFilterMsg).
 */
export function preempt(pod: Pod, snapshot: Snapshot, fitError: FitError, plugins: readonly FilterPlugin[] = defaultFilterPlugins): PreemptionResult {
  const notEligible = notEligibleReason(pod, snapshot, fitError);
  if (notEligible !== undefined) return { kind: 'failed', message: `preemption: ${notEligible}` };

  const potentialNodes = snapshot.nodes.filter((n) => fitError.nodeToStatus.get(n.name)?.code === 'Unschedulable');
  const nodeToStatus = new Map<string, Status>();
  const candidates: Candidate[] = [];
  for (const n of potentialNodes) {
    const r = selectVictimsOnNode(pod, snapshot, n.name, plugins);
    if ('victims' in r) candidates.push({ nodeName: n.name, victims: r.victims });
    else nodeToStatus.set(n.name, r.status);
  }
  const chosen = pickOneNodeForPreemption(candidates);
  if (chosen === undefined) {
    const message = fitErrorMessage({
      numAllNodes: snapshot.nodes.length,
      nodeToStatus,
      absentNodesStatus: unresolvable('DefaultPreemption', preemptionNotHelpfulReason),
    });
    return { kind: 'failed', message: `preemption: ${message}` };
  }
  return { kind: 'candidate', nodeName: chosen.nodeName, victims: chosen.victims };
}

/** The snapshot as it will be once the victims are gone and the pod is placed (for checks). */
export function snapshotAfterPreemption(snapshot: Snapshot, pod: Pod, result: { nodeName: string; victims: readonly Pod[] }): Snapshot {
  return snapshotWith(snapshotWithout(snapshot, result.victims), pod, result.nodeName);
}
