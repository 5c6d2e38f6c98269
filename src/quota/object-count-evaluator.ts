// The generic object count evaluator (generic.NewObjectCountEvaluator): one of count/<resource>.<group> (and the
// legacy alias, for configmaps, secrets, replicationcontrollers and resourcequotas) per object, charged on create.
import { newQuantity } from '../machinery/quantity.js';
import { intersection, objectCountName, type QuotaEvaluator } from './evaluator.js';
import type { ResourceList } from './resource-list.js';

export function objectCountEvaluator(group: string, resource: string, alias?: string): QuotaEvaluator {
  const names = alias === undefined ? [objectCountName(group, resource)] : [objectCountName(group, resource), alias];
  return {
    group,
    resource,
    handles: (op) => op === 'CREATE',
    matchingResources: (input) => intersection(input, names),
    matchesScope: () => false,
    constraints: () => undefined,
    usage: (): ResourceList => new Map(names.map((n) => [n, newQuantity(1, 'DecimalSI')])),
  };
}
