// ImageLocality: prefers nodes that already have the pod's images (node.status.images), scaled
// by how widely each image is spread over the cluster.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo, ScorePlugin } from '../framework.js';
import { maxNodeScore } from '../framework.js';

const mb = 1024 * 1024;
const minThreshold = 23 * mb;
const maxContainerThreshold = 1000 * mb;

/** normalizedImageName: ":latest" when the name has no tag. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

function sumImageScores(nodeInfo: NodeInfo, images: readonly string[], totalNumNodes: number): number {
  let sum = 0;
  for (const image of images) {
    const state = nodeInfo.imageStates.get(image);
    if (state !== undefined) sum += Math.trunc(state.size * (state.numNodes / totalNumNodes));
  }
  return sum;
}

function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = maxContainerThreshold * numContainers;
  const clamped = sumScores < minThreshold ? minThreshold : sumScores > maxThreshold ? maxThreshold : sumScores;
  return Math.trunc((maxNodeScore * (clamped - minThreshold)) / (maxThreshold - minThreshold));
}

export const imageLocalityScore: ScorePlugin = {
  name: 'ImageLocality',
  weight: 1,
  preScore(pod, snapshot) {
    const total = snapshot.nodes.length;
    const images = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => normalizedImageName(c.image ?? ''));
    return { score: (nodeInfo) => calculatePriority(nodeInfo.imageStates.size === 0 ? 0 : sumImageScores(nodeInfo, images, total), images.length) };
  },
};
