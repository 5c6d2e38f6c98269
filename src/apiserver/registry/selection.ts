// Label and field selection of stored objects (upstream's SelectionPredicate).
import { fieldLabels } from '../../api/fields/index.js';
import type { StoredObject } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';

export interface Matcher {
  matches(labelsOrFields: Record<string, string>): boolean;
  empty(): boolean;
}

export interface Selection {
  readonly label?: Matcher;
  readonly field?: Matcher;
}

export function selects(sel: Selection, r: ResourceInfo, obj: StoredObject): boolean {
  if (sel.label !== undefined && !sel.label.empty() && !sel.label.matches(obj.metadata.labels ?? {})) return false;
  if (sel.field !== undefined && !sel.field.empty() && !sel.field.matches(fieldLabels(r, obj))) return false;
  return true;
}

export function selectsEverything(sel: Selection): boolean {
  return (sel.label === undefined || sel.label.empty()) && (sel.field === undefined || sel.field.empty());
}
