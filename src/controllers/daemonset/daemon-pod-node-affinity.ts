// Daemon pods are placed by the default scheduler: the controller pins each one to its node with a required node
// affinity on metadata.name (ReplaceDaemonSetPodNodeNameNodeAffinity) and reads the node back (GetTargetNodeName).
import type { Affinity, NodeSelector, Pod } from 'kubernetes-types/core/v1.js';

/** ReplaceDaemonSetPodNodeNameNodeAffinity: a copy of `affinity` whose required node selector is `metadata.name In [nodeName]`. */
export function replaceDaemonSetPodNodeNameNodeAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const nodeSelector: NodeSelector = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] };
  const out: Affinity = affinity === undefined ? {} : structuredClone(affinity);
  if (out.nodeAffinity === undefined) {
    out.nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: nodeSelector };
    return out;
  }
  // Any other required terms are replaced; preferred terms stay.
  out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = nodeSelector;
  return out;
}

/** GetTargetNodeName: spec.nodeName once bound, else the node of the metadata.name affinity term. */
export function getTargetNodeName(pod: Pod): string {
  const bound = pod.spec?.nodeName ?? '';
  if (bound !== '') return bound;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1 && f.values[0] !== undefined) return f.values[0];
    }
  }
  throw new Error(`no node name found for pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`);
}
