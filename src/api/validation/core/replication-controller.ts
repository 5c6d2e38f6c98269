// ReplicationController validation after ValidateReplicationController(Spec|Update|StatusUpdate).
import type { ReplicationController, ReplicationControllerSpec, ReplicationControllerStatus } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { validateNameDNSSubdomain } from '../names.js';
import { validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { validatePodTemplateSpec } from './pod-spec.js';
import { validatePersistentVolumeClaimSpec } from './persistent-volume-claim.js';

const metaPath = FieldPath.root('metadata');

export function validateReplicationControllerSpec(spec: ReplicationControllerSpec | undefined, path: FieldPath): FieldError[] {
  const s = spec ?? {};
  const errs = validateNonnegativeField(s.minReadySeconds ?? 0, path.child('minReadySeconds'));
  const selector = s.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(fieldError.required(path.child('selector')));
  errs.push(...validateNonnegativeField(s.replicas ?? 0, path.child('replicas')));
  const tplPath = path.child('template');
  const tpl = s.template;
  if (tpl === undefined || tpl === null) {
    errs.push(fieldError.required(tplPath));
    return errs;
  }
  const labels = tpl.metadata?.labels ?? {};
  if (Object.keys(selector).length > 0 && Object.entries(selector).some(([k, v]) => labels[k] !== v)) {
    errs.push(fieldError.invalid(tplPath.child('metadata', 'labels'), labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(tpl, tplPath, { validateClaimSpec: (cs, p) => validatePersistentVolumeClaimSpec(cs, p) }));
  if (tpl.spec?.restartPolicy !== 'Always') errs.push(fieldError.notSupported(tplPath.child('spec', 'restartPolicy'), tpl.spec?.restartPolicy ?? '', ['Always']));
  if (tpl.spec?.activeDeadlineSeconds !== undefined && tpl.spec.activeDeadlineSeconds !== null) {
    errs.push(fieldError.forbidden(tplPath.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

export function validateReplicationControllerStatus(status: ReplicationControllerStatus | undefined, path: FieldPath): FieldError[] {
  const s = status ?? { replicas: 0 };
  const errs: FieldError[] = [];
  const replicas = s.replicas ?? 0;
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const) {
    errs.push(...validateNonnegativeField(s[f] ?? 0, path.child(f)));
  }
  const msg = 'cannot be greater than status.replicas';
  if ((s.fullyLabeledReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('fullyLabeledReplicas'), s.fullyLabeledReplicas, msg));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('readyReplicas'), s.readyReplicas, msg));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(fieldError.invalid(path.child('availableReplicas'), s.availableReplicas, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) errs.push(fieldError.invalid(path.child('availableReplicas'), s.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

function asRC(obj: StoredObject): ReplicationController {
  return obj as unknown as ReplicationController;
}

export const replicationControllerValidator: KindValidator = {
  create: (obj) => [
    ...validateObjectMeta(asRC(obj).metadata, true, validateNameDNSSubdomain, metaPath),
    ...validateReplicationControllerSpec(asRC(obj).spec, FieldPath.root('spec')),
  ],
  update: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata, metaPath),
    ...validateReplicationControllerSpec(asRC(obj).spec, FieldPath.root('spec')),
  ],
  statusUpdate: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata, metaPath),
    ...validateReplicationControllerStatus(asRC(obj).status, FieldPath.root('status')),
  ],
};
