// STUB (owned by the validation helpers): per-kind validation after upstream's pkg/apis/*/validation.
import type { FieldError } from '../../machinery/field-errors.js';
import type { StoredObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';

/** `obj` is defaulted and in the storage version of `r` (r is a storage-version ResourceInfo). Includes metadata validation. */
export function validateCreate(obj: StoredObject, r: ResourceInfo): FieldError[] {
  void obj;
  void r;
  return [];
}

export function validateUpdate(obj: StoredObject, old: StoredObject, r: ResourceInfo): FieldError[] {
  void obj;
  void old;
  void r;
  return [];
}

export function validateStatusUpdate(obj: StoredObject, old: StoredObject, r: ResourceInfo): FieldError[] {
  void obj;
  void old;
  void r;
  return [];
}
