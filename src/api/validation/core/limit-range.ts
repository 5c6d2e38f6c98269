// LimitRange validation after ValidateLimitRange.
import type { LimitRange } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { Quantity } from '../../../machinery/quantity.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { isQualifiedName, validateNameDNSSubdomain } from '../names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { isOvercommitAllowed, quantityAt, validateContainerResourceName, validateResourceName } from './resource-names.js';

const metaPath = FieldPath.root('metadata');
const standardLimitTypes = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

function validateLimitType(t: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(t).map((m) => fieldError.invalid(path, t, m));
  if (errs.length === 0 && !t.includes('/') && !standardLimitTypes.has(t)) errs.push(fieldError.invalid(path, t, 'must be a standard limit type or fully qualified'));
  return errs;
}

export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, true, validateNameDNSSubdomain, metaPath);
  const types = new Set<string>();
  (lr.spec?.limits ?? []).forEach((limit, i) => {
    const idx = FieldPath.root('spec', 'limits').index(i);
    const type = limit.type ?? '';
    errs.push(...validateLimitType(type, idx.child('type')));
    if (types.has(type)) errs.push(fieldError.duplicate(idx.child('type'), type));
    types.add(type);
    const nameFn = type === 'Pod' || type === 'Container' ? validateContainerResourceName : validateResourceName;
    const collect = (field: 'max' | 'min' | 'default' | 'defaultRequest' | 'maxLimitRequestRatio'): Map<string, Quantity> => {
      const out = new Map<string, Quantity>();
      for (const [k, raw] of Object.entries(limit[field] ?? {})) {
        errs.push(...nameFn(k, idx.child(field).key(k)));
        const q = quantityAt(raw, idx.child(field).key(k), errs);
        if (q !== undefined) out.set(k, q);
      }
      return out;
    };
    const max = collect('max');
    const min = collect('min');
    let defaults = new Map<string, Quantity>();
    let defaultRequests = new Map<string, Quantity>();
    if (type === 'Pod') {
      if (Object.keys(limit.default ?? {}).length > 0) errs.push(fieldError.forbidden(idx.child('default'), "may not be specified when `type` is 'Pod'"));
      if (Object.keys(limit.defaultRequest ?? {}).length > 0) errs.push(fieldError.forbidden(idx.child('defaultRequest'), "may not be specified when `type` is 'Pod'"));
    } else {
      defaults = collect('default');
      defaultRequests = collect('defaultRequest');
    }
    if (type === 'PersistentVolumeClaim' && !min.has('storage') && !max.has('storage')) {
      errs.push(fieldError.required(idx.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    }
    const ratios = collect('maxLimitRequestRatio');
    const keys = new Set([...max.keys(), ...min.keys(), ...defaults.keys(), ...defaultRequests.keys(), ...ratios.keys()]);
    for (const k of keys) {
      const mn = min.get(k);
      const mx = max.get(k);
      const d = defaults.get(k);
      const dr = defaultRequests.get(k);
      const r = ratios.get(k);
      if (mn !== undefined && mx !== undefined && mn.cmp(mx) > 0) errs.push(fieldError.invalid(idx.child('min').key(k), mn.toString(), `min value ${mn.toString()} is greater than max value ${mx.toString()}`));
      if (dr !== undefined && mn !== undefined && mn.cmp(dr) > 0) {
        errs.push(fieldError.invalid(idx.child('defaultRequest').key(k), dr.toString(), `min value ${mn.toString()} is greater than default request value ${dr.toString()}`));
      }
      if (dr !== undefined && mx !== undefined && dr.cmp(mx) > 0) {
        errs.push(fieldError.invalid(idx.child('defaultRequest').key(k), dr.toString(), `default request value ${dr.toString()} is greater than max value ${mx.toString()}`));
      }
      if (dr !== undefined && d !== undefined && dr.cmp(d) > 0) {
        errs.push(fieldError.invalid(idx.child('defaultRequest').key(k), dr.toString(), `default request value ${dr.toString()} is greater than default limit value ${d.toString()}`));
      }
      if (d !== undefined && mn !== undefined && mn.cmp(d) > 0) errs.push(fieldError.invalid(idx.child('default').key(k), mn.toString(), `min value ${mn.toString()} is greater than default value ${d.toString()}`));
      if (d !== undefined && mx !== undefined && d.cmp(mx) > 0) errs.push(fieldError.invalid(idx.child('default').key(k), mx.toString(), `default value ${d.toString()} is greater than max value ${mx.toString()}`));
      if (r !== undefined && r.cmp(quantityAt('1', idx, []) ?? r) < 0) errs.push(fieldError.invalid(idx.child('maxLimitRequestRatio').key(k), r.toString(), `ratio ${r.toString()} is less than 1`));
      if (!isOvercommitAllowed(k) && d !== undefined && dr !== undefined && d.cmp(dr) !== 0) {
        errs.push(fieldError.invalid(idx.child('defaultRequest').key(k), dr.toString(), `default value ${d.toString()} must equal to defaultRequest value ${dr.toString()} in ${k}`));
      }
    }
  });
  return errs;
}

function asLR(obj: StoredObject): LimitRange {
  return obj as unknown as LimitRange;
}

export const limitRangeValidator: KindValidator = {
  create: (obj) => validateLimitRange(asLR(obj)),
  update: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata, metaPath), ...validateLimitRange(asLR(obj))],
};
