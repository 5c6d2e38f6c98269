// DATA_DIR/subnet.env: the node's podCIDR as k8ts's CNI setup reads it (SUBNET=, MTU=), and the same in flannel's
// format (FLANNEL_NETWORK, FLANNEL_SUBNET with the first address of the block, FLANNEL_MTU, FLANNEL_IPMASQ) for tools
// that read /run/flannel/subnet.env. Written atomically (a temporary file renamed over it), as flannel does.
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { formatIpv4, formatIpv4Cidr, parseIpv4Cidr } from '../controllers/nodeipam/cidr-set.js';

/** flannel's vxlan MTU on a 1500-byte link (1500 - 50 bytes of encapsulation). */
export const defaultMtu = 1450;

export interface SubnetEnv {
  /** The node's podCIDR, e.g. 10.240.3.0/24. */
  readonly subnet: string;
  /** The cluster's pod network, e.g. 10.240.0.0/16. */
  readonly network: string;
  readonly mtu: number;
  readonly ipMasq: boolean;
}

export function subnetEnvPath(dataDir: string): string {
  return join(dataDir, 'subnet.env');
}

/** The file's text. FLANNEL_SUBNET is the block's first address with its prefix (sn.IncrementIP()). */
export function formatSubnetEnv(env: SubnetEnv): string {
  const block = parseIpv4Cidr(env.subnet);
  const first = `${formatIpv4(block.base + 1)}/${block.prefix}`;
  return [
    `FLANNEL_NETWORK=${env.network}`,
    `FLANNEL_SUBNET=${first}`,
    `FLANNEL_MTU=${env.mtu}`,
    `FLANNEL_IPMASQ=${String(env.ipMasq)}`,
    `SUBNET=${env.subnet}`,
    `MTU=${env.mtu}`,
    '',
  ].join('\n');
}

/** The podCIDR a subnet.env names: SUBNET, else FLANNEL_SUBNET's block; undefined when there is none. */
export function parseSubnetEnv(text: string): string | undefined {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*?)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) vars.set(m[1], m[2]);
  }
  for (const key of ['SUBNET', 'FLANNEL_SUBNET']) {
    const v = vars.get(key);
    if (v === undefined || v === '') continue;
    try {
      return formatIpv4Cidr(parseIpv4Cidr(v));
    } catch {
      // not a CIDR: look at the next key
    }
  }
  return undefined;
}

export async function readSubnetEnv(dataDir: string): Promise<string | undefined> {
  try {
    return parseSubnetEnv(await readFile(subnetEnvPath(dataDir), 'utf8'));
  } catch {
    return undefined;
  }
}

export async function writeSubnetEnv(dataDir: string, env: SubnetEnv): Promise<void> {
  const path = subnetEnvPath(dataDir);
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}`);
  await writeFile(tmp, formatSubnetEnv(env), { mode: 0o644 });
  await rename(tmp, path);
}
