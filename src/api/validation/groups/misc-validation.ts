// Validation of the small kinds after upstream's pkg/apis/{storage,coordination,discovery,scheduling}/validation:
// StorageClass, Lease, EndpointSlice and PriorityClass.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import { semanticEqual } from '../core/semantic-equal.js';
import type { KindValidator } from '../kind-validator.js';
import { isDNS1123Label, isDNS1123Subdomain, isIPv4String, isQualifiedName, isValidLabelValue, parsesAsIP, validateNameDNSSubdomain } from '../names.js';
import { metadataPath, validateImmutableField, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';

// ---- StorageClass ----

function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, false, validateNameDNSSubdomain, metadataPath);
  const provisioner = sc.provisioner ?? '';
  const pp = FieldPath.root('provisioner');
  if (provisioner.length === 0) errs.push(fieldError.required(pp, provisioner));
  else for (const m of isQualifiedName(provisioner.toLowerCase())) errs.push(fieldError.invalid(pp, provisioner.toLowerCase(), m));
  const params = sc.parameters ?? {};
  const paramPath = FieldPath.root('parameters');
  if (Object.keys(params).length > 512) errs.push(fieldError.tooLong(paramPath, 'Provisioner Parameters exceeded max allowed', 512));
  else {
    let total = 0;
    for (const [k, v] of Object.entries(params)) {
      if (k.length < 1) errs.push(fieldError.invalid(paramPath, k, 'field can not be empty.'));
      total += Buffer.byteLength(k) + Buffer.byteLength(v);
    }
    if (total > 256 * 1024) errs.push(fieldError.tooLong(paramPath, '', 256 * 1024));
  }
  const reclaim = sc.reclaimPolicy ?? '';
  if (reclaim.length > 0 && reclaim !== 'Delete' && reclaim !== 'Retain') errs.push(fieldError.notSupported(FieldPath.root('reclaimPolicy'), reclaim, ['Delete', 'Retain']));
  const mode = sc.volumeBindingMode;
  if (mode === undefined) errs.push(fieldError.required(FieldPath.root('volumeBindingMode')));
  else if (mode !== 'Immediate' && mode !== 'WaitForFirstConsumer') {
    errs.push(fieldError.notSupported(FieldPath.root('volumeBindingMode'), mode, ['Immediate', 'WaitForFirstConsumer']));
  }
  const seen: unknown[] = [];
  (sc.allowedTopologies ?? []).forEach((term, i) => {
    const tp = FieldPath.root('allowedTopologies').index(i);
    const exprs = term.matchLabelExpressions ?? [];
    const exprMap: Record<string, string[]> = {};
    exprs.forEach((e, j) => {
      const ep = tp.child('matchLabelExpressions').index(j);
      for (const m of isQualifiedName(e.key)) errs.push(fieldError.invalid(ep.child('key'), e.key, m));
      if (e.values.length === 0) errs.push(fieldError.required(ep.child('values'), ''));
      e.values.forEach((v, k) => {
        for (const m of isValidLabelValue(v)) errs.push(fieldError.invalid(ep.child('values').index(k), v, m));
      });
      exprMap[e.key] = [...e.values].sort();
    });
    if (seen.some((s) => semanticEqual(s, exprMap))) errs.push(fieldError.duplicate(tp.child('matchLabelExpressions'), ''));
    seen.push(exprMap);
  });
  return errs;
}

export const storageClassValidator: KindValidator = {
  create: (obj) => validateStorageClass(obj as unknown as StorageClass),
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const sc = obj as unknown as StorageClass;
    const o = old as unknown as StorageClass;
    const errs = validateObjectMetaUpdate(sc.metadata, o.metadata, metadataPath);
    if (!semanticEqual(sc.parameters ?? {}, o.parameters ?? {})) errs.push(fieldError.forbidden(FieldPath.root('parameters'), 'updates to parameters are forbidden.'));
    if (sc.provisioner !== o.provisioner) errs.push(fieldError.forbidden(FieldPath.root('provisioner'), 'updates to provisioner are forbidden.'));
    if (sc.reclaimPolicy !== o.reclaimPolicy) errs.push(fieldError.forbidden(FieldPath.root('reclaimPolicy'), 'updates to reclaimPolicy are forbidden.'));
    errs.push(...validateImmutableField(sc.volumeBindingMode, o.volumeBindingMode, FieldPath.root('volumeBindingMode')));
    return errs;
  },
};

