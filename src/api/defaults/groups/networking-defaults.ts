// SetDefaults_* for networking.k8s.io/v1 after upstream's pkg/apis/networking/v1/defaults.go.
import type { IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../../object.js';

export function defaultNetworkPolicy(obj: KubeObject): void {
  const np = obj as unknown as NetworkPolicy;
  const spec = (np.spec ??= { podSelector: {} });
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
    for (const port of rule.ports ?? []) port.protocol ??= 'TCP';
  }
  if (spec.policyTypes === undefined || spec.policyTypes.length === 0) {
    // A policy that does not say implies at least "Ingress".
    spec.policyTypes = ['Ingress'];
    if (spec.egress !== undefined && spec.egress.length > 0) spec.policyTypes.push('Egress');
  }
}

export function defaultIngressClass(obj: KubeObject): void {
  const ic = obj as unknown as IngressClass;
  const params = ic.spec?.parameters;
  if (params !== undefined) params.scope ??= 'Cluster';
}
