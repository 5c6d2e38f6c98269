// NodePorts: a pod's host ports must be free on the node (same protocol and port, on the same
// IP or where either side binds 0.0.0.0).
import type { FilterPlugin, HostPort } from '../framework.js';
import { hostPortsOf, unschedulable } from '../framework.js';

export const nodePortsReason = "node(s) didn't have free ports for the requested pod ports";

/** HostPortInfo.CheckConflict. */
export function hostPortConflicts(used: readonly HostPort[], wanted: HostPort): boolean {
  if (wanted.port <= 0) return false;
  return used.some(
    (u) => u.port === wanted.port && u.protocol === wanted.protocol && (wanted.ip === '0.0.0.0' || u.ip === '0.0.0.0' || u.ip === wanted.ip),
  );
}

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  preFilter(pod) {
    const wanted = hostPortsOf(pod);
    if (wanted.length === 0) return { kind: 'skip' };
    return {
      kind: 'filter',
      filter: (nodeInfo) => (wanted.some((w) => hostPortConflicts(nodeInfo.usedPorts, w)) ? unschedulable('NodePorts', nodePortsReason) : null),
    };
  },
};
