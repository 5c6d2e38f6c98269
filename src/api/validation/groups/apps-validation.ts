// Validation of apps/v1 kinds after upstream's pkg/apis/apps/validation/validation.go (v1.32) and the
// apps registry strategies (selector immutability on update, which upstream enforces for apps/v1).
import type {
  ControllerRevision,
  DaemonSet,
  DaemonSetSpec,
  DaemonSetUpdateStrategy,
  Deployment,
  DeploymentSpec,
  DeploymentStatus,
  DeploymentStrategy,
  ReplicaSet,
  ReplicaSetSpec,
  ReplicaSetStatus,
  StatefulSet,
  StatefulSetSpec,
  StatefulSetStatus,
} from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import { semanticEqual } from '../core/semantic-equal.js';
import { validatePodTemplateSpec } from '../core/pod-spec.js';
import type { KindValidator } from '../kind-validator.js';
import { validateNameDNSLabel, validateNameDNSSubdomain } from '../names.js';
import {
  metadataPath,
  validateAnnotations,
  validateImmutableField,
  validateLabels,
  validateLabelSelector,
  validateNonnegativeField,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../object-meta.js';
import { intOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent } from './int-or-percent.js';
import { labelSelectorAsSelector, type ParsedSelector, selectorIsEmpty, selectorMatches } from './label-selector-match.js';

const spec = FieldPath.root('spec');
const status = FieldPath.root('status');
const selectorMismatch = '`selector` does not match template `labels`';
const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

/** The selector checks every workload shares: required, well-formed, not empty. */
function validateWorkloadSelector(sel: LabelSelector | undefined, kindWord: string, path: FieldPath): FieldError[] {
  if (sel === undefined || sel === null) return [fieldError.required(path.child('selector'))];
  const errs = validateLabelSelector(sel, path.child('selector'));
  if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
    errs.push(fieldError.invalid(path.child('selector'), sel, `empty selector is invalid for ${kindWord}`));
  }
  return errs;
}

function validateTemplateLabelsMatch(sel: ParsedSelector, template: PodTemplateSpec | undefined, path: FieldPath): FieldError[] {
  if (selectorIsEmpty(sel)) return [];
  const labels = template?.metadata?.labels;
  return selectorMatches(sel, labels) ? [] : [fieldError.invalid(path.child('metadata', 'labels'), labels ?? {}, selectorMismatch)];
}

