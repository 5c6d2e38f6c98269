// The node IPAM controller with upstream's range allocator: every Node without spec.podCIDR gets the next free block of
// the cluster CIDR through a strategic merge patch of spec.podCIDR and spec.podCIDRs. Blocks that nodes already hold are
// marked taken before anything is allocated; a deleted node's block is released. A full range is logged, not evented.
import { isRecord } from '../../api/object.js';
import { Informer, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { log } from '../../cli/log.js';
import { ApiError } from '../../machinery/errors.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { CidrRangeExhaustedError, CidrSet } from './cidr-set.js';

export interface NodeIpamOptions {
  /** The cluster's pod network, e.g. 10.240.0.0/16 (IPv4). */
  clusterCidr: string;
  /** The size of each node's block; 24 (254 pods) by default. */
  nodeMaskSize?: number;
}

export const defaultClusterCidr = '10.240.0.0/16';

/** spec.podCIDRs, or the single spec.podCIDR of older writers. */
export function nodePodCidrs(node: Obj): string[] {
  const spec = isRecord(node['spec']) ? node['spec'] : {};
  const list = Array.isArray(spec['podCIDRs']) ? spec['podCIDRs'].filter((c): c is string => typeof c === 'string' && c !== '') : [];
  if (list.length > 0) return list;
  return typeof spec['podCIDR'] === 'string' && spec['podCIDR'] !== '' ? [spec['podCIDR']] : [];
}

export function startNodeIpamController(client: RestClient, opts: NodeIpamOptions): { stop(): void } {
  const cidrs = new CidrSet(opts.clusterCidr, opts.nodeMaskSize ?? 24);
  const nodes = new Informer(client, '/api/v1/nodes');
  /** Blocks we patched onto nodes whose update the informer has not shown yet. */
  const assigned = new Map<string, string>();
  let stopped = false;

  const occupy = (node: Obj): void => {
    for (const c of nodePodCidrs(node)) {
      try {
        cidrs.occupy(c);
      } catch (e: unknown) {
        log.warn('node CIDR outside the cluster CIDR', { controller: 'nodeipam', node: node.metadata?.name, cidr: c, err: e instanceof Error ? e.message : String(e) });
      }
    }
  };

  const reconcile = async (name: string): Promise<ReconcileResult> => {
    const node = nodes.get(name);
    if (node === undefined) return;
    if (nodePodCidrs(node).length > 0) {
      occupy(node);
      assigned.delete(name);
      return;
    }
    if (assigned.has(name)) return;
    let cidr: string;
    try {
      cidr = cidrs.allocateNext();
    } catch (e: unknown) {
      if (!(e instanceof CidrRangeExhaustedError)) throw e;
      // Upstream records CIDRNotAvailable; we only log. The node is tried again on its next update or a release.
      log.warn('no CIDR available for node', { controller: 'nodeipam', node: name, clusterCIDR: cidrs.clusterCidr, err: e.message });
      return;
    }
    // One worker allocates, so nothing else takes a block between a release here and the next allocation.
    assigned.set(name, cidr);
    try {
      await client.request('PATCH', `/api/v1/nodes/${encodeURIComponent(name)}`, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'application/strategic-merge-patch+json');
    } catch (e: unknown) {
      assigned.delete(name);
      cidrs.release(cidr);
      if (e instanceof ApiError && e.code === 404) return;
      throw e;
    }
    // Deleted while we patched: the delete handler released the block.
    if (nodes.get(name) === undefined) assigned.delete(name);
    log.info('set node PodCIDR', { controller: 'nodeipam', node: name, CIDR: [cidr] });
  };

  const controller = new Controller('nodeipam', reconcile, 1);
  const enqueue = (n: Obj): void => controller.queue.add(n.metadata?.name ?? '');
  nodes.addHandlers({
    add: enqueue,
    update: (_old, n) => {
      if (nodePodCidrs(n).length === 0 || assigned.has(n.metadata?.name ?? '')) enqueue(n);
    },
    delete: (n) => {
      const name = n.metadata?.name ?? '';
      const held = new Set(nodePodCidrs(n));
      const pending = assigned.get(name);
      if (pending !== undefined) held.add(pending);
      assigned.delete(name);
      for (const c of held) {
        try {
          cidrs.release(c);
        } catch {
          // Outside the cluster CIDR: it was never ours.
        }
      }
      // A freed block may be what a waiting node needs.
      if (held.size > 0) for (const other of nodes.list()) if (nodePodCidrs(other).length === 0) enqueue(other);
    },
  });
  nodes.start();
  void nodes.waitForSync().then(() => {
    if (stopped) return;
    // Every block existing nodes hold is taken before the first allocation.
    for (const n of nodes.list()) occupy(n);
    controller.run();
  });
  return {
    stop: () => {
      stopped = true;
      nodes.stop();
      controller.stop();
    },
  };
}
