// Per-kind validation after upstream's pkg/apis/*/validation, dispatched by storage group and kind.
import type { FieldError } from '../../machinery/field-errors.js';
import type { StoredObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';
import { coreValidators } from './core/index.js';
import { groupValidators } from './groups/index.js';
import type { KindValidator } from './kind-validator.js';

const validators: Readonly<Record<string, KindValidator>> = { ...coreValidators, ...groupValidators };

function validatorFor(r: ResourceInfo): KindValidator | undefined {
  return validators[`${r.group}/${r.kind}`];
}

/** `obj` is defaulted and in the storage version of `r` (r is a storage-version ResourceInfo). Includes metadata validation. */
export function validateCreate(obj: StoredObject, r: ResourceInfo): FieldError[] {
  return validatorFor(r)?.create(obj) ?? [];
}

export function validateUpdate(obj: StoredObject, old: StoredObject, r: ResourceInfo): FieldError[] {
  return validatorFor(r)?.update(obj, old) ?? [];
}

export function validateStatusUpdate(obj: StoredObject, old: StoredObject, r: ResourceInfo): FieldError[] {
  const v = validatorFor(r);
  if (v === undefined) return [];
  return v.statusUpdate !== undefined ? v.statusUpdate(obj, old) : [];
}
