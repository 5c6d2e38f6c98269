// InterPodAffinity: required pod affinity and anti-affinity of the incoming pod, and existing
// pods' required anti-affinity towards it (filter); preferred terms of both sides and existing
// pods' required affinity with weight 1 (score, scaled between the lowest and highest node).
import type { Node, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, NodeInfo, ScorePlugin, Snapshot } from '../framework.js';
import { maxNodeScore, unresolvable, unschedulable } from '../framework.js';
import { type LabelSelector, labelSelectorFromObject } from '../../machinery/label-selector.js';

export const affinityRulesReason = "node(s) didn't match pod affinity rules";
export const antiAffinityRulesReason = "node(s) didn't match pod anti-affinity rules";
export const existingAntiAffinityReason = "node(s) didn't satisfy existing pods anti-affinity rules";

/** framework.AffinityTerm. */
export interface AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  readonly selector: LabelSelector;
  readonly namespaceSelector: LabelSelector;
  readonly topologyKey: string;
}

function safeSelector(sel: PodAffinityTerm['labelSelector']): LabelSelector | null {
  try {
    return labelSelectorFromObject(sel);
  } catch {
    return null;
  }
}

/** newAffinityTerm; terms whose selectors do not parse are dropped (upstream rejects the pod info). */
export function affinityTerms(pod: Pod, terms: readonly PodAffinityTerm[] | undefined): AffinityTerm[] {
  const out: AffinityTerm[] = [];
  for (const t of terms ?? []) {
    const selector = safeSelector(t.labelSelector);
    const namespaceSelector = safeSelector(t.namespaceSelector);
    if (selector === null || namespaceSelector === null) continue;
    const namespaces =
      (t.namespaces ?? []).length === 0 && t.namespaceSelector === undefined ? new Set([pod.metadata?.namespace ?? '']) : new Set(t.namespaces ?? []);
    out.push({ namespaces, selector, namespaceSelector, topologyKey: t.topologyKey });
  }
  return out;
}

function weightedTerms(pod: Pod, terms: readonly WeightedPodAffinityTerm[] | undefined): Array<{ term: AffinityTerm; weight: number }> {
  const out: Array<{ term: AffinityTerm; weight: number }> = [];
  for (const w of terms ?? []) {
    const [term] = affinityTerms(pod, [w.podAffinityTerm]);
    if (term !== undefined) out.push({ term, weight: w.weight });
  }
  return out;
}

function namespaceLabels(snapshot: Snapshot, ns: string): Readonly<Record<string, string>> {
  return snapshot.objects.namespaceLabels?.get(ns) ?? {};
}

/** AffinityTerm.Matches: the pod is in one of the term's namespaces and its labels match. */
export function termMatches(term: AffinityTerm, pod: Pod, snapshot: Snapshot): boolean {
  const ns = pod.metadata?.namespace ?? '';
  if (term.namespaces.has(ns) || term.namespaceSelector.matches(namespaceLabels(snapshot, ns))) {
    return term.selector.matches(pod.metadata?.labels ?? {});
  }
  return false;
}

function nodeLabels(node: Node): Readonly<Record<string, string>> {
  return node.metadata?.labels ?? {};
}

const pairKey = (key: string, value: string): string => JSON.stringify([key, value]);

class PairCounts {
  readonly counts = new Map<string, number>();

  add(node: Node, topologyKey: string, value: number): void {
    const tv = nodeLabels(node)[topologyKey];
    if (tv === undefined) return;
    const k = pairKey(topologyKey, tv);
    const n = (this.counts.get(k) ?? 0) + value;
    if (n === 0) this.counts.delete(k);
    else this.counts.set(k, n);
  }

  get(key: string, value: string): number {
    return this.counts.get(pairKey(key, value)) ?? 0;
  }

  get size(): number {
    return this.counts.size;
  }
}

