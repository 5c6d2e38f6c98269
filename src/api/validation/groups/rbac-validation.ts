// Validation of rbac.authorization.k8s.io/v1 kinds after upstream's pkg/apis/rbac/validation/validation.go.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import { semanticEqual } from '../core/semantic-equal.js';
import type { KindValidator } from '../kind-validator.js';
import { validateNameDNSSubdomain, validatePathSegmentName } from '../names.js';
import { metadataPath, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { labelSelectorAsSelector } from './label-selector-match.js';

const rbacGroup = 'rbac.authorization.k8s.io';

function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if ((rule.verbs ?? []).length === 0) errs.push(fieldError.required(path.child('verbs'), 'verbs must contain at least one value'));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (namespaced) errs.push(fieldError.invalid(path.child('nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    if ((rule.apiGroups ?? []).length > 0 || (rule.resources ?? []).length > 0 || (rule.resourceNames ?? []).length > 0) {
      errs.push(fieldError.invalid(path.child('nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if ((rule.apiGroups ?? []).length === 0) errs.push(fieldError.required(path.child('apiGroups'), 'resource rules must supply at least one api group'));
  if ((rule.resources ?? []).length === 0) errs.push(fieldError.required(path.child('resources'), 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(rules: readonly PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  return (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, FieldPath.root('rules').index(i)));
}

function validateSubject(s: Subject, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = s.name ?? '';
  const apiGroup = s.apiGroup ?? '';
  if (name.length === 0) errs.push(fieldError.required(path.child('name')));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name.length > 0) for (const m of validateNameDNSSubdomain(name, false)) errs.push(fieldError.invalid(path.child('name'), name, m));
      if (apiGroup.length > 0) errs.push(fieldError.notSupported(path.child('apiGroup'), apiGroup, ['']));
      if (!namespaced && (s.namespace ?? '').length === 0) errs.push(fieldError.required(path.child('namespace')));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== rbacGroup) errs.push(fieldError.notSupported(path.child('apiGroup'), apiGroup, [rbacGroup]));
      break;
    default:
      errs.push(fieldError.notSupported(path.child('kind'), s.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(b: RoleBinding | ClusterRoleBinding, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(b.metadata, namespaced, validatePathSegmentName, metadataPath);
  const ref = b.roleRef ?? { apiGroup: '', kind: '', name: '' };
  const rp = FieldPath.root('roleRef');
  if (ref.apiGroup !== rbacGroup) errs.push(fieldError.notSupported(rp.child('apiGroup'), ref.apiGroup ?? '', [rbacGroup]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(fieldError.notSupported(rp.child('kind'), ref.kind ?? '', kinds));
  if ((ref.name ?? '').length === 0) errs.push(fieldError.required(rp.child('name')));
  else for (const m of validatePathSegmentName(ref.name, false)) errs.push(fieldError.invalid(rp.child('name'), ref.name, m));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, FieldPath.root('subjects').index(i))));
  return errs;
}

function bindingValidator(namespaced: boolean): KindValidator {
  return {
    create(obj: StoredObject): FieldError[] {
      return validateBinding(obj as unknown as RoleBinding, namespaced);
    },
    update(obj: StoredObject, old: StoredObject): FieldError[] {
      const b = obj as unknown as RoleBinding;
      const o = old as unknown as RoleBinding;
      const errs = [...validateBinding(b, namespaced), ...validateObjectMetaUpdate(b.metadata, o.metadata, metadataPath)];
      if (!semanticEqual(b.roleRef, o.roleRef)) errs.push(fieldError.invalid(FieldPath.root('roleRef'), b.roleRef, 'cannot change roleRef'));
      return errs;
    },
  };
}

export const roleBindingValidator = bindingValidator(true);
export const clusterRoleBindingValidator = bindingValidator(false);

function validateRole(r: Role): FieldError[] {
  return [...validateObjectMeta(r.metadata, true, validatePathSegmentName, metadataPath), ...validateRules(r.rules, true)];
}

function validateClusterRole(r: ClusterRole): FieldError[] {
  const errs = [...validateObjectMeta(r.metadata, false, validatePathSegmentName, metadataPath), ...validateRules(r.rules, false)];
  if (r.aggregationRule !== undefined) {
    const selectors = r.aggregationRule.clusterRoleSelectors ?? [];
    const p = FieldPath.root('aggregationRule', 'clusterRoleSelectors');
    if (selectors.length === 0) errs.push(fieldError.required(p, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((sel, i) => {
      errs.push(...validateLabelSelector(sel, p.index(i)));
      if (labelSelectorAsSelector(sel).kind === 'error') errs.push(fieldError.invalid(p.index(i), sel, 'invalid label selector.'));
    });
  }
  return errs;
}

export const roleValidator: KindValidator = {
  create: (obj) => validateRole(obj as unknown as Role),
  update: (obj, old) => [...validateRole(obj as unknown as Role), ...validateObjectMetaUpdate(obj.metadata, old.metadata, metadataPath)],
};

export const clusterRoleValidator: KindValidator = {
  create: (obj) => validateClusterRole(obj as unknown as ClusterRole),
  update: (obj, old) => [...validateClusterRole(obj as unknown as ClusterRole), ...validateObjectMetaUpdate(obj.metadata, old.metadata, metadataPath)],
};
