// Which evaluator measures which resource (core.NewEvaluators plus the object count evaluator upstream adds for
// every other resource), and the resources quota ignores (install.DefaultIgnoredResources).
import { objectCountEvaluator } from './object-count-evaluator.js';
import type { QuotaEvaluator } from './evaluator.js';
import { podEvaluator } from './pod-evaluator.js';
import { pvcEvaluator } from './pvc-evaluator.js';
import { serviceEvaluator } from './service-evaluator.js';

export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

const key = (group: string, resource: string): string => `${resource}.${group}`;

/** Virtual resources that are never stored, and events, which were never quota'd. */
const ignored = new Set(
  [
    ['', 'bindings'],
    ['', 'componentstatuses'],
    ['authentication.k8s.io', 'tokenreviews'],
    ['authentication.k8s.io', 'selfsubjectreviews'],
    ['authorization.k8s.io', 'subjectaccessreviews'],
    ['authorization.k8s.io', 'selfsubjectaccessreviews'],
    ['authorization.k8s.io', 'localsubjectaccessreviews'],
    ['authorization.k8s.io', 'selfsubjectrulesreviews'],
    ['', 'events'],
    ['events.k8s.io', 'events'],
  ].map(([g, r]) => key(g ?? '', r ?? '')),
);

export function isIgnoredResource(group: string, resource: string): boolean {
  return ignored.has(key(group, resource));
}

/** The evaluators with an alias from before count/<resource> existed (legacyObjectCountAliases). */
const legacyAliases: ReadonlyMap<string, string> = new Map([
  ['configmaps', 'configmaps'],
  ['resourcequotas', 'resourcequotas'],
  ['replicationcontrollers', 'replicationcontrollers'],
  ['secrets', 'secrets'],
]);

const evaluators = new Map<string, QuotaEvaluator>([
  [key('', 'pods'), podEvaluator],
  [key('', 'services'), serviceEvaluator],
  [key('', 'persistentvolumeclaims'), pvcEvaluator],
  ...[...legacyAliases].map(([resource, alias]): [string, QuotaEvaluator] => [key('', resource), objectCountEvaluator('', resource, alias)]),
]);

/** The evaluator of a resource: the core ones, else an object count evaluator; undefined for ignored resources. */
export function evaluatorFor(group: string, resource: string): QuotaEvaluator | undefined {
  if (isIgnoredResource(group, resource)) return undefined;
  const k = key(group, resource);
  let e = evaluators.get(k);
  if (e === undefined) {
    e = objectCountEvaluator(group, resource);
    evaluators.set(k, e);
  }
  return e;
}

/** The evaluators (one per resource, among `resources`) that measure at least one of `names`. */
export function evaluatorsMatching(names: readonly string[], resources: readonly GroupResource[]): QuotaEvaluator[] {
  const out: QuotaEvaluator[] = [];
  for (const r of resources) {
    const e = evaluatorFor(r.group, r.resource);
    if (e !== undefined && e.matchingResources(names).length > 0) out.push(e);
  }
  return out;
}
