// The quota evaluator contract (k8s.io/apiserver/pkg/quota/v1 Evaluator) and the generic pieces every evaluator
// shares: which scope selectors a quota has, whether a quota matches an object (generic.Matches), and the object
// count resource name (generic.ObjectCountQuotaResourceNameFor).
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceList } from './resource-list.js';

export type QuotaOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** corev1.ScopedResourceSelectorRequirement. */
export interface ScopeSelectorRequirement {
  readonly scopeName: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

export interface QuotaEvaluator {
  readonly group: string;
  readonly resource: string;
  /** Handles: whether this operation (on the main resource, not a subresource) can change usage. */
  handles(op: QuotaOperation): boolean;
  /** MatchingResources: the names in `input` this evaluator measures. */
  matchingResources(input: readonly string[]): string[];
  /** The scope function: whether the object is in the scope (false for evaluators without scopes). Throws on a bad selector. */
  matchesScope(selector: ScopeSelectorRequirement, obj: KubeObject): boolean;
  /** Constraints: an error message when the object lacks what the quota's resources require, else undefined. */
  constraints(required: readonly string[], obj: KubeObject): string | undefined;
  /** Usage: what the object is charged. */
  usage(obj: KubeObject, now: Date): ResourceList;
}

/** generic.ObjectCountQuotaResourceNameFor: count/<resource> or count/<resource>.<group>. */
export function objectCountName(group: string, resource: string): string {
  return group === '' ? `count/${resource}` : `count/${resource}.${group}`;
}

/** getScopeSelectorsFromQuota: spec.scopes as Exists requirements, then spec.scopeSelector's expressions. */
export function quotaScopeSelectors(q: ResourceQuota): ScopeSelectorRequirement[] {
  const out: ScopeSelectorRequirement[] = (q.spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' }));
  for (const req of q.spec?.scopeSelector?.matchExpressions ?? []) out.push(req);
  return out;
}

/** The names of a quota's status.hard (what admission and matching look at). */
export function statusHardNames(q: ResourceQuota): string[] {
  return Object.keys(q.status?.hard ?? {});
}

/** generic.Matches: the quota limits something this evaluator measures, and the object is in all its scopes. */
export function quotaMatches(evaluator: QuotaEvaluator, q: ResourceQuota, obj: KubeObject): boolean {
  if (evaluator.matchingResources(statusHardNames(q)).length === 0) return false;
  return quotaScopeSelectors(q).every((s) => evaluator.matchesScope(s, obj));
}

/** MatchingScopes: the selectors the object matches. */
export function matchingScopes(evaluator: QuotaEvaluator, obj: KubeObject, selectors: readonly ScopeSelectorRequirement[]): ScopeSelectorRequirement[] {
  return selectors.filter((s) => evaluator.matchesScope(s, obj));
}

/** quota.Intersection: deduplicated, sorted. */
export function intersection(a: readonly string[], b: readonly string[]): string[] {
  const inB = new Set(b);
  return [...new Set(a.filter((x) => inB.has(x)))].sort();
}
