// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in equal
// fractions (1 - standard deviation of the fractions), counting actual requests.
import type { ScorePlugin } from '../framework.js';
import { maxNodeScore } from '../framework.js';
import { allocatableAndRequested, podRequestFor, scoredResources } from './node-resources-fit.js';

/** balancedResourceScorer. */
export function balancedResourceScore(requested: readonly number[], allocatable: readonly number[]): number {
  const fractions: number[] = [];
  let total = 0;
  requested.forEach((req, i) => {
    const alloc = allocatable[i] ?? 0;
    if (alloc === 0) return;
    const fraction = Math.min(req / alloc, 1);
    total += fraction;
    fractions.push(fraction);
  });
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs(((fractions[0] ?? 0) - (fractions[1] ?? 0)) / 2);
  } else if (fractions.length > 2) {
    const mean = total / fractions.length;
    std = Math.sqrt(fractions.reduce((s, f) => s + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * maxNodeScore);
}

export const balancedAllocationScore: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  preScore(pod) {
    const podReqs = scoredResources.map((r) => podRequestFor(pod, r, true));
    return {
      score(nodeInfo) {
        const requested: number[] = [];
        const allocatable: number[] = [];
        scoredResources.forEach((r, i) => {
          const [alloc, req] = allocatableAndRequested(nodeInfo, r, podReqs[i] ?? 0, true);
          allocatable.push(alloc);
          requested.push(alloc === 0 ? 0 : req);
        });
        return balancedResourceScore(requested, allocatable);
      },
    };
  },
};
