// NodeShouldRunDaemonPod of upstream's daemon_controller.go: whether a node should run the DaemonSet's pod, and
// whether a pod already there may keep running. The pod is judged as the controller would create it: with the
// added daemon tolerations and bound to the node; its node affinity and nodeSelector must match the node, and
// an untolerated NoSchedule or NoExecute taint keeps new pods off while only NoExecute evicts running ones.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { RequiredNodeAffinity } from '../../scheduler/node-affinity-matcher.js';
import { tolerationsTolerateTaint } from '../../scheduler/taints.js';
import { addOrUpdateDaemonPodTolerations } from './daemon-pod-tolerations.js';

/** NewPod: the daemon pod for `nodeName` as the predicates see it. */
export function newDaemonPod(ds: DaemonSet, nodeName: string): Pod {
  const template = ds.spec?.template ?? {};
  const spec = structuredClone(template.spec ?? { containers: [] });
  spec.nodeName = nodeName;
  addOrUpdateDaemonPodTolerations(spec);
  const metadata = structuredClone(template.metadata ?? {});
  if (ds.metadata?.namespace !== undefined) metadata.namespace = ds.metadata.namespace;
  return { metadata, spec };
}

function hasUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined, effects: readonly string[]): boolean {
  return taints.some((t) => effects.includes(t.effect) && !tolerationsTolerateTaint(tolerations, t));
}

export interface ShouldRun {
  /** A daemon pod should be created on the node. */
  shouldRun: boolean;
  /** A daemon pod already on the node may stay. */
  shouldContinueRunning: boolean;
}

export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): ShouldRun {
  const nodeName = node.metadata?.name ?? '';
  const templateNodeName = ds.spec?.template?.spec?.nodeName ?? '';
  if (templateNodeName !== '' && templateNodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false };
  const pod = newDaemonPod(ds, nodeName);
  const taints = node.spec?.taints ?? [];
  const fitsNodeName = (pod.spec?.nodeName ?? '') === '' || pod.spec?.nodeName === nodeName;
  // Parse errors of the affinity make it match nothing (upstream ignores the error and gets false).
  const fitsNodeAffinity = new RequiredNodeAffinity(pod).matches(node);
  if (!fitsNodeName || !fitsNodeAffinity) return { shouldRun: false, shouldContinueRunning: false };
  if (hasUntoleratedTaint(taints, pod.spec?.tolerations, ['NoExecute', 'NoSchedule'])) {
    // A scheduled daemon pod keeps running unless a NoExecute taint is not tolerated.
    return { shouldRun: false, shouldContinueRunning: !hasUntoleratedTaint(taints, pod.spec?.tolerations, ['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
