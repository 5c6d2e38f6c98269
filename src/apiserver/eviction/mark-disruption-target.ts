// What the eviction subresource does to a pod before deleting it (addConditionAndDeletePod of upstream's
// eviction.go): check the delete preconditions against the latest pod, then add the DisruptionTarget condition.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../machinery/errors.js';
import { DisruptionTargetCondition, updatePodCondition } from '../../controllers/disruption/update-pod-condition.js';

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export const EvictionByEvictionAPI = 'EvictionByEvictionAPI';

/**
 * The latest pod with DisruptionTarget=True (reason EvictionByEvictionAPI, "Eviction API: evicting"), to store through
 * the pod's status subresource. Throws upstream's 409s when a precondition does not hold.
 */
export function markDisruptionTarget(latest: Pod, preconditions: Preconditions | undefined, nowMs: number): Pod {
  const name = latest.metadata?.name ?? '';
  const uid = preconditions?.uid;
  if (uid !== undefined && uid !== '' && uid !== latest.metadata?.uid) {
    throw ApiError.conflict({ group: '', name: 'Pod' }, name, `the UID in the precondition (${uid}) does not match the UID in record (${latest.metadata?.uid ?? ''}). The object might have been deleted and then recreated`);
  }
  const rv = preconditions?.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== latest.metadata?.resourceVersion) {
    throw ApiError.conflict({ group: '', name: 'Pod' }, name, `the ResourceVersion in the precondition (${rv}) does not match the ResourceVersion in record (${latest.metadata?.resourceVersion ?? ''}). The object might have been modified`);
  }
  const pod = structuredClone(latest);
  updatePodCondition(pod, { type: DisruptionTargetCondition, status: 'True', reason: EvictionByEvictionAPI, message: 'Eviction API: evicting' }, nowMs);
  return pod;
}
