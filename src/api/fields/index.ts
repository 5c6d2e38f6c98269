// STUB (owned by the printers helper): field selector labels per kind, after upstream's *ToSelectableFields.
import type { StoredObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';

/** The field labels an object of r offers to field selectors (metadata.name, metadata.namespace, and per kind more). */
export function fieldLabels(r: ResourceInfo, obj: StoredObject): Record<string, string> {
  const out: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (r.namespaced) out['metadata.namespace'] = obj.metadata.namespace ?? '';
  return out;
}

/** Field labels accepted in selectors for r; any other gets upstream's `field label not supported: X`. */
export function supportedFieldLabels(r: ResourceInfo): readonly string[] {
  return r.namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
}
