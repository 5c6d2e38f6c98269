// The endpoints of one service port, from the Service's EndpointSlices (upstream's EndpointSliceCache): IPv4 slices
// only, the port matched by name and protocol, the first address of each endpoint, one endpoint per ip:port (a
// ready one wins), sorted so that the rules come out the same however the slices are split.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ServicePortName } from './chain-names.js';

export interface EndpointInfo {
  ip: string;
  port: number;
  /** conditions.ready (unset counts as ready). */
  ready: boolean;
  /** conditions.serving (unset: the same as ready). */
  serving: boolean;
  /** conditions.terminating (unset: false). */
  terminating: boolean;
  /** The endpoint runs on this node (its nodeName is this node's). */
  isLocal: boolean;
}

/** ip:port. */
export function endpointString(ep: EndpointInfo): string {
  return `${ep.ip}:${ep.port}`;
}

/** The slices' endpoints for one service port, as seen from the node `nodeName`. */
export function endpointsForServicePort(slices: Iterable<EndpointSlice>, port: ServicePortName, nodeName: string): EndpointInfo[] {
  const byAddress = new Map<string, EndpointInfo>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    for (const sp of slice.ports ?? []) {
      if ((sp.name ?? '') !== port.port || (sp.protocol ?? 'TCP') !== port.protocol) continue;
      const portNumber = sp.port ?? 0;
      if (portNumber === 0) continue;
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (ip === undefined || ip === '') continue;
        const ready = ep.conditions?.ready ?? true;
        const info: EndpointInfo = {
          ip,
          port: portNumber,
          ready,
          serving: ep.conditions?.serving ?? ready,
          terminating: ep.conditions?.terminating ?? false,
          isLocal: ep.nodeName !== undefined && ep.nodeName === nodeName,
        };
        const key = endpointString(info);
        const seen = byAddress.get(key);
        if (seen === undefined || (!seen.ready && info.ready)) byAddress.set(key, info);
      }
    }
  }
  return [...byAddress.values()].sort(compareEndpoints);
}

function compareEndpoints(a: EndpointInfo, b: EndpointInfo): number {
  const ka = ipKey(a.ip);
  const kb = ipKey(b.ip);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.port - b.port;
}

function ipKey(ip: string): string {
  return ip
    .split('.')
    .map((o) => o.padStart(3, '0'))
    .join('.');
}
