// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in equal
// fractions (1 - standard deviation of the fractions), counting actual requests.
import type { ScorePlugin } from '../framework.js';
import { maxNodeScore } from '../framework.js';
import { podRequestFor } from './node-resources-fit.js';

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
    const cpu = podRequestFor(pod, 'cpu', true);
    const memory = podRequestFor(pod, 'memory', true);
    return {
      // balancedResourceScore for scoredResources (cpu and memory), unrolled.
      score(nodeInfo) {
        const alloc = nodeInfo.allocatable;
        const req = nodeInfo.requested;
        if (alloc.milliCPU === 0 || alloc.memory === 0) {
          return balancedResourceScore([req.milliCPU + cpu, req.memory + memory], [alloc.milliCPU, alloc.memory]);
        }
        const fc = Math.min((req.milliCPU + cpu) / alloc.milliCPU, 1);
        const fm = Math.min((req.memory + memory) / alloc.memory, 1);
        return Math.trunc((1 - Math.abs((fc - fm) / 2)) * maxNodeScore);
      },
    };
  },
};
