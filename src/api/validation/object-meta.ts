// Metadata validation after k8s.io/apimachinery/pkg/api/validation/objectmeta.go and
// k8s.io/apimachinery/pkg/apis/meta/v1/validation (v1.32).
import type { LabelSelector, LabelSelectorRequirement, ManagedFieldsEntry, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../machinery/field-errors.js';
import type { ObjectMeta } from '../object.js';
import { semanticEqual } from './core/semantic-equal.js';
import { byteLength, isQualifiedName, isValidLabelValue, type NameValidator, validateNameDNSLabel } from './names.js';

export const fieldImmutableErrorMsg = 'field is immutable';
export const isNegativeErrorMsg = 'must be greater than or equal to 0';
export const totalAnnotationSizeLimitB = 256 * (1 << 10);

/** Go's %#v of a []string. */
export function goStringSlice(values: readonly string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

export function validateNonnegativeField(value: number | undefined, path: FieldPath): FieldError[] {
  return value !== undefined && value < 0 ? [fieldError.invalid(path, value, isNegativeErrorMsg)] : [];
}

export function validateImmutableField(newVal: unknown, oldVal: unknown, path: FieldPath): FieldError[] {
  return semanticEqual(newVal, oldVal) ? [] : [fieldError.invalid(path, newVal ?? '', fieldImmutableErrorMsg)];
}

export function validateLabelName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((m) => fieldError.invalid(path, name, m));
}

export function validateLabels(labels: Readonly<Record<string, string>> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    for (const m of isValidLabelValue(v)) errs.push(fieldError.invalid(path, v, m));
  }
  return errs;
}

export function validateAnnotationsSize(annotations: Readonly<Record<string, string>> | undefined): boolean {
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) total += byteLength(k) + byteLength(v);
  return total <= totalAnnotationSizeLimitB;
}

export function validateAnnotations(annotations: Readonly<Record<string, string>> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(annotations ?? {})) {
    // The rule is QualifiedName except that case doesn't matter.
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldError.invalid(path, k, m));
  }
  if (!validateAnnotationsSize(annotations)) errs.push(fieldError.tooLong(path, '', totalAnnotationSizeLimitB));
  return errs;
}

export interface LabelSelectorValidationOptions {
  /** Tolerate label values in matchExpressions that are not valid label values. */
  allowInvalidLabelValueInSelector?: boolean;
}

