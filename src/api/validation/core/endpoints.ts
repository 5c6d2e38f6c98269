// Endpoints validation after ValidateEndpoints.
import type { EndpointAddress, EndpointPort, Endpoints } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { isQualifiedName, isValidIP, isValidPortNum, validateNameDNSSubdomain } from '../names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { validateNonSpecialIP } from './service.js';
import { validateDNS1123Label } from './volumes.js';

const metaPath = FieldPath.root('metadata');

function validateAddress(a: EndpointAddress, path: FieldPath): FieldError[] {
  const errs = isValidIP(a.ip ?? '').map((m) => fieldError.invalid(path.child('ip'), a.ip ?? '', m));
  if ((a.hostname ?? '') !== '') errs.push(...validateDNS1123Label(a.hostname ?? '', path.child('hostname')));
  if (a.nodeName !== undefined && a.nodeName !== null) {
    for (const m of validateNameDNSSubdomain(a.nodeName, false)) errs.push(fieldError.invalid(path.child('nodeName'), a.nodeName, m));
  }
  errs.push(...validateNonSpecialIP(a.ip ?? '', path.child('ip')));
  return errs;
}

function validatePort(p: EndpointPort, requireName: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = p.name ?? '';
  if (requireName && name === '') errs.push(fieldError.required(path.child('name')));
  else if (name !== '') errs.push(...validateDNS1123Label(name, path.child('name')));
  for (const m of isValidPortNum(p.port ?? 0)) errs.push(fieldError.invalid(path.child('port'), p.port ?? 0, m));
  const proto = p.protocol ?? '';
  if (proto === '') errs.push(fieldError.required(path.child('protocol')));
  else if (!['SCTP', 'TCP', 'UDP'].includes(proto)) errs.push(fieldError.notSupported(path.child('protocol'), proto, ['SCTP', 'TCP', 'UDP']));
  if (p.appProtocol !== undefined) for (const m of isQualifiedName(p.appProtocol)) errs.push(fieldError.invalid(path.child('appProtocol'), p.appProtocol, m));
  return errs;
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, true, validateNameDNSSubdomain, metaPath);
  (ep.subsets ?? []).forEach((ss, i) => {
    const idx = FieldPath.root('subsets').index(i);
    if ((ss.addresses ?? []).length === 0 && (ss.notReadyAddresses ?? []).length === 0) {
      errs.push(fieldError.required(idx, 'must specify `addresses` or `notReadyAddresses`'));
    }
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, idx.child('addresses').index(j))));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, idx.child('notReadyAddresses').index(j))));
    const ports = ss.ports ?? [];
    ports.forEach((p, j) => errs.push(...validatePort(p, ports.length > 1, idx.child('ports').index(j))));
  });
  return errs;
}

function asEP(obj: StoredObject): Endpoints {
  return obj as unknown as Endpoints;
}

export const endpointsValidator: KindValidator = {
  create: (obj) => validateEndpoints(asEP(obj)),
  update: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata, metaPath), ...validateEndpoints(asEP(obj))],
};
