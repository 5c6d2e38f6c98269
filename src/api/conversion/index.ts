// STUB (owned by the conversion helper): conversion between served versions and the storage version.
import type { KubeObject } from '../object.js';
import { type ResourceInfo } from '../resources.js';

/** `obj` is in r's group/version; returns it in r.storage's group/version (a new object; `obj` is not mutated). */
export function toStorageVersion(obj: KubeObject, r: ResourceInfo): KubeObject {
  return { ...obj, apiVersion: r.storage.group === '' ? r.storage.version : `${r.storage.group}/${r.storage.version}` };
}

/** `obj` is in r.storage's group/version; returns it in r's group/version (a new object). */
export function fromStorageVersion(obj: KubeObject, r: ResourceInfo): KubeObject {
  return { ...obj, apiVersion: r.group === '' ? r.version : `${r.group}/${r.version}` };
}
