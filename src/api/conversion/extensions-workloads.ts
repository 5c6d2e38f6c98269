// extensions/v1beta1 Deployment, ReplicaSet and DaemonSet <-> apps/v1, after upstream's
// pkg/apis/extensions/v1beta1/defaults.go (v1.15, the last release serving these kinds) and
// pkg/apis/apps/v1/conversion.go (spec.rollbackTo and spec.templateGeneration live in annotations in apps/v1).
import { annotationsOf, asRecord, cloneJson, ensureRecord, setAnnotations, type JsonRecord } from './json-record.js';

/** apps/v1 keeps extensions/v1beta1 Deployment spec.rollbackTo.revision here (appsv1.DeprecatedRollbackTo). */
export const deprecatedRollbackToAnnotation = 'deprecated.deployment.rollback.to';
/** apps/v1 keeps extensions/v1beta1 DaemonSet spec.templateGeneration here (appsv1.DeprecatedTemplateGeneration). */
export const deprecatedTemplateGenerationAnnotation = 'deprecated.daemonset.template.generation';

/** The largest int32: extensions/v1beta1 used it for "keep all revisions" and "no progress deadline". */
const maxInt32 = 2147483647;

export type LegacyWorkloadKind = 'Deployment' | 'ReplicaSet' | 'DaemonSet';

export function isLegacyWorkloadKind(kind: string): kind is LegacyWorkloadKind {
  return kind === 'Deployment' || kind === 'ReplicaSet' || kind === 'DaemonSet';
}

/** Selector and object labels from the pod template's labels, as every extensions/v1beta1 workload defaulted them. */
function defaultSelectorAndLabels(obj: JsonRecord, spec: JsonRecord): void {
  const template = asRecord(spec['template']);
  const labels = asRecord(asRecord(template?.['metadata'])?.['labels']);
  if (labels === undefined) return;
  if (spec['selector'] === undefined || spec['selector'] === null) spec['selector'] = { matchLabels: cloneJson(labels) };
  const meta = ensureRecord(obj, 'metadata');
  const own = asRecord(meta['labels']);
  if (own === undefined || Object.keys(own).length === 0) meta['labels'] = cloneJson(labels);
}

/** Upstream's extensions/v1beta1 SetDefaults_* for the three workload kinds, in place. */
export function defaultExtensionsV1beta1(kind: LegacyWorkloadKind, obj: JsonRecord): void {
  const spec = ensureRecord(obj, 'spec');
  defaultSelectorAndLabels(obj, spec);
  switch (kind) {
    case 'ReplicaSet':
      if (spec['replicas'] === undefined || spec['replicas'] === null) spec['replicas'] = 1;
      return;
    case 'Deployment': {
      if (spec['replicas'] === undefined || spec['replicas'] === null) spec['replicas'] = 1;
      const strategy = ensureRecord(spec, 'strategy');
      if (strategy['type'] === undefined || strategy['type'] === '') strategy['type'] = 'RollingUpdate';
      if (strategy['type'] === 'RollingUpdate' || asRecord(strategy['rollingUpdate']) !== undefined) {
        const ru = ensureRecord(strategy, 'rollingUpdate');
        if (ru['maxUnavailable'] === undefined || ru['maxUnavailable'] === null) ru['maxUnavailable'] = 1;
        if (ru['maxSurge'] === undefined || ru['maxSurge'] === null) ru['maxSurge'] = 1;
      }
      if (spec['progressDeadlineSeconds'] === undefined || spec['progressDeadlineSeconds'] === null) spec['progressDeadlineSeconds'] = maxInt32;
      if (spec['revisionHistoryLimit'] === undefined || spec['revisionHistoryLimit'] === null) spec['revisionHistoryLimit'] = maxInt32;
      return;
    }
    case 'DaemonSet': {
      const strategy = ensureRecord(spec, 'updateStrategy');
      if (strategy['type'] === undefined || strategy['type'] === '') strategy['type'] = 'OnDelete';
      if (strategy['type'] === 'RollingUpdate') {
        const ru = ensureRecord(strategy, 'rollingUpdate');
        if (ru['maxUnavailable'] === undefined || ru['maxUnavailable'] === null) ru['maxUnavailable'] = 1;
      }
      if (spec['revisionHistoryLimit'] === undefined || spec['revisionHistoryLimit'] === null) spec['revisionHistoryLimit'] = 10;
      return;
    }
  }
}

/**
 * An extensions/v1beta1 object (defaulted as extensions/v1beta1 did) in apps/v1. Deployment spec.rollbackTo
 * and DaemonSet spec.templateGeneration move into their deprecated annotations. `obj` is not mutated.
 */
export function extensionsToApps(kind: LegacyWorkloadKind, obj: JsonRecord): JsonRecord {
  const out = cloneJson(obj);
  defaultExtensionsV1beta1(kind, out);
  out['apiVersion'] = 'apps/v1';
  const spec = ensureRecord(out, 'spec');
  if (kind === 'Deployment') {
    const ann = annotationsOf(out);
    const rollbackTo = asRecord(spec['rollbackTo']);
    if (rollbackTo !== undefined) {
      const revision = typeof rollbackTo['revision'] === 'number' ? rollbackTo['revision'] : 0;
      ann[deprecatedRollbackToAnnotation] = String(revision);
    } else {
      delete ann[deprecatedRollbackToAnnotation];
    }
    delete spec['rollbackTo'];
    setAnnotations(out, ann);
  } else if (kind === 'DaemonSet') {
    const generation = spec['templateGeneration'];
    if (typeof generation === 'number') {
      const ann = annotationsOf(out);
      ann[deprecatedTemplateGenerationAnnotation] = String(generation);
      setAnnotations(out, ann);
    }
    delete spec['templateGeneration'];
  }
  return out;
}

/** An apps/v1 object in extensions/v1beta1: the deprecated annotations become spec fields again. `obj` is not mutated. */
export function appsToExtensions(kind: LegacyWorkloadKind, obj: JsonRecord): JsonRecord {
  const out = cloneJson(obj);
  out['apiVersion'] = 'extensions/v1beta1';
  if (kind === 'Deployment') {
    const ann = annotationsOf(out);
    const revision = ann[deprecatedRollbackToAnnotation];
    if (revision !== undefined && revision !== '' && /^-?\d+$/.test(revision)) {
      ensureRecord(out, 'spec')['rollbackTo'] = { revision: Number(revision) };
      delete ann[deprecatedRollbackToAnnotation];
      setAnnotations(out, ann);
    }
  } else if (kind === 'DaemonSet') {
    const ann = annotationsOf(out);
    const generation = ann[deprecatedTemplateGenerationAnnotation];
    if (generation !== undefined && /^-?\d+$/.test(generation)) {
      ensureRecord(out, 'spec')['templateGeneration'] = Number(generation);
      delete ann[deprecatedTemplateGenerationAnnotation];
      setAnnotations(out, ann);
    }
  }
  return out;
}
