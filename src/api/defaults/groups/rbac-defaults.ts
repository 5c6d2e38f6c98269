// SetDefaults_* for rbac.authorization.k8s.io/v1 after upstream's pkg/apis/rbac/v1/defaults.go.
import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { KubeObject } from '../../object.js';

export const rbacGroupName = 'rbac.authorization.k8s.io';

function defaultSubject(s: Subject): void {
  if (s.apiGroup !== undefined && s.apiGroup !== '') return;
  switch (s.kind) {
    case 'ServiceAccount':
      s.apiGroup = '';
      break;
    case 'User':
    case 'Group':
      s.apiGroup = rbacGroupName;
      break;
    default:
      break;
  }
}

/** RoleBinding and ClusterRoleBinding: roleRef.apiGroup and each subject's apiGroup. */
export function defaultRoleBinding(obj: KubeObject): void {
  const b = obj as unknown as RoleBinding | ClusterRoleBinding;
  const ref = (b.roleRef ??= { apiGroup: '', kind: '', name: '' });
  if (ref.apiGroup === undefined || ref.apiGroup === '') ref.apiGroup = rbacGroupName;
  for (const s of b.subjects ?? []) defaultSubject(s);
}
