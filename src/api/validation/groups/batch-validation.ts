// Validation of batch/v1 Job and CronJob after upstream's pkg/apis/batch/validation/validation.go (v1.32)
// and the Job registry strategy (generated selectors). Pod failure and success policies are checked only
// as far as restart and replacement policies go.
import type { CronJob, CronJobSpec, Job, JobSpec, JobStatus, JobTemplateSpec } from 'kubernetes-types/batch/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import { validatePodTemplateSpec } from '../core/pod-spec.js';
import type { KindValidator } from '../kind-validator.js';
import { isDNS1123Label, validateNameDNSSubdomain } from '../names.js';
import { metadataPath, validateImmutableField, validateLabelSelector, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { semanticEqual } from '../core/semantic-equal.js';
import { cronScheduleError, isKnownTimeZone } from './cron-schedule.js';
import { labelSelectorAsSelector, selectorMatches } from './label-selector-match.js';

const spec = FieldPath.root('spec');
const maxParallelismForIndexedJob = 100000;

const legacyJobNameLabel = 'job-name';
const jobNameLabel = 'batch.kubernetes.io/job-name';
const legacyControllerUidLabel = 'controller-uid';
const controllerUidLabel = 'batch.kubernetes.io/controller-uid';

/** apivalidation.ValidateHasLabel. */
function validateHasLabel(meta: ObjectMeta | undefined, path: FieldPath, key: string, expected: string): FieldError[] {
  const labels = meta?.labels ?? {};
  if (!Object.hasOwn(labels, key)) return [fieldError.required(path.child('labels').key(key), `must be '${expected}'`)];
  if (labels[key] !== expected) return [fieldError.invalid(path.child('labels').key(key), labels, `must be '${expected}'`)];
  return [];
}

/** validateGeneratedSelector: the labels and selector the registry generated must still be there. */
function validateGeneratedSelector(job: Job, requirePrefixedLabels: boolean): FieldError[] {
  const s = job.spec;
  if (s?.manualSelector === true || s?.selector === undefined) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  if (uid === '') errs.push(fieldError.required(metadataPath.child('uid')));
  const tmeta = s.template?.metadata;
  const tpath = spec.child('template', 'metadata');
  errs.push(...validateHasLabel(tmeta, tpath, legacyControllerUidLabel, uid));
  errs.push(...validateHasLabel(tmeta, tpath, legacyJobNameLabel, name));
  const expected: Record<string, string> = {};
  if (requirePrefixedLabels) {
    errs.push(...validateHasLabel(tmeta, tpath, controllerUidLabel, uid));
    errs.push(...validateHasLabel(tmeta, tpath, jobNameLabel, name));
    expected[controllerUidLabel] = uid;
    expected[jobNameLabel] = name;
  } else {
    expected[legacyControllerUidLabel] = uid;
  }
  expected[legacyJobNameLabel] = name;
  const parsed = labelSelectorAsSelector(s.selector);
  if (parsed.kind !== 'error' && !selectorMatches(parsed, expected)) {
    errs.push(fieldError.invalid(spec.child('selector'), s.selector, '`selector` not auto-generated'));
  }
  return errs;
}

/** Go's %q of a []string: ["a" "b"]. */
function goQuotedSlice(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

/** validateJobSpec: everything but the selector. */
function validateJobSpecBody(s: Partial<JobSpec>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (s.parallelism !== undefined) errs.push(...validateNonnegativeField(s.parallelism, path.child('parallelism')));
  if (s.completions !== undefined) errs.push(...validateNonnegativeField(s.completions, path.child('completions')));
  if (s.activeDeadlineSeconds !== undefined) errs.push(...validateNonnegativeField(s.activeDeadlineSeconds, path.child('activeDeadlineSeconds')));
  if (s.backoffLimit !== undefined) errs.push(...validateNonnegativeField(s.backoffLimit, path.child('backoffLimit')));
  if (s.ttlSecondsAfterFinished !== undefined) errs.push(...validateNonnegativeField(s.ttlSecondsAfterFinished, path.child('ttlSecondsAfterFinished')));
  const indexed = s.completionMode === 'Indexed';
  if (s.backoffLimitPerIndex !== undefined) {
    errs.push(...validateNonnegativeField(s.backoffLimitPerIndex, path.child('backoffLimitPerIndex')));
    if (!indexed) errs.push(fieldError.invalid(path.child('backoffLimitPerIndex'), s.backoffLimitPerIndex, 'requires indexed completion mode'));
  }
  if (s.maxFailedIndexes !== undefined) {
    errs.push(...validateNonnegativeField(s.maxFailedIndexes, path.child('maxFailedIndexes')));
    if (s.backoffLimitPerIndex === undefined) errs.push(fieldError.required(path.child('backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  }
  if (s.completionMode !== undefined) {
    if (s.completionMode !== 'NonIndexed' && s.completionMode !== 'Indexed') {
      errs.push(fieldError.notSupported(path.child('completionMode'), s.completionMode, ['NonIndexed', 'Indexed']));
    }
    if (indexed) {
      if (s.completions === undefined) errs.push(fieldError.required(path.child('completions'), 'when completion mode is Indexed'));
      if (s.parallelism !== undefined && s.parallelism > maxParallelismForIndexedJob) {
        errs.push(fieldError.invalid(path.child('parallelism'), s.parallelism, `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`));
      }
    }
  }
  if (s.podReplacementPolicy !== undefined) {
    if (s.podFailurePolicy !== undefined) {
      if (s.podReplacementPolicy !== 'Failed') errs.push(fieldError.notSupported(path.child('podReplacementPolicy'), s.podReplacementPolicy, ['Failed']));
    } else if (s.podReplacementPolicy !== 'Failed' && s.podReplacementPolicy !== 'TerminatingOrFailed') {
      errs.push(fieldError.notSupported(path.child('podReplacementPolicy'), s.podReplacementPolicy, ['Failed', 'TerminatingOrFailed']));
    }
  }
  errs.push(...validatePodTemplateSpec(s.template ?? {}, path.child('template')));
  const restartPolicy = s.template?.spec?.restartPolicy ?? '';
  const rp = path.child('template', 'spec', 'restartPolicy');
  if (restartPolicy === 'Always' || restartPolicy === '') {
    errs.push(fieldError.required(rp, `valid values: ${goQuotedSlice(['OnFailure', 'Never'])}`));
  } else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(fieldError.notSupported(rp, restartPolicy, ['OnFailure', 'Never']));
  } else if (s.podFailurePolicy !== undefined && restartPolicy !== 'Never') {
    errs.push(fieldError.invalid(rp, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

export function validateJobSpec(s: JobSpec | undefined, path: FieldPath): FieldError[] {
  const sp: Partial<JobSpec> = s ?? {};
  const errs = validateJobSpecBody(sp, path);
  if (sp.selector === undefined) errs.push(fieldError.required(path.child('selector')));
  else errs.push(...validateLabelSelector(sp.selector, path.child('selector')));
  const parsed = labelSelectorAsSelector(sp.selector);
  if (parsed.kind !== 'error' && !selectorMatches(parsed, sp.template?.metadata?.labels)) {
    errs.push(fieldError.invalid(path.child('template', 'metadata', 'labels'), sp.template?.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  return errs;
}

function validateJobCreate(job: Job, requirePrefixedLabels: boolean): FieldError[] {
  const errs = validateObjectMeta(job.metadata, true, validateNameDNSSubdomain, metadataPath);
  errs.push(...validateGeneratedSelector(job, requirePrefixedLabels));
  errs.push(...validateJobSpec(job.spec, spec));
  const completions = job.spec?.completions;
  if (job.spec?.completionMode === 'Indexed' && completions !== undefined && completions > 0) {
    const name = job.metadata?.name ?? '';
    const maximumPodHostname = `${name}-${completions - 1}`;
    if (isDNS1123Label(maximumPodHostname).length > 0) {
      errs.push(fieldError.invalid(metadataPath.child('name'), name, `will not able to create pod with invalid DNS label: ${maximumPodHostname}`));
    }
  }
  return errs;
}

function validateJobStatus(st: JobStatus | undefined, path: FieldPath): FieldError[] {
  const s = st ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateNonnegativeField(s.active ?? 0, path.child('active')));
  errs.push(...validateNonnegativeField(s.succeeded ?? 0, path.child('succeeded')));
  errs.push(...validateNonnegativeField(s.failed ?? 0, path.child('failed')));
  if (s.ready !== undefined) errs.push(...validateNonnegativeField(s.ready, path.child('ready')));
  if (s.terminating !== undefined) errs.push(...validateNonnegativeField(s.terminating, path.child('terminating')));
  return errs;
}

/** Scheduling directives of a suspended Job that has never started may change (upstream's AllowMutableSchedulingDirectives). */
function templateWithoutSchedulingDirectives(s: Partial<JobSpec> | undefined): unknown {
  const t = s?.template ?? {};
  const podSpec: Record<string, unknown> = { ...(t.spec ?? {}) };
  for (const f of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates']) delete podSpec[f];
  const meta: Record<string, unknown> = { ...(t.metadata ?? {}) };
  delete meta['labels'];
  delete meta['annotations'];
  return { ...t, metadata: meta, spec: podSpec };
}

export const jobValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    return validateJobCreate(obj as unknown as Job, true);
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const job = obj as unknown as Job;
    const o = old as unknown as Job;
    const oldLabels = o.spec?.template?.metadata?.labels ?? {};
    const requirePrefixedLabels = Object.hasOwn(oldLabels, jobNameLabel) && Object.hasOwn(oldLabels, controllerUidLabel);
    const errs = validateObjectMetaUpdate(job.metadata, o.metadata, metadataPath);
    errs.push(...validateGeneratedSelector(job, requirePrefixedLabels));
    const s = job.spec;
    const os = o.spec;
    errs.push(...validateJobSpec(s, spec));
    // Completions may change for Indexed Jobs, in step with parallelism.
    if (s?.completionMode === 'Indexed') {
      if (!semanticEqual(s.completions, os?.completions) && s.completions !== undefined && s.completions !== s.parallelism) {
        errs.push(fieldError.invalid(spec.child('completions'), s.completions, 'can only be modified in tandem with spec.parallelism'));
      }
    } else {
      errs.push(...validateImmutableField(s?.completions, os?.completions, spec.child('completions')));
    }
    errs.push(...validateImmutableField(s?.selector, os?.selector, spec.child('selector')));
    const neverStarted = o.status?.startTime === undefined;
    if (os?.suspend === true && neverStarted) {
      if (!semanticEqual(templateWithoutSchedulingDirectives(s), templateWithoutSchedulingDirectives(os))) {
        errs.push(fieldError.invalid(spec.child('template'), s?.template ?? {}, 'field is immutable'));
      }
    } else {
      errs.push(...validateImmutableField(s?.template, os?.template, spec.child('template')));
    }
    errs.push(...validateImmutableField(s?.completionMode, os?.completionMode, spec.child('completionMode')));
    errs.push(...validateImmutableField(s?.podFailurePolicy, os?.podFailurePolicy, spec.child('podFailurePolicy')));
    errs.push(...validateImmutableField(s?.backoffLimitPerIndex, os?.backoffLimitPerIndex, spec.child('backoffLimitPerIndex')));
    errs.push(...validateImmutableField(s?.managedBy, os?.managedBy, spec.child('managedBy')));
    errs.push(...validateImmutableField(s?.successPolicy, os?.successPolicy, spec.child('successPolicy')));
    return errs;
  },
  statusUpdate(obj: StoredObject, old: StoredObject): FieldError[] {
    const job = obj as unknown as Job;
    const o = old as unknown as Job;
    return [...validateObjectMetaUpdate(job.metadata, o.metadata, metadataPath), ...validateJobStatus(job.status, FieldPath.root('status'))];
  },
};

// ---- CronJob ----

const validTimeZoneCharacters = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateTimeZone(tz: string | undefined, path: FieldPath): FieldError[] {
  if (tz === undefined) return [];
  if (tz.length === 0) return [fieldError.invalid(path, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !validTimeZoneCharacters.test(part)) {
      return [fieldError.invalid(path, tz, `unknown time zone ${tz}`)];
    }
  }
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === 'local') {
    errs.push(fieldError.invalid(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  }
  if (!isKnownTimeZone(tz)) errs.push(fieldError.invalid(path, tz, `unknown time zone ${tz}`));
  return errs;
}

function validateJobTemplateSpec(t: JobTemplateSpec | undefined, path: FieldPath): FieldError[] {
  const js: Partial<JobSpec> = t?.spec ?? {};
  const errs = validateJobSpecBody(js, path.child('spec'));
  if (js.selector !== undefined) errs.push(fieldError.invalid(path.child('spec', 'selector'), js.selector, '`selector` will be auto-generated'));
  if (js.manualSelector === true) errs.push(fieldError.notSupported(path.child('spec', 'manualSelector'), js.manualSelector, ['nil', 'false']));
  return errs;
}

export function validateCronJobSpec(s: CronJobSpec | undefined, oldSchedule: string | undefined, path: FieldPath): FieldError[] {
  const sp: Partial<CronJobSpec> = s ?? {};
  const errs: FieldError[] = [];
  const schedule = sp.schedule ?? '';
  if (schedule.length === 0) errs.push(fieldError.required(path.child('schedule')));
  else {
    const parseError = cronScheduleError(schedule);
    if (parseError !== undefined) errs.push(fieldError.invalid(path.child('schedule'), schedule, parseError));
    const allowTZInSchedule = oldSchedule !== undefined && oldSchedule.includes('TZ');
    if (allowTZInSchedule && schedule.includes('TZ') && sp.timeZone !== undefined) {
      errs.push(fieldError.invalid(path.child('schedule'), schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZInSchedule && schedule.includes('TZ')) {
      errs.push(fieldError.invalid(path.child('schedule'), schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  if (sp.startingDeadlineSeconds !== undefined) errs.push(...validateNonnegativeField(sp.startingDeadlineSeconds, path.child('startingDeadlineSeconds')));
  switch (sp.concurrencyPolicy ?? '') {
    case 'Allow':
    case 'Forbid':
    case 'Replace':
      break;
    case '':
      errs.push(fieldError.required(path.child('concurrencyPolicy')));
      break;
    default:
      errs.push(fieldError.notSupported(path.child('concurrencyPolicy'), sp.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
  }
  errs.push(...validateJobTemplateSpec(sp.jobTemplate, path.child('jobTemplate')));
  if (sp.successfulJobsHistoryLimit !== undefined) errs.push(...validateNonnegativeField(sp.successfulJobsHistoryLimit, path.child('successfulJobsHistoryLimit')));
  if (sp.failedJobsHistoryLimit !== undefined) errs.push(...validateNonnegativeField(sp.failedJobsHistoryLimit, path.child('failedJobsHistoryLimit')));
  errs.push(...validateTimeZone(sp.timeZone, path.child('timeZone')));
  return errs;
}

export const cronJobValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    const cj = obj as unknown as CronJob;
    const errs = validateObjectMeta(cj.metadata, true, validateNameDNSSubdomain, metadataPath);
    const name = cj.metadata?.name ?? '';
    // The controller appends an 11-character suffix to job names, which are DNS-1035 labels of at most 63.
    if (name.length > 52) errs.push(fieldError.invalid(metadataPath.child('name'), name, 'must be no more than 52 characters'));
    errs.push(...validateCronJobSpec(cj.spec, undefined, spec));
    return errs;
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const cj = obj as unknown as CronJob;
    const o = old as unknown as CronJob;
    return [...validateObjectMetaUpdate(cj.metadata, o.metadata, metadataPath), ...validateCronJobSpec(cj.spec, o.spec?.schedule ?? '', spec)];
  },
  statusUpdate(obj: StoredObject, old: StoredObject): FieldError[] {
    const cj = obj as unknown as CronJob;
    const o = old as unknown as CronJob;
    return validateObjectMetaUpdate(cj.metadata, o.metadata, metadataPath);
  },
};
