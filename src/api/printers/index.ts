// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for, after upstream pkg/printers/internalversion (v1.32).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject, StoredObject } from '../object.js';
import { storageResourceOf, type ResourceInfo } from '../resources.js';
import { columnDefinitions, defaultColumns, type TableColumnDefinition } from './column-definitions.js';
import { podCells, podRowConditions, type TableRowCondition } from './pod-cells.js';
import * as cells from './table-cells.js';

export type { TableColumnDefinition } from './column-definitions.js';
export type { TableRowCondition } from './pod-cells.js';
export { humanDuration, translateTimestampSince } from './human-duration.js';
export { canonicalQuantity } from './canonical-quantity.js';

type CellPrinter = (obj: StoredObject, now: Date) => unknown[];

/** Printers keyed like columnDefinitions. The casts read a stored object as its kubernetes-types shape. */
const printers: ReadonlyMap<string, CellPrinter> = new Map<string, CellPrinter>([
  ['/Pod', (o, now) => podCells(o as unknown as Pod, now)],
  ['/PodTemplate', (o) => cells.podTemplateCells(o as unknown as Parameters<typeof cells.podTemplateCells>[0])],
  ['policy/PodDisruptionBudget', (o, now) => cells.podDisruptionBudgetCells(o as unknown as Parameters<typeof cells.podDisruptionBudgetCells>[0], now)],
  ['/ReplicationController', (o, now) => cells.replicationControllerCells(o as unknown as Parameters<typeof cells.replicationControllerCells>[0], now)],
  ['apps/ReplicaSet', (o, now) => cells.replicaSetCells(o as unknown as Parameters<typeof cells.replicaSetCells>[0], now)],
  ['apps/DaemonSet', (o, now) => cells.daemonSetCells(o as unknown as Parameters<typeof cells.daemonSetCells>[0], now)],
  ['batch/Job', (o, now) => cells.jobCells(o as unknown as Parameters<typeof cells.jobCells>[0], now)],
  ['batch/CronJob', (o, now) => cells.cronJobCells(o as unknown as Parameters<typeof cells.cronJobCells>[0], now)],
  ['/Service', (o, now) => cells.serviceCells(o as unknown as Parameters<typeof cells.serviceCells>[0], now)],
  ['networking.k8s.io/Ingress', (o, now) => cells.ingressCells(o as unknown as Parameters<typeof cells.ingressCells>[0], now)],
  ['networking.k8s.io/IngressClass', (o, now) => cells.ingressClassCells(o as unknown as Parameters<typeof cells.ingressClassCells>[0], now)],
  ['apps/StatefulSet', (o, now) => cells.statefulSetCells(o as unknown as Parameters<typeof cells.statefulSetCells>[0], now)],
  ['/Endpoints', (o, now) => cells.endpointsCells(o as unknown as Parameters<typeof cells.endpointsCells>[0], now)],
  ['/Node', (o, now) => cells.nodeCells(o as unknown as Parameters<typeof cells.nodeCells>[0], now)],
  ['/Event', (o, now) => cells.eventCells(o as unknown as Parameters<typeof cells.eventCells>[0], now)],
  ['/Namespace', (o, now) => cells.namespaceCells(o as unknown as Parameters<typeof cells.namespaceCells>[0], now)],
  ['/Secret', (o, now) => cells.secretCells(o as unknown as Parameters<typeof cells.secretCells>[0], now)],
  ['/ServiceAccount', (o, now) => cells.serviceAccountCells(o as unknown as Parameters<typeof cells.serviceAccountCells>[0], now)],
  ['/PersistentVolume', (o, now) => cells.persistentVolumeCells(o as unknown as Parameters<typeof cells.persistentVolumeCells>[0], now)],
  ['/PersistentVolumeClaim', (o, now) => cells.persistentVolumeClaimCells(o as unknown as Parameters<typeof cells.persistentVolumeClaimCells>[0], now)],
  ['/ComponentStatus', (o) => cells.componentStatusCells(o as unknown as Parameters<typeof cells.componentStatusCells>[0])],
  ['apps/Deployment', (o, now) => cells.deploymentCells(o as unknown as Parameters<typeof cells.deploymentCells>[0], now)],
  ['autoscaling/HorizontalPodAutoscaler', (o, now) => cells.horizontalPodAutoscalerCells(o as unknown as Parameters<typeof cells.horizontalPodAutoscalerCells>[0], now)],
  ['/ConfigMap', (o, now) => cells.configMapCells(o as unknown as Parameters<typeof cells.configMapCells>[0], now)],
  ['networking.k8s.io/NetworkPolicy', (o, now) => cells.networkPolicyCells(o as unknown as Parameters<typeof cells.networkPolicyCells>[0], now)],
  ['rbac.authorization.k8s.io/RoleBinding', (o, now) => cells.roleBindingCells(o as unknown as Parameters<typeof cells.roleBindingCells>[0], now)],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', (o, now) => cells.roleBindingCells(o as unknown as Parameters<typeof cells.roleBindingCells>[0], now)],
  ['coordination.k8s.io/Lease', (o, now) => cells.leaseCells(o as unknown as Parameters<typeof cells.leaseCells>[0], now)],
  ['storage.k8s.io/StorageClass', (o, now) => cells.storageClassCells(o as unknown as Parameters<typeof cells.storageClassCells>[0], now)],
  ['apps/ControllerRevision', (o, now) => cells.controllerRevisionCells(o as unknown as Parameters<typeof cells.controllerRevisionCells>[0], now)],
  ['/ResourceQuota', (o, now) => cells.resourceQuotaCells(o as unknown as Parameters<typeof cells.resourceQuotaCells>[0], now)],
  ['scheduling.k8s.io/PriorityClass', (o, now) => cells.priorityClassCells(o as unknown as Parameters<typeof cells.priorityClassCells>[0], now)],
  ['discovery.k8s.io/EndpointSlice', (o, now) => cells.endpointSliceCells(o as unknown as Parameters<typeof cells.endpointSliceCells>[0], now)],
]);

