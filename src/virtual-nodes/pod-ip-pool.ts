// Pod IPs of one virtual node, from its spec.podCIDR: the network address and .1 (the bridge's, by convention) and
// the broadcast address are never handed out; the lowest free address is, so released addresses are reused.
import { cidrContains, formatIpv4, parseIpv4, parseIpv4Cidr, type Ipv4Cidr } from '../controllers/nodeipam/cidr-set.js';

/** Pools larger than this many addresses only use their first this-many. */
const maxPoolSize = 65_536;

export class PodIpPool {
  private readonly cidr: Ipv4Cidr;
  private readonly first: number;
  private readonly size: number;
  private readonly used: Uint8Array;
  private readonly byOwner = new Map<string, number>();

  constructor(readonly podCidr: string) {
    this.cidr = parseIpv4Cidr(podCidr);
    const hosts = 2 ** (32 - this.cidr.prefix);
    this.first = this.cidr.base + 2;
    this.size = Math.max(0, Math.min(hosts - 3, maxPoolSize));
    this.used = new Uint8Array(this.size);
  }

  get free(): number {
    return this.size - this.byOwner.size;
  }

  ipOf(owner: string): string | undefined {
    const i = this.byOwner.get(owner);
    return i === undefined ? undefined : formatIpv4(this.first + i);
  }

  /** The owner's address: the one it has, or the lowest free one; undefined when the pool is full. */
  allocate(owner: string): string | undefined {
    const have = this.ipOf(owner);
    if (have !== undefined) return have;
    const i = this.used.indexOf(0);
    if (i < 0) return undefined;
    this.used[i] = 1;
    this.byOwner.set(owner, i);
    return formatIpv4(this.first + i);
  }

  /** Records an address an owner already holds (after a restart); false when it is outside the pool or taken. */
  reserve(owner: string, ip: string): boolean {
    const n = parseIpv4(ip);
    if (n === undefined || !cidrContains(this.cidr, n)) return false;
    const i = n - this.first;
    if (i < 0 || i >= this.size) return false;
    const current = this.byOwner.get(owner);
    if (current === i) return true;
    if (this.used[i] === 1) return false;
    if (current !== undefined) this.used[current] = 0;
    this.used[i] = 1;
    this.byOwner.set(owner, i);
    return true;
  }

  release(owner: string): void {
    const i = this.byOwner.get(owner);
    if (i === undefined) return;
    this.used[i] = 0;
    this.byOwner.delete(owner);
  }
}
