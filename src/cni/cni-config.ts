// The CNI network k8ts gives its pods on a single node, the classic flannel-less way: Debian's `bridge` plugin
// (a cni0 bridge that is the pods' gateway, hairpin on, no masquerade yet: outbound NAT belongs to the overlay) with
// `host-local` addresses from the node's podCIDR, then `portmap` for hostPorts. containerd's CRI plugin reads it
// from its conf dir as a conflist; loopback it sets up itself.
import { join } from 'node:path';
import { formatIpv4, formatIpv4Cidr, parseIpv4Cidr } from '../controllers/nodeipam/cidr-set.js';

/** The highest CNI spec version Debian's containernetworking-plugins 1.1 support (CNI_COMMAND=VERSION). */
export const cniVersion = '1.0.0';
/** The network's name: host-local keeps its leases under `${ipamDataDir}/k8ts/`. */
export const cniNetworkName = 'k8ts';
/** The file in containerd's CNI conf dir; "10-" sorts it before anything a user drops beside it as a fallback. */
export const cniConfigFileName = '10-k8ts.conflist';
export const defaultBridgeName = 'cni0';
/** A plain Linux bridge carries full Ethernet frames. */
export const defaultBridgeMtu = 1500;

export interface HostLocalRange {
  subnet: string;
  gateway: string;
}

export interface BridgePluginConfig {
  type: 'bridge';
  bridge: string;
  isGateway: boolean;
  ipMasq: boolean;
  hairpinMode: boolean;
  mtu: number;
  ipam: {
    type: 'host-local';
    ranges: HostLocalRange[][];
    routes: { dst: string }[];
    dataDir: string;
  };
}

export interface PortmapPluginConfig {
  type: 'portmap';
  capabilities: { portMappings: boolean };
}

export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: [BridgePluginConfig, PortmapPluginConfig];
}

export interface CniConfigOptions {
  /** k8ts's data dir: host-local's leases live under it. */
  dataDir: string;
  /** The node's podCIDR, e.g. 10.244.0.0/24. */
  podCidr: string;
  /** Default 1500. */
  mtu?: number;
  /** Default cni0. */
  bridge?: string;
}

/** Where host-local records the addresses it handed out (one file per address, named after it). */
export function hostLocalDataDir(dataDir: string): string {
  return join(dataDir, 'agent', 'cni', 'networks');
}

/** The podCIDR's gateway: its first address, which the bridge takes. */
export function podCidrGateway(podCidr: string): string {
  return formatIpv4(parseIpv4Cidr(podCidr).base + 1);
}

/** The conflist for a node's podCIDR. Throws on a CIDR that is not IPv4 or leaves no address for a pod. */
export function cniConfList(opts: CniConfigOptions): CniConfList {
  const cidr = parseIpv4Cidr(opts.podCidr);
  if (cidr.prefix > 30) throw new Error(`podCIDR ${opts.podCidr} is too small: a /30 or larger block is needed for the gateway and a pod`);
  const mtu = opts.mtu ?? defaultBridgeMtu;
  if (!Number.isInteger(mtu) || mtu < 576 || mtu > 65535) throw new Error(`invalid MTU ${mtu}: an integer from 576 to 65535`);
  const bridge = opts.bridge ?? defaultBridgeName;
  // IFNAMSIZ is 16 bytes with the terminating NUL.
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(bridge)) throw new Error(`invalid bridge name ${JSON.stringify(bridge)}: 1 to 15 letters, digits, '_', '.' or '-'`);
  return {
    cniVersion,
    name: cniNetworkName,
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        mtu,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: formatIpv4Cidr(cidr), gateway: formatIpv4(cidr.base + 1) }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: hostLocalDataDir(opts.dataDir),
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

/** The file's text: the conflist as indented JSON with a final newline (deterministic for the same options). */
export function renderCniConfList(opts: CniConfigOptions): string {
  return `${JSON.stringify(cniConfList(opts), null, 2)}\n`;
}

/** The MTU a subnet.env names (MTU=, else FLANNEL_MTU=); undefined when it names none. */
export function subnetEnvMtu(text: string): number | undefined {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*?)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) vars.set(m[1], m[2]);
  }
  for (const key of ['MTU', 'FLANNEL_MTU']) {
    const v = vars.get(key);
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}
