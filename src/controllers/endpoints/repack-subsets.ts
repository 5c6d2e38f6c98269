// Upstream's pkg/api/v1/endpoints RepackSubsets and SortSubsets: the subsets of an Endpoints object grouped so that
// each subset holds the addresses that offer exactly the same set of ports, ready and not-ready addresses apart.
import { createHash } from 'node:crypto';
import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js';

/** An address is identified by its IP and the UID of the object it points at. */
function addressKey(a: EndpointAddress): string {
  return JSON.stringify([a.ip, a.targetRef?.uid ?? '']);
}

function portKey(p: EndpointPort): string {
  return JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? null]);
}

/** A stable digest of a value (upstream hashes with md5 over spew's rendering; the order it gives is only stable). */
function digest(value: unknown): string {
  return createHash('md5').update(JSON.stringify(value)).digest('hex');
}

function compareBytes(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

/** LessEndpointAddress: by IP (bytewise), then by the target's UID; an address without a target comes first. */
export function lessEndpointAddress(a: EndpointAddress, b: EndpointAddress): boolean {
  const c = compareBytes(a.ip, b.ip);
  if (c !== 0) return c < 0;
  if (b.targetRef === undefined) return false;
  if (a.targetRef === undefined) return true;
  return (a.targetRef.uid ?? '') < (b.targetRef.uid ?? '');
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (lessEndpointAddress(a, b)) return -1;
  if (lessEndpointAddress(b, a)) return 1;
  return 0;
}

/** SortSubsets: addresses by IP and UID, ports and subsets by a digest of their content. Sorts in place. */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  for (const ss of subsets) {
    ss.addresses?.sort(compareAddresses);
    ss.notReadyAddresses?.sort(compareAddresses);
    ss.ports?.sort((a, b) => compareBytes(digest(a), digest(b)));
  }
  return subsets.sort((a, b) => compareBytes(digest(a), digest(b)));
}

/** The sentinel port of subsets without ports (they are kept, not dropped). */
const noPort: EndpointPort = { port: -1 };

/**
 * RepackSubsets: maps every port to the addresses offering it (ready wins over not ready for the same address),
 * then every distinct set of addresses to its ports, and returns one sorted subset per set.
 */
export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const allAddrs = new Map<string, EndpointAddress>();
  // port key -> (port, address key -> ready)
  const portToAddrReady = new Map<string, { port: EndpointPort; addrs: Map<string, boolean> }>();

  const mapAddress = (addr: EndpointAddress, port: EndpointPort, ready: boolean): void => {
    const key = addressKey(addr);
    if (!allAddrs.has(key)) allAddrs.set(key, structuredClone(addr));
    const pk = portKey(port);
    let entry = portToAddrReady.get(pk);
    if (entry === undefined) {
      entry = { port, addrs: new Map() };
      portToAddrReady.set(pk, entry);
    }
    const was = entry.addrs.get(key);
    if (was === undefined || !was) entry.addrs.set(key, ready);
  };
  const mapByPort = (ss: EndpointSubset, port: EndpointPort): void => {
    for (const a of ss.addresses ?? []) mapAddress(a, port, true);
    for (const a of ss.notReadyAddresses ?? []) mapAddress(a, port, false);
  };
  for (const ss of subsets) {
    if ((ss.ports ?? []).length === 0) mapByPort(ss, noPort);
    else for (const p of ss.ports ?? []) mapByPort(ss, p);
  }

  // The sets of addresses (with readiness), keyed by their sorted content, and the ports offered by each.
  const groups = new Map<string, { addrs: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, addrs } of portToAddrReady.values()) {
    const key = [...addrs.entries()].sort(([a], [b]) => compareAddresses(allAddrs.get(a) ?? { ip: '' }, allAddrs.get(b) ?? { ip: '' })).map(([k, r]) => `${k}=${r}`).join(',');
    let g = groups.get(key);
    if (g === undefined) {
      g = { addrs, ports: [] };
      groups.set(key, g);
    }
    if (port.port > 0) g.ports.push(port);
  }

  const final: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, isReady] of g.addrs) {
      const a = allAddrs.get(k);
      if (a === undefined) continue;
      (isReady ? ready : notReady).push(a);
    }
    const ss: EndpointSubset = {};
    if (ready.length > 0) ss.addresses = ready;
    if (notReady.length > 0) ss.notReadyAddresses = notReady;
    if (g.ports.length > 0) ss.ports = g.ports;
    final.push(ss);
  }
  return sortSubsets(final);
}
