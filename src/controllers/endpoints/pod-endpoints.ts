// Upstream's endpointslice util helpers shared by the Endpoints and EndpointSlice controllers: which pods are
// published, which hostname they get, and which of their IPs a Service's family takes.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';

export type IPFamily = 'IPv4' | 'IPv6';

/** ShouldPodBeInEndpoints: not terminal, with an IP, and not being deleted unless terminating pods are included. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  if ((pod.status?.podIP ?? '') === '' && (pod.status?.podIPs ?? []).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp !== undefined) return false;
  return true;
}

/** ShouldSetHostname: the pod names a hostname and this Service (same namespace) as its subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return (pod.spec?.hostname ?? '') !== '' && pod.spec?.subdomain === svc.metadata?.name && svc.metadata?.namespace === pod.metadata?.namespace;
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** IsServiceIPSet: a ClusterIP that is neither empty nor None. */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/** The pod's IPs, from status.podIPs or else status.podIP. */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => typeof ip === 'string' && ip !== '');
  if (ips.length > 0) return ips;
  const ip = pod.status?.podIP ?? '';
  return ip === '' ? [] : [ip];
}

/** The IP family the Endpoints controller publishes for a Service: its first ipFamily, else from its ClusterIP or the pod's IP. */
export function serviceIPFamily(svc: Service, pod: Pod): IPFamily {
  const first = svc.spec?.ipFamilies?.[0];
  if (first === 'IPv4' || first === 'IPv6') return first;
  if (isServiceIPSet(svc)) return isIPv6(svc.spec?.clusterIP ?? '') ? 'IPv6' : 'IPv4';
  return isIPv6(pod.status?.podIP ?? '') ? 'IPv6' : 'IPv4';
}
