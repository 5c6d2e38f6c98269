// The resources the quota controller can count (GetQuotableResources): namespaced, stored, served with create,
// list, watch and delete, each once at its storage version, and not ignored by quota.
import { resources, type ResourceInfo } from '../../api/resources.js';
import { isIgnoredResource } from '../../quota/quota-registry.js';

export function isQuotable(r: ResourceInfo): boolean {
  if (!r.namespaced || r.virtual === true) return false;
  if (!(['create', 'list', 'watch', 'delete'] as const).every((v) => r.verbs.includes(v))) return false;
  // One entry per stored resource: the group/version it is stored as (not extensions/v1beta1 or autoscaling/v1).
  if (r.storage.group !== r.group || r.storage.version !== r.version || r.storage.resource !== r.resource) return false;
  return !isIgnoredResource(r.group, r.resource);
}

export function quotableResources(): ResourceInfo[] {
  return resources.filter(isQuotable);
}

/** The collection path across all namespaces, e.g. /api/v1/pods or /apis/apps/v1/deployments. */
export function collectionPath(r: ResourceInfo): string {
  return r.group === '' ? `/api/${r.version}/${r.resource}` : `/apis/${r.group}/${r.version}/${r.resource}`;
}
