// PodTopologySpread: DoNotSchedule constraints bound the skew between topology domains (filter);
// ScheduleAnyway constraints, or the system defaults (hostname maxSkew 3, zone maxSkew 5 over
// the pods of the same Services / ReplicationController / ReplicaSet / StatefulSet), prefer
// the less crowded domains (score).
import type { Node, Pod, TopologySpreadConstraint as V1Constraint } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, NodeInfo, ScorePlugin, Snapshot } from '../framework.js';
import { maxNodeScore, unresolvable, unschedulable } from '../framework.js';
import { type LabelRequirement, LabelSelector, labelSelectorFromObject, newLabelRequirement } from '../../machinery/label-selector.js';
import { RequiredNodeAffinity } from '../node-affinity-matcher.js';
import { findUntoleratedScheduleTaint } from '../taints.js';

export const spreadConstraintsReason = "node(s) didn't match pod topology spread constraints";
export const spreadMissingLabelReason = `${spreadConstraintsReason} (missing required label)`;

const labelHostname = 'kubernetes.io/hostname';
const labelZone = 'topology.kubernetes.io/zone';

/** The plugin's internal topologySpreadConstraint. */
export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: LabelSelector;
  readonly minDomains: number;
  readonly nodeAffinityPolicy: 'Honor' | 'Ignore';
  readonly nodeTaintsPolicy: 'Honor' | 'Ignore';
}

type Action = 'DoNotSchedule' | 'ScheduleAnyway';

const systemDefaultConstraints: readonly V1Constraint[] = [
  { topologyKey: labelHostname, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: labelZone, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

/** filterTopologySpreadConstraints: those of one action, with matchLabelKeys merged in. */
function filterConstraints(constraints: readonly V1Constraint[], podLabels: Readonly<Record<string, string>>, action: Action): SpreadConstraint[] {
  const out: SpreadConstraint[] = [];
  for (const c of constraints) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromObject(c.labelSelector);
      const extra: LabelRequirement[] = [];
      for (const key of c.matchLabelKeys ?? []) {
        const v = podLabels[key];
        if (v !== undefined) extra.push(newLabelRequirement(key, '=', [v]));
      }
      if (extra.length > 0) selector = selector.add(...extra);
    } catch {
      continue;
    }
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
    });
  }
  return out;
}

function controllerOf(pod: Pod): { apiVersion: string; kind: string; name: string } | undefined {
  return (pod.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
}

/** helper.DefaultSelector: the labels of the pod's Services and its controller's selector. */
export function defaultSelector(pod: Pod, snapshot: Snapshot): LabelSelector {
  const ns = pod.metadata?.namespace ?? '';
  const podLabels = pod.metadata?.labels ?? {};
  const set: Record<string, string> = {};
  for (const svc of snapshot.objects.services ?? []) {
    const sel = svc.spec?.selector;
    if (svc.metadata?.namespace !== ns || sel === undefined) continue;
    if (LabelSelector.fromSet(sel).matches(podLabels)) Object.assign(set, sel);
  }
  let selector = LabelSelector.fromSet(set);
  const owner = controllerOf(pod);
  if (owner === undefined) return selector;
  const sameObject = (o: { metadata?: { namespace?: string; name?: string } }): boolean => o.metadata?.namespace === ns && o.metadata?.name === owner.name;
  if (owner.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
    const rc = (snapshot.objects.replicationControllers ?? []).find(sameObject);
    if (rc !== undefined) selector = LabelSelector.fromSet({ ...set, ...(rc.spec?.selector ?? {}) });
  } else if (owner.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
    const obj = owner.kind === 'ReplicaSet' ? (snapshot.objects.replicaSets ?? []).find(sameObject) : (snapshot.objects.statefulSets ?? []).find(sameObject);
    if (obj !== undefined) {
      try {
        selector = selector.add(...labelSelectorFromObject(obj.spec?.selector).requirements());
      } catch {
        // An invalid selector adds nothing.
      }
    }
  }
  return selector;
}

function constraintsFor(pod: Pod, snapshot: Snapshot, action: Action): SpreadConstraint[] {
  const own = pod.spec?.topologySpreadConstraints ?? [];
  const labels = pod.metadata?.labels ?? {};
  if (own.length > 0) return filterConstraints(own, labels, action);
  const defaults = filterConstraints(systemDefaultConstraints, labels, action);
  if (defaults.length === 0) return [];
  const selector = defaultSelector(pod, snapshot);
  if (selector.isEmpty()) return [];
  return defaults.map((c) => ({ ...c, selector }));
}

function labelsOf(node: Node): Readonly<Record<string, string>> {
  return node.metadata?.labels ?? {};
}

function hasAllTopologyKeys(node: Node, constraints: readonly SpreadConstraint[]): boolean {
  return constraints.every((c) => labelsOf(node)[c.topologyKey] !== undefined);
}

function matchNodeInclusionPolicies(c: SpreadConstraint, pod: Pod, node: Node, required: RequiredNodeAffinity): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !required.matches(node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && findUntoleratedScheduleTaint(node.spec?.taints, pod.spec?.tolerations) !== undefined) return false;
  return true;
}

