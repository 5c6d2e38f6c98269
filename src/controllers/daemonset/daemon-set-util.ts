// Helpers of upstream's pkg/controller/daemon/util: the labels of daemon pods, whether a pod is of the current
// template, the rolling update's surge and unavailability budgets, and the pod order the controller uses.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { getScaledValueFromIntOrPercent } from '../deployment/int-or-percent.js';
import { addOrUpdateDaemonPodTolerations } from './daemon-pod-tolerations.js';

/** apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey). */
export const controllerRevisionHashLabel = 'controller-revision-hash';
/** extensions.DaemonSetTemplateGenerationKey. */
export const podTemplateGenerationLabel = 'pod-template-generation';
/** appsv1.DeprecatedTemplateGeneration: the server counts template changes here. */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

/** GetTemplateGeneration: the annotation's value, or undefined when absent or not an integer. */
export function getTemplateGeneration(ds: DaemonSet): number | undefined {
  const v = ds.metadata?.annotations?.[templateGenerationAnnotation];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

/** CreatePodTemplate: the template with the daemon tolerations and the generation and hash labels. */
export function createPodTemplate(template: PodTemplateSpec, generation: number | undefined, hash: string): PodTemplateSpec {
  const out = structuredClone(template);
  out.spec = out.spec ?? { containers: [] };
  addOrUpdateDaemonPodTolerations(out.spec);
  out.metadata = out.metadata ?? {};
  const labels: Record<string, string> = { ...(out.metadata.labels ?? {}) };
  if (generation !== undefined) labels[podTemplateGenerationLabel] = String(generation);
  if (hash !== '') labels[controllerRevisionHashLabel] = hash;
  out.metadata.labels = labels;
  return out;
}

/** IsPodUpdated: the pod carries the current revision hash, or the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const templateMatches = generation !== undefined && labels[podTemplateGenerationLabel] === String(generation);
  const hashMatches = hash !== '' && labels[controllerRevisionHashLabel] === hash;
  return hashMatches || templateMatches;
}

function rollingUpdate(ds: DaemonSet): NonNullable<NonNullable<DaemonSet['spec']>['updateStrategy']>['rollingUpdate'] | undefined {
  const s = ds.spec?.updateStrategy;
  if ((s?.type ?? 'RollingUpdate') !== 'RollingUpdate') return undefined;
  return s?.rollingUpdate;
}

/** UnavailableCount: maxUnavailable of `numberToSchedule`, rounded up (0 unless RollingUpdate). */
export function unavailableCount(ds: DaemonSet, numberToSchedule: number): number {
  const r = rollingUpdate(ds);
  if (r === undefined) return 0;
  return getScaledValueFromIntOrPercent(r.maxUnavailable ?? 1, numberToSchedule, true);
}

/** SurgeCount: maxSurge of `numberToSchedule`, rounded up (0 unless RollingUpdate). */
export function surgeCount(ds: DaemonSet, numberToSchedule: number): number {
  const r = rollingUpdate(ds);
  if (r === undefined) return 0;
  return getScaledValueFromIntOrPercent(r.maxSurge ?? 0, numberToSchedule, true);
}

/** AllowsSurge: a rolling update that may put a second pod on a node. */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return surgeCount(ds, 1) !== 0;
  } catch {
    return false;
  }
}

/** podByCreationTimestampAndPhase: bound pods first, then the oldest, then by name. */
export function comparePodsByCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const aBound = (a.spec?.nodeName ?? '') !== '';
  const bBound = (b.spec?.nodeName ?? '') !== '';
  if (aBound !== bBound) return aBound ? -1 : 1;
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta === tb) {
    const na = a.metadata?.name ?? '';
    const nb = b.metadata?.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  return ta - tb;
}
