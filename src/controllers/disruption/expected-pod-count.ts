// getExpectedPodCount and getExpectedScale of upstream's disruption controller: how many pods a budget expects and
// how many of them must be healthy. An integer minAvailable counts the selected pods; a percentage minAvailable and
// any maxUnavailable are taken of the summed scale of the pods' controllers.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { getScaledValueFromIntOrPercent } from '../deployment/int-or-percent.js';
import { getControllerOf } from '../podcontrol/controller-ref-manager.js';
import type { PodControllerFinder } from './controller-finders.js';

export interface ExpectedScale {
  expectedCount: number;
  /** Names of selected pods without a controller: they cannot be accounted for in a scale. */
  unmanagedPods: string[];
}

export interface ExpectedPodCount extends ExpectedScale {
  desiredHealthy: number;
}

/**
 * The sum of the scales of the controllers of the pods (each controller once). Pods without a controller are
 * reported, not counted; a pod whose controller no finder knows is an error.
 */
export async function getExpectedScale(pods: readonly Pod[], finders: readonly PodControllerFinder[]): Promise<ExpectedScale> {
  const controllerScale = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = getControllerOf(pod);
    if (ref === undefined) {
      unmanagedPods.push(pod.metadata?.name ?? '');
      continue;
    }
    if (controllerScale.has(ref.uid)) continue;
    let found = false;
    for (const finder of finders) {
      const cas = await finder(ref, pod.metadata?.namespace ?? '');
      if (cas !== undefined) {
        controllerScale.set(cas.uid, cas.scale);
        found = true;
        break;
      }
    }
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata?.name ?? '')}`);
  }
  let expectedCount = 0;
  for (const n of controllerScale.values()) expectedCount += n;
  return { expectedCount, unmanagedPods };
}

/** expectedCount and desiredHealthy of a budget over its selected pods. Throws what the finders or the int-or-percent parse throw. */
export async function getExpectedPodCount(pdb: PodDisruptionBudget, pods: readonly Pod[], finders: readonly PodControllerFinder[]): Promise<ExpectedPodCount> {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = await getExpectedScale(pods, finders);
    const maxUnavailable = getScaledValueFromIntOrPercent(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable), unmanagedPods };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanagedPods: [] };
    const { expectedCount, unmanagedPods } = await getExpectedScale(pods, finders);
    return { expectedCount, desiredHealthy: getScaledValueFromIntOrPercent(spec.minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}
