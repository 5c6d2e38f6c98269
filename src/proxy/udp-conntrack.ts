// Stale UDP conntrack entries (upstream's pkg/proxy/conntrack CleanStaleEntries). UDP has no connection to end: a
// flow the kernel NATed to an endpoint keeps going there while packets keep coming, even after the endpoint is gone
// (a DNS client re-using its source port never reaches the new server), and a flow that met a service without
// endpoints keeps being rejected after one appears. After each sync the proxy compares every UDP service port's
// addresses and ready endpoints with the last ones and deletes exactly those entries, with the conntrack tool.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

/** One UDP service port as conntrack sees it. */
export interface UdpServicePort {
  /** Cluster IPs, external IPs and load-balancer ingress IPs, with the service port. */
  readonly frontends: readonly { ip: string; port: number }[];
  readonly nodePort?: number;
  /** Ready endpoint addresses. */
  readonly endpoints: readonly string[];
}

/** The UDP service ports of one Service, by port name ("" for an unnamed one). */
export function udpServicePorts(svc: Service | undefined, slices: Iterable<EndpointSlice>): Map<string, UdpServicePort> {
  const out = new Map<string, UdpServicePort>();
  const spec = svc?.spec;
  if (spec === undefined || spec.type === 'ExternalName') return out;
  const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP !== undefined ? [spec.clusterIP] : [])).filter((ip) => ip !== '' && ip !== 'None');
  const ingress = (svc?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');
  const addresses = [...clusterIPs, ...(spec.externalIPs ?? []), ...ingress];
  const sliceList = [...slices];
  for (const p of spec.ports ?? []) {
    if ((p.protocol ?? 'TCP') !== 'UDP') continue;
    const name = p.name ?? '';
    const endpoints = new Set<string>();
    for (const s of sliceList) {
      if (!(s.ports ?? []).some((sp) => (sp.name ?? '') === name && (sp.protocol ?? 'TCP') === 'UDP')) continue;
      for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) for (const a of e.addresses ?? []) endpoints.add(a);
    }
    out.set(name, {
      frontends: addresses.map((ip) => ({ ip, port: p.port })),
      ...(p.nodePort !== undefined && p.nodePort !== 0 ? { nodePort: p.nodePort } : {}),
      endpoints: [...endpoints].sort(),
    });
  }
  return out;
}

/** The conntrack deletions (each the arguments after `conntrack -D`) that a change of one Service needs. */
export function staleUdpDeletions(before: ReadonlyMap<string, UdpServicePort>, after: ReadonlyMap<string, UdpServicePort>): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  const add = (args: string[]): void => {
    const key = args.join(' ');
    if (seen.has(key)) return;
    seen.add(key);
    out.push(args);
  };
  for (const [name, prev] of before) {
    const next = after.get(name);
    const still = new Set(next?.endpoints ?? []);
    // Flows NATed to an endpoint that is gone (upstream's ClearEntriesForNAT and ClearEntriesForPortNAT).
    for (const ep of prev.endpoints) {
      if (still.has(ep)) continue;
      for (const f of prev.frontends) add(['-p', 'udp', '--orig-dst', f.ip, '--orig-port-dst', String(f.port), '--dst-nat', ep]);
      if (prev.nodePort !== undefined) add(['-p', 'udp', '--orig-port-dst', String(prev.nodePort), '--dst-nat', ep]);
    }
  }
  for (const [name, next] of after) {
    const prev = before.get(name);
    // A port that had no endpoints (its flows were rejected) and has some now (upstream's ClearEntriesForIP/Port).
    if (next.endpoints.length === 0 || (prev !== undefined && prev.endpoints.length > 0)) continue;
    for (const f of next.frontends) add(['-p', 'udp', '--orig-dst', f.ip, '--orig-port-dst', String(f.port)]);
    if (next.nodePort !== undefined) add(['-p', 'udp', '--orig-port-dst', String(next.nodePort)]);
  }
  return out;
}
