// install.DefaultUpdateFilter: which updates of a counted object can change its quota usage, and so replenish the
// namespace's quotas (the rest are charged at admission or do not change usage).
import type { PersistentVolumeClaim, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Obj } from '../../client/informer.js';
import { quotaV1Pod } from '../../quota/pod-evaluator.js';
import { listsEqual, resourceListFromJSON } from '../../quota/resource-list.js';
import { quotaServiceType } from '../../quota/service-evaluator.js';

/** DefaultUpdateFilter: whether an update can change what the object is charged. */
export function updateChangesUsage(group: string, resource: string, oldObj: Obj, newObj: Obj, now: Date): boolean {
  if (group !== '') return false;
  switch (resource) {
    case 'pods':
      return quotaV1Pod(oldObj as Pod, now) && !quotaV1Pod(newObj as Pod, now);
    case 'services':
      return quotaServiceType(oldObj as Service) !== quotaServiceType(newObj as Service);
    case 'persistentvolumeclaims': {
      const storage = (o: Obj): Record<string, string> => {
        const s = (o as PersistentVolumeClaim).status?.allocatedResources?.['storage'];
        return s === undefined ? {} : { storage: String(s) };
      };
      return !listsEqual(resourceListFromJSON(storage(oldObj)), resourceListFromJSON(storage(newObj)));
    }
    default:
      return false;
  }
}
