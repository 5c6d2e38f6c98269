// ConfigMap validation after ValidateConfigMap and ValidateConfigMapUpdate.
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { byteLength, isConfigMapKey, validateNameDNSSubdomain } from '../names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { semanticEqual } from './semantic-equal.js';

/** core.MaxSecretSize, shared by ConfigMaps and Secrets: 1 MiB. */
export const maxSecretSize = 1024 * 1024;

const metaPath = FieldPath.root('metadata');

/** The decoded length of a base64 string (Secret data and ConfigMap binaryData travel as base64). */
export function base64DecodedLength(s: string): number {
  return Buffer.from(s, 'base64').length;
}

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, true, validateNameDNSSubdomain, metaPath);
  let total = 0;
  const binary = cm.binaryData ?? {};
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    for (const m of isConfigMapKey(key)) errs.push(fieldError.invalid(FieldPath.root('data').key(key), key, m));
    if (Object.hasOwn(binary, key)) errs.push(fieldError.invalid(FieldPath.root('data').key(key), key, 'duplicate of key present in binaryData'));
    total += byteLength(value);
  }
  for (const [key, value] of Object.entries(binary)) {
    for (const m of isConfigMapKey(key)) errs.push(fieldError.invalid(FieldPath.root('binaryData').key(key), key, m));
    total += base64DecodedLength(value);
  }
  if (total > maxSecretSize) errs.push(fieldError.tooLong('', '', maxSecretSize));
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata, metaPath);
  if (old.immutable === true) {
    const msg = 'field is immutable when `immutable` is set';
    if (cm.immutable !== true) errs.push(fieldError.forbidden(FieldPath.root('immutable'), msg));
    if (!semanticEqual(cm.data, old.data)) errs.push(fieldError.forbidden(FieldPath.root('data'), msg));
    if (!semanticEqual(cm.binaryData, old.binaryData)) errs.push(fieldError.forbidden(FieldPath.root('binaryData'), msg));
  }
  errs.push(...validateConfigMap(cm));
  return errs;
}

function asCM(obj: StoredObject): ConfigMap {
  return obj as unknown as ConfigMap;
}

export const configMapValidator: KindValidator = {
  create: (obj) => validateConfigMap(asCM(obj)),
  update: (obj, old) => validateConfigMapUpdate(asCM(obj), asCM(old)),
};
