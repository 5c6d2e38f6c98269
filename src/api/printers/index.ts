// STUB (owned by the printers helper): server-side printing columns after upstream's pkg/printers/internalversion.
import type { StoredObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export function tableColumns(r: ResourceInfo): TableColumnDefinition[] {
  void r;
  return [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
  ];
}

/** Cells for one object, in tableColumns(r) order. `obj` is in the storage version of r. */
export function tableRow(r: ResourceInfo, obj: StoredObject, now: Date): unknown[] {
  void r;
  void now;
  return [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? ''];
}
