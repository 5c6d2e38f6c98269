// TaintToleration: NoSchedule/NoExecute taints must be tolerated (filter); untolerated
// PreferNoSchedule taints count against a node (score, reversed on normalization).
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, ScorePlugin } from '../framework.js';
import { maxNodeScore, unresolvable } from '../framework.js';
import { defaultNormalizeScore } from '../normalize-score.js';
import { findUntoleratedScheduleTaint, tolerationsTolerateTaint } from '../taints.js';

/** The reason, formatted as upstream's "node(s) had untolerated taint {%s: %s}". */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  preFilter(pod) {
    return {
      kind: 'filter',
      filter: (nodeInfo) => {
        const taint = findUntoleratedScheduleTaint(nodeInfo.node.spec?.taints, pod.spec?.tolerations);
        return taint === undefined ? null : unresolvable('TaintToleration', untoleratedTaintReason(taint));
      },
    };
  },
};

/** countIntolerableTaintsPreferNoSchedule, with tolerations of effect PreferNoSchedule or any. */
export function countIntolerablePreferNoSchedule(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): number {
  const relevant = (tolerations ?? []).filter((t) => (t.effect ?? '') === '' || t.effect === 'PreferNoSchedule');
  let n = 0;
  for (const taint of taints ?? []) {
    if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(relevant, taint)) n++;
  }
  return n;
}

export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  preScore(pod) {
    return {
      score: (nodeInfo) => countIntolerablePreferNoSchedule(nodeInfo.node.spec?.taints, pod.spec?.tolerations),
      normalize: (scores) => defaultNormalizeScore(maxNodeScore, true, scores),
    };
  },
};
