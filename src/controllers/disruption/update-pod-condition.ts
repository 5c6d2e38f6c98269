// podutil.UpdatePodCondition (pkg/api/v1/pod): set a condition on a pod's status, keeping the transition time when
// the status does not change. Used for the DisruptionTarget condition by the eviction subresource (True) and by the
// disruption controller when it clears a stale one (False).
import type { Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { formatTime } from '../events/event-correlator.js';

export const DisruptionTargetCondition = 'DisruptionTarget';

export interface PodConditionUpdate {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** Sets the condition on `pod` (in place); returns whether anything changed. */
export function updatePodCondition(pod: Pod, update: PodConditionUpdate, nowMs: number): boolean {
  // status is read-only in kubernetes-types' Pod (the API server owns it); this is a server-side or controller update.
  const writable = pod as { status?: PodStatus };
  const status = (writable.status ??= {});
  const conditions: PodCondition[] = (status.conditions ??= []);
  // Field order as the Go struct serializes: type, status, lastProbeTime, lastTransitionTime, reason, message.
  const cond: PodCondition = { type: update.type, status: update.status, lastTransitionTime: formatTime(nowMs) };
  if (update.reason !== undefined && update.reason !== '') cond.reason = update.reason;
  if (update.message !== undefined && update.message !== '') cond.message = update.message;
  const i = conditions.findIndex((c) => c.type === update.type);
  const old = i < 0 ? undefined : conditions[i];
  if (old === undefined) {
    conditions.push(cond);
    return true;
  }
  if (old.status === cond.status) {
    if (old.lastTransitionTime !== undefined) cond.lastTransitionTime = old.lastTransitionTime;
    else delete cond.lastTransitionTime;
  }
  const equal =
    old.status === cond.status &&
    (old.reason ?? '') === (cond.reason ?? '') &&
    (old.message ?? '') === (cond.message ?? '') &&
    old.lastProbeTime === undefined &&
    old.lastTransitionTime === cond.lastTransitionTime;
  conditions[i] = cond;
  return !equal;
}
