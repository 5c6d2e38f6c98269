// One ResourceStore per stored resource; served versions of the same resource share it.
import { findResource, resources, storageResourceOf, type ResourceInfo } from '../../api/resources.js';
import type { Storage } from '../../storage/storage.js';
import { ResourceStore, type Admission } from './resource-store.js';

export class Registry {
  private readonly stores = new Map<string, ResourceStore>();

  constructor(
    readonly storage: Storage,
    admission: Admission,
  ) {
    for (const r of resources) {
      if (r.virtual === true) continue;
      const sr = storageResourceOf(r);
      const key = `${sr.group}/${sr.resource}`;
      if (!this.stores.has(key)) this.stores.set(key, new ResourceStore(sr, storage, admission));
    }
  }

  /** The store holding objects of `r` (any served version). */
  storeFor(r: ResourceInfo): ResourceStore {
    const sr = storageResourceOf(r);
    const s = this.stores.get(`${sr.group}/${sr.resource}`);
    if (s === undefined) throw new Error(`no store for ${sr.group}/${sr.resource}`);
    return s;
  }

  store(group: string, resource: string): ResourceStore {
    const s = this.stores.get(`${group}/${resource}`);
    if (s === undefined) throw new Error(`no store for ${group}/${resource}`);
    return s;
  }

  allStores(): ResourceStore[] {
    return [...this.stores.values()];
  }

  static served(group: string, version: string, resource: string): ResourceInfo | undefined {
    return findResource(group, version, resource);
  }
}
