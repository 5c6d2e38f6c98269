// The admission chain the registry runs: namespace lifecycle, then allocations; validation follows.
import type { StoredObject } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import type { Admission, Operation } from '../registry/resource-store.js';
import { admitNamespaceLifecycle, type NamespaceLookup } from './namespace-lifecycle.js';
import { admitDefaultTolerationSeconds, admitPriority, admitServiceAccount, type DefaultTolerationSeconds, type Lookup } from './pod-admission.js';
import type { ServiceAllocator } from './service-allocator.js';
import { ResourceQuotaAdmission, type QuotaLookup, type QuotaStatusWriter } from './resource-quota.js';

const isService = (r: ResourceInfo): boolean => r.group === '' && r.resource === 'services';

const isPod = (r: ResourceInfo): boolean => r.group === '' && r.resource === 'pods';

export interface AdmissionLookups {
  namespace: NamespaceLookup;
  serviceAccount: Lookup;
  priorityClass: (name: string) => Promise<StoredObject | undefined>;
  priorityClasses: () => Promise<StoredObject[]>;
  /** The namespace's ResourceQuotas, and the compare-and-swap write of one's status. */
  resourceQuotas: QuotaLookup;
  writeQuotaStatus: QuotaStatusWriter;
}

export interface AdmissionSettings {
  tolerationSeconds?: DefaultTolerationSeconds;
}

export function createAdmission(lookups: AdmissionLookups, services: () => ServiceAllocator, settings: AdmissionSettings = {}): Admission {
  const quota = new ResourceQuotaAdmission(lookups.resourceQuotas, lookups.writeQuotaStatus);
  return {
    async admit(op: Operation, r: ResourceInfo, obj: StoredObject): Promise<void> {
      await admitNamespaceLifecycle(op, r, obj, lookups.namespace);
      if (op === 'CREATE' && isPod(r)) {
        await admitServiceAccount(obj, lookups.serviceAccount);
        await admitPriority(obj, lookups.priorityClass, lookups.priorityClasses);
        admitDefaultTolerationSeconds(obj, settings.tolerationSeconds);
      }
    },
    async allocate(op: Operation, r: ResourceInfo, obj: StoredObject, old: StoredObject | undefined, dryRun: boolean): Promise<void> {
      if (!isService(r) || op === 'DELETE') return;
      const errs = await services().allocate(obj, old, dryRun);
      if (errs.length > 0) throw ApiError.invalid({ group: '', name: 'Service' }, obj.metadata.name ?? '', errs);
    },
    async validate(op: Operation, r: ResourceInfo, obj: StoredObject, old: StoredObject | undefined, dryRun: boolean): Promise<void> {
      // ResourceQuota, a validating admission plugin: after validation, before the write.
      if (op === 'CREATE' || op === 'UPDATE') await quota.admit(op, r, obj, old, { dryRun });
    },
    deleted(r: ResourceInfo, obj: StoredObject): void {
      if (isService(r)) services().release(obj);
    },
  };
}
