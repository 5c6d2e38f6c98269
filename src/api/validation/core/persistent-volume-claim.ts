// PersistentVolumeClaim validation after ValidatePersistentVolumeClaim(Spec|Update|StatusUpdate).
import type { PersistentVolumeClaim, PersistentVolumeClaimSpec } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { isDNS1123Subdomain, validateNameDNSLabel, validateNameDNSSubdomain } from '../names.js';
import { validateImmutableField, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { describeDiff } from './pod-spec.js';
import { quantityAt, validatePositiveQuantityValue, validateResourceQuantityValue } from './resource-names.js';
import { semanticEqual } from './semantic-equal.js';
import { cloneJson } from '../../conversion/json-record.js';

export const supportedAccessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const supportedVolumeModes = ['Block', 'Filesystem'];

export function validateAccessModes(modes: readonly string[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let rwop = false;
  let other = false;
  for (const mode of modes ?? []) {
    if (!supportedAccessModes.includes(mode)) errs.push(fieldError.notSupported(path, mode, supportedAccessModes));
    if (mode === 'ReadWriteOncePod') rwop = true;
    else if (supportedAccessModes.includes(mode)) other = true;
  }
  if (rwop && other) errs.push(fieldError.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function validateDataSourceRef(ref: { apiGroup?: string; kind?: string; name?: string; namespace?: string }, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if ((ref.name ?? '') === '') errs.push(fieldError.required(path.child('name')));
  if ((ref.kind ?? '') === '') errs.push(fieldError.required(path.child('kind')));
  const group = ref.apiGroup ?? '';
  if (group === '' && ref.kind !== 'PersistentVolumeClaim') errs.push(fieldError.invalid(path, ref.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (group !== '') for (const m of isDNS1123Subdomain(group)) errs.push(fieldError.invalid(path.child('apiGroup'), group, m));
  if ((ref.namespace ?? '') !== '') for (const m of validateNameDNSLabel(ref.namespace ?? '', false)) errs.push(fieldError.invalid(path.child('namespace'), ref.namespace, m));
  return errs;
}

/** ValidatePersistentVolumeClaimSpec. */
export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path: FieldPath): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  if ((s.accessModes ?? []).length === 0) errs.push(fieldError.required(path.child('accessModes'), 'at least 1 access mode is required'));
  if (s.selector !== undefined) errs.push(...validateLabelSelector(s.selector, path.child('selector')));
  errs.push(...validateAccessModes(s.accessModes, path.child('accessModes')));
  const storagePath = path.child('resources').key('storage');
  const raw = s.resources?.requests?.['storage'];
  if (raw === undefined) {
    errs.push(fieldError.required(storagePath));
  } else {
    const q = quantityAt(raw, storagePath, errs);
    if (q !== undefined) {
      const pos = validatePositiveQuantityValue(q, storagePath);
      errs.push(...(pos.length > 0 ? pos : validateResourceQuantityValue('storage', q, storagePath)));
    }
  }
  if ((s.storageClassName ?? '') !== '') {
    for (const m of validateNameDNSSubdomain(s.storageClassName ?? '', false)) errs.push(fieldError.invalid(path.child('storageClassName'), s.storageClassName, m));
  }
  if (s.volumeMode !== undefined && !supportedVolumeModes.includes(s.volumeMode)) errs.push(fieldError.notSupported(path.child('volumeMode'), s.volumeMode, supportedVolumeModes));
  if (s.dataSource !== undefined) errs.push(...validateDataSourceRef(s.dataSource, path.child('dataSource')));
  if (s.dataSourceRef !== undefined) errs.push(...validateDataSourceRef(s.dataSourceRef, path.child('dataSourceRef')));
  if (s.dataSourceRef !== undefined && (s.dataSourceRef.namespace ?? '') !== '') {
    if (s.dataSource !== undefined) errs.push(fieldError.invalid(path, path.child('dataSource').toString(), 'may not be specified when dataSourceRef.namespace is specified'));
  } else if (s.dataSource !== undefined && s.dataSourceRef !== undefined) {
    const a = s.dataSource;
    const b = s.dataSourceRef;
    if ((a.apiGroup ?? null) !== (b.apiGroup ?? null) || a.kind !== b.kind || a.name !== b.name) {
      errs.push(fieldError.invalid(path, path.child('dataSource').toString(), 'must match dataSourceRef'));
    }
  }
  return errs;
}

const metaPath = FieldPath.root('metadata');

function asPVC(obj: StoredObject): PersistentVolumeClaim {
  return obj as unknown as PersistentVolumeClaim;
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMeta(pvc.metadata, true, validateNameDNSSubdomain, metaPath);
  errs.push(...validatePersistentVolumeClaimSpec(pvc.spec, FieldPath.root('spec')));
  return errs;
}

const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

/** ValidatePersistentVolumeClaimUpdate: the spec is immutable except resources.requests (bound claims) and a first volumeName. */
export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata, metaPath);
  errs.push(...validatePersistentVolumeClaim(pvc));
  const newSpec: PersistentVolumeClaimSpec = cloneJson(pvc.spec ?? {});
  const oldSpec: PersistentVolumeClaimSpec = cloneJson(old.spec ?? {});
  if ((oldSpec.volumeName ?? '') === '') oldSpec.volumeName = newSpec.volumeName;
  const oldAnn = old.metadata?.annotations ?? {};
  const newAnn = pvc.metadata?.annotations ?? {};
  const oldSc = oldAnn[betaStorageClassAnnotation];
  const upgradeFromAnnotation =
    oldSc !== undefined && oldSpec.storageClassName === undefined && newSpec.storageClassName === oldSc && (newAnn[betaStorageClassAnnotation] ?? oldSc) === oldSc;
  if (upgradeFromAnnotation) {
    delete newSpec.storageClassName;
  } else {
    if ((newAnn[betaStorageClassAnnotation] ?? '') !== (oldSc ?? '')) {
      errs.push(fieldError.invalid(metaPath.child('annotations', betaStorageClassAnnotation), newAnn[betaStorageClassAnnotation] ?? '', 'field is immutable'));
    }
    if (newSpec.storageClassName !== undefined && oldSpec.storageClassName === undefined && (oldSc === undefined || newSpec.storageClassName === oldSc)) {
      newSpec.storageClassName = oldSpec.storageClassName;
    }
  }
  if (pvc.status?.phase === 'Bound' && newSpec.resources?.requests !== undefined) {
    newSpec.resources.requests['storage'] = old.spec?.resources?.requests?.['storage'] ?? '';
    if (old.spec?.resources?.requests?.['storage'] === undefined) delete newSpec.resources.requests['storage'];
  }
  if (!semanticEqual(newSpec, oldSpec)) {
    const diff = describeDiff(oldSpec, newSpec).join('\n');
    errs.push(fieldError.forbidden(FieldPath.root('spec'), `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${diff}`));
  }
  const sizeErrs: FieldError[] = [];
  const newSize = quantityAt(pvc.spec?.resources?.requests?.['storage'] ?? '0', FieldPath.root('spec', 'resources', 'requests', 'storage'), sizeErrs);
  const oldSize = quantityAt(old.spec?.resources?.requests?.['storage'] ?? '0', FieldPath.root('spec', 'resources', 'requests', 'storage'), sizeErrs);
  if (newSize !== undefined && oldSize !== undefined && newSize.cmp(oldSize) < 0) {
    errs.push(fieldError.forbidden(FieldPath.root('spec', 'resources', 'requests', 'storage'), 'field can not be less than previous value'));
  }
  errs.push(...validateImmutableField(pvc.spec?.volumeMode, old.spec?.volumeMode, FieldPath.root('volumeMode')));
  return errs;
}

export function validatePersistentVolumeClaimStatusUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata, metaPath);
  if ((pvc.metadata?.resourceVersion ?? '') === '') errs.push(fieldError.required(FieldPath.root('resourceVersion')));
  if ((pvc.spec?.accessModes ?? []).length === 0) errs.push(fieldError.required(FieldPath.root('Spec', 'accessModes')));
  for (const [r, raw] of Object.entries(pvc.status?.capacity ?? {})) {
    const p = FieldPath.root('status', 'capacity').key(r);
    const q = quantityAt(raw, p, errs);
    if (q !== undefined && q.sign() < 0) errs.push(fieldError.invalid(p, q.toString(), 'must be a valid resource quantity'));
  }
  return errs;
}

export const persistentVolumeClaimValidator: KindValidator = {
  create: (obj) => validatePersistentVolumeClaim(asPVC(obj)),
  update: (obj, old) => validatePersistentVolumeClaimUpdate(asPVC(obj), asPVC(old)),
  statusUpdate: (obj, old) => validatePersistentVolumeClaimStatusUpdate(asPVC(obj), asPVC(old)),
};
