// The Table (meta.k8s.io/v1) metrics-server's TableConvertor makes of NodeMetrics and PodMetrics (`kubectl get
// nodes.metrics.k8s.io`): columns Name, cpu, memory and Window; a pod's row sums its containers' usage.
import { parseQuantity, type Quantity } from '../../machinery/quantity.js';
import { metricsGroupVersion, type NodeMetrics, type PodMetrics, type Usage } from './metrics-from-summary.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const columns: Column[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name of the resource', priority: 0 },
  { name: 'cpu', type: 'string', format: 'quantity', description: '', priority: 0 },
  { name: 'memory', type: 'string', format: 'quantity', description: '', priority: 0 },
  { name: 'Window', type: 'string', format: 'duration', description: '', priority: 0 },
];

function sum(values: readonly string[]): string {
  let total: Quantity | undefined;
  for (const v of values) total = total === undefined ? parseQuantity(v) : total.add(parseQuantity(v));
  return total === undefined ? '0' : total.toString();
}

/** A pod's usage: its containers' added up (ResourceList Add). */
export function podUsage(m: PodMetrics): Usage {
  return { cpu: sum(m.containers.map((c) => c.usage.cpu)), memory: sum(m.containers.map((c) => c.usage.memory)) };
}

function rowObject(m: NodeMetrics | PodMetrics, kind: 'NodeMetrics' | 'PodMetrics', include: IncludeObject): Record<string, unknown> {
  if (include === 'None') return {};
  if (include === 'Object') return { object: { kind, apiVersion: metricsGroupVersion, ...m } };
  return { object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: m.metadata } };
}

/** The Table of node metrics (no columns and no rows, as Go's nil slices, when there are none). */
export function nodeMetricsTable(items: readonly NodeMetrics[], include: IncludeObject = 'Metadata'): unknown {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {},
    columnDefinitions: items.length === 0 ? null : columns,
    rows: items.length === 0 ? null : items.map((m) => ({ cells: [m.metadata.name, m.usage.cpu, m.usage.memory, m.window], ...rowObject(m, 'NodeMetrics', include) })),
  };
}

/** The Table of pod metrics. */
export function podMetricsTable(items: readonly PodMetrics[], include: IncludeObject = 'Metadata'): unknown {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {},
    columnDefinitions: items.length === 0 ? null : columns,
    rows:
      items.length === 0
        ? null
        : items.map((m) => {
            const u = podUsage(m);
            return { cells: [m.metadata.name, u.cpu, u.memory, m.window], ...rowObject(m, 'PodMetrics', include) };
          }),
  };
}