/** Per NodeInfo (immutable: the cache makes a new one when its node or pods change), counts by namespace and selector. */
const nodeCounts = new WeakMap<NodeInfo, Map<string, number>>();
const selectorTexts = new WeakMap<LabelSelector, string>();

/**
 * countMatchingPods over one node's pods, remembered for that NodeInfo: the pods of one workload share a selector,
 * so scheduling them one after another recounts only the nodes whose pods changed (upstream counts every node each
 * cycle; in Go that is cheap enough, here it made a 30,000-pod run four times slower).
 */
export function nodeMatchingPods(nodeInfo: NodeInfo, selector: LabelSelector, namespace: string): number {
  if (selector.isEmpty()) return 0;
  let m = nodeCounts.get(nodeInfo);
  if (m === undefined) nodeCounts.set(nodeInfo, (m = new Map()));
  let text = selectorTexts.get(selector);
  if (text === undefined) selectorTexts.set(selector, (text = selector.toString()));
  const key = `${namespace}\u0000${text}`;
  let n = m.get(key);
  if (n === undefined) {
    n = countMatchingPods(nodeInfo.pods, selector, namespace);
    m.set(key, n);
  }
  return n;
}

/** countPodsMatchSelector: non-terminating pods of the namespace that the selector matches. */
export function countMatchingPods(pods: readonly Pod[], selector: LabelSelector, namespace: string): number {
  if (selector.isEmpty()) return 0;
  let n = 0;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp !== undefined || (p.metadata?.namespace ?? '') !== namespace) continue;
    if (selector.matches(p.metadata?.labels ?? {})) n++;
  }
  return n;
}

export const podTopologySpreadFilter: FilterPlugin = {
  name: 'PodTopologySpread',
  preFilter(pod, snapshot) {
    const constraints = constraintsFor(pod, snapshot, 'DoNotSchedule');
    if (constraints.length === 0) return { kind: 'skip' };
    const ns = pod.metadata?.namespace ?? '';
    const required = new RequiredNodeAffinity(pod);
    // Per constraint: topology value -> matching pods, over the eligible nodes.
    const tpValueToMatchNum = constraints.map(() => new Map<string, number>());
    for (const nodeInfo of snapshot.nodes) {
      const node = nodeInfo.node;
      if (!hasAllTopologyKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!matchNodeInclusionPolicies(c, pod, node, required)) return;
        const value = labelsOf(node)[c.topologyKey] ?? '';
        const m = tpValueToMatchNum[i] as Map<string, number>;
        m.set(value, (m.get(value) ?? 0) + nodeMatchingPods(nodeInfo, c.selector, ns));
      });
    }
    const podLabels = pod.metadata?.labels ?? {};
    return {
      kind: 'filter',
      filter: (nodeInfo: NodeInfo) => {
        for (const [i, c] of constraints.entries()) {
          const tpVal = labelsOf(nodeInfo.node)[c.topologyKey];
          if (tpVal === undefined) return unresolvable('PodTopologySpread', spreadMissingLabelReason);
          const counts = tpValueToMatchNum[i] as Map<string, number>;
          // The global minimum, or 0 while fewer domains than minDomains are eligible.
          let minMatchNum = counts.size === 0 ? 2 ** 31 - 1 : Math.min(...counts.values());
          if (counts.size < c.minDomains) minMatchNum = 0;
          const selfMatch = c.selector.matches(podLabels) ? 1 : 0;
          const skew = (counts.get(tpVal) ?? 0) + selfMatch - minMatchNum;
          if (skew > c.maxSkew) return unschedulable('PodTopologySpread', spreadConstraintsReason);
        }
        return null;
      },
    };
  },
};

