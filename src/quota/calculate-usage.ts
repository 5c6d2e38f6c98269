// quota.CalculateUsage with generic.CalculateUsageStats: the usage of a quota's hard resources in a namespace,
// summed over the objects each matching evaluator lists, counting only objects in all of the quota's scopes.
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { intersection, quotaScopeSelectors, type QuotaEvaluator } from './evaluator.js';
import { addLists, maskList, zeroQuantity, type ResourceList } from './resource-list.js';

/** The objects of an evaluator's resource in a namespace; throws when they cannot be known (e.g. not synced). */
export type ListObjects = (group: string, resource: string, namespace: string) => readonly KubeObject[];

export interface CalculatedUsage {
  used: ResourceList;
  /** What failed; the resources of an evaluator that failed are left out of `used`. */
  errors: string[];
}

/**
 * The usage of `hardNames` (the quota's spec.hard names) in the quota's namespace. `evaluators` are those the quota
 * system knows (see evaluatorsMatching); only those that measure one of the names are asked.
 */
export function calculateUsage(q: ResourceQuota, hardNames: readonly string[], evaluators: readonly QuotaEvaluator[], list: ListObjects, now: Date): CalculatedUsage {
  const namespace = q.metadata?.namespace ?? '';
  const potential = evaluators.flatMap((e) => e.matchingResources(hardNames));
  let matched = intersection(hardNames, potential);
  const selectors = quotaScopeSelectors(q);
  const errors: string[] = [];
  let used: ResourceList = new Map();
  for (const e of evaluators) {
    const names = e.matchingResources(matched);
    if (names.length === 0) continue;
    let stats: ResourceList = new Map(names.map((n) => [n, zeroQuantity()]));
    try {
      for (const item of list(e.group, e.resource, namespace)) {
        if (!selectors.every((s) => e.matchesScope(s, item))) continue;
        stats = addLists(stats, e.usage(item, now));
      }
    } catch (err: unknown) {
      errors.push(`failed to list content: ${err instanceof Error ? err.message : String(err)}`);
      const failed = new Set(names);
      matched = matched.filter((m) => !failed.has(m));
      continue;
    }
    used = addLists(used, stats);
  }
  return { used: maskList(used, matched), errors };
}
