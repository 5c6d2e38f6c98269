// What the rolling-update benchmark decides from a Deployment: the bounds of a rolling update (maxSurge and
// maxUnavailable resolved against the replicas as the Deployment controller's ResolveFenceposts does) and whether
// the rollout is done, as `kubectl rollout status` decides (kubectl's DeploymentStatusViewer).

export type IntOrPercent = number | string;

export interface RolloutDeployment {
  metadata?: { name?: string; generation?: number };
  spec?: { replicas?: number; strategy?: { type?: string; rollingUpdate?: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent } } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: readonly { type?: string; reason?: string }[];
  };
}

/** An int-or-percent scaled against `total` (intstr.GetScaledValueFromIntOrPercent): percentages round up or down. */
export function scaledValue(v: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (m === null) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * The most pods a rolling update may have above the replicas (surge, rounded up) and the most below them that may be
 * unavailable (rounded down); when both come to 0, one may be unavailable. Defaults are 25% each.
 */
export function rolloutFenceposts(replicas: number, maxSurge: IntOrPercent = '25%', maxUnavailable: IntOrPercent = '25%'): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, replicas, true);
  let unavailable = scaledValue(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** kubectl rollout status's verdict on a Deployment: its message, whether it is done, and an error when it failed. */
export function deploymentRolloutStatus(d: RolloutDeployment): { message: string; done: boolean; error?: string } {
  const name = d.metadata?.name ?? '';
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) <= (s.observedGeneration ?? 0)) {
    const progressing = (s.conditions ?? []).find((c) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') return { message: '', done: false, error: `deployment "${name}" exceeded its progress deadline` };
    const updated = s.updatedReplicas ?? 0;
    const replicas = d.spec?.replicas;
    if (replicas !== undefined && updated < replicas) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`, done: false };
    }
    if ((s.replicas ?? 0) > updated) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${(s.replicas ?? 0) - updated} old replicas are pending termination...`, done: false };
    }
    if ((s.availableReplicas ?? 0) < updated) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${s.availableReplicas ?? 0} of ${updated} updated replicas are available...`, done: false };
    }
    return { message: `deployment "${name}" successfully rolled out`, done: true };
  }
  return { message: 'Waiting for deployment spec update to be observed...', done: false };
}
