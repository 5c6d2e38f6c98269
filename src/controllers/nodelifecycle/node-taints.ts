// The taints the node lifecycle controller owns (node_lifecycle_controller.go and pkg/util/taints): NoSchedule taints
// that mirror node conditions and spec.unschedulable, and the mutually exclusive NoExecute not-ready / unreachable
// taints that mirror the Ready condition.
import type { Node, Taint } from 'kubernetes-types/core/v1.js';

export const taintNodeNotReady = 'node.kubernetes.io/not-ready';
export const taintNodeUnreachable = 'node.kubernetes.io/unreachable';
export const taintNodeUnschedulable = 'node.kubernetes.io/unschedulable';
export const taintNodeMemoryPressure = 'node.kubernetes.io/memory-pressure';
export const taintNodeDiskPressure = 'node.kubernetes.io/disk-pressure';
export const taintNodeNetworkUnavailable = 'node.kubernetes.io/network-unavailable';
export const taintNodePIDPressure = 'node.kubernetes.io/pid-pressure';
export const taintNodeOutOfService = 'node.kubernetes.io/out-of-service';

/** UnreachableTaintTemplate: the node stopped reporting (Ready Unknown). */
export const unreachableTaintTemplate: Readonly<Taint> = { key: taintNodeUnreachable, effect: 'NoExecute' };
/** NotReadyTaintTemplate: the node reports that it is not ready (Ready False). */
export const notReadyTaintTemplate: Readonly<Taint> = { key: taintNodeNotReady, effect: 'NoExecute' };

/** nodeConditionToTaintKeyStatusMap: which condition in which status gives which taint key. */
const conditionTaintKeys: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: taintNodeNotReady, Unknown: taintNodeUnreachable },
  MemoryPressure: { True: taintNodeMemoryPressure },
  DiskPressure: { True: taintNodeDiskPressure },
  NetworkUnavailable: { True: taintNodeNetworkUnavailable },
  PIDPressure: { True: taintNodePIDPressure },
};

/** taintKeyToNodeConditionMap's keys: the taint keys that stand for a node condition. */
const conditionTaintKeySet: ReadonlySet<string> = new Set([
  taintNodeNotReady,
  taintNodeUnreachable,
  taintNodeNetworkUnavailable,
  taintNodeMemoryPressure,
  taintNodeDiskPressure,
  taintNodePIDPressure,
]);

/** Taint.MatchTaint: the same key and effect (value and timeAdded do not matter). */
export function matchTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

export function taintExists(taints: readonly Taint[] | undefined, taint: Taint): boolean {
  return (taints ?? []).some((t) => matchTaint(t, taint));
}

/** The NoSchedule taints a node should carry for its conditions and spec.unschedulable (doNoScheduleTaintingPass). */
export function conditionNoScheduleTaints(node: Node): Taint[] {
  const taints: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = conditionTaintKeys[c.type]?.[c.status];
    if (key !== undefined) taints.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable === true) taints.push({ key: taintNodeUnschedulable, effect: 'NoSchedule' });
  return taints;
}

export interface TaintChanges {
  add: Taint[];
  remove: Taint[];
}

/** TaintSetDiff of the wanted NoSchedule taints against the controller-owned NoSchedule taints the node has. */
export function noScheduleTaintChanges(node: Node): TaintChanges {
  const want = conditionNoScheduleTaints(node);
  const have = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' && (t.key === taintNodeUnschedulable || conditionTaintKeySet.has(t.key)));
  return {
    add: want.filter((w) => !have.some((h) => matchTaint(h, w))),
    remove: have.filter((h) => !want.some((w) => matchTaint(h, w))),
  };
}

/** The taint to add and the opposite one to remove for a Ready status (doNoExecuteTaintingPass), or none when Ready. */
export function noExecuteTaintFor(readyStatus: string): { add: Taint; remove: Taint } | undefined {
  switch (readyStatus) {
    case 'False':
      return { add: { ...notReadyTaintTemplate }, remove: { ...unreachableTaintTemplate } };
    case 'Unknown':
      return { add: { ...unreachableTaintTemplate }, remove: { ...notReadyTaintTemplate } };
    default:
      return undefined;
  }
}

function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect && (a.value ?? '') === (b.value ?? '') && (a.timeAdded ?? '') === (b.timeAdded ?? '');
}

/** AddOrUpdateTaint for several taints: a taint with the same key and effect is replaced; undefined when nothing changes. */
export function addOrUpdateTaints(taints: readonly Taint[] | undefined, toAdd: readonly Taint[]): Taint[] | undefined {
  let result = [...(taints ?? [])];
  let changed = false;
  for (const taint of toAdd) {
    const i = result.findIndex((t) => matchTaint(t, taint));
    const existing = i < 0 ? undefined : result[i];
    if (existing !== undefined && sameTaint(existing, taint)) continue;
    changed = true;
    if (i < 0) result = [...result, taint];
    else result = result.map((t, j) => (j === i ? taint : t));
  }
  return changed ? result : undefined;
}

/** DeleteTaint for several taints (by key and effect); undefined when none of them is there. */
export function removeTaints(taints: readonly Taint[] | undefined, toRemove: readonly Taint[]): Taint[] | undefined {
  const current = taints ?? [];
  const result = current.filter((t) => !toRemove.some((r) => matchTaint(t, r)));
  return result.length === current.length ? undefined : result;
}

/** metav1.Time: RFC 3339 with whole seconds. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
