// SetDefaults_Job and SetDefaults_CronJob after upstream's pkg/apis/batch/v1/defaults.go, plus the pod
// template defaults the generated defaulters apply (for a CronJob, inside its jobTemplate).
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../../object.js';
import { defaultPodTemplateSpec } from '../core/pod-spec.js';

const maxInt32 = 2147483647;

export function defaultJob(obj: KubeObject): void {
  const job = obj as unknown as Job;
  const spec = (job.spec ??= { template: {} });
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? maxInt32 : 6;
  const templateLabels = spec.template?.metadata?.labels;
  if (templateLabels !== undefined) {
    const meta = (job.metadata ??= {});
    if (meta.labels === undefined || Object.keys(meta.labels).length === 0) meta.labels = { ...templateLabels };
  }
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) {
      if (pattern.status === undefined || pattern.status === '') pattern.status = 'True';
    }
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy !== undefined ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  defaultPodTemplateSpec((spec.template ??= {}));
}

export function defaultCronJob(obj: KubeObject): void {
  const cj = obj as unknown as CronJob;
  const spec = (cj.spec ??= { schedule: '', jobTemplate: {} });
  if (spec.concurrencyPolicy === undefined || spec.concurrencyPolicy === '') spec.concurrencyPolicy = 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jobSpec = (spec.jobTemplate ??= {}).spec;
  if (jobSpec !== undefined) {
    for (const rule of jobSpec.podFailurePolicy?.rules ?? []) {
      for (const pattern of rule.onPodConditions ?? []) {
        if (pattern.status === undefined || pattern.status === '') pattern.status = 'True';
      }
    }
    defaultPodTemplateSpec((jobSpec.template ??= {}));
  }
}
