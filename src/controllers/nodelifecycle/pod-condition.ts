// UpdatePodCondition (pkg/api/v1/pod): sets a pod condition, keeping its lastTransitionTime when the status stays.
import type { PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { metaTime } from './node-taints.js';

/** Returns the status with `condition` set and whether anything changed. */
export function updatePodCondition(status: PodStatus | undefined, condition: PodCondition, nowMs: number): { status: PodStatus; changed: boolean } {
  const conditions = [...(status?.conditions ?? [])];
  const next: PodCondition = { ...condition, lastTransitionTime: metaTime(nowMs) };
  const i = conditions.findIndex((c) => c.type === condition.type);
  const old = i < 0 ? undefined : conditions[i];
  if (old === undefined) return { status: { ...status, conditions: [...conditions, next] }, changed: true };
  if (next.status === old.status) {
    if (old.lastTransitionTime === undefined) delete next.lastTransitionTime;
    else next.lastTransitionTime = old.lastTransitionTime;
  }
  const equal =
    next.status === old.status &&
    (next.reason ?? '') === (old.reason ?? '') &&
    (next.message ?? '') === (old.message ?? '') &&
    (next.lastProbeTime ?? '') === (old.lastProbeTime ?? '') &&
    (next.lastTransitionTime ?? '') === (old.lastTransitionTime ?? '');
  conditions[i] = next;
  return { status: { ...status, conditions }, changed: !equal };
}
