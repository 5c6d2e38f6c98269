// Registering the node (the kubelet's registerWithAPIServer / tryRegisterWithAPIServer): POST the Node; when it exists
// already (a restart), read it and patch back the labels and annotations the node agent owns. Retried with the
// kubelet's back-off (100 ms doubling, at most 7 s) until it works or the caller stops.
import type { Node } from 'kubernetes-types/core/v1.js';
import type { RestClient } from '../client/rest-client.js';
import { log } from '../cli/log.js';
import { ApiError } from '../machinery/errors.js';
import { reconcileExistingNode } from './node-object.js';

export const nodePath = (name: string): string => `/api/v1/nodes/${encodeURIComponent(name)}`;

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export interface Registered {
  /** The Node as the server has it. */
  readonly node: Node;
  /** Whether this attempt created it (its status is then ours already). */
  readonly created: boolean;
}

/** One attempt. */
export async function tryRegisterNode(client: RestClient, node: Node): Promise<Registered> {
  const name = node.metadata?.name ?? '';
  try {
    return { node: await client.request<Node>('POST', '/api/v1/nodes', node), created: true };
  } catch (e: unknown) {
    if (!(e instanceof ApiError && e.code === 409)) throw e;
  }
  const existing = await client.request<Node>('GET', nodePath(name));
  log.info('node was previously registered', { component: 'node-status', node: name });
  const patch = reconcileExistingNode(node, existing);
  if (patch === undefined) return { node: existing, created: false };
  return { node: await client.request<Node>('PATCH', nodePath(name), patch, 'application/merge-patch+json'), created: false };
}

/** Registers, retrying with back-off; `build` makes the Node afresh for each attempt. Undefined once stopped. */
export async function registerNode(client: RestClient, build: () => Promise<Node>, stopped: () => boolean, sleep: (ms: number) => Promise<void>): Promise<Registered | undefined> {
  let step = 100;
  while (!stopped()) {
    let name = '';
    try {
      const node = await build();
      name = node.metadata?.name ?? '';
      const registered = await tryRegisterNode(client, node);
      log.info('successfully registered node', { component: 'node-status', node: name });
      return registered;
    } catch (e: unknown) {
      log.warn('unable to register node with API server', { component: 'node-status', node: name, err: errText(e) });
    }
    await sleep(step);
    step = Math.min(step * 2, 7000);
  }
  return undefined;
}
