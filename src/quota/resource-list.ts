// Resource lists as the quota system does arithmetic on them: k8s.io/apiserver/pkg/quota/v1/resources.go (Add,
// Subtract, SubtractWithNonNegativeResult, Mask, LessThanOrEqual, Equals, RemoveZeros, IsNegative), plus reading
// them from and writing them to JSON, and the admission plugin's prettyPrint.
import { newQuantity, quantityFromJSON, type Quantity } from '../machinery/quantity.js';

/** A resource name to quantity map (corev1.ResourceList). */
export type ResourceList = Map<string, Quantity>;

/** A zero quantity as Go's `resource.Quantity{Format: resource.DecimalSI}`. */
export const zeroQuantity = (): Quantity => newQuantity(0, 'DecimalSI');

/**
 * Reads a JSON resource list (`{"pods": "4", "cpu": "500m"}`). Values that do not parse are left out: the API server
 * validates quantities, so only a corrupt object has them.
 */
export function resourceListFromJSON(raw: unknown): ResourceList {
  const out: ResourceList = new Map();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    try {
      out.set(name, quantityFromJSON(v));
    } catch {
      // skip an unparsable quantity
    }
  }
  return out;
}

/** The JSON form, keys sorted (as Go's encoding/json writes maps). */
export function resourceListToJSON(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...list.keys()].sort()) out[name] = (list.get(name) ?? zeroQuantity()).toString();
  return out;
}

/** quota.Add: a + b for each named resource. */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of a) {
    const other = b.get(k);
    out.set(k, other === undefined ? v : v.add(other));
  }
  for (const [k, v] of b) if (!out.has(k)) out.set(k, v);
  return out;
}

/** quota.Subtract: a - b for each named resource (names only in b come out negated). */
export function subtractLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of a) {
    const other = b.get(k);
    out.set(k, other === undefined ? v : v.sub(other));
  }
  for (const [k, v] of b) if (!out.has(k)) out.set(k, v.neg());
  return out;
}

/** quota.SubtractWithNonNegativeResult: a - b, never below zero ("0" where it would be). */
export function subtractListsNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of a) {
    const other = b.get(k);
    const q = other === undefined ? v : v.sub(other);
    out.set(k, q.sign() > 0 ? q : zeroQuantity());
  }
  for (const k of b.keys()) if (!out.has(k)) out.set(k, zeroQuantity());
  return out;
}

/** quota.Mask: only the named resources. */
export function maskList(list: ResourceList, names: Iterable<string>): ResourceList {
  const keep = new Set(names);
  const out: ResourceList = new Map();
  for (const [k, v] of list) if (keep.has(k)) out.set(k, v);
  return out;
}

/** quota.LessThanOrEqual: whether a <= b for every key of b that a has; the names in a that exceed b. */
export function lessThanOrEqual(a: ResourceList, b: ResourceList): { allowed: boolean; exceeded: string[] } {
  const exceeded: string[] = [];
  for (const [k, limit] of b) {
    const v = a.get(k);
    if (v !== undefined && v.cmp(limit) > 0) exceeded.push(k);
  }
  return { allowed: exceeded.length === 0, exceeded };
}

/** quota.Equals: the same names with equal values (formats aside). */
export function listsEqual(a: ResourceList, b: ResourceList): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const other = b.get(k);
    if (other === undefined || v.cmp(other) !== 0) return false;
  }
  return true;
}

/** quota.RemoveZeros. */
export function removeZeros(list: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of list) if (!v.isZero()) out.set(k, v);
  return out;
}

/** quota.IsNegative: the names with a negative value. */
export function negativeNames(list: ResourceList): string[] {
  return [...list].filter(([, v]) => v.sign() < 0).map(([k]) => k);
}

/** The admission plugin's prettyPrint: `name=value` sorted by name, joined by ",". */
export function prettyPrintList(list: ResourceList): string {
  return [...list.keys()]
    .sort()
    .map((k) => `${k}=${(list.get(k) ?? zeroQuantity()).toString()}`)
    .join(',');
}

/** prettyPrintResourceNames: sorted, joined by ",". */
export function prettyPrintNames(names: Iterable<string>): string {
  return [...names].sort().join(',');
}
