// Which PodDisruptionBudgets cover a pod (the policy/v1 lister's GetPodPodDisruptionBudgets, also what the eviction
// subresource lists) and which pods a budget selects (getPodsForPdb).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { labelSelectorFromObject, type LabelSelector } from '../../machinery/label-selector.js';

/** metav1.LabelSelectorAsSelector of spec.selector: a missing selector selects nothing, an empty one every pod. Throws on an invalid selector. */
export function pdbSelector(pdb: PodDisruptionBudget): LabelSelector {
  return labelSelectorFromObject(pdb.spec?.selector);
}

/**
 * The budgets of the pod's namespace whose selector matches its labels, by name. Unlike policy/v1beta1, an empty
 * selector matches every pod; a budget with an invalid selector matches none.
 */
export function podDisruptionBudgetsForPod(pod: Pod, pdbs: readonly PodDisruptionBudget[]): PodDisruptionBudget[] {
  const ns = pod.metadata?.namespace ?? '';
  const out: PodDisruptionBudget[] = [];
  for (const pdb of pdbs) {
    if ((pdb.metadata?.namespace ?? '') !== ns) continue;
    let sel: LabelSelector;
    try {
      sel = pdbSelector(pdb);
    } catch {
      continue;
    }
    if (sel.matches(pod.metadata?.labels)) out.push(pdb);
  }
  return out.sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0));
}

/** The pods of the budget's namespace its selector selects. Throws the selector's error for an invalid selector. */
export function podsForPdb(pdb: PodDisruptionBudget, pods: readonly Pod[]): Pod[] {
  const sel = pdbSelector(pdb);
  const ns = pdb.metadata?.namespace ?? '';
  return pods.filter((p) => (p.metadata?.namespace ?? '') === ns && sel.matches(p.metadata?.labels));
}
