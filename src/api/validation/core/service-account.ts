// ServiceAccount validation after ValidateServiceAccount(Update): metadata only.
import { FieldPath } from '../../../machinery/field-errors.js';
import type { KindValidator } from '../kind-validator.js';
import { validateNameDNSSubdomain } from '../names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';

const metaPath = FieldPath.root('metadata');

export const serviceAccountValidator: KindValidator = {
  create: (obj) => validateObjectMeta(obj.metadata, true, validateNameDNSSubdomain, metaPath),
  update: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata, metaPath),
    ...validateObjectMeta(obj.metadata, true, validateNameDNSSubdomain, metaPath),
  ],
};
