// The Job registry's selector generation (pkg/registry/batch/job/strategy.go generateSelector): unless
// spec.manualSelector is true, the pod template gets the job-name and controller-uid labels (legacy and
// batch.kubernetes.io/ forms) and the selector matches batch.kubernetes.io/controller-uid.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../../object.js';

export const legacyJobNameLabel = 'job-name';
export const jobNameLabel = 'batch.kubernetes.io/job-name';
export const legacyControllerUidLabel = 'controller-uid';
export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';

/** Call on create, after defaulting and once metadata.uid is known (`uid`), before validation. Mutates `job`. */
export function prepareJobForCreate(job: KubeObject, uid: string): void {
  const j = job as unknown as Job;
  const spec = (j.spec ??= { template: {} });
  if (spec.manualSelector === true) return;
  const name = j.metadata?.name ?? '';
  const tmeta = ((spec.template ??= {}).metadata ??= {});
  const labels = (tmeta.labels ??= {});
  // A label the user set is left alone: a conflicting value is rejected by validation.
  for (const key of [legacyJobNameLabel, jobNameLabel]) if (!(key in labels)) labels[key] = name;
  for (const key of [legacyControllerUidLabel, controllerUidLabel]) if (!(key in labels)) labels[key] = uid;
  const selector = (spec.selector ??= {});
  const matchLabels = (selector.matchLabels ??= {});
  if (!(controllerUidLabel in matchLabels)) matchLabels[controllerUidLabel] = uid;
}
