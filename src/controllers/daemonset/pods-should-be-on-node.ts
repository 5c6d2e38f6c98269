// podsShouldBeOnNode of upstream's daemon_controller.go: for one node, whether a daemon pod must be created and
// which daemon pods must go (failed ones, with backoff; succeeded ones; extras; all of them when the node may no
// longer run the DaemonSet).
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodReady } from '../podcontrol/active-pods.js';
import { allowsSurge, comparePodsByCreationTimestampAndPhase, controllerRevisionHashLabel } from './daemon-set-util.js';
import type { FailedPodsBackoff } from './failed-pods-backoff.js';
import { nodeShouldRunDaemonPod } from './node-should-run-daemon-pod.js';

export interface NodePlan {
  /** The node's name when a pod must be created there. */
  nodesNeedingDaemonPods: string[];
  /** Names of pods to delete. */
  podsToDelete: string[];
  /** Failed pods about to be deleted, for the FailedDaemonPod event. */
  failedPods: Pod[];
  /** Succeeded pods about to be deleted, for the SucceededDaemonPod event. */
  succeededPods: Pod[];
  /** Set when a failed pod is held back by the backoff: look again after this long. */
  requeueAfterMs?: number;
}

/** failedPodsBackoffKey: one backoff per DaemonSet uid, observed generation and node. */
export function failedPodsBackoffKey(ds: DaemonSet, nodeName: string): string {
  return `${ds.metadata?.uid ?? ''}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

export function podsShouldBeOnNode(node: Node, daemonPods: readonly Pod[] | undefined, ds: DaemonSet, hash: string, backoff: FailedPodsBackoff, now: number): NodePlan {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const nodeName = node.metadata?.name ?? '';
  const plan: NodePlan = { nodesNeedingDaemonPods: [], podsToDelete: [], failedPods: [], succeededPods: [] };
  const exists = daemonPods !== undefined;
  if (shouldRun && !exists) {
    plan.nodesNeedingDaemonPods.push(nodeName);
  } else if (shouldContinueRunning) {
    const running: Pod[] = [];
    for (const pod of daemonPods ?? []) {
      if (pod.metadata?.deletionTimestamp !== undefined) continue;
      const phase = pod.status?.phase;
      if (phase === 'Failed') {
        // The controller often fights with a kubelet that rejects pods: back off per node.
        const key = failedPodsBackoffKey(ds, nodeName);
        if (backoff.isInBackOffSinceUpdate(key, now)) {
          const delay = backoff.get(key);
          plan.requeueAfterMs = plan.requeueAfterMs === undefined ? delay : Math.min(plan.requeueAfterMs, delay);
          continue;
        }
        backoff.next(key, now);
        plan.failedPods.push(pod);
        plan.podsToDelete.push(pod.metadata?.name ?? '');
      } else if (phase === 'Succeeded') {
        plan.succeededPods.push(pod);
        plan.podsToDelete.push(pod.metadata?.name ?? '');
      } else {
        running.push(pod);
      }
    }
    running.sort(comparePodsByCreationTimestampAndPhase);
    if (!allowsSurge(ds)) {
      // Without surge, only the oldest running pod stays.
      for (const p of running.slice(1)) plan.podsToDelete.push(p.metadata?.name ?? '');
    } else if (running.length <= 1) {
      // Surging: at least one pod must be on the node.
      if (running.length === 0 && shouldRun) plan.nodesNeedingDaemonPods.push(nodeName);
    } else {
      // Two pods only while the oldest new one is not available yet and the oldest old one is ready.
      let oldestNew: Pod | undefined;
      let oldestOld: Pod | undefined;
      for (const pod of running) {
        if (pod.metadata?.labels?.[controllerRevisionHashLabel] === hash) {
          if (oldestNew === undefined) {
            oldestNew = pod;
            continue;
          }
        } else if (oldestOld === undefined) {
          oldestOld = pod;
          continue;
        }
        plan.podsToDelete.push(pod.metadata?.name ?? '');
      }
      if (oldestNew !== undefined && oldestOld !== undefined) {
        if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, now)) plan.podsToDelete.push(oldestOld.metadata?.name ?? '');
      }
    }
  } else if (exists) {
    // The node may no longer run the DaemonSet: all its daemon pods go.
    for (const pod of daemonPods ?? []) if (pod.metadata?.deletionTimestamp === undefined) plan.podsToDelete.push(pod.metadata?.name ?? '');
  }
  return plan;
}
