// metav1.LabelSelectorAsSelector and labels.Selector.Matches/Empty, as workload validation uses them:
// a missing selector selects nothing, an empty one selects everything, a malformed one is an error.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { isQualifiedName, isValidLabelValue } from '../names.js';

export type ParsedSelector =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'selector'; readonly match: (labels: Readonly<Record<string, string>>) => boolean; readonly empty: boolean }
  | { readonly kind: 'error' };

type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

export function labelSelectorAsSelector(sel: LabelSelector | undefined | null): ParsedSelector {
  if (sel === undefined || sel === null) return { kind: 'nothing' };
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (isQualifiedName(k).length > 0 || isValidLabelValue(v).length > 0) return { kind: 'error' };
    reqs.push((l) => Object.hasOwn(l, k) && l[k] === v);
  }
  for (const expr of sel.matchExpressions ?? []) {
    const key = expr.key;
    const values = expr.values ?? [];
    if (isQualifiedName(key).length > 0) return { kind: 'error' };
    switch (expr.operator) {
      case 'In':
      case 'NotIn': {
        if (values.length === 0 || values.some((v) => isValidLabelValue(v).length > 0)) return { kind: 'error' };
        const set = new Set(values);
        if (expr.operator === 'In') reqs.push((l) => Object.hasOwn(l, key) && set.has(l[key] ?? ''));
        else reqs.push((l) => !Object.hasOwn(l, key) || !set.has(l[key] ?? ''));
        break;
      }
      case 'Exists':
        if (values.length > 0) return { kind: 'error' };
        reqs.push((l) => Object.hasOwn(l, key));
        break;
      case 'DoesNotExist':
        if (values.length > 0) return { kind: 'error' };
        reqs.push((l) => !Object.hasOwn(l, key));
        break;
      default:
        return { kind: 'error' };
    }
  }
  return { kind: 'selector', match: (labels) => reqs.every((r) => r(labels)), empty: reqs.length === 0 };
}

/** selector.Matches(labels.Set(l)) for a parsed selector ("nothing" matches nothing). */
export function selectorMatches(sel: ParsedSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  return sel.kind === 'selector' && sel.match(labels ?? {});
}

/** selector.Empty(): true only for a selector with no requirements ("nothing" is not empty). */
export function selectorIsEmpty(sel: ParsedSelector): boolean {
  return sel.kind === 'selector' && sel.empty;
}
