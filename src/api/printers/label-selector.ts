// labels.FormatLabels, metav1.LabelSelectorAsSelector(...).String() and metav1.FormatLabelSelector, for printing.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

/** Sorted key=value pairs joined by commas; "" for none. */
export function labelsString(labels: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(labels ?? {})
    .sort()
    .map((k) => `${k}=${labels?.[k] ?? ''}`)
    .join(',');
}

/** labels.FormatLabels: the labels as a selector string, "<none>" for none. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const s = labelsString(labels);
  return s === '' ? '<none>' : s;
}

interface Requirement {
  key: string;
  text: string;
}

const byKey = (a: Requirement, b: Requirement): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The selector string of a LabelSelector, requirements sorted by key; "" for a nil or empty selector.
 * Returns undefined when the selector cannot be converted (unknown operator, wrong number of values).
 */
export function labelSelectorString(selector: LabelSelector | undefined): string | undefined {
  if (!selector) return '';
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) requirements.push({ key, text: `${key}=${value}` });
  for (const expr of selector.matchExpressions ?? []) {
    const values = [...(expr.values ?? [])].sort();
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return undefined;
        requirements.push({ key: expr.key, text: `${expr.key} ${expr.operator === 'In' ? 'in' : 'notin'} (${values.join(',')})` });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) return undefined;
        requirements.push({ key: expr.key, text: expr.operator === 'Exists' ? expr.key : `!${expr.key}` });
        break;
      default:
        return undefined;
    }
  }
  return requirements.sort(byKey).map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: "<none>" for an empty selector, "<error>" for an invalid one. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const s = labelSelectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}
