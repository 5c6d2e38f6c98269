// ResourceQuota validation after ValidateResourceQuota(Spec|Update|StatusUpdate).
import type { ResourceQuota, ResourceQuotaSpec } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { validateNameDNSSubdomain } from '../names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { isStandardQuotaResourceName, validateQuotaResourceList } from './resource-names.js';

const metaPath = FieldPath.root('metadata');
const standardScopes = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const podComputeResources = new Set(['cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage']);

function scopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
      return resource === 'pods' || podComputeResources.has(resource) || resource.startsWith('hugepages-') || resource.startsWith('requests.hugepages-');
    case 'BestEffort':
      return resource === 'pods';
    case 'CrossNamespacePodAffinity':
      return resource === 'pods';
    default:
      return true;
  }
}

const conflicting: ReadonlyArray<readonly [string, string]> = [
  ['BestEffort', 'NotBestEffort'],
  ['Terminating', 'NotTerminating'],
];

export function validateResourceQuotaSpec(spec: ResourceQuotaSpec | undefined, path: FieldPath): FieldError[] {
  const s = spec ?? {};
  const errs = validateQuotaResourceList(s.hard, path.child('hard'));
  const hard = Object.keys(s.hard ?? {}).sort();
  const scopes = s.scopes ?? [];
  const scopePath = path.child('scopes');
  for (const scope of scopes) {
    if (!standardScopes.includes(scope)) errs.push(fieldError.invalid(scopePath, scopes, 'unsupported scope'));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !scopeValidForResource(scope, k)) errs.push(fieldError.invalid(scopePath, scopes, 'unsupported scope applied to resource'));
    }
  }
  for (const [a, b] of conflicting) if (scopes.includes(a) && scopes.includes(b)) errs.push(fieldError.invalid(scopePath, scopes, 'conflicting scopes'));
  const sel = s.scopeSelector;
  if (sel !== undefined && sel !== null) {
    const mp = path.child('scopeSelector', 'matchExpressions');
    const seen = new Set<string>();
    for (const req of sel.matchExpressions ?? []) {
      if (!standardScopes.includes(req.scopeName)) errs.push(fieldError.invalid(mp.child('scopeName'), req.scopeName, 'unsupported scope'));
      for (const k of hard) {
        if (isStandardQuotaResourceName(k) && !scopeValidForResource(req.scopeName, k)) errs.push(fieldError.invalid(mp, sel, 'unsupported scope applied to resource'));
      }
      if (['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity'].includes(req.scopeName) && req.operator !== 'Exists') {
        errs.push(
          fieldError.invalid(
            mp.child('operator'),
            req.operator,
            "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
          ),
        );
      }
      const values = req.values ?? [];
      switch (req.operator) {
        case 'In':
        case 'NotIn':
          if (values.length === 0) errs.push(fieldError.required(mp.child('values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
          break;
        case 'Exists':
        case 'DoesNotExist':
          if (values.length !== 0) errs.push(fieldError.invalid(mp.child('values'), values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
          break;
        default:
          errs.push(fieldError.invalid(mp.child('operator'), req.operator, 'not a valid selector operator'));
      }
      seen.add(req.scopeName);
    }
    for (const [a, b] of conflicting) if (seen.has(a) && seen.has(b)) errs.push(fieldError.invalid(mp, scopes, 'conflicting scopes'));
  }
  return errs;
}

function asRQ(obj: StoredObject): ResourceQuota {
  return obj as unknown as ResourceQuota;
}

function statusErrors(rq: ResourceQuota): FieldError[] {
  return [...validateQuotaResourceList(rq.status?.hard, FieldPath.root('status', 'hard')), ...validateQuotaResourceList(rq.status?.used, FieldPath.root('status', 'used'))];
}

export const resourceQuotaValidator: KindValidator = {
  create: (obj) => [
    ...validateObjectMeta(obj.metadata, true, validateNameDNSSubdomain, metaPath),
    ...validateResourceQuotaSpec(asRQ(obj).spec, FieldPath.root('spec')),
    ...statusErrors(asRQ(obj)),
  ],
  update: (obj, old) => {
    const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata, metaPath), ...validateResourceQuotaSpec(asRQ(obj).spec, FieldPath.root('spec'))];
    const n = new Set(asRQ(obj).spec?.scopes ?? []);
    const o = new Set(asRQ(old).spec?.scopes ?? []);
    if (n.size !== o.size || [...n].some((s) => !o.has(s))) errs.push(fieldError.invalid(FieldPath.root('spec', 'scopes'), asRQ(obj).spec?.scopes ?? [], 'field is immutable'));
    return errs;
  },
  statusUpdate: (obj, old) => {
    const errs = validateObjectMetaUpdate(obj.metadata, old.metadata, metaPath);
    if ((obj.metadata.resourceVersion ?? '') === '') errs.push(fieldError.required(FieldPath.root('resourceVersion')));
    return [...errs, ...statusErrors(asRQ(obj))];
  },
};
