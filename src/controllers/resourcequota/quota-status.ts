// The status the resource quota controller writes (syncResourceQuota): status.hard is spec.hard, status.used the
// previous observations overlaid with the new usage, masked to the hard names; written only when something changed.
import type { ResourceQuota, ResourceQuotaStatus } from 'kubernetes-types/core/v1.js';
import { listsEqual, maskList, resourceListFromJSON, resourceListToJSON, type ResourceList } from '../../quota/resource-list.js';

export interface QuotaStatusSync {
  status: ResourceQuotaStatus;
  /** Whether status differs from what the quota has (and must be written). */
  dirty: boolean;
}

export function syncQuotaStatus(q: ResourceQuota, newUsage: ResourceList): QuotaStatusSync {
  const hard = resourceListFromJSON(q.spec?.hard);
  const prevHard = q.status?.hard;
  const prevUsed = q.status?.used;
  let dirty = prevHard === undefined || prevUsed === undefined || !listsEqual(hard, resourceListFromJSON(prevHard));
  const used: ResourceList = resourceListFromJSON(prevUsed);
  for (const [k, v] of newUsage) used.set(k, v);
  const masked = maskList(used, hard.keys());
  dirty = dirty || !listsEqual(masked, resourceListFromJSON(prevUsed));
  return { status: { hard: resourceListToJSON(hard), used: resourceListToJSON(masked) }, dirty };
}
