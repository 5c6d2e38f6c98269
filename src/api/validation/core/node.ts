// Node validation after ValidateNode and ValidateNodeUpdate.
import type { Node, NodeSpec, Taint } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { isValidCIDR, isValidLabelValue, validateNameDNSSubdomain } from '../names.js';
import { validateLabelName, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { validateTaintEffect } from './pod-spec.js';
import { quantityAt, validateResourceQuantityValue } from './resource-names.js';

const metaPath = FieldPath.root('metadata');

export function validateNodeTaints(taints: readonly Taint[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Map<string, Set<string>>();
  (taints ?? []).forEach((t, i) => {
    const idx = path.index(i);
    errs.push(...validateLabelName(t.key, idx.child('key')));
    const msgs = isValidLabelValue(t.value ?? '');
    if (msgs.length > 0) errs.push(fieldError.invalid(idx.child('value'), t.value ?? '', msgs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, idx.child('effect')));
    const keys = unique.get(t.effect) ?? new Set<string>();
    if (keys.has(t.key)) {
      errs.push({ ...fieldError.duplicate(idx, t), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    keys.add(t.key);
    unique.set(t.effect, keys);
  });
  return errs;
}

function validateNodeResources(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  for (const kind of ['capacity', 'allocatable'] as const) {
    for (const [k, raw] of Object.entries(node.status?.[kind] ?? {})) {
      const p = FieldPath.root('status', kind, k);
      const q = quantityAt(raw, p, errs);
      if (q !== undefined) errs.push(...validateResourceQuantityValue(k, q, p));
    }
  }
  return errs;
}

export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, false, validateNameDNSSubdomain, metaPath);
  errs.push(...validateNodeTaints(node.spec?.taints, metaPath.child('taints')));
  errs.push(...validateNodeResources(node));
  const cidrs = node.spec?.podCIDRs ?? [];
  const p = FieldPath.root('spec', 'podCIDRs');
  cidrs.forEach((c, i) => isValidCIDR(c).forEach((m) => errs.push(fieldError.invalid(p.index(i), c, m))));
  if (cidrs.length > 1) {
    const v6 = cidrs.filter((c) => c.includes(':')).length;
    if (cidrs.length > 2 || v6 !== 1) errs.push(fieldError.invalid(p, cidrs, 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(fieldError.duplicate(p.index(i), c));
      seen.add(c);
    });
  }
  return errs;
}

export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata, metaPath);
  errs.push(...validateNodeResources(node));
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a, i) => {
    const key = `${a.type}/${a.address}`;
    if (seen.has(key)) errs.push(fieldError.duplicate(FieldPath.root('status', 'addresses').index(i), a));
    seen.add(key);
  });
  const spec: NodeSpec = node.spec ?? {};
  const oldSpec: NodeSpec = old.spec ?? {};
  const oldCIDRs = oldSpec.podCIDRs ?? [];
  const newCIDRs = spec.podCIDRs ?? [];
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCIDRs.length > 0) {
    if (oldCIDRs.length !== newCIDRs.length) errs.push(fieldError.forbidden(FieldPath.root('spec', 'podCIDRs'), cidrMsg));
    else oldCIDRs.forEach((c, i) => c !== newCIDRs[i] && errs.push(fieldError.forbidden(FieldPath.root('spec', 'podCIDRs'), cidrMsg)));
  }
  if ((oldSpec.providerID ?? '') !== '' && oldSpec.providerID !== spec.providerID) {
    errs.push(fieldError.forbidden(FieldPath.root('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateNodeTaints(spec.taints, metaPath.child('taints')));
  if ((spec.externalID ?? '') !== (oldSpec.externalID ?? '')) errs.push(fieldError.forbidden(FieldPath.root('spec', 'externalID'), 'may not be updated'));
  return errs;
}

function asNode(obj: StoredObject): Node {
  return obj as unknown as Node;
}

export const nodeValidator: KindValidator = {
  create: (obj) => validateNode(asNode(obj)),
  update: (obj, old) => validateNodeUpdate(asNode(obj), asNode(old)),
  statusUpdate: (obj, old) => validateNodeUpdate(asNode(obj), asNode(old)),
};
