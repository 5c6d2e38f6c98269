// Field errors as k8s.io/apimachinery/pkg/util/validation/field defines them: the same
// type strings, the same message body, the same aggregation into an Invalid status.

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const typeString: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marker for "do not print the bad value" (upstream's field.OmitValueType). */
export const omitValue: unique symbol = Symbol('omitValue');

export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly badValue: unknown;
  readonly detail: string;
}

/** Formats a value the way Go's %v / %q would for the simple types validation reports. */
function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[]${value.length > 0 && typeof value[0] === 'string' ? 'string' : 'interface {}'}{${value.map((v) => formatValue(v)).join(', ')}}`;
  return JSON.stringify(value);
}

/** The part after "field: " (upstream's ErrorBody). */
export function fieldErrorBody(e: FieldError): string {
  let s: string;
  switch (e.type) {
    case 'FieldValueRequired':
    case 'FieldValueForbidden':
    case 'FieldValueTooLong':
    case 'InternalError':
      s = typeString[e.type];
      break;
    default:
      s = e.badValue === omitValue ? typeString[e.type] : `${typeString[e.type]}: ${formatValue(e.badValue)}`;
  }
  if (e.detail.length > 0) s += `: ${e.detail}`;
  return s;
}

export function fieldErrorMessage(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/**
 * A field path, printed as upstream prints it: spec.containers[0].name, metadata.labels[app]. Paths share their
 * parents (validation builds thousands of them per object and prints almost none), so the text is built on demand.
 */
export class FieldPath {
  private text: string | undefined;
  private constructor(
    private readonly parent: FieldPath | undefined,
    private readonly segment: string,
  ) {}
  static root(name: string, ...more: string[]): FieldPath {
    let p = new FieldPath(undefined, name);
    for (const m of more) p = new FieldPath(p, `.${m}`);
    return p;
  }
  child(name: string, ...more: string[]): FieldPath {
    let p = new FieldPath(this, `.${name}`);
    for (const m of more) p = new FieldPath(p, `.${m}`);
    return p;
  }
  index(i: number): FieldPath {
    return new FieldPath(this, `[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(this, `[${k}]`);
  }
  toString(): string {
    if (this.text === undefined) this.text = this.parent === undefined ? this.segment : `${this.parent.toString()}${this.segment}`;
    return this.text;
  }
}

function make(type: FieldErrorType, path: FieldPath | string, badValue: unknown, detail: string): FieldError {
  return { type, field: String(path), badValue, detail };
}

export const fieldError = {
  notFound: (p: FieldPath | string, v: unknown) => make('FieldValueNotFound', p, v, ''),
  required: (p: FieldPath | string, detail = '') => make('FieldValueRequired', p, '', detail),
  duplicate: (p: FieldPath | string, v: unknown) => make('FieldValueDuplicate', p, v, ''),
  invalid: (p: FieldPath | string, v: unknown, detail: string) => make('FieldValueInvalid', p, v, detail),
  notSupported: (p: FieldPath | string, v: unknown, valid: readonly string[]) =>
    make('FieldValueNotSupported', p, v, valid.length > 0 ? `supported values: ${valid.map((s) => JSON.stringify(s)).join(', ')}` : ''),
  forbidden: (p: FieldPath | string, detail: string) => make('FieldValueForbidden', p, '', detail),
  tooLong: (p: FieldPath | string, v: unknown, max: number) =>
    make('FieldValueTooLong', p, v, max >= 0 ? `may not be more than ${max} bytes` : 'value is too long'),
  tooMany: (p: FieldPath | string, actual: number, max: number) =>
    make('FieldValueTooMany', p, actual, max >= 0 ? `must have at most ${max} items` : 'has too many items'),
  internal: (p: FieldPath | string, err: string) => make('InternalError', p, null, err),
  typeInvalid: (p: FieldPath | string, v: unknown, detail: string) => make('FieldValueTypeInvalid', p, v, detail),
};

/** Upstream's utilerrors.NewAggregate(...).Error(): one message alone, several in brackets, duplicates dropped. */
export function aggregateMessage(errs: readonly FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errs) {
    const m = fieldErrorMessage(e);
    if (seen.has(m)) continue;
    seen.add(m);
    msgs.push(m);
  }
  if (msgs.length === 1) return msgs[0] ?? '';
  return `[${msgs.join(', ')}]`;
}
