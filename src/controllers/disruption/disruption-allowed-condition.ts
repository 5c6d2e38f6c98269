// The DisruptionAllowed condition of a PodDisruptionBudget, as upstream's component-helpers
// apps/poddisruptionbudget (UpdateDisruptionAllowedCondition, ConditionsAreUpToDate) over apimachinery's
// meta.SetStatusCondition. Shared by the disruption controller and the eviction subresource.
import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { formatTime } from '../events/event-correlator.js';

export const DisruptionAllowedCondition = 'DisruptionAllowed';
/** The PDB allows at least one disruption. */
export const SufficientPodsReason = 'SufficientPods';
/** The PDB allows no disruption. */
export const InsufficientPodsReason = 'InsufficientPods';
/** The controller could not compute the status; it set disruptionsAllowed to 0 to fail safe. */
export const SyncFailedReason = 'SyncFailed';

/** What a caller sets: metav1.Condition without the transition time, which setStatusCondition manages. */
export interface NewCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string;
  observedGeneration?: number;
}

/**
 * meta.SetStatusCondition: adds the condition or updates the one of its type in place; the transition time moves only
 * when the status changes. Returns whether anything changed.
 */
export function setStatusCondition(conditions: Condition[], cond: NewCondition, nowMs: number): boolean {
  const message = cond.message ?? '';
  const generation = cond.observedGeneration ?? 0;
  const existing = conditions.find((c) => c.type === cond.type);
  if (existing === undefined) {
    const added: Condition = { type: cond.type, status: cond.status, lastTransitionTime: formatTime(nowMs), reason: cond.reason, message };
    // Field order as the Go struct serializes: type, status, observedGeneration, lastTransitionTime, reason, message.
    conditions.push(generation !== 0 ? { type: added.type, status: added.status, observedGeneration: generation, lastTransitionTime: added.lastTransitionTime, reason: added.reason, message } : added);
    return true;
  }
  let changed = false;
  if (existing.status !== cond.status) {
    existing.status = cond.status;
    existing.lastTransitionTime = formatTime(nowMs);
    changed = true;
  }
  if (existing.reason !== cond.reason) {
    existing.reason = cond.reason;
    changed = true;
  }
  if (existing.message !== message) {
    existing.message = message;
    changed = true;
  }
  if ((existing.observedGeneration ?? 0) !== generation) {
    if (generation === 0) delete existing.observedGeneration;
    else existing.observedGeneration = generation;
    changed = true;
  }
  return changed;
}

/** pdbhelper.UpdateDisruptionAllowedCondition: True/SufficientPods when disruptions are allowed, else False/InsufficientPods. */
export function updateDisruptionAllowedCondition(pdb: PodDisruptionBudget, nowMs: number): void {
  const status = (pdb.status ??= { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });
  const conditions = (status.conditions ??= []);
  const observedGeneration = status.observedGeneration ?? 0;
  if (status.disruptionsAllowed > 0) {
    setStatusCondition(conditions, { type: DisruptionAllowedCondition, status: 'True', reason: SufficientPodsReason, observedGeneration }, nowMs);
  } else {
    setStatusCondition(conditions, { type: DisruptionAllowedCondition, status: 'False', reason: InsufficientPodsReason, observedGeneration }, nowMs);
  }
}

/** pdbhelper.ConditionsAreUpToDate: the DisruptionAllowed condition agrees with disruptionsAllowed for this generation. */
export function conditionsAreUpToDate(pdb: PodDisruptionBudget): boolean {
  const status = pdb.status;
  const cond = (status?.conditions ?? []).find((c) => c.type === DisruptionAllowedCondition);
  if (cond === undefined) return false;
  if ((status?.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false;
  if ((status?.disruptionsAllowed ?? 0) > 0) return cond.status === 'True' && cond.reason === SufficientPodsReason;
  return cond.status === 'False' && cond.reason === InsufficientPodsReason;
}
