// Upstream's endpointslice util EndpointSet and PortMapKey: endpoints identified by a hash of their addresses,
// hostname and target, and groups of slices identified by their ports.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';

function digest(value: unknown): string {
  return createHash('md5').update(JSON.stringify(value)).digest('hex');
}

/** hashEndpoint: the sorted addresses, the hostname and the target's namespace and name. */
export function hashEndpoint(ep: Endpoint): string {
  return digest([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** NewPortMapKey: one key for the same set of ports in any order. */
export function portMapKey(ports: readonly EndpointPort[] | undefined): string {
  const keys = (ports ?? []).map((p) => JSON.stringify([p.name ?? '', p.port ?? null, p.protocol ?? '', p.appProtocol ?? null])).sort();
  return digest(keys);
}

const changed = <T>(a: T | undefined, b: T | undefined): boolean => (a === undefined) !== (b === undefined) || (a !== undefined && b !== undefined && a !== b);

const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** EndpointsEqualBeyondHash: the fields the hash leaves out (node, zone, conditions, hints, target) are equal. */
export function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  if (changed(a.nodeName, b.nodeName) || changed(a.zone, b.zone)) return false;
  const ca = a.conditions ?? {};
  const cb = b.conditions ?? {};
  if (changed(ca.ready, cb.ready) || changed(ca.serving, cb.serving) || changed(ca.terminating, cb.terminating)) return false;
  if (!isDeepStrictEqual(plain(a.hints), plain(b.hints))) return false;
  return isDeepStrictEqual(plain(a.targetRef), plain(b.targetRef));
}

/** A set of endpoints by hash, popped in insertion order. */
export class EndpointSet {
  private readonly items = new Map<string, Endpoint>();

  insert(ep: Endpoint): void {
    this.items.set(hashEndpoint(ep), ep);
  }

  /** The endpoint of the set with the same hash as `ep`. */
  get(ep: Endpoint): Endpoint | undefined {
    return this.items.get(hashEndpoint(ep));
  }

  delete(ep: Endpoint): void {
    this.items.delete(hashEndpoint(ep));
  }

  get size(): number {
    return this.items.size;
  }

  popAny(): Endpoint | undefined {
    for (const [k, v] of this.items) {
      this.items.delete(k);
      return v;
    }
    return undefined;
  }
}