export const podTopologySpreadScore: ScorePlugin = {
  name: 'PodTopologySpread',
  weight: 2,
  preScore(pod, snapshot, feasible) {
    if (feasible.length === 0 || snapshot.nodes.length === 0) return null;
    const constraints = constraintsFor(pod, snapshot, 'ScheduleAnyway');
    if (constraints.length === 0) return null;
    // Only the pod's own constraints require every topology label; system defaults let nodes
    // without a zone label still spread by hostname.
    const requireAll = (pod.spec?.topologySpreadConstraints ?? []).length > 0;
    const ns = pod.metadata?.namespace ?? '';
    const ignored = new Set<string>();
    const counts = constraints.map(() => new Map<string, number>());
    const topoSize = constraints.map(() => 0);
    for (const nodeInfo of feasible) {
      if (requireAll && !hasAllTopologyKeys(nodeInfo.node, constraints)) {
        ignored.add(nodeInfo.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey === labelHostname) return;
        const value = labelsOf(nodeInfo.node)[c.topologyKey] ?? '';
        const m = counts[i] as Map<string, number>;
        if (!m.has(value)) {
          m.set(value, 0);
          topoSize[i] = (topoSize[i] ?? 0) + 1;
        }
      });
    }
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === labelHostname ? feasible.length - ignored.size : (topoSize[i] ?? 0)) + 2));
    const required = new RequiredNodeAffinity(pod);
    for (const nodeInfo of snapshot.nodes) {
      const node = nodeInfo.node;
      if (requireAll && !hasAllTopologyKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!matchNodeInclusionPolicies(c, pod, node, required)) return;
        const value = labelsOf(node)[c.topologyKey] ?? '';
        const m = counts[i] as Map<string, number>;
        const have = m.get(value);
        if (have === undefined) return;
        m.set(value, have + nodeMatchingPods(nodeInfo, c.selector, ns));
      });
    }
    return {
      score(nodeInfo) {
        if (ignored.has(nodeInfo.name)) return 0;
        let score = 0;
        constraints.forEach((c, i) => {
          const tpVal = labelsOf(nodeInfo.node)[c.topologyKey];
          if (tpVal === undefined) return;
          const cnt = c.topologyKey === labelHostname ? nodeMatchingPods(nodeInfo, c.selector, ns) : ((counts[i] as Map<string, number>).get(tpVal) ?? 0);
          score += cnt * (weights[i] ?? 0) + (c.maxSkew - 1);
        });
        return Math.round(score);
      },
      normalize(scores) {
        let min = Number.MAX_SAFE_INTEGER;
        let max = 0;
        for (const s of scores) {
          if (ignored.has(s.name)) continue;
          if (s.score < min) min = s.score;
          if (s.score > max) max = s.score;
        }
        return scores.map((s) => {
          if (ignored.has(s.name)) return { name: s.name, score: 0 };
          if (max === 0) return { name: s.name, score: maxNodeScore };
          return { name: s.name, score: Math.trunc((maxNodeScore * (max + min - s.score)) / max) };
        });
      },
    };
  },
};
