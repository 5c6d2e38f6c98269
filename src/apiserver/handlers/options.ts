// Query options checked as upstream's parameter decoding and ValidateListOptions / ValidateFieldManager do.
import { ApiError } from '../../machinery/errors.js';
import { fieldError, type FieldError } from '../../machinery/field-errors.js';

const metaKind = (name: string) => ({ group: 'meta.k8s.io', name });

function intParam(query: URLSearchParams, name: string): void {
  const v = query.get(name);
  if (v !== null && v !== '' && !/^-?\d+$/.test(v)) throw ApiError.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
}

/** ListOptions of a list or watch request. */
export function validateListOptions(query: URLSearchParams, watch: boolean): void {
  intParam(query, 'limit');
  intParam(query, 'timeoutSeconds');
  const errs: FieldError[] = [];
  const rv = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  if (rv !== '' && !/^\d+$/.test(rv)) {
    throw ApiError.badRequest(`invalid resource version "${rv}": strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`);
  }
  if (match !== '') {
    if (match !== 'NotOlderThan' && match !== 'Exact') errs.push(fieldError.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    else if (rv === '') errs.push(fieldError.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    else if (match === 'Exact' && rv === '0') errs.push(fieldError.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (!watch && query.get('sendInitialEvents') !== null) errs.push(fieldError.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  if (errs.length > 0) throw ApiError.invalid(metaKind('ListOptions'), '', errs);
}

/** fieldManager of a create, update or patch (ValidateFieldManager). */
export function validateWriteOptions(query: URLSearchParams, kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): void {
  const fm = query.get('fieldManager');
  if (fm === null) return;
  const errs: FieldError[] = [];
  if (Buffer.byteLength(fm) > 128) errs.push(fieldError.tooLong('fieldManager', '', 128));
  for (let i = 0; i < fm.length; i++) {
    const c = fm.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      errs.push(fieldError.invalid(`fieldManager[${i}]`, fm, 'all characters must be printable'));
      break;
    }
  }
  if (errs.length > 0) throw ApiError.invalid(metaKind(kind), '', errs);
}
