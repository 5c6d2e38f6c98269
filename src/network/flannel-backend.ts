// The overlay's backends and what a node publishes about itself for the others, in flannel's own annotations
// (flannel's kube subnet manager: flannel.alpha.coreos.com/...), so that flannel tooling reads k8ts nodes alike.
import { createHash } from 'node:crypto';

export type FlannelBackend = 'vxlan' | 'host-gw' | 'none';

export const flannelBackends: readonly FlannelBackend[] = ['vxlan', 'host-gw', 'none'];

export function parseFlannelBackend(value: string): FlannelBackend {
  const b = flannelBackends.find((x) => x === value);
  if (b === undefined) throw new Error(`invalid --flannel-backend ${JSON.stringify(value)}: one of ${flannelBackends.join(', ')}`);
  return b;
}

export const annotationPrefix = 'flannel.alpha.coreos.com';
export const backendTypeAnnotation = `${annotationPrefix}/backend-type`;
export const backendDataAnnotation = `${annotationPrefix}/backend-data`;
export const publicIpAnnotation = `${annotationPrefix}/public-ip`;
export const subnetManagerAnnotation = `${annotationPrefix}/kube-subnet-manager`;

/** flannel's defaults for its vxlan backend: VNI 1, the Linux kernel's IANA port 8472 (flannel's default), flannel.1. */
export const vxlanVni = 1;
export const vxlanPort = 8472;
export const vxlanDevice = 'flannel.1';
/** flannel's vxlan MTU on a 1500-byte link: 50 bytes go to the outer IP, UDP, VXLAN and Ethernet headers. */
export const vxlanMtu = 1450;
export const hostGwMtu = 1500;

export function backendMtu(backend: FlannelBackend): number {
  return backend === 'vxlan' ? vxlanMtu : hostGwMtu;
}

/**
 * The VTEP's MAC address, derived from the node's name: locally administered, unicast, and the same after a restart,
 * so that the other nodes' forwarding entries stay right and the address can be published before the device exists.
 */
export function vtepMac(nodeName: string): string {
  const h = createHash('sha256').update(`k8ts-vtep/${nodeName}`).digest();
  const bytes = [((h[0] ?? 0) & 0xfc) | 0x02, h[1] ?? 0, h[2] ?? 0, h[3] ?? 0, h[4] ?? 0, h[5] ?? 0];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The annotations a node carries for its backend. */
export function nodeAnnotations(backend: FlannelBackend, nodeName: string, publicIp: string): Record<string, string> {
  const base = { [backendTypeAnnotation]: backend, [publicIpAnnotation]: publicIp, [subnetManagerAnnotation]: 'true' };
  if (backend === 'vxlan') return { ...base, [backendDataAnnotation]: JSON.stringify({ VNI: vxlanVni, VtepMAC: vtepMac(nodeName) }) };
  return { ...base, [backendDataAnnotation]: 'null' };
}
