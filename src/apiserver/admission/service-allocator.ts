// Service IP and NodePort allocation (upstream's ipallocator and portallocator): cluster IPs from the service
// CIDR, node ports from 30000-32767, with conflicts rejected by upstream's messages.
import { randomInt } from 'node:crypto';
import { isRecord, type StoredObject } from '../../api/object.js';
import { ApiError } from '../../machinery/errors.js';
import { fieldError, type FieldError } from '../../machinery/field-errors.js';

export interface Cidr {
  base: number;
  bits: number;
}

export function parseCidr(s: string): Cidr {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(s.trim());
  if (m === null) throw new Error(`invalid CIDR: ${s}`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits < 8 || bits > 30) throw new Error(`invalid CIDR: ${s}`);
  const ip = (((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { base: (ip & mask) >>> 0, bits };
}

export function ipToString(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function ipToNumber(s: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (m === null) return undefined;
  const o = m.slice(1, 5).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return (((o[0] ?? 0) << 24) | ((o[1] ?? 0) << 16) | ((o[2] ?? 0) << 8) | (o[3] ?? 0)) >>> 0;
}

/** The n-th address of a CIDR (1 = the first usable: the kubernetes service; 10 = cluster DNS). */
export function nthAddress(c: Cidr, n: number): string {
  return ipToString((c.base + n) >>> 0);
}

export const nodePortRange = { min: 30000, max: 32767 };

type Port = Record<string, unknown>;

function portsOf(svc: StoredObject): Port[] {
  const spec = isRecord(svc['spec']) ? svc['spec'] : {};
  return Array.isArray(spec['ports']) ? (spec['ports'] as unknown[]).filter(isRecord) : [];
}

function specOf(svc: StoredObject): Record<string, unknown> {
  if (!isRecord(svc['spec'])) svc['spec'] = {};
  return svc['spec'] as Record<string, unknown>;
}

export class ServiceAllocator {
  private readonly ips = new Map<number, string>();
  private readonly ports = new Map<string, string>();
  private loaded = false;
  private readonly size: number;

  constructor(
    readonly cidr: Cidr,
    private readonly listServices: () => Promise<StoredObject[]>,
  ) {
    this.size = 2 ** (32 - cidr.bits);
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    for (const svc of await this.listServices()) this.remember(svc);
  }

  private owner(svc: StoredObject): string {
    return `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
  }

  private remember(svc: StoredObject): void {
    const spec = isRecord(svc['spec']) ? svc['spec'] : {};
    const ip = typeof spec['clusterIP'] === 'string' ? ipToNumber(spec['clusterIP']) : undefined;
    if (ip !== undefined) this.ips.set(ip, this.owner(svc));
    for (const p of portsOf(svc)) {
      if (typeof p['nodePort'] === 'number' && p['nodePort'] > 0) this.ports.set(`${String(p['protocol'] ?? 'TCP')}/${p['nodePort']}`, this.owner(svc));
    }
  }

  release(svc: StoredObject): void {
    const owner = this.owner(svc);
    for (const [k, v] of this.ips) if (v === owner) this.ips.delete(k);
    for (const [k, v] of this.ports) if (v === owner) this.ports.delete(k);
  }

  private inRange(ip: number): boolean {
    return ip > this.cidr.base && ip < this.cidr.base + this.size - 1;
  }

  private allocateIP(owner: string): string {
    // Dynamic allocations prefer the upper part of the range, leaving the lower part for static choices.
    const offset = Math.min(Math.max(16, Math.floor(this.size / 16)), 256);
    const lowerFree = this.size - 2 - offset;
    for (let attempt = 0; attempt < 64; attempt++) {
      const n = this.cidr.base + offset + 1 + randomInt(Math.max(lowerFree, 1));
      if (!this.ips.has(n) && this.inRange(n)) {
        this.ips.set(n, owner);
        return ipToString(n);
      }
    }
    for (let n = this.cidr.base + 1; n < this.cidr.base + this.size - 1; n++) {
      if (!this.ips.has(n)) {
        this.ips.set(n, owner);
        return ipToString(n);
      }
    }
    throw ApiError.internal('failed to allocate a serviceIP: range is full');
  }

  private allocatePort(protocol: string, owner: string): number {
    const span = nodePortRange.max - nodePortRange.min + 1;
    const start = randomInt(span);
    for (let i = 0; i < span; i++) {
      const port = nodePortRange.min + ((start + i) % span);
      const key = `${protocol}/${port}`;
      if (!this.ports.has(key)) {
        this.ports.set(key, owner);
        return port;
      }
    }
    throw ApiError.internal('failed to allocate a nodePort: range is full');
  }

  /** Allocates on create (and on update for newly needed node ports), mutating the service; returns field errors for conflicts. */
  async allocate(svc: StoredObject, old: StoredObject | undefined, dryRun: boolean): Promise<FieldError[]> {
    await this.load();
    const owner = this.owner(svc);
    const spec = specOf(svc);
    const errs: FieldError[] = [];
    const type = typeof spec['type'] === 'string' ? spec['type'] : 'ClusterIP';
    const oldSpec = old !== undefined && isRecord(old['spec']) ? old['spec'] : undefined;
    const taken: number[] = [];
    const takenPorts: string[] = [];
    if (type !== 'ExternalName') {
      const requested = typeof spec['clusterIP'] === 'string' ? spec['clusterIP'] : '';
      if (oldSpec !== undefined && typeof oldSpec['clusterIP'] === 'string' && oldSpec['clusterIP'] !== '' && (requested === '' || requested === oldSpec['clusterIP'])) {
        spec['clusterIP'] = oldSpec['clusterIP'];
      } else if (requested === '') {
        if (!dryRun || true) {
          const ip = this.allocateIP(owner);
          taken.push(ipToNumber(ip) ?? 0);
          spec['clusterIP'] = ip;
        }
      } else if (requested !== 'None') {
        const n = ipToNumber(requested);
        if (n === undefined) {
          // Format errors are validation's.
        } else if (!this.inRange(n)) {
          errs.push(fieldError.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${ipToString(this.cidr.base)}/${this.cidr.bits}`));
        } else if (this.ips.has(n) && this.ips.get(n) !== owner) {
          errs.push(fieldError.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: provided IP is already allocated`));
        } else {
          this.ips.set(n, owner);
          taken.push(n);
        }
      }
      if (typeof spec['clusterIP'] === 'string') spec['clusterIPs'] = [spec['clusterIP']];
      // Single-stack IPv4 cluster: what upstream's allocator records for every non-ExternalName service.
      if (!Array.isArray(spec['ipFamilies']) || spec['ipFamilies'].length === 0) spec['ipFamilies'] = ['IPv4'];
      if (spec['ipFamilyPolicy'] === undefined || spec['ipFamilyPolicy'] === null) spec['ipFamilyPolicy'] = 'SingleStack';
    }
    const needsNodePorts = type === 'NodePort' || (type === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] !== false);
    const oldPorts = old !== undefined ? portsOf(old) : [];
    portsOf(svc).forEach((p, i) => {
      const protocol = String(p['protocol'] ?? 'TCP');
      const np = typeof p['nodePort'] === 'number' ? p['nodePort'] : 0;
      if (!needsNodePorts) {
        if (np !== 0 && type === 'ClusterIP') {
          // Upstream rejects this in validation (may not be used when `type` is 'ClusterIP').
        }
        return;
      }
      if (np === 0) {
        const prev = oldPorts.find((o) => o['port'] === p['port'] && String(o['protocol'] ?? 'TCP') === protocol && typeof o['nodePort'] === 'number');
        if (prev !== undefined) {
          p['nodePort'] = prev['nodePort'];
          return;
        }
        const port = this.allocatePort(protocol, owner);
        takenPorts.push(`${protocol}/${port}`);
        p['nodePort'] = port;
        return;
      }
      const key = `${protocol}/${np}`;
      if (np < nodePortRange.min || np > nodePortRange.max) {
        errs.push(fieldError.invalid(`spec.ports[${i}].nodePort`, np, `provided port is not in the valid range. The range of valid ports is ${nodePortRange.min}-${nodePortRange.max}`));
      } else if (this.ports.has(key) && this.ports.get(key) !== owner) {
        errs.push(fieldError.invalid(`spec.ports[${i}].nodePort`, np, 'provided port is already allocated'));
      } else {
        this.ports.set(key, owner);
        takenPorts.push(key);
      }
    });
    if (errs.length > 0 || dryRun) {
      for (const n of taken) if (this.ips.get(n) === owner && (old === undefined || errs.length > 0 || dryRun)) this.ips.delete(n);
      for (const k of takenPorts) if (this.ports.get(k) === owner) this.ports.delete(k);
    }
    return errs;
  }
}
