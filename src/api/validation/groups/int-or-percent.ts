// Upstream's IntOrString checks from pkg/apis/apps/validation: ValidatePositiveIntOrPercent,
// getIntOrPercentValue and IsNotMoreThan100Percent.
import { type FieldError, type FieldPath, fieldError } from '../../../machinery/field-errors.js';
import { isValidPercent } from '../names.js';
import { validateNonnegativeField } from '../object-meta.js';

export type IntOrString = number | string;

export function validatePositiveIntOrPercent(v: IntOrString | undefined, path: FieldPath): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => fieldError.invalid(path, v, m));
  if (typeof v === 'number') return validateNonnegativeField(v, path);
  return [];
}

function percentValue(v: IntOrString | undefined): number | undefined {
  if (typeof v !== 'string' || isValidPercent(v).length > 0) return undefined;
  return Number(v.slice(0, -1));
}

/** The number of an int, or of a valid percent; 0 otherwise (Go's IntValue of a non-numeric string). */
export function intOrPercentValue(v: IntOrString | undefined): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return Number(v);
  return 0;
}

export function isNotMoreThan100Percent(v: IntOrString | undefined, path: FieldPath): FieldError[] {
  const p = percentValue(v);
  if (p === undefined || p <= 100) return [];
  return [fieldError.invalid(path, v, 'must not be greater than 100%')];
}
