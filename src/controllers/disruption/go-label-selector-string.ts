// How Go prints a *metav1.LabelSelector with %v (its generated String method), as upstream's UnmanagedPods event
// message shows a budget's selector: &LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

export function goLabelSelectorString(sel: LabelSelector | undefined): string {
  if (sel === undefined) return 'nil';
  let exprs = '[]LabelSelectorRequirement{';
  for (const e of sel.matchExpressions ?? []) exprs += `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`;
  exprs += '}';
  const labels = sel.matchLabels ?? {};
  let map = 'map[string]string{';
  for (const k of Object.keys(labels).sort()) map += `${k}: ${labels[k] ?? ''},`;
  map += '}';
  return `&LabelSelector{MatchLabels:${map},MatchExpressions:${exprs},}`;
}