export const interPodAffinityFilter: FilterPlugin = {
  name: 'InterPodAffinity',
  preFilter(pod, snapshot) {
    const affinity = affinityTerms(pod, pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
    const antiAffinity = affinityTerms(pod, pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
    const existingAnti = new PairCounts();
    const affinityCounts = new PairCounts();
    const antiAffinityCounts = new PairCounts();
    let anyExistingAnti = false;
    // Without terms of its own, the pod only meets existing pods' required anti-affinity (upstream walks
    // NodeInfo.PodsWithRequiredAntiAffinity then, not every pod).
    const ownTerms = affinity.length > 0 || antiAffinity.length > 0;
    for (const nodeInfo of snapshot.nodes) {
      for (const existing of ownTerms ? nodeInfo.pods : nodeInfo.podsWithRequiredAntiAffinity) {
        const terms = affinityTerms(existing, existing.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
        if (terms.length > 0) anyExistingAnti = true;
        for (const t of terms) if (termMatches(t, pod, snapshot)) existingAnti.add(nodeInfo.node, t.topologyKey, 1);
        if (affinity.length > 0 && affinity.every((t) => termMatches(t, existing, snapshot))) {
          for (const t of affinity) affinityCounts.add(nodeInfo.node, t.topologyKey, 1);
        }
        for (const t of antiAffinity) if (termMatches(t, existing, snapshot)) antiAffinityCounts.add(nodeInfo.node, t.topologyKey, 1);
      }
    }
    if (affinity.length === 0 && antiAffinity.length === 0 && !anyExistingAnti) return { kind: 'skip' };
    const matchesOwnTerms = affinity.every((t) => termMatches(t, pod, snapshot));

    const satisfiesAffinity = (node: Node): boolean => {
      let podsExist = true;
      for (const t of affinity) {
        const tv = nodeLabels(node)[t.topologyKey];
        if (tv === undefined) return false;
        if (affinityCounts.get(t.topologyKey, tv) <= 0) podsExist = false;
      }
      // The first pod of a group with affinity to itself may go anywhere that has the topologies.
      return podsExist || (affinityCounts.size === 0 && matchesOwnTerms);
    };
    const satisfiesAntiAffinity = (node: Node): boolean => {
      if (antiAffinityCounts.size === 0) return true;
      return antiAffinity.every((t) => {
        const tv = nodeLabels(node)[t.topologyKey];
        return tv === undefined || antiAffinityCounts.get(t.topologyKey, tv) <= 0;
      });
    };
    const satisfiesExisting = (node: Node): boolean => {
      if (existingAnti.size === 0) return true;
      return Object.entries(nodeLabels(node)).every(([k, v]) => existingAnti.get(k, v) <= 0);
    };
    return {
      kind: 'filter',
      filter: (nodeInfo: NodeInfo) => {
        if (!satisfiesAffinity(nodeInfo.node)) return unresolvable('InterPodAffinity', affinityRulesReason);
        if (!satisfiesAntiAffinity(nodeInfo.node)) return unschedulable('InterPodAffinity', antiAffinityRulesReason);
        if (!satisfiesExisting(nodeInfo.node)) return unschedulable('InterPodAffinity', existingAntiAffinityReason);
        return null;
      },
    };
  },
};

/** args.HardPodAffinityWeight default. */
const hardPodAffinityWeight = 1;

export const interPodAffinityScore: ScorePlugin = {
  name: 'InterPodAffinity',
  weight: 2,
  preScore(pod, snapshot) {
    const preferredAffinity = weightedTerms(pod, pod.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    const preferredAnti = weightedTerms(pod, pod.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    const hasConstraints =
      (pod.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).length > 0 ||
      (pod.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).length > 0;

    // topologyScore[key][value]
    const topologyScore = new Map<string, Map<string, number>>();
    const add = (term: AffinityTerm, weight: number, target: Pod, node: Node): void => {
      if (!termMatches(term, target, snapshot)) return;
      const tv = nodeLabels(node)[term.topologyKey];
      if (tv === undefined) return;
      let m = topologyScore.get(term.topologyKey);
      if (m === undefined) topologyScore.set(term.topologyKey, (m = new Map()));
      m.set(tv, (m.get(tv) ?? 0) + weight);
    };
    for (const nodeInfo of snapshot.nodes) {
      const podsToProcess = hasConstraints ? nodeInfo.pods : nodeInfo.podsWithAffinity;
      if (podsToProcess.length === 0) continue;
      const node = nodeInfo.node;
      if (Object.keys(nodeLabels(node)).length === 0) continue;
      for (const existing of podsToProcess) {
        for (const { term, weight } of preferredAffinity) add(term, weight, existing, node);
        for (const { term, weight } of preferredAnti) add(term, -weight, existing, node);
        for (const term of affinityTerms(existing, existing.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution)) {
          add(term, hardPodAffinityWeight, pod, node);
        }
        for (const { term, weight } of weightedTerms(existing, existing.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution)) {
          add(term, weight, pod, node);
        }
        for (const { term, weight } of weightedTerms(existing, existing.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution)) {
          add(term, -weight, pod, node);
        }
      }
    }
    // Entries that summed to zero still count as present, as upstream keeps them.
    if (topologyScore.size === 0) return null;
    return {
      score(nodeInfo) {
        let score = 0;
        for (const [key, values] of topologyScore) {
          const tv = nodeLabels(nodeInfo.node)[key];
          if (tv !== undefined) score += values.get(tv) ?? 0;
        }
        return score;
      },
      normalize(scores) {
        let min = Infinity;
        let max = -Infinity;
        for (const s of scores) {
          if (s.score > max) max = s.score;
          if (s.score < min) min = s.score;
        }
        const diff = max - min;
        return scores.map((s) => ({ name: s.name, score: diff > 0 ? Math.trunc(maxNodeScore * ((s.score - min) / diff)) : 0 }));
      },
    };
  },
};
