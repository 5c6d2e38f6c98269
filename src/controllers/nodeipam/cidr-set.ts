// The node CIDR set after upstream's pkg/controller/nodeipam/ipam/cidrset: the cluster CIDR cut into blocks of
// nodeMaskSize bits, a bitmap of the taken ones, and a rotating next candidate so that a released block is handed out
// again only after the others (allocations stay stable while nodes come and go). IPv4 only.

/** Upstream's ErrCIDRRangeNoCIDRsRemaining. */
export const noCidrsRemainingMessage = 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';

export class CidrRangeExhaustedError extends Error {
  constructor() {
    super(noCidrsRemainingMessage);
    this.name = 'CidrRangeExhaustedError';
  }
}

export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit integer (host bits cleared). */
  readonly base: number;
  readonly prefix: number;
}

/** Parses "a.b.c.d" into an unsigned 32-bit integer; undefined when it is not a dotted IPv4 address. */
export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}

/** Parses "10.240.0.0/16" like Go's net.ParseCIDR (the host bits are cleared); throws on anything else. */
export function parseIpv4Cidr(s: string): Ipv4Cidr {
  const slash = s.indexOf('/');
  const ip = slash < 0 ? undefined : parseIpv4(s.slice(0, slash));
  const prefixText = slash < 0 ? '' : s.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) {
    throw new Error(`invalid CIDR address: ${s}`);
  }
  const prefix = Number(prefixText);
  return { base: (ip & maskOf(prefix)) >>> 0, prefix };
}

export function formatIpv4Cidr(c: Ipv4Cidr): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}

/** Whether the address lies inside the CIDR. */
export function cidrContains(c: Ipv4Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.base;
}

/** Largest number of node blocks we track (a 16 MiB bitmap would be needed beyond it). */
const maxBlockBits = 24;

export class CidrSet {
  private readonly cluster: Ipv4Cidr;
  private readonly used: Uint8Array;
  readonly maxCidrs: number;
  private allocated = 0;
  private nextCandidate = 0;

  constructor(
    clusterCidr: string,
    readonly nodeMaskSize: number,
  ) {
    this.cluster = parseIpv4Cidr(clusterCidr);
    if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < this.cluster.prefix || nodeMaskSize > 32) {
      throw new Error(`node CIDR mask size ${nodeMaskSize} must be between the cluster CIDR's (${this.cluster.prefix}) and 32`);
    }
    if (nodeMaskSize - this.cluster.prefix > maxBlockBits) throw new Error('New CIDR set failed; the node CIDR size is too big');
    this.maxCidrs = 2 ** (nodeMaskSize - this.cluster.prefix);
    this.used = new Uint8Array(this.maxCidrs);
  }

  get allocatedCount(): number {
    return this.allocated;
  }

  get clusterCidr(): string {
    return formatIpv4Cidr(this.cluster);
  }

  /** The next free block, marked taken; throws CidrRangeExhaustedError when none is left. */
  allocateNext(): string {
    if (this.allocated === this.maxCidrs) throw new CidrRangeExhaustedError();
    let candidate = this.nextCandidate;
    for (let i = 0; i < this.maxCidrs && this.used[candidate] === 1; i++) candidate = (candidate + 1) % this.maxCidrs;
    this.nextCandidate = (candidate + 1) % this.maxCidrs;
    this.used[candidate] = 1;
    this.allocated++;
    return this.blockAt(candidate);
  }

  /** Marks the blocks the CIDR covers as taken (idempotent); throws when it lies outside the cluster CIDR. */
  occupy(cidr: string): void {
    const [begin, end] = this.indices(cidr);
    for (let i = begin; i <= end; i++) {
      if (this.used[i] === 0) {
        this.used[i] = 1;
        this.allocated++;
      }
    }
  }

  /** Marks the blocks the CIDR covers as free (idempotent). */
  release(cidr: string): void {
    const [begin, end] = this.indices(cidr);
    for (let i = begin; i <= end; i++) {
      if (this.used[i] === 1) {
        this.used[i] = 0;
        this.allocated--;
      }
    }
  }

  isTaken(cidr: string): boolean {
    const [begin, end] = this.indices(cidr);
    for (let i = begin; i <= end; i++) if (this.used[i] === 0) return false;
    return true;
  }

  private blockAt(index: number): string {
    const base = (this.cluster.base + index * 2 ** (32 - this.nodeMaskSize)) >>> 0;
    return formatIpv4Cidr({ base, prefix: this.nodeMaskSize });
  }

  private indexOf(ip: number): number {
    return Math.floor(((ip ^ this.cluster.base) >>> 0) / 2 ** (32 - this.nodeMaskSize));
  }

  /** Upstream's getBeginningAndEndIndices: the range of blocks a CIDR overlaps. */
  private indices(cidrText: string): [number, number] {
    const cidr = parseIpv4Cidr(cidrText);
    const overlaps = cidrContains(this.cluster, cidr.base) || cidrContains(cidr, this.cluster.base);
    if (!overlaps) throw new Error(`cidr ${cidrText} is out the range of cluster cidr ${this.clusterCidr}`);
    if (this.cluster.prefix >= cidr.prefix) return [0, this.maxCidrs - 1];
    const last = (cidr.base | ~maskOf(cidr.prefix)) >>> 0;
    const begin = this.indexOf(cidr.base);
    const end = this.indexOf(last);
    return [begin, Math.min(end, this.maxCidrs - 1)];
  }
}
