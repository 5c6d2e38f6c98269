// NamespaceLifecycle admission: no new objects in a namespace that is missing or terminating, and the
// immortal namespaces (default, kube-system, kube-public) cannot be deleted.
import { isRecord, type StoredObject } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import type { Operation } from '../registry/resource-store.js';

export const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);

export type NamespaceLookup = (name: string) => Promise<StoredObject | undefined>;

export async function admitNamespaceLifecycle(op: Operation, r: ResourceInfo, obj: StoredObject, lookup: NamespaceLookup): Promise<void> {
  if (r.group === '' && r.resource === 'namespaces') {
    if (op === 'DELETE' && immortalNamespaces.has(obj.metadata.name ?? '')) {
      throw ApiError.forbidden({ group: '', name: 'namespaces' }, obj.metadata.name ?? '', 'this namespace may not be deleted');
    }
    return;
  }
  if (op !== 'CREATE' || !r.namespaced) return;
  // Events may still be written into a terminating namespace, as upstream allows.
  const ns = obj.metadata.namespace ?? '';
  const found = await lookup(ns);
  const qr = { group: r.group, name: r.resource };
  if (found === undefined) throw ApiError.notFound({ group: '', name: 'namespaces' }, ns);
  const status = isRecord(found['status']) ? found['status'] : {};
  if (status['phase'] === 'Terminating' && !(r.group === '' && r.resource === 'events')) {
    const msg = `unable to create new content in namespace ${ns} because it is being terminated`;
    throw new ApiError(403, 'Forbidden', `${qr.group === '' ? qr.name : `${qr.name}.${qr.group}`} "${obj.metadata.name ?? ''}" is forbidden: ${msg}`, {
      name: obj.metadata.name,
      group: r.group || undefined,
      kind: r.resource,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
    });
  }
}
