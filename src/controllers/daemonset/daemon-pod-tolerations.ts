// The tolerations upstream's DaemonSet controller adds to every daemon pod (pkg/controller/daemon/util
// AddOrUpdateDaemonPodTolerations), with v1helper.AddOrUpdateTolerationInPodSpec's replace-or-append rule.
import type { PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from '../deployment/compute-hash.js';

/** Toleration.MatchToleration: the same key, operator, value and effect. */
export function matchToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
}

/** AddOrUpdateTolerationInPodSpec: replaces a matching toleration, or appends; returns whether the spec changed. */
export function addOrUpdateTolerationInPodSpec(spec: PodSpec, toleration: Toleration): boolean {
  const current = spec.tolerations ?? [];
  const next: Toleration[] = [];
  let updated = false;
  for (const t of current) {
    if (matchToleration(toleration, t)) {
      if (canonicalJson(toleration) === canonicalJson(t)) return false;
      next.push({ ...toleration });
      updated = true;
      continue;
    }
    next.push(t);
  }
  if (!updated) next.push({ ...toleration });
  spec.tolerations = next;
  return true;
}

/** The NoExecute tolerations without tolerationSeconds: daemon pods are not evicted for node problems. */
const noExecuteKeys = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];
/** The NoSchedule taints of TaintNodesByCondition every daemon pod tolerates. */
const noScheduleKeys = ['node.kubernetes.io/disk-pressure', 'node.kubernetes.io/memory-pressure', 'node.kubernetes.io/pid-pressure', 'node.kubernetes.io/unschedulable'];

/** AddOrUpdateDaemonPodTolerations: mutates `spec`. */
export function addOrUpdateDaemonPodTolerations(spec: PodSpec): void {
  for (const key of noExecuteKeys) addOrUpdateTolerationInPodSpec(spec, { key, operator: 'Exists', effect: 'NoExecute' });
  for (const key of noScheduleKeys) addOrUpdateTolerationInPodSpec(spec, { key, operator: 'Exists', effect: 'NoSchedule' });
  if (spec.hostNetwork === true) addOrUpdateTolerationInPodSpec(spec, { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
}