// ---- Lease ----

function validateLease(l: Lease): FieldError[] {
  const errs: FieldError[] = [];
  const p = FieldPath.root('spec');
  const d = l.spec?.leaseDurationSeconds;
  if (d !== undefined && d <= 0) errs.push(fieldError.invalid(p.child('leaseDurationSeconds'), d, 'must be greater than 0'));
  const t = l.spec?.leaseTransitions;
  if (t !== undefined && t < 0) errs.push(fieldError.invalid(p.child('leaseTransitions'), t, 'must be greater than or equal to 0'));
  return errs;
}

export const leaseValidator: KindValidator = {
  create: (obj) => [...validateObjectMeta(obj.metadata, true, validateNameDNSSubdomain, metadataPath), ...validateLease(obj as unknown as Lease)],
  update: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata, metadataPath), ...validateLease(obj as unknown as Lease)],
};

// ---- EndpointSlice ----

function validateNonSpecialIP(ip: string, path: FieldPath): FieldError[] {
  const v4 = isIPv4String(ip);
  const parts = v4 ? ip.split('.').map(Number) : [];
  const lower = ip.toLowerCase();
  if (v4 ? parts.every((x) => x === 0) : /^[0:]+$/.test(lower)) return [fieldError.invalid(path, ip, `may not be unspecified (${ip})`)];
  if (v4 ? parts[0] === 127 : /^(0{0,4}:){0,7}:?0{0,3}1$/.test(lower) && lower.replace(/[0:]/g, '') === '1') {
    return [fieldError.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
  }
  if (v4 ? parts[0] === 169 && parts[1] === 254 : /^fe[89ab]/.test(lower)) return [fieldError.invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
  if (v4 ? parts[0] === 224 && parts[1] === 0 && parts[2] === 0 : lower.startsWith('ff02:')) {
    return [fieldError.invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  }
  return [];
}

function validateEndpointSlice(es: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(es.metadata, true, validateNameDNSSubdomain, metadataPath);
  const addressType = es.addressType ?? '';
  const atp = FieldPath.root('addressType');
  if (addressType === '') errs.push(fieldError.required(atp));
  else if (!['IPv4', 'IPv6', 'FQDN'].includes(addressType)) errs.push(fieldError.notSupported(atp, addressType, ['FQDN', 'IPv4', 'IPv6']));
  const endpoints = es.endpoints ?? [];
  const ep = FieldPath.root('endpoints');
  if (endpoints.length > 1000) errs.push(fieldError.tooMany(ep, endpoints.length, 1000));
  else {
    endpoints.forEach((e, i) => {
      const ip = ep.index(i);
      const ap = ip.child('addresses');
      const addresses = e.addresses ?? [];
      if (addresses.length === 0) errs.push(fieldError.required(ap, 'must contain at least 1 address'));
      else if (addresses.length > 100) errs.push(fieldError.tooMany(ap, addresses.length, 100));
      addresses.forEach((a, j) => {
        const p = ap.index(j);
        if (addressType === 'IPv4') {
          if (!isIPv4String(a)) errs.push(fieldError.invalid(p, a, 'must be a valid IPv4 address'));
          else errs.push(...validateNonSpecialIP(a, p));
        } else if (addressType === 'IPv6') {
          if (!parsesAsIP(a) || isIPv4String(a)) errs.push(fieldError.invalid(p, a, 'must be a valid IPv6 address'));
          else errs.push(...validateNonSpecialIP(a, p));
        } else if (addressType === 'FQDN') {
          if (a.length === 0) errs.push(fieldError.required(p));
          else {
            for (const m of isDNS1123Subdomain(a.toLowerCase())) errs.push(fieldError.invalid(p, a, m));
            if (!a.replace(/\.$/, '').includes('.')) errs.push(fieldError.invalid(p, a, 'should be a domain with at least two segments separated by dots'));
          }
        }
      });
      if (e.nodeName !== undefined) for (const m of validateNameDNSSubdomain(e.nodeName, false)) errs.push(fieldError.invalid(ip.child('nodeName'), e.nodeName, m));
      const topo = e.deprecatedTopology ?? {};
      if (Object.keys(topo).length > 16) errs.push(fieldError.tooMany(ip.child('deprecatedTopology'), Object.keys(topo).length, 16));
      errs.push(...validateLabels(topo, ip.child('deprecatedTopology')));
      if (e.zone !== undefined) errs.push(...validateLabels({ 'topology.kubernetes.io/zone': e.zone }, ip.child('zone')));
      if (e.hostname !== undefined) for (const m of isDNS1123Label(e.hostname)) errs.push(fieldError.invalid(ip.child('hostname'), e.hostname, m));
    });
  }
  const ports = es.ports ?? [];
  const pp = FieldPath.root('ports');
  if (ports.length > 20000) errs.push(fieldError.tooMany(pp, ports.length, 20000));
  else {
    const names = new Set<string>();
    ports.forEach((port, i) => {
      const p = pp.index(i);
      const name = port.name ?? '';
      if (name.length > 0) for (const m of isDNS1123Label(name)) errs.push(fieldError.invalid(p.child('name'), name, m));
      if (names.has(name)) errs.push(fieldError.duplicate(p.child('name'), name));
      else names.add(name);
      if (port.protocol === undefined) errs.push(fieldError.required(p.child('protocol')));
      else if (!['TCP', 'UDP', 'SCTP'].includes(port.protocol)) errs.push(fieldError.notSupported(p.child('protocol'), port.protocol, ['SCTP', 'TCP', 'UDP']));
      if (port.appProtocol !== undefined) for (const m of isQualifiedName(port.appProtocol)) errs.push(fieldError.invalid(p.child('appProtocol'), port.appProtocol, m));
    });
  }
  return errs;
}

export const endpointSliceValidator: KindValidator = {
  create: (obj) => validateEndpointSlice(obj as unknown as EndpointSlice),
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const es = obj as unknown as EndpointSlice;
    const o = old as unknown as EndpointSlice;
    return [
      ...validateEndpointSlice(es),
      ...validateObjectMetaUpdate(es.metadata, o.metadata, metadataPath),
      ...validateImmutableField(es.addressType, o.addressType, FieldPath.root('addressType')),
    ];
  },
};

// ---- PriorityClass ----

const systemPriorityClasses: Readonly<Record<string, number>> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };
const highestUserDefinablePriority = 1000000000;

function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs = validateObjectMeta(pc.metadata, false, validateNameDNSSubdomain, metadataPath);
  const name = pc.metadata?.name ?? '';
  if (name.startsWith('system-')) {
    const known = systemPriorityClasses[name];
    let problem: string | undefined;
    if (known === undefined) problem = `${name} is not a known system priority class`;
    else if (pc.value !== known) problem = `value of ${name} PriorityClass must be ${known}`;
    else if ((pc.globalDefault ?? false) !== false) problem = `globalDefault of ${name} PriorityClass must be false`;
    if (problem !== undefined) {
      errs.push(fieldError.forbidden(metadataPath.child('name'), `priority class names with 'system-' prefix are reserved for system use only. error: ${problem}`));
    }
  } else if (pc.value > highestUserDefinablePriority) {
    errs.push(fieldError.forbidden(FieldPath.root('value'), `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  if (pc.preemptionPolicy !== undefined && pc.preemptionPolicy !== 'PreemptLowerPriority' && pc.preemptionPolicy !== 'Never') {
    errs.push(fieldError.notSupported(FieldPath.root('preemptionPolicy'), pc.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  }
  return errs;
}

export const priorityClassValidator: KindValidator = {
  create: (obj) => validatePriorityClass(obj as unknown as PriorityClass),
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const pc = obj as unknown as PriorityClass;
    const o = old as unknown as PriorityClass;
    const errs = validateObjectMetaUpdate(pc.metadata, o.metadata, metadataPath);
    if (pc.value !== o.value) errs.push(fieldError.forbidden(FieldPath.root('value'), 'may not be changed in an update.'));
    errs.push(...validateImmutableField(pc.preemptionPolicy, o.preemptionPolicy, FieldPath.root('preemptionPolicy')));
    return errs;
  },
};
