// What the overlay needs in this node's kernel for the other nodes, from the Node objects (pure): for host-gw a
// route to each node's podCIDR through its address; for vxlan a route through the VTEP, a permanent neighbour entry
// (the remote VTEP's MAC for its gateway address) and a forwarding entry (that MAC lives at the node's address), as
// flannel's vxlan backend programs them. Nodes of another backend, without a podCIDR or without an address are
// skipped, as flannel skips leases of another backend type.
import type { Node } from 'kubernetes-types/core/v1.js';
import { cidrContains, formatIpv4, parseIpv4, parseIpv4Cidr, type Ipv4Cidr } from '../controllers/nodeipam/cidr-set.js';
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

/** The ranges a remote node's data must stay clear of (or inside): what the plan is checked against. */
export interface OverlayRanges {
  /** Every podCIDR must lie inside it. */
  readonly clusterCidr: string;
  /** No node address may lie inside it. */
  readonly serviceCidr?: string;
}

function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const wide = a.prefix <= b.prefix ? a : b;
  const narrow = wide === a ? b : a;
  return cidrContains(wide, narrow.base);
}

/**
 * Whether a node address can carry overlay traffic: a unicast IPv4 address outside loopback, link-local, multicast,
 * the pod and the service ranges. A Node object names it; anything else would route the overlay (or the machine's own
 * traffic) somewhere it must not go.
 */
export function usableNodeIp(ip: string, ranges: OverlayRanges): boolean {
  const n = parseIpv4(ip);
  if (n === undefined || n === 0) return false;
  const first = n >>> 24;
  if (first === 127 || first === 0 || first >= 224) return false;
  if (first === 169 && ((n >>> 16) & 0xff) === 254) return false;
  if (cidrContains(parseIpv4Cidr(ranges.clusterCidr), n)) return false;
  if (ranges.serviceCidr !== undefined && cidrContains(parseIpv4Cidr(ranges.serviceCidr), n)) return false;
  return true;
}

/**
 * The other nodes' subnets this node must reach over the backend, sorted by node name. A podCIDR outside the cluster
 * range (or overlapping this node's own or another's already taken) and an unusable node address are skipped: a route
 * for them could take over the machine's own routes or send the overlay off the machine.
 */
export function remoteSubnets(self: string, backend: FlannelBackend, nodes: readonly Node[], ranges?: OverlayRanges): RemoteSubnet[] {
  if (backend === 'none') return [];
  const cluster = ranges !== undefined ? parseIpv4Cidr(ranges.clusterCidr) : undefined;
  const taken: Ipv4Cidr[] = [];
  const own = nodes.find((n) => n.metadata?.name === self)?.spec?.podCIDR;
  if (own !== undefined && own !== '') {
    try {
      taken.push(parseIpv4Cidr(own));
    } catch {
      // this node's own is checked by its own agent
    }
  }
  const out: RemoteSubnet[] = [];
  const byName = [...nodes].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  for (const n of byName) {
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
    if (ranges !== undefined && cluster !== undefined) {
      if (block.prefix < cluster.prefix || !cidrContains(cluster, block.base) || !usableNodeIp(ip, ranges)) continue;
    }
    if (taken.some((t) => overlaps(t, block))) continue;
    taken.push(block);
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
