// Writing the controller's taints (controller.AddOrUpdateTaintOnNode, RemoveTaintOffNode, SwapNodeControllerTaint):
// a patch of spec.taints pinned to the node's resourceVersion, retried from a fresh GET on conflict.
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { addOrUpdateTaints, metaTime, removeTaints, taintExists } from './node-taints.js';

/** retry.RetryOnConflict with UpdateTaintBackoff: 5 tries. */
const updateTaintTries = 5;

export const nodePath = (name: string): string => `/api/v1/nodes/${encodeURIComponent(name)}`;

/**
 * Applies `change` to the node's taints: the first try uses `cached` (the informer's copy), later tries a fresh GET.
 * `change` returns the new taints, or undefined when there is nothing to do.
 */
export async function updateNodeTaints(client: RestClient, nodeName: string, cached: Node | undefined, change: (taints: readonly Taint[]) => Taint[] | undefined): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const node = attempt === 0 && cached !== undefined ? cached : await client.request<Node>('GET', nodePath(nodeName));
    const next = change(node.spec?.taints ?? []);
    if (next === undefined) return;
    try {
      await client.request('PATCH', nodePath(nodeName), { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints: next } }, 'application/merge-patch+json');
      return;
    } catch (e: unknown) {
      if (!(e instanceof ApiError && e.code === 409) || attempt + 1 >= updateTaintTries) throw e;
    }
  }
}

/** SwapNodeControllerTaint: add `add` (stamped with timeAdded now) and remove `remove` in one write. */
export async function swapNodeTaints(client: RestClient, node: Node, add: readonly Taint[], remove: readonly Taint[], nowMs: number): Promise<void> {
  const stamped = add.map((t) => ({ ...t, timeAdded: metaTime(nowMs) }));
  await updateNodeTaints(client, node.metadata?.name ?? '', node, (taints) => {
    const added = addOrUpdateTaints(taints, stamped);
    const removed = removeTaints(added ?? taints, remove);
    return removed ?? added;
  });
}

/** RemoveTaintOffNode: nothing is written when the node has none of them. */
export async function removeNodeTaints(client: RestClient, node: Node, remove: readonly Taint[]): Promise<boolean> {
  if (!remove.some((t) => taintExists(node.spec?.taints, t))) return false;
  await updateNodeTaints(client, node.metadata?.name ?? '', node, (taints) => removeTaints(taints, remove));
  return true;
}