/** The printer key of r: its storage group and kind, so every served version of a kind prints alike. */
function printerKey(r: ResourceInfo): string {
  const s = storageResourceOf(r);
  return `${s.group}/${s.kind}`;
}

/** Whether upstream registers a printer for r's kind; others use the default Name / Created At table. */
export function hasPrinter(r: ResourceInfo): boolean {
  return printers.has(printerKey(r));
}

/** The Table columns for r, in cell order, wide (priority 1) columns included. */
export function tableColumns(r: ResourceInfo): TableColumnDefinition[] {
  return (columnDefinitions.get(printerKey(r)) ?? defaultColumns).map((c) => ({ ...c }));
}

/** Cells for one object, in tableColumns(r) order. `obj` is in the storage version of r. */
export function tableRow(r: ResourceInfo, obj: StoredObject, now: Date): unknown[] {
  const printer = printers.get(printerKey(r));
  if (printer) return printer(obj, now);
  // rest.defaultTableConvertor: the name and the creation time in RFC 3339, UTC.
  const created = obj.metadata.creationTimestamp ? Date.parse(obj.metadata.creationTimestamp) : NaN;
  const createdAt = Number.isNaN(created) ? '0001-01-01T00:00:00Z' : new Date(created).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return [obj.metadata.name ?? '', createdAt];
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: KubeObject;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export interface BuildTableOptions {
  includeObject: IncludeObject;
  /** For includeObject 'Object': the object as served in the requested version (default: as given). */
  asServed?: (obj: StoredObject) => KubeObject;
}

/** A complete meta.k8s.io/v1 Table for objs (in r's storage version), rows in the given order. */
export function buildTable(r: ResourceInfo, objs: readonly StoredObject[], now: Date, opts: BuildTableOptions): Table {
  const isPod = printerKey(r) === '/Pod';
  const rows = objs.map((obj): TableRow => {
    const row: TableRow = { cells: tableRow(r, obj, now) };
    const conditions = isPod ? podRowConditions(obj as unknown as Pod) : undefined;
    if (conditions) row.conditions = conditions;
    switch (opts.includeObject) {
      case 'Object':
        row.object = opts.asServed ? opts.asServed(obj) : obj;
        break;
      case 'Metadata':
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
        break;
      case 'None':
        break;
      default: {
        const never: never = opts.includeObject;
        throw new Error(`unrecognized includeObject value: ${String(never)}`);
      }
    }
    return row;
  });
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {}, columnDefinitions: tableColumns(r), rows };
}
