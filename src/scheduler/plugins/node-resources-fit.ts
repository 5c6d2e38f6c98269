// NodeResourcesFit: the pod's requests must fit in what the node has left of its allocatable
// (filter), and LeastAllocated prefers nodes with more left (score).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin, NodeInfo, Resource, ScorePlugin } from '../framework.js';
import { addToResource, emptyResource, isScalarResourceName, maxNodeScore, unschedulable } from '../framework.js';
import { nonZeroDefaults, podRequests, schedulerUnits } from '../pod-requests.js';

/** The pod's requests as a Resource (computePodResourceRequest). */
export function podResourceRequest(pod: Pod): Resource {
  const r = emptyResource();
  addToResource(r, podRequests(pod));
  return r;
}

/** The reasons the pod does not fit (fitsRequest), in upstream's order; empty when it fits. */
export function insufficientResources(request: Resource, nodeInfo: NodeInfo): string[] {
  const reasons: string[] = [];
  if (nodeInfo.pods.length + 1 > nodeInfo.allocatable.allowedPodNumber) reasons.push('Too many pods');
  const scalars = Object.entries(request.scalarResources);
  if (request.milliCPU === 0 && request.memory === 0 && request.ephemeralStorage === 0 && scalars.length === 0) return reasons;
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (request.milliCPU > 0 && request.milliCPU > alloc.milliCPU - used.milliCPU) reasons.push('Insufficient cpu');
  if (request.memory > 0 && request.memory > alloc.memory - used.memory) reasons.push('Insufficient memory');
  if (request.ephemeralStorage > 0 && request.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    reasons.push('Insufficient ephemeral-storage');
  }
  for (const [name, q] of scalars) {
    if (q > 0 && q > (alloc.scalarResources[name] ?? 0) - (used.scalarResources[name] ?? 0)) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

export const nodeResourcesFitFilter: FilterPlugin = {
  name: 'NodeResourcesFit',
  preFilter(pod) {
    const request = podResourceRequest(pod);
    const simple = Object.keys(request.scalarResources).length === 0;
    return {
      kind: 'filter',
      filter: (nodeInfo) => {
        if (simple) {
          // The common case, checked without building the reasons.
          const alloc = nodeInfo.allocatable;
          const used = nodeInfo.requested;
          if (
            nodeInfo.pods.length + 1 <= alloc.allowedPodNumber &&
            request.milliCPU <= alloc.milliCPU - used.milliCPU &&
            request.memory <= alloc.memory - used.memory &&
            request.ephemeralStorage <= alloc.ephemeralStorage - used.ephemeralStorage
          ) {
            return null;
          }
        }
        const reasons = insufficientResources(request, nodeInfo);
        return reasons.length === 0 ? null : unschedulable('NodeResourcesFit', ...reasons);
      },
    };
  },
};

/** The resources the default scoring strategies look at, each with weight 1. */
export const scoredResources = ['cpu', 'memory'] as const;

/** calculatePodResourceRequest for one resource, with or without the non-zero defaults. */
export function podRequestFor(pod: Pod, name: string, useRequested: boolean): number {
  const reqs = podRequests(pod, useRequested ? {} : { nonMissingContainerRequests: nonZeroDefaults() });
  return schedulerUnits(name, reqs.get(name));
}

/** calculateResourceAllocatableRequest: [allocatable, requested including the pod]. */
export function allocatableAndRequested(nodeInfo: NodeInfo, name: string, podRequest: number, useRequested: boolean): [number, number] {
  const requested = useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested;
  if (podRequest === 0 && isScalarResourceName(name)) return [0, 0];
  switch (name) {
    case 'cpu':
      return [nodeInfo.allocatable.milliCPU, requested.milliCPU + podRequest];
    case 'memory':
      return [nodeInfo.allocatable.memory, requested.memory + podRequest];
    case 'ephemeral-storage':
      return [nodeInfo.allocatable.ephemeralStorage, nodeInfo.requested.ephemeralStorage + podRequest];
    default:
      return [nodeInfo.allocatable.scalarResources[name] ?? 0, (nodeInfo.requested.scalarResources[name] ?? 0) + podRequest];
  }
}

function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * maxNodeScore) / capacity);
}

/** NodeResourcesFit's score with the default LeastAllocated strategy (cpu and memory, weight 1 each). */
export const leastAllocatedScore: ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  preScore(pod) {
    const cpu = podRequestFor(pod, 'cpu', false);
    const memory = podRequestFor(pod, 'memory', false);
    return {
      // scoredResources (cpu and memory, weight 1 each), unrolled.
      score(nodeInfo) {
        const alloc = nodeInfo.allocatable;
        const req = nodeInfo.nonZeroRequested;
        let nodeScore = 0;
        let weightSum = 0;
        if (alloc.milliCPU !== 0) {
          nodeScore += leastRequestedScore(req.milliCPU + cpu, alloc.milliCPU);
          weightSum += 1;
        }
        if (alloc.memory !== 0) {
          nodeScore += leastRequestedScore(req.memory + memory, alloc.memory);
          weightSum += 1;
        }
        return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
      },
    };
  },
};
