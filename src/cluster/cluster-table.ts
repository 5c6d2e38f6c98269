// `k8ts cluster list`: one row per cluster in kubectl's layout (upper-case headers, columns padded to the widest cell
// and three spaces apart, as kubectl's tabwriter), with the columns `magnum bay-list` printed.
import type { ClusterState } from './cluster-state.js';

/** Columns padded to their widest cell, three spaces apart; no trailing spaces. */
export function formatColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3))).join('').trimEnd() + '\n').join('');
}

/** NAME, UUID, STATUS, NODES (the nodes besides the master, as `--nodes`) and API ADDRESS. */
export function formatClusterTable(clusters: readonly ClusterState[]): string {
  const rows: string[][] = [['NAME', 'UUID', 'STATUS', 'NODES', 'API ADDRESS']];
  for (const c of clusters) rows.push([c.name, c.uuid, c.status, String(c.nodes.filter((n) => n.role === 'node').length), c.apiAddress]);
  return formatColumns(rows);
}
