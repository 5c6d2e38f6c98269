// NodeAffinity: spec.nodeSelector and required node affinity (filter, with PreFilter narrowing
// to the nodes that matchFields metadata.name names), preferred node affinity (score).
import type { FilterPlugin, NodeInfo, ScorePlugin } from '../framework.js';
import { maxNodeScore, unresolvable } from '../framework.js';
import { PreferredSchedulingTerms, RequiredNodeAffinity } from '../node-affinity-matcher.js';
import { defaultNormalizeScore } from '../normalize-score.js';

export const nodeAffinityReason = "node(s) didn't match Pod's node affinity/selector";
export const nodeAffinityConflictReason = 'pod affinity terms conflict';

export const nodeAffinityFilter: FilterPlugin = {
  name: 'NodeAffinity',
  preFilter(pod) {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required === undefined && pod.spec?.nodeSelector === undefined) return { kind: 'skip' };
    const matcher = new RequiredNodeAffinity(pod);
    const filter = (nodeInfo: NodeInfo) =>
      matcher.matches(nodeInfo.node) ? null : unresolvable('NodeAffinity', nodeAffinityReason);
    const terms = required?.nodeSelectorTerms ?? [];
    if (terms.length === 0) return { kind: 'filter', filter };

    // Terms are ORed; a term's metadata.name In requirements are ANDed (intersected).
    let nodeNames: Set<string> | undefined;
    for (const t of terms) {
      let termNames: Set<string> | undefined;
      for (const r of t.matchFields ?? []) {
        if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
        const s = new Set(r.values ?? []);
        termNames = termNames === undefined ? s : new Set([...termNames].filter((n) => s.has(n)));
      }
      if (termNames === undefined) return { kind: 'filter', filter };
      nodeNames = new Set([...(nodeNames ?? []), ...termNames]);
    }
    if (nodeNames !== undefined && nodeNames.size === 0) {
      return { kind: 'reject', status: unresolvable('NodeAffinity', nodeAffinityConflictReason) };
    }
    return nodeNames === undefined ? { kind: 'filter', filter } : { kind: 'filter', filter, nodeNames };
  },
};

export const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  preScore(pod) {
    const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (preferred === undefined) return null;
    const terms = new PreferredSchedulingTerms(preferred);
    return {
      score: (nodeInfo) => terms.score(nodeInfo.node),
      normalize: (scores) => defaultNormalizeScore(maxNodeScore, false, scores),
    };
  },
};
