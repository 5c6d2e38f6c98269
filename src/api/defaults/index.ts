// Upstream's SetDefaults_* per kind, dispatched by storage group and kind ("apps/Deployment", "/Pod").
import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';
import { coreDefaulters } from './core/index.js';
import { groupDefaulters } from './groups/index.js';

const defaulters: Readonly<Record<string, (obj: KubeObject) => void>> = { ...coreDefaulters, ...groupDefaulters };

/** Applies upstream's defaults in place. `obj` is in the storage version of `r` (r is a storage-version ResourceInfo). */
export function applyDefaults(obj: KubeObject, r: ResourceInfo): void {
  defaulters[`${r.group}/${r.kind}`]?.(obj);
}
