import type { FieldError } from '../../machinery/field-errors.js';
import type { StoredObject } from '../object.js';

/** Validation of one kind (in its storage version), metadata included. */
export interface KindValidator {
  create(obj: StoredObject): FieldError[];
  update(obj: StoredObject, old: StoredObject): FieldError[];
  /** For the status subresource; defaults to metadata-only checks when absent. */
  statusUpdate?(obj: StoredObject, old: StoredObject): FieldError[];
}

/** Key: "<group>/<Kind>" of the storage version, e.g. "/Pod", "apps/Deployment". */
export type KindValidators = Readonly<Record<string, KindValidator>>;
