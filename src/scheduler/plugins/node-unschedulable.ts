// NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.
import type { FilterPlugin } from '../framework.js';
import { unresolvable } from '../framework.js';
import { tolerationsTolerateTaint } from '../taints.js';

export const nodeUnschedulableReason = 'node(s) were unschedulable';

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  preFilter(pod) {
    const tolerates = tolerationsTolerateTaint(pod.spec?.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
    return {
      kind: 'filter',
      filter: (nodeInfo) =>
        nodeInfo.node.spec?.unschedulable === true && !tolerates ? unresolvable('NodeUnschedulable', nodeUnschedulableReason) : null,
    };
  },
};
