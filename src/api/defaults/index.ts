// STUB (owned by the defaulting/validation helpers): upstream SetDefaults_* per kind.
import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';

/** Applies upstream's defaults in place. `obj` is in the storage version of `r` (r is a storage-version ResourceInfo). */
export function applyDefaults(obj: KubeObject, r: ResourceInfo): void {
  void obj;
  void r;
}
