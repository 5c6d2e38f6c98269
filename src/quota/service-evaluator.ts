// Quota for services, after pkg/quota/v1/evaluator/core/services.go: every service counts towards `services`;
// NodePort and LoadBalancer services count their ports towards `services.nodeports` (a LoadBalancer that does not
// allocate node ports only those with an explicit nodePort), and LoadBalancers count towards
// `services.loadbalancers`. Creates and updates are charged (an update can change the type).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { newQuantity } from '../machinery/quantity.js';
import { intersection, objectCountName, type QuotaEvaluator } from './evaluator.js';
import { zeroQuantity, type ResourceList } from './resource-list.js';

const serviceCountName = objectCountName('', 'services');
const serviceResources = [serviceCountName, 'services', 'services.nodeports', 'services.loadbalancers'];

/** GetQuotaServiceType: the type when it is one quota tracks (NodePort, LoadBalancer), else "". */
export function quotaServiceType(svc: Service): string {
  const t = svc.spec?.type;
  return t === 'NodePort' || t === 'LoadBalancer' ? t : '';
}

export function serviceUsage(svc: Service): ResourceList {
  const ports = svc.spec?.ports ?? [];
  const out: ResourceList = new Map([
    [serviceCountName, newQuantity(1, 'DecimalSI')],
    ['services', newQuantity(1, 'DecimalSI')],
    ['services.loadbalancers', zeroQuantity()],
    ['services.nodeports', zeroQuantity()],
  ]);
  switch (svc.spec?.type) {
    case 'NodePort':
      out.set('services.nodeports', newQuantity(ports.length, 'DecimalSI'));
      break;
    case 'LoadBalancer':
      if (svc.spec.allocateLoadBalancerNodePorts === false) {
        out.set('services.nodeports', newQuantity(ports.filter((p) => (p.nodePort ?? 0) !== 0).length, 'DecimalSI'));
      } else {
        out.set('services.nodeports', newQuantity(ports.length, 'DecimalSI'));
      }
      out.set('services.loadbalancers', newQuantity(1, 'DecimalSI'));
      break;
    default:
      break;
  }
  return out;
}

export const serviceEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'services',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (input) => intersection(input, serviceResources),
  matchesScope: () => false,
  constraints: () => undefined,
  usage: (obj: KubeObject) => serviceUsage(obj as Service),
};
