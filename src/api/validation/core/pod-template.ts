// PodTemplate validation after ValidatePodTemplate and ValidatePodTemplateUpdate.
import type { PodTemplate } from 'kubernetes-types/core/v1.js';
import { FieldPath } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { validateNameDNSSubdomain } from '../names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { validatePodTemplateSpec } from './pod-spec.js';
import { validatePersistentVolumeClaimSpec } from './persistent-volume-claim.js';

const metaPath = FieldPath.root('metadata');
const opts = { validateClaimSpec: validatePersistentVolumeClaimSpec };

function template(obj: StoredObject): PodTemplate['template'] {
  return (obj as unknown as PodTemplate).template;
}

export const podTemplateValidator: KindValidator = {
  create: (obj) => [
    ...validateObjectMeta(obj.metadata, true, validateNameDNSSubdomain, metaPath),
    ...validatePodTemplateSpec(template(obj), FieldPath.root('template'), opts),
  ],
  update: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata, metaPath), ...validatePodTemplateSpec(template(obj), FieldPath.root('template'), opts)],
};
