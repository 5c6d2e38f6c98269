// The names of the per-service and per-endpoint chains and sets, as upstream's nftables proxier makes them:
// `service-HASH-ns/name/tcp/port` and `endpoint-HASH-ns/name/tcp/port__10.180.0.1/80`, where HASH is the first 8
// characters of the base32 SHA-256 of the rest. A "/" marks a name as a service's (no fixed chain has one).
import { createHash } from 'node:crypto';

/** nftables' limit on a chain, set or map name (NFT_NAME_MAXLEN - 1). */
export const nameLengthMax = 256;
const chainNamePrefixLengthMax = 16;
const chainNameBaseLengthMax = nameLengthMax - chainNamePrefixLengthMax;

export const clusterPolicyChainPrefix = 'service-';
export const localPolicyChainPrefix = 'local-';
export const externalChainPrefix = 'external-';
export const endpointChainPrefix = 'endpoint-';
export const affinitySetPrefix = 'affinity-';
export const firewallChainPrefix = 'firewall-';

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (Go's base32.StdEncoding) of the first 5 bytes: 8 characters. */
function base32First8(bytes: Uint8Array): string {
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(bytes[i] ?? 0);
  let out = '';
  for (let i = 7; i >= 0; i--) out += base32Alphabet[Number((bits >> BigInt(i * 5)) & 31n)];
  return out;
}

/** The name prefixed with a hash of itself, cut to fit with "..." when too long (upstream's hashAndTruncate). */
export function hashAndTruncate(name: string): string {
  const hash = createHash('sha256').update(name).digest();
  let out = `${base32First8(hash)}-${name}`;
  if (out.length > chainNameBaseLengthMax) out = `${out.slice(0, chainNameBaseLengthMax - 3)}...`;
  return out;
}

/** What identifies a service port: namespace, service name, port name and protocol. */
export interface ServicePortName {
  namespace: string;
  name: string;
  /** The port's name ('' for an unnamed single port). */
  port: string;
  /** TCP, UDP or SCTP. */
  protocol: string;
}

/** `ns/name:port` (or `ns/name` for an unnamed port), as upstream's ServicePortName.String(). */
export function servicePortNameString(p: ServicePortName): string {
  return p.port === '' ? `${p.namespace}/${p.name}` : `${p.namespace}/${p.name}:${p.port}`;
}

/** "HASH-ns/name/tcp/port". */
export function servicePortChainNameBase(p: ServicePortName): string {
  return hashAndTruncate(`${p.namespace}/${p.name}/${p.protocol.toLowerCase()}/${p.port}`);
}

/** "HASH-ns/name/tcp/port__ip/port"; an IPv6 address has its colons turned into dots. */
export function servicePortEndpointChainNameBase(p: ServicePortName, ip: string, port: number): string {
  return hashAndTruncate(`${p.namespace}/${p.name}/${p.protocol.toLowerCase()}/${p.port}__${ip.replaceAll(':', '.')}/${port}`);
}

/** Whether a chain is one of a service's (they all contain a "/"). */
export function isServiceChainName(name: string): boolean {
  return name.includes('/');
}
