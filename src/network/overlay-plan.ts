// What the overlay needs in this node's kernel for the other nodes, from the Node objects (pure): for host-gw a
// route to each node's podCIDR through its address; for vxlan a route through the VTEP, a permanent neighbour entry
// (the remote VTEP's MAC for its gateway address) and a forwarding entry (that MAC lives at the node's address), as
// flannel's vxlan backend programs them. Nodes of another backend, without a podCIDR or without an address are
// skipped, as flannel skips leases of another backend type.
import type { Node } from 'kubernetes-types/core/v1.js';
import { formatIpv4, parseIpv4Cidr } from '../controllers/nodeipam/cidr-set.js';
import { backendDataAnnotation, backendTypeAnnotation, publicIpAnnotation, type FlannelBackend } from './flannel-backend.js';

export interface RemoteSubnet {
  readonly node: string;
  readonly podCidr: string;
  /** The node's public (InternalIP) address. */
  readonly nodeIp: string;
  /** vxlan: the remote VTEP's MAC. */
  readonly vtepMac?: string;
  /** vxlan: the gateway address of the remote podCIDR (its first address, .0 as flannel uses it). */
  readonly vtepIp?: string;
}

function nodeIp(n: Node): string | undefined {
  const annotated = n.metadata?.annotations?.[publicIpAnnotation];
  if (annotated !== undefined && annotated !== '') return annotated;
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

function remoteVtepMac(n: Node): string | undefined {
  const data = n.metadata?.annotations?.[backendDataAnnotation];
  if (data === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed === 'object' && parsed !== null && 'VtepMAC' in parsed && typeof parsed.VtepMAC === 'string' && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(parsed.VtepMAC)) {
      return parsed.VtepMAC.toLowerCase();
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The other nodes' subnets this node must reach over the backend, sorted by node name. */
export function remoteSubnets(self: string, backend: FlannelBackend, nodes: readonly Node[]): RemoteSubnet[] {
  if (backend === 'none') return [];
  const out: RemoteSubnet[] = [];
  for (const n of nodes) {
    const name = n.metadata?.name ?? '';
    if (name === '' || name === self) continue;
    if ((n.metadata?.labels?.['type'] ?? '') === 'virtual') continue;
    if (n.metadata?.annotations?.[backendTypeAnnotation] !== backend) continue;
    const cidr = n.spec?.podCIDR;
    const ip = nodeIp(n);
    if (cidr === undefined || cidr === '' || ip === undefined) continue;
    let block;
    try {
      block = parseIpv4Cidr(cidr);
    } catch {
      continue;
    }
    if (backend === 'host-gw') {
      out.push({ node: name, podCidr: cidr, nodeIp: ip });
      continue;
    }
    const mac = remoteVtepMac(n);
    if (mac === undefined) continue;
    out.push({ node: name, podCidr: cidr, nodeIp: ip, vtepMac: mac, vtepIp: formatIpv4(block.base) });
  }
  return out.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}