export function validateLabelSelectorRequirement(
  sr: LabelSelectorRequirement,
  path: FieldPath,
  opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  const errs: FieldError[] = [];
  const values = sr.values ?? [];
  switch (sr.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(fieldError.required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(fieldError.forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(fieldError.invalid(path.child('operator'), sr.operator, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(sr.key, path.child('key')));
  if (opts.allowInvalidLabelValueInSelector !== true) {
    values.forEach((v, i) => {
      for (const m of isValidLabelValue(v)) errs.push(fieldError.invalid(path.child('values').index(i), v, m));
    });
  }
  return errs;
}

/** metav1validation.ValidateLabelSelector. */
export function validateLabelSelector(
  sel: LabelSelector | undefined | null,
  path: FieldPath,
  opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  if (sel === undefined || sel === null) return [];
  const errs = validateLabels(sel.matchLabels, path.child('matchLabels'));
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    errs.push(...validateLabelSelectorRequirement(expr, path.child('matchExpressions').index(i), opts));
  });
  return errs;
}

function validateOwnerReference(ref: OwnerReference, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = ref.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
  if (version.length === 0) errs.push(fieldError.invalid(path.child('apiVersion'), apiVersion, 'version must not be empty'));
  if ((ref.kind ?? '').length === 0) errs.push(fieldError.invalid(path.child('kind'), ref.kind ?? '', 'must not be empty'));
  if ((ref.name ?? '').length === 0) errs.push(fieldError.invalid(path.child('name'), ref.name ?? '', 'must not be empty'));
  if ((ref.uid ?? '').length === 0) errs.push(fieldError.invalid(path.child('uid'), ref.uid ?? '', 'must not be empty'));
  if (group === '' && version === 'v1' && ref.kind === 'Event') {
    errs.push(fieldError.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
  }
  return errs;
}

export function validateOwnerReferences(refs: readonly OwnerReference[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    errs.push(...validateOwnerReference(ref, path));
    if (ref.controller === true) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController !== '') {
        errs.push(
          fieldError.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`),
        );
      } else {
        firstController = cur;
      }
    }
  }
  return errs;
}

export function validateFinalizerName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((m) => fieldError.invalid(path, name, m));
}

export function validateFinalizers(finalizers: readonly string[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) errs.push(...validateFinalizerName(f, path));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(fieldError.invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export function validateNoNewFinalizers(newF: readonly string[] | undefined, oldF: readonly string[] | undefined, path: FieldPath): FieldError[] {
  const old = new Set(oldF ?? []);
  const extra = [...new Set((newF ?? []).filter((f) => !old.has(f)))].sort();
  if (extra.length === 0) return [];
  return [fieldError.forbidden(path, `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`)];
}

const fieldManagerMaxLength = 128;

function isPrintable(ch: string): boolean {
  // unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
  return ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

export function validateFieldManager(manager: string | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const m = manager ?? '';
  if (byteLength(m) > fieldManagerMaxLength) errs.push(fieldError.tooLong(path, m, fieldManagerMaxLength));
  let pos = 0;
  for (const ch of m) {
    if (!isPrintable(ch)) {
      const cp = ch.codePointAt(0) ?? 0;
      errs.push(fieldError.invalid(path, m, `invalid character U+${cp.toString(16).toUpperCase().padStart(4, '0')} (at position ${pos})`));
    }
    pos += byteLength(ch);
  }
  return errs;
}

export function validateManagedFields(list: readonly ManagedFieldsEntry[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (list ?? []).forEach((f, i) => {
    const p = path.index(i);
    if (f.operation !== 'Apply' && f.operation !== 'Update') {
      errs.push(fieldError.invalid(p.child('operation'), f.operation ?? '', 'must be `Apply` or `Update`'));
    }
    if (f.fieldsType !== undefined && f.fieldsType.length > 0 && f.fieldsType !== 'FieldsV1') {
      errs.push(fieldError.invalid(p.child('fieldsType'), f.fieldsType, 'must be `FieldsV1`'));
    }
    errs.push(...validateFieldManager(f.manager, p.child('manager')));
    if (f.subresource !== undefined && byteLength(f.subresource) > 256) errs.push(fieldError.tooLong(p.child('subresource'), f.subresource, 256));
  });
  return errs;
}

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** validateKubeFinalizerName: an unqualified finalizer must be one of the standard ones. */
export function validateKubeFinalizerName(name: string, path: FieldPath): FieldError[] {
  if (!name.includes('/') && !standardFinalizers.has(name)) {
    return [fieldError.invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified')];
  }
  return [];
}

/** Upstream's ValidateNamespaceName. */
export const validateNamespaceName: NameValidator = validateNameDNSLabel;

/**
 * ValidateObjectMeta as pkg/apis/core/validation has it (the one built-in groups use): apimachinery's
 * checks plus the standard-or-qualified rule for each finalizer. Name generation has already happened.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, namespaced: boolean, nameFn: NameValidator, path: FieldPath): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  const generateName = m.generateName ?? '';
  if (generateName.length > 0) {
    for (const msg of nameFn(generateName, true)) errs.push(fieldError.invalid(path.child('generateName'), generateName, msg));
  }
  const name = m.name ?? '';
  if (name.length === 0) errs.push(fieldError.required(path.child('name'), 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(fieldError.invalid(path.child('name'), name, msg));

  const namespace = m.namespace ?? '';
  if (namespaced) {
    if (namespace.length === 0) errs.push(fieldError.required(path.child('namespace')));
    else for (const msg of validateNamespaceName(namespace, false)) errs.push(fieldError.invalid(path.child('namespace'), namespace, msg));
  } else if (namespace.length > 0) {
    errs.push(fieldError.forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegativeField(m.generation, path.child('generation')));
  errs.push(...validateLabels(m.labels, path.child('labels')));
  errs.push(...validateAnnotations(m.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, path.child('finalizers')));
  errs.push(...validateManagedFields(m.managedFields, path.child('managedFields')));
  (m.finalizers ?? []).forEach((f, i) => errs.push(...validateKubeFinalizerName(f, path.child('finalizers').index(i))));
  return errs;
}

/** ValidateObjectMetaUpdate: immutable identity fields plus the create-time checks of labels, annotations, owners. */
export function validateObjectMetaUpdate(newMeta: ObjectMeta | undefined, oldMeta: ObjectMeta | undefined, path: FieldPath): FieldError[] {
  const n = newMeta ?? {};
  const o = oldMeta ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp !== undefined && o.deletionTimestamp !== null) {
    errs.push(...validateNoNewFinalizers(n.finalizers, o.finalizers, path.child('finalizers')));
  }
  if ((n.resourceVersion ?? '').length === 0) {
    errs.push(fieldError.invalid(path.child('resourceVersion'), n.resourceVersion ?? '', 'must be specified for an update'));
  }
  if ((n.generation ?? 0) < (o.generation ?? 0)) {
    errs.push(fieldError.invalid(path.child('generation'), n.generation ?? 0, 'must not be decremented'));
  }
  errs.push(...validateImmutableField(n.name, o.name, path.child('name')));
  errs.push(...validateImmutableField(n.namespace, o.namespace, path.child('namespace')));
  errs.push(...validateImmutableField(n.uid, o.uid, path.child('uid')));
  errs.push(...validateImmutableField(n.creationTimestamp, o.creationTimestamp, path.child('creationTimestamp')));
  errs.push(...validateImmutableField(n.deletionTimestamp, o.deletionTimestamp, path.child('deletionTimestamp')));
  errs.push(...validateImmutableField(n.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, path.child('deletionGracePeriodSeconds')));
  errs.push(...validateLabels(n.labels, path.child('labels')));
  errs.push(...validateAnnotations(n.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateManagedFields(n.managedFields, path.child('managedFields')));
  (n.finalizers ?? []).forEach((f, i) => errs.push(...validateKubeFinalizerName(f, path.child('finalizers').index(i))));
  return errs;
}

/** The conventional root path of metadata. */
export const metadataPath: FieldPath = FieldPath.root('metadata');