/** ValidatePodTemplateSpecForReplicaSet (also used for Deployments). */
function validatePodTemplateForReplicaSet(template: PodTemplateSpec | undefined, sel: ParsedSelector, kindWord: string, path: FieldPath): FieldError[] {
  if (template === undefined) return [fieldError.required(path)];
  const errs = validateTemplateLabelsMatch(sel, template, path);
  errs.push(...validatePodTemplateSpec(template, path));
  const restartPolicy = template.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errs.push(fieldError.notSupported(path.child('spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(fieldError.forbidden(path.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kindWord} is not Supported`));
  }
  return errs;
}

function parsedOrError(sel: LabelSelector | undefined, path: FieldPath, detail: string, errs: FieldError[]): ParsedSelector | undefined {
  const parsed = labelSelectorAsSelector(sel);
  if (parsed.kind === 'error') {
    errs.push(fieldError.invalid(path.child('selector'), sel, detail));
    return undefined;
  }
  return parsed;
}

// ---- Deployment ----

function validateDeploymentStrategy(strategy: DeploymentStrategy | undefined, path: FieldPath): FieldError[] {
  const s = strategy ?? {};
  const errs: FieldError[] = [];
  switch (s.type) {
    case 'Recreate':
      if (s.rollingUpdate !== undefined) errs.push(fieldError.forbidden(path.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
      break;
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      if (ru === undefined) {
        errs.push(fieldError.required(path.child('rollingUpdate'), 'this should be defaulted and never be nil'));
        break;
      }
      const p = path.child('rollingUpdate');
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, p.child('maxSurge')));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(fieldError.invalid(p.child('maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')));
      break;
    }
    default:
      errs.push(fieldError.notSupported(path, s, ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

export function validateDeploymentSpec(s: DeploymentSpec | undefined, path: FieldPath): FieldError[] {
  const sp: Partial<DeploymentSpec> = s ?? {};
  const errs = validateNonnegativeField(sp.replicas ?? 0, path.child('replicas'));
  errs.push(...validateWorkloadSelector(sp.selector, 'deployment', path));
  const parsed = parsedOrError(sp.selector, path, 'invalid label selector', errs);
  if (parsed !== undefined) errs.push(...validatePodTemplateForReplicaSet(sp.template, parsed, 'ReplicaSet', path.child('template')));
  errs.push(...validateDeploymentStrategy(sp.strategy, path.child('strategy')));
  errs.push(...validateNonnegativeField(sp.minReadySeconds ?? 0, path.child('minReadySeconds')));
  if (sp.revisionHistoryLimit !== undefined) errs.push(...validateNonnegativeField(sp.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  if (sp.progressDeadlineSeconds !== undefined) {
    errs.push(...validateNonnegativeField(sp.progressDeadlineSeconds, path.child('progressDeadlineSeconds')));
    if (sp.progressDeadlineSeconds <= (sp.minReadySeconds ?? 0)) {
      errs.push(fieldError.invalid(path.child('progressDeadlineSeconds'), sp.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

function validateDeploymentStatus(st: DeploymentStatus | undefined, path: FieldPath): FieldError[] {
  const s = st ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateNonnegativeField(s.observedGeneration ?? 0, path.child('observedGeneration')));
  errs.push(...validateNonnegativeField(s.replicas ?? 0, path.child('replicas')));
  errs.push(...validateNonnegativeField(s.updatedReplicas ?? 0, path.child('updatedReplicas')));
  errs.push(...validateNonnegativeField(s.readyReplicas ?? 0, path.child('readyReplicas')));
  errs.push(...validateNonnegativeField(s.availableReplicas ?? 0, path.child('availableReplicas')));
  errs.push(...validateNonnegativeField(s.unavailableReplicas ?? 0, path.child('unavailableReplicas')));
  if (s.collisionCount !== undefined) errs.push(...validateNonnegativeField(s.collisionCount, path.child('collisionCount')));
  const msg = 'cannot be greater than status.replicas';
  const replicas = s.replicas ?? 0;
  if ((s.updatedReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('updatedReplicas'), s.updatedReplicas, msg));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('readyReplicas'), s.readyReplicas, msg));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('availableReplicas'), s.availableReplicas, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(fieldError.invalid(path.child('availableReplicas'), s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}

function collisionCountDecremented(n: number | undefined, o: number | undefined): FieldError[] {
  if (o === undefined) return [];
  if (n === undefined || n < o) return [fieldError.invalid(status.child('collisionCount'), n ?? 0, 'cannot be decremented')];
  return [];
}

export const deploymentValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    const d = obj as unknown as Deployment;
    return [...validateObjectMeta(d.metadata, true, validateNameDNSSubdomain, metadataPath), ...validateDeploymentSpec(d.spec, spec)];
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const d = obj as unknown as Deployment;
    const o = old as unknown as Deployment;
    return [
      ...validateObjectMetaUpdate(d.metadata, o.metadata, metadataPath),
      ...validateDeploymentSpec(d.spec, spec),
      ...validateImmutableField(d.spec?.selector, o.spec?.selector, spec.child('selector')),
    ];
  },
  statusUpdate(obj: StoredObject, old: StoredObject): FieldError[] {
    const d = obj as unknown as Deployment;
    const o = old as unknown as Deployment;
    return [
      ...validateObjectMetaUpdate(d.metadata, o.metadata, metadataPath),
      ...validateDeploymentStatus(d.status, status),
      ...collisionCountDecremented(d.status?.collisionCount, o.status?.collisionCount),
    ];
  },
};

// ---- ReplicaSet ----

export function validateReplicaSetSpec(s: ReplicaSetSpec | undefined, path: FieldPath): FieldError[] {
  const sp: Partial<ReplicaSetSpec> = s ?? {};
  const errs = validateNonnegativeField(sp.replicas ?? 0, path.child('replicas'));
  errs.push(...validateNonnegativeField(sp.minReadySeconds ?? 0, path.child('minReadySeconds')));
  // Upstream says "deployment" here too.
  errs.push(...validateWorkloadSelector(sp.selector, 'deployment', path));
  const parsed = parsedOrError(sp.selector, path, 'invalid label selector', errs);
  if (parsed !== undefined) errs.push(...validatePodTemplateForReplicaSet(sp.template, parsed, 'ReplicaSet', path.child('template')));
  return errs;
}

function validateReplicaSetStatus(st: ReplicaSetStatus | undefined, path: FieldPath): FieldError[] {
  const s: Partial<ReplicaSetStatus> = st ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateNonnegativeField(s.replicas ?? 0, path.child('replicas')));
  errs.push(...validateNonnegativeField(s.fullyLabeledReplicas ?? 0, path.child('fullyLabeledReplicas')));
  errs.push(...validateNonnegativeField(s.readyReplicas ?? 0, path.child('readyReplicas')));
  errs.push(...validateNonnegativeField(s.availableReplicas ?? 0, path.child('availableReplicas')));
  errs.push(...validateNonnegativeField(s.observedGeneration ?? 0, path.child('observedGeneration')));
  const msg = 'cannot be greater than status.replicas';
  const replicas = s.replicas ?? 0;
  if ((s.fullyLabeledReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('fullyLabeledReplicas'), s.fullyLabeledReplicas, msg));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('readyReplicas'), s.readyReplicas, msg));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('availableReplicas'), s.availableReplicas, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(fieldError.invalid(path.child('availableReplicas'), s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}

export const replicaSetValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    const rs = obj as unknown as ReplicaSet;
    return [...validateObjectMeta(rs.metadata, true, validateNameDNSSubdomain, metadataPath), ...validateReplicaSetSpec(rs.spec, spec)];
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const rs = obj as unknown as ReplicaSet;
    const o = old as unknown as ReplicaSet;
    return [
      ...validateObjectMetaUpdate(rs.metadata, o.metadata, metadataPath),
      ...validateReplicaSetSpec(rs.spec, spec),
      ...validateImmutableField(rs.spec?.selector, o.spec?.selector, spec.child('selector')),
    ];
  },
  statusUpdate(obj: StoredObject, old: StoredObject): FieldError[] {
    const rs = obj as unknown as ReplicaSet;
    const o = old as unknown as ReplicaSet;
    return [...validateObjectMetaUpdate(rs.metadata, o.metadata, metadataPath), ...validateReplicaSetStatus(rs.status, status)];
  },
};

// ---- StatefulSet ----

function validatePVCRetentionPolicyType(policy: string | undefined, path: FieldPath): FieldError[] {
  return policy === 'Retain' || policy === 'Delete' ? [] : [fieldError.notSupported(path, policy ?? '', ['Retain', 'Delete'])];
}

export function validateStatefulSetSpec(s: StatefulSetSpec | undefined, path: FieldPath): FieldError[] {
  const sp: Partial<StatefulSetSpec> = s ?? {};
  const errs: FieldError[] = [];
  switch (sp.podManagementPolicy ?? '') {
    case '':
      errs.push(fieldError.required(path.child('podManagementPolicy')));
      break;
    case 'OrderedReady':
    case 'Parallel':
      break;
    default:
      errs.push(fieldError.invalid(path.child('podManagementPolicy'), sp.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const strategy = sp.updateStrategy ?? {};
  switch (strategy.type ?? '') {
    case '':
      errs.push(fieldError.required(path.child('updateStrategy')));
      break;
    case 'OnDelete':
      if (strategy.rollingUpdate !== undefined) {
        errs.push(fieldError.invalid(path.child('updateStrategy', 'rollingUpdate'), strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      }
      break;
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (ru !== undefined) {
        const p = path.child('updateStrategy', 'rollingUpdate');
        errs.push(...validateNonnegativeField(ru.partition ?? 0, p.child('partition')));
        if (ru.maxUnavailable !== undefined) {
          const mp = p.child('maxUnavailable');
          errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, mp));
          if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(fieldError.invalid(mp, ru.maxUnavailable, 'cannot be 0'));
          errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, mp));
        }
      }
      break;
    }
    default:
      errs.push(fieldError.invalid(path.child('updateStrategy'), strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = sp.persistentVolumeClaimRetentionPolicy;
  if (retention !== undefined) {
    const p = path.child('persistentVolumeClaimRetentionPolicy');
    errs.push(...validatePVCRetentionPolicyType(retention.whenDeleted, p.child('whenDeleted')));
    errs.push(...validatePVCRetentionPolicyType(retention.whenScaled, p.child('whenScaled')));
  }
  errs.push(...validateNonnegativeField(sp.replicas ?? 0, path.child('replicas')));
  errs.push(...validateNonnegativeField(sp.minReadySeconds ?? 0, path.child('minReadySeconds')));
  if (sp.ordinals !== undefined) errs.push(...validateNonnegativeField(sp.ordinals.start ?? 0, path.child('ordinals.start')));
  errs.push(...validateWorkloadSelector(sp.selector, 'statefulset', path));
  const parsed = labelSelectorAsSelector(sp.selector);
  if (parsed.kind === 'error') {
    errs.push(fieldError.invalid(path.child('selector'), sp.selector, ''));
  } else {
    // Upstream checks only the template's labels and annotations here, not the whole pod spec.
    const template = sp.template;
    const tp = path.child('template');
    if (template === undefined) errs.push(fieldError.required(tp));
    else {
      errs.push(...validateTemplateLabelsMatch(parsed, template, tp));
      errs.push(...validateLabels(template.metadata?.labels, tp.child('labels')));
      errs.push(...validateAnnotations(template.metadata?.annotations, tp.child('annotations')));
    }
  }
  const restartPolicy = sp.template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errs.push(fieldError.notSupported(path.child('template', 'spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (sp.template?.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(fieldError.forbidden(path.child('template', 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

function validateStatefulSetStatus(st: StatefulSetStatus | undefined, path: FieldPath): FieldError[] {
  const s: Partial<StatefulSetStatus> = st ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateNonnegativeField(s.replicas ?? 0, path.child('replicas')));
  errs.push(...validateNonnegativeField(s.readyReplicas ?? 0, path.child('readyReplicas')));
  errs.push(...validateNonnegativeField(s.currentReplicas ?? 0, path.child('currentReplicas')));
  errs.push(...validateNonnegativeField(s.updatedReplicas ?? 0, path.child('updatedReplicas')));
  errs.push(...validateNonnegativeField(s.availableReplicas ?? 0, path.child('availableReplicas')));
  if (s.observedGeneration !== undefined) errs.push(...validateNonnegativeField(s.observedGeneration, path.child('observedGeneration')));
  if (s.collisionCount !== undefined) errs.push(...validateNonnegativeField(s.collisionCount, path.child('collisionCount')));
  const msg = 'cannot be greater than status.replicas';
  const replicas = s.replicas ?? 0;
  if ((s.readyReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('readyReplicas'), s.readyReplicas, msg));
  if ((s.currentReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('currentReplicas'), s.currentReplicas, msg));
  if ((s.updatedReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('updatedReplicas'), s.updatedReplicas, msg));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('availableReplicas'), s.availableReplicas, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(fieldError.invalid(path.child('availableReplicas'), s.availableReplicas, 'cannot be greater than status.readyReplicas'));
  }
  return errs;
}

const statefulSetMutableSpecFields = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'] as const;

export const statefulSetValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    const sts = obj as unknown as StatefulSet;
    return [...validateObjectMeta(sts.metadata, true, validateNameDNSLabel, metadataPath), ...validateStatefulSetSpec(sts.spec, spec)];
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const sts = obj as unknown as StatefulSet;
    const o = old as unknown as StatefulSet;
    const errs = [...validateObjectMetaUpdate(sts.metadata, o.metadata, metadataPath), ...validateStatefulSetSpec(sts.spec, spec)];
    const newRest: Record<string, unknown> = { ...(sts.spec ?? {}) };
    const oldRest: Record<string, unknown> = { ...(o.spec ?? {}) };
    for (const f of statefulSetMutableSpecFields) {
      delete newRest[f];
      delete oldRest[f];
    }
    if (!semanticEqual(newRest, oldRest)) {
      errs.push(
        fieldError.forbidden(
          spec,
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
    return errs;
  },
  statusUpdate(obj: StoredObject, old: StoredObject): FieldError[] {
    const sts = obj as unknown as StatefulSet;
    const o = old as unknown as StatefulSet;
    return [
      ...validateStatefulSetStatus(sts.status, status),
      ...validateObjectMetaUpdate(sts.metadata, o.metadata, metadataPath),
      ...collisionCountDecremented(sts.status?.collisionCount, o.status?.collisionCount),
    ];
  },
};

// ---- DaemonSet ----

function validateDaemonSetUpdateStrategy(strategy: DaemonSetUpdateStrategy | undefined, path: FieldPath): FieldError[] {
  const s = strategy ?? {};
  switch (s.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      if (ru === undefined) return [fieldError.required(path.child('rollingUpdate'))];
      const p = path.child('rollingUpdate');
      const errs: FieldError[] = [];
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, p.child('maxSurge')));
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')));
      errs.push(...isNotMoreThan100Percent(ru.maxSurge, p.child('maxSurge')));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(fieldError.invalid(p.child('maxSurge'), ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      else if (!hasUnavailable && !hasSurge) errs.push(fieldError.required(p.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default:
      return [fieldError.notSupported(path, s, ['RollingUpdate', 'OnDelete'])];
  }
}

/** The apps/v1 form of the internal spec.templateGeneration (0 when absent). */
function templateGenerationOf(ds: DaemonSet): number {
  const v = ds.metadata?.annotations?.[templateGenerationAnnotation];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : 0;
}

export function validateDaemonSetSpec(s: DaemonSetSpec | undefined, templateGeneration: number, path: FieldPath): FieldError[] {
  const sp: Partial<DaemonSetSpec> = s ?? {};
  const errs = validateLabelSelector(sp.selector, path.child('selector'));
  const parsed = labelSelectorAsSelector(sp.selector);
  if (parsed.kind !== 'error' && !selectorMatches(parsed, sp.template?.metadata?.labels)) {
    errs.push(fieldError.invalid(path.child('template', 'metadata', 'labels'), sp.template?.metadata?.labels ?? {}, selectorMismatch));
  }
  if (sp.selector !== undefined && Object.keys(sp.selector.matchLabels ?? {}).length + (sp.selector.matchExpressions ?? []).length === 0) {
    errs.push(fieldError.invalid(path.child('selector'), sp.selector, 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(sp.template ?? {}, path.child('template')));
  const restartPolicy = sp.template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errs.push(fieldError.notSupported(path.child('template', 'spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (sp.template?.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(fieldError.forbidden(path.child('template', 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...validateNonnegativeField(sp.minReadySeconds ?? 0, path.child('minReadySeconds')));
  errs.push(...validateNonnegativeField(templateGeneration, path.child('templateGeneration')));
  errs.push(...validateDaemonSetUpdateStrategy(sp.updateStrategy, path.child('updateStrategy')));
  if (sp.revisionHistoryLimit !== undefined) errs.push(...validateNonnegativeField(sp.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  return errs;
}

const daemonSetStatusFields = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
] as const;

export const daemonSetValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    const ds = obj as unknown as DaemonSet;
    return [...validateObjectMeta(ds.metadata, true, validateNameDNSSubdomain, metadataPath), ...validateDaemonSetSpec(ds.spec, templateGenerationOf(ds), spec)];
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const ds = obj as unknown as DaemonSet;
    const o = old as unknown as DaemonSet;
    const errs = validateObjectMetaUpdate(ds.metadata, o.metadata, metadataPath);
    // ValidateDaemonSetSpecUpdate. The registry (not validation) bumps the generation when the template changes,
    // so "must be incremented upon template update" is left to it.
    const newGen = templateGenerationOf(ds);
    const oldGen = templateGenerationOf(o);
    if (newGen < oldGen) errs.push(fieldError.invalid(spec.child('templateGeneration'), newGen, 'must not be decremented'));
    else if (newGen > oldGen && semanticEqual(ds.spec?.template, o.spec?.template)) {
      errs.push(fieldError.invalid(spec.child('templateGeneration'), newGen, 'must not be incremented without template update'));
    }
    errs.push(...validateDaemonSetSpec(ds.spec, newGen, spec));
    errs.push(...validateImmutableField(ds.spec?.selector, o.spec?.selector, spec.child('selector')));
    return errs;
  },
  statusUpdate(obj: StoredObject, old: StoredObject): FieldError[] {
    const ds = obj as unknown as DaemonSet;
    const o = old as unknown as DaemonSet;
    const errs = validateObjectMetaUpdate(ds.metadata, o.metadata, metadataPath);
    const st: Record<string, unknown> = { ...(ds.status ?? {}) };
    for (const f of daemonSetStatusFields) {
      const v = st[f];
      errs.push(...validateNonnegativeField(typeof v === 'number' ? v : 0, status.child(f)));
    }
    if (ds.status?.collisionCount !== undefined) errs.push(...validateNonnegativeField(ds.status.collisionCount, status.child('collisionCount')));
    errs.push(...collisionCountDecremented(ds.status?.collisionCount, o.status?.collisionCount));
    return errs;
  },
};

// ---- ControllerRevision ----

function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  const errs = validateObjectMeta(cr.metadata, true, validateNameDNSSubdomain, metadataPath);
  if (cr.data === undefined || cr.data === null) errs.push(fieldError.required(FieldPath.root('data'), 'data is mandatory'));
  errs.push(...validateNonnegativeField(cr.revision, FieldPath.root('revision')));
  return errs;
}

export const controllerRevisionValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    return validateControllerRevision(obj as unknown as ControllerRevision);
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const cr = obj as unknown as ControllerRevision;
    const o = old as unknown as ControllerRevision;
    return [
      ...validateObjectMetaUpdate(cr.metadata, o.metadata, metadataPath),
      ...validateControllerRevision(cr),
      ...validateImmutableField(cr.data, o.data, FieldPath.root('data')),
    ];
  },
};
