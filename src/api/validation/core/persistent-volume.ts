// PersistentVolume validation after ValidatePersistentVolume(Spec|Update|StatusUpdate).
import type { PersistentVolume, PersistentVolumeSpec } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { validateNameDNSSubdomain } from '../names.js';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { supportedVolumeModes, validateAccessModes } from './persistent-volume-claim.js';
import { describeDiff, validateNodeSelector } from './pod-spec.js';
import { quantityAt, validatePositiveQuantityValue } from './resource-names.js';
import { semanticEqual } from './semantic-equal.js';
import { validateHostPathVolumeSource, validatePathNoBacksteps, validateVolumeSource } from './volumes.js';

const supportedReclaimPolicies = ['Delete', 'Recycle', 'Retain'];

/** The keys of PersistentVolumeSource, in upstream's order of checking. */
const pvSourceKeys = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi', 'cinder', 'fc',
  'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'scaleIO', 'local', 'storageos', 'csi',
];

function pvSource(spec: PersistentVolumeSpec): Record<string, unknown> {
  const rec = spec as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of pvSourceKeys) if (rec[k] !== undefined && rec[k] !== null) out[k] = rec[k];
  return out;
}

export function validatePersistentVolumeSpec(spec: PersistentVolumeSpec | undefined, path: FieldPath): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  if ((s.accessModes ?? []).length === 0) errs.push(fieldError.required(path.child('accessModes')));
  errs.push(...validateAccessModes(s.accessModes, path.child('accessModes')));
  const capacity = s.capacity ?? {};
  const capPath = path.child('capacity');
  if (Object.keys(capacity).length === 0) errs.push(fieldError.required(capPath));
  if (!Object.hasOwn(capacity, 'storage') || Object.keys(capacity).length > 1) errs.push(fieldError.notSupported(capPath, capacity, ['storage']));
  for (const [r, raw] of Object.entries(capacity)) {
    const q = quantityAt(raw, capPath.key(r), errs);
    if (q === undefined) continue;
    if (q.sign() < 0) errs.push(fieldError.invalid(capPath.key(r), q.toString(), 'must be a valid resource quantity'));
    errs.push(...validatePositiveQuantityValue(q, capPath.key(r)));
  }
  const policy = s.persistentVolumeReclaimPolicy ?? '';
  if (policy !== '' && !supportedReclaimPolicies.includes(policy)) {
    errs.push(fieldError.notSupported(path.child('persistentVolumeReclaimPolicy'), policy, supportedReclaimPolicies));
  }
  let nodeAffinitySpecified = false;
  if (s.nodeAffinity !== undefined && s.nodeAffinity !== null) {
    nodeAffinitySpecified = true;
    if (s.nodeAffinity.required !== undefined) errs.push(...validateNodeSelector(s.nodeAffinity.required, false, path.child('nodeAffinity', 'required')));
    else errs.push(fieldError.required(path.child('nodeAffinity', 'required'), 'must specify required node constraints'));
  }
  const src = pvSource(s);
  const keys = Object.keys(src);
  if (keys.length === 0) {
    errs.push(fieldError.required(path, 'must specify a volume type'));
  } else {
    keys.slice(1).forEach((k) => errs.push(fieldError.forbidden(path.child(k), 'may not specify more than 1 volume type')));
    const first = keys[0] ?? '';
    if (first === 'local') {
      const local = src['local'] as { path?: string };
      if ((local.path ?? '') === '') errs.push(fieldError.required(path.child('local', 'path')));
      else errs.push(...validatePathNoBacksteps(local.path ?? '', path.child('local', 'path')));
      if (!nodeAffinitySpecified) errs.push(fieldError.required(path.child('nodeAffinity'), 'Local volume requires node affinity'));
    } else if (first === 'hostPath') {
      errs.push(...validateHostPathVolumeSource(src['hostPath'] as { path?: string; type?: string }, path.child('hostPath')));
    } else if (first === 'csi') {
      const csi = src['csi'] as { driver?: string; volumeHandle?: string };
      errs.push(...validateVolumeSource({ csi }, path, '', undefined, {}).filter((e) => !e.field.endsWith('.name')));
      if ((csi.volumeHandle ?? '') === '') errs.push(fieldError.required(path.child('csi', 'volumeHandle')));
    } else {
      errs.push(...validateVolumeSource({ [first]: src[first] }, path, '', undefined, {}));
    }
  }
  const hp = s.hostPath?.path;
  if (hp !== undefined && hp.replace(/\/+$/, '') === '' && hp.startsWith('/') && policy === 'Recycle') {
    errs.push(fieldError.forbidden(path.child('persistentVolumeReclaimPolicy'), "may not be 'recycle' for a hostPath mount of '/'"));
  }
  const sc = s.storageClassName ?? '';
  if (sc !== '') for (const m of validateNameDNSSubdomain(sc, false)) errs.push(fieldError.invalid(path.child('storageClassName'), sc, m));
  if (s.volumeMode !== undefined && !supportedVolumeModes.includes(s.volumeMode)) errs.push(fieldError.notSupported(path.child('volumeMode'), s.volumeMode, supportedVolumeModes));
  return errs;
}

const metaPath = FieldPath.root('metadata');

function asPV(obj: StoredObject): PersistentVolume {
  return obj as unknown as PersistentVolume;
}

export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const errs = validateObjectMeta(pv.metadata, false, validateNameDNSSubdomain, metaPath);
  errs.push(...validatePersistentVolumeSpec(pv.spec, FieldPath.root('spec')));
  return errs;
}

export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = validatePersistentVolume(pv);
  const newSrc = pvSource(pv.spec ?? {});
  const oldSrc = pvSource(old.spec ?? {});
  const oldCsi = oldSrc['csi'] as { controllerExpandSecretRef?: unknown } | undefined;
  const newCsi = newSrc['csi'] as { controllerExpandSecretRef?: unknown } | undefined;
  if (oldCsi !== undefined && oldCsi.controllerExpandSecretRef === undefined && newCsi?.controllerExpandSecretRef !== undefined) {
    newSrc['csi'] = { ...newCsi, controllerExpandSecretRef: undefined };
  }
  if (!semanticEqual(newSrc, oldSrc)) {
    errs.push(
      fieldError.forbidden(FieldPath.root('spec', 'persistentvolumesource'), `spec.persistentvolumesource is immutable after creation\n${describeDiff(oldSrc, newSrc).join('\n')}`),
    );
  }
  errs.push(...validateImmutableField(pv.spec?.volumeMode, old.spec?.volumeMode, FieldPath.root('volumeMode')));
  if (old.spec?.nodeAffinity !== undefined && !semanticEqual(pv.spec?.nodeAffinity, old.spec.nodeAffinity)) {
    errs.push(fieldError.invalid(FieldPath.root('nodeAffinity'), pv.spec?.nodeAffinity ?? null, 'field is immutable, except for updating from beta label to GA'));
  }
  return errs;
}

export function validatePersistentVolumeStatusUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = validateObjectMetaUpdate(pv.metadata, old.metadata, metaPath);
  if ((pv.metadata?.resourceVersion ?? '') === '') errs.push(fieldError.required(FieldPath.root('resourceVersion')));
  return errs;
}

export const persistentVolumeValidator: KindValidator = {
  create: (obj) => validatePersistentVolume(asPV(obj)),
  update: (obj, old) => validatePersistentVolumeUpdate(asPV(obj), asPV(old)),
  statusUpdate: (obj, old) => validatePersistentVolumeStatusUpdate(asPV(obj), asPV(old)),
};
