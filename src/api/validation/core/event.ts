// Event validation after legacyValidateEvent (what core/v1 Event writes are held to).
import type { Event } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { byteLength, isDNS1123Subdomain, isQualifiedName } from '../names.js';

/** legacyValidateEvent: namespaces agree; events with eventTime carry reporting fields within limits. */
export function validateEventLegacy(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const involvedNS = ev.involvedObject?.namespace ?? '';
  const mismatch = fieldError.invalid(FieldPath.root('involvedObject', 'namespace'), involvedNS, 'does not match event.namespace');
  if (ev.eventTime === undefined || ev.eventTime === null || ev.eventTime === '') {
    if (involvedNS === '') {
      if (ns !== '' && ns !== 'default') errs.push(mismatch);
    } else if (ns !== involvedNS) {
      errs.push(mismatch);
    }
  } else {
    if (involvedNS === '' && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch);
    const rc = ev.reportingComponent ?? '';
    if (rc === '') errs.push(fieldError.required(FieldPath.root('reportingController')));
    for (const m of isQualifiedName(rc)) errs.push(fieldError.invalid(FieldPath.root('reportingController'), rc, m));
    const limits: Array<[string, string | undefined, number, boolean]> = [
      ['reportingInstance', ev.reportingInstance, 128, true],
      ['action', ev.action, 128, true],
      ['reason', ev.reason, 128, true],
      ['message', ev.message, 1024, false],
    ];
    for (const [name, value, limit, requiredField] of limits) {
      const v = value ?? '';
      if (requiredField && v === '') errs.push(fieldError.required(FieldPath.root(name)));
      if (byteLength(v) > limit) errs.push(fieldError.invalid(FieldPath.root(name), '', `can have at most ${limit} characters`));
    }
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(fieldError.invalid(FieldPath.root('namespace'), ns, m));
  return errs;
}

function asEvent(obj: StoredObject): Event {
  return obj as unknown as Event;
}

export const eventValidator: KindValidator = {
  create: (obj) => validateEventLegacy(asEvent(obj)),
  update: (obj) => validateEventLegacy(asEvent(obj)),
};
