// Secret validation after ValidateSecret and ValidateSecretUpdate.
import type { Secret } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { isConfigMapKey, validateNameDNSSubdomain } from '../names.js';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { base64DecodedLength, maxSecretSize } from './config-map.js';
import { semanticEqual } from './semantic-equal.js';

const metaPath = FieldPath.root('metadata');
const dataPath = FieldPath.root('data');

function decode(s: string | undefined): string {
  return Buffer.from(s ?? '', 'base64').toString('utf8');
}

function validateJSONKey(data: Record<string, string>, key: string): FieldError[] {
  if (!Object.hasOwn(data, key)) return [fieldError.required(dataPath.key(key))];
  try {
    const v: unknown = JSON.parse(decode(data[key]));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
  } catch (e: unknown) {
    return [fieldError.invalid(dataPath.key(key), '<secret contents redacted>', e instanceof Error ? e.message : String(e))];
  }
  return [];
}

export function validateSecret(secret: Secret): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, true, validateNameDNSSubdomain, metaPath);
  const data = secret.data ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const m of isConfigMapKey(key)) errs.push(fieldError.invalid(dataPath.key(key), key, m));
    total += base64DecodedLength(value);
  }
  if (total > maxSecretSize) errs.push(fieldError.tooLong(dataPath, '', maxSecretSize));
  switch (secret.type ?? '') {
    case 'kubernetes.io/service-account-token':
      if ((secret.metadata?.annotations?.['kubernetes.io/service-account.name'] ?? '') === '') {
        errs.push(fieldError.required(metaPath.child('annotations').key('kubernetes.io/service-account.name')));
      }
      break;
    case 'kubernetes.io/dockercfg':
      errs.push(...validateJSONKey(data, '.dockercfg'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      errs.push(...validateJSONKey(data, '.dockerconfigjson'));
      break;
    case 'kubernetes.io/basic-auth':
      if (!Object.hasOwn(data, 'username') && !Object.hasOwn(data, 'password')) {
        errs.push(fieldError.required(dataPath.key('username')), fieldError.required(dataPath.key('password')));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if ((data['ssh-privatekey'] ?? '') === '') errs.push(fieldError.required(dataPath.key('ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      if (!Object.hasOwn(data, 'tls.crt')) errs.push(fieldError.required(dataPath.key('tls.crt')));
      if (!Object.hasOwn(data, 'tls.key')) errs.push(fieldError.required(dataPath.key('tls.key')));
      break;
    default:
      break;
  }
  return errs;
}

export function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata, metaPath);
  errs.push(...validateImmutableField(secret.type, old.type, FieldPath.root('type')));
  if (old.immutable === true) {
    const msg = 'field is immutable when `immutable` is set';
    if (secret.immutable !== true) errs.push(fieldError.forbidden(FieldPath.root('immutable'), msg));
    if (!semanticEqual(secret.data, old.data)) errs.push(fieldError.forbidden(dataPath, msg));
  }
  errs.push(...validateSecret(secret));
  return errs;
}

function asSecret(obj: StoredObject): Secret {
  return obj as unknown as Secret;
}

export const secretValidator: KindValidator = {
  create: (obj) => validateSecret(asSecret(obj)),
  update: (obj, old) => validateSecretUpdate(asSecret(obj), asSecret(old)),
};
