// The network plan of a cluster made by `k8ts cluster create`: a bridge with no uplink, one /24 for it (the host .1,
// the master .2, node i .(2+i)), and per node a network namespace joined to the bridge by a veth pair. Link names are
// at most 15 characters (IFNAMSIZ - 1), so they come from the cluster name's hash, not the name itself.
import { createHash } from 'node:crypto';
import { cidrContains, formatIpv4, parseIpv4Cidr, type Ipv4Cidr } from '../controllers/nodeipam/cidr-set.js';

/** The longest Linux interface name. */
export const MAX_LINK_NAME = 15;

/** Where cluster subnets come from: 172.30.0.0/16 first, then the other /16s of 172.16.0.0/12 from the top. */
export const SUBNET_POOLS: readonly string[] = ['172.30.0.0/16', '172.29.0.0/16', '172.28.0.0/16', '172.27.0.0/16', '172.26.0.0/16', '172.25.0.0/16'];

/** The most nodes (besides the master) a /24 holds: .1 is the host, .2 the master, .3 to .254 the nodes. */
export const MAX_NODES = 252;

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME = 40;

/** Why NAME is not a usable cluster name (a DNS-1123 label of at most 40 characters), or undefined when it is. */
export function validateClusterName(name: string): string | undefined {
  if (name === '') return 'a cluster name is required';
  if (name.length > MAX_NAME) return `invalid cluster name "${name}": must be no more than ${MAX_NAME} characters`;
  if (!NAME_RE.test(name)) {
    return `invalid cluster name "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
  }
  return undefined;
}

/** Six hex digits that stand for the cluster name in link names. */
export function clusterLinkId(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 6);
}

/** The bridge: `k8ts-NAME` when that fits in 15 characters, else `k8ts-br-` and the name's hash. */
export function bridgeName(name: string): string {
  const plain = `k8ts-${name}`;
  return plain.length <= MAX_LINK_NAME ? plain : `k8ts-br-${clusterLinkId(name)}`;
}

export interface NodePlan {
  /** The Kubernetes node name: NAME-master, NAME-node-1, ... */
  readonly name: string;
  readonly role: 'master' | 'node';
  /** 0 for the master, i for NAME-node-i. */
  readonly index: number;
  /** The network namespace (its "host"). */
  readonly netns: string;
  /** The veth end on the host, enslaved to the bridge. */
  readonly hostVeth: string;
  /** The veth end inside the namespace (renamed there to eth0). */
  readonly nodeIface: string;
  /** The node's address on the bridge (and its InternalIP). */
  readonly ip: string;
}

export interface NetworkPlan {
  readonly bridge: string;
  /** The cluster's /24, e.g. 172.30.0.0/24. */
  readonly subnet: string;
  readonly prefix: number;
  /** The host's address on the bridge (.1): the host's kubectl reaches the API server through it. */
  readonly hostIp: string;
  readonly nodes: readonly NodePlan[];
}

/** The node name, namespace and links of node `index` (0: the master), at `ip`. */
export function nodePlan(cluster: string, index: number, ip: string): NodePlan {
  const id = clusterLinkId(cluster);
  const name = index === 0 ? `${cluster}-master` : `${cluster}-node-${index}`;
  return { name, role: index === 0 ? 'master' : 'node', index, netns: `k8ts-${name}`, hostVeth: `k8v${id}-${index}`, nodeIface: 'eth0', ip };
}

function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const shorter = a.prefix <= b.prefix ? a : b;
  const longer = shorter === a ? b : a;
  return cidrContains(shorter, longer.base);
}

/** The IPv4 addresses (`ip -4 -o addr show`) and routes (`ip -4 route show table all`) in use, as CIDRs. */
export function addressesInUse(addrs: string, routes: string): string[] {
  const out = [...addrs.matchAll(/\binet (\d+\.\d+\.\d+\.\d+\/\d+)/g)].map((m) => m[1] ?? '');
  for (const line of routes.split('\n')) {
    const m = /^(?:(?:unicast|local|broadcast|multicast|blackhole|unreachable|prohibit|throw) )?(\d+\.\d+\.\d+\.\d+(?:\/\d+)?)\b/.exec(line.trim());
    if (m?.[1] !== undefined) out.push(m[1].includes('/') ? m[1] : `${m[1]}/32`);
  }
  return out.filter((s) => s !== '');
}

/**
 * The first /24 of the pools that shares no address with anything in `inUse` (addresses, routes, other clusters'
 * subnets) nor with `avoid` (the cluster's own pod and service ranges); undefined when every one is taken.
 */
export function pickSubnet(inUse: readonly string[], avoid: readonly string[] = [], pools: readonly string[] = SUBNET_POOLS): string | undefined {
  const taken = [...inUse, ...avoid].map((c) => parseIpv4Cidr(c.includes('/') ? c : `${c}/32`));
  for (const pool of pools) {
    const p = parseIpv4Cidr(pool);
    const count = 2 ** (24 - p.prefix);
    for (let i = 0; i < count; i++) {
      const candidate: Ipv4Cidr = { base: (p.base + i * 256) >>> 0, prefix: 24 };
      if (!taken.some((t) => overlaps(candidate, t))) return `${formatIpv4(candidate.base)}/24`;
    }
  }
  return undefined;
}

/** The whole plan for a master and `nodes` nodes in `subnet` (a /24). */
export function planNetwork(cluster: string, nodes: number, subnet: string): NetworkPlan {
  if (!Number.isInteger(nodes) || nodes < 0 || nodes > MAX_NODES) throw new Error(`invalid node count ${nodes}: 0 to ${MAX_NODES} nodes fit in a cluster`);
  const net = parseIpv4Cidr(subnet);
  if (net.prefix !== 24) throw new Error(`invalid cluster subnet ${subnet}: a /24 is needed`);
  const at = (host: number): string => formatIpv4((net.base + host) >>> 0);
  return {
    bridge: bridgeName(cluster),
    subnet: `${formatIpv4(net.base)}/24`,
    prefix: 24,
    hostIp: at(1),
    nodes: Array.from({ length: nodes + 1 }, (_, i) => nodePlan(cluster, i, at(i + 2))),
  };
}
