// NodeName: a pod that names its node (spec.nodeName) fits only that node.
import type { FilterPlugin } from '../framework.js';
import { unresolvable } from '../framework.js';

export const nodeNameReason = "node(s) didn't match the requested node name";

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  preFilter(pod) {
    const wanted = pod.spec?.nodeName ?? '';
    return {
      kind: 'filter',
      filter: (nodeInfo) => (wanted === '' || wanted === nodeInfo.name ? null : unresolvable('NodeName', nodeNameReason)),
    };
  },
};
