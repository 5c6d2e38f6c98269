// What a name inside the cluster domain asks for, as CoreDNS's kubernetes plugin parses it (parse.go):
//   _port._protocol.service.namespace.svc|pod   (SRV names)
//   endpoint.service.namespace.svc|pod          (an endpoint's hostname, or a dashed IP)
//   service.namespace.svc|pod
// anything longer is answered NXDOMAIN.

export interface ZoneRequest {
  /** The named port of an SRV name (`_http` gives `http`), or '' for any. */
  readonly port: string;
  /** The protocol of an SRV name (`_tcp` gives `tcp`), or '' for any. */
  readonly protocol: string;
  /** The endpoint label (hostname or dashed IP) of an endpoint name, or ''. */
  readonly endpoint: string;
  readonly service: string;
  readonly namespace: string;
  /** '' for the zone apex and the bare `svc` and `pod` names. */
  readonly podOrSvc: '' | 'svc' | 'pod';
}

/** The request, or undefined for a name no Kubernetes record can have (NXDOMAIN). */
export function parseZoneRequest(relative: string): ZoneRequest | undefined {
  const empty: ZoneRequest = { port: '', protocol: '', endpoint: '', service: '', namespace: '', podOrSvc: '' };
  if (relative === '' || relative === 'svc' || relative === 'pod') return empty;
  const segs = relative.split('.');
  let last = segs.length - 1;
  const kind = segs[last];
  if (kind !== 'svc' && kind !== 'pod') return undefined;
  last--;
  if (last < 0) return { ...empty, podOrSvc: kind };
  const namespace = segs[last] ?? '';
  last--;
  if (last < 0) return { ...empty, podOrSvc: kind, namespace };
  const service = segs[last] ?? '';
  last--;
  if (last < 0) return { ...empty, podOrSvc: kind, namespace, service };
  if (last === 0) return { ...empty, podOrSvc: kind, namespace, service, endpoint: segs[0] ?? '' };
  if (last === 1) return { ...empty, podOrSvc: kind, namespace, service, port: stripUnderscore(segs[0] ?? ''), protocol: stripUnderscore(segs[1] ?? '') };
  return undefined;
}

function stripUnderscore(s: string): string {
  return s.startsWith('_') ? s.slice(1) : s;
}
