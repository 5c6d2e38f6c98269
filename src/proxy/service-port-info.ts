// What the proxy needs of one port of a Service (upstream's BaseServicePortInfo, IPv4 only): its addresses, ports,
// traffic policies and session affinity. Headless and ExternalName services have no ports here (ShouldSkipService).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { ServicePortName } from './chain-names.js';

/** Upstream's default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const defaultStickyMaxAgeSeconds = 10800;

export interface ServicePortInfo {
  /** ns/name:port and protocol. */
  name: ServicePortName;
  clusterIP: string;
  port: number;
  /** 0 when the port has none. */
  nodePort: number;
  externalIPs: string[];
  /** status.loadBalancer.ingress IPs that are VIPs (ipMode VIP or unset) of a LoadBalancer service. */
  loadBalancerVIPs: string[];
  /** spec.loadBalancerSourceRanges (kept only when there are load balancer VIPs). */
  loadBalancerSourceRanges: string[];
  /** sessionAffinity ClientIP: the timeout in seconds; undefined for None. */
  stickyMaxAgeSeconds: number | undefined;
  /** externalTrafficPolicy Local on a service that accepts external traffic. */
  externalPolicyLocal: boolean;
  /** internalTrafficPolicy Local. */
  internalPolicyLocal: boolean;
}

const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return ipv4Re.test(s);
}

export function isIPv4Cidr(s: string): boolean {
  const [ip, prefix, ...rest] = s.split('/');
  if (rest.length > 0 || ip === undefined || prefix === undefined || !isIPv4(ip) || !/^\d{1,2}$/.test(prefix)) return false;
  return Number(prefix) <= 32;
}

/** Whether a service gets no rules at all: headless (clusterIP None or unset) or ExternalName. */
export function shouldSkipService(svc: Service): boolean {
  const clusterIP = svc.spec?.clusterIP ?? '';
  return clusterIP === '' || clusterIP === 'None' || svc.spec?.type === 'ExternalName';
}

/** The service's ports as the proxy sees them (none for a service it skips, or one without an IPv4 cluster IP). */
export function servicePortInfos(svc: Service): ServicePortInfo[] {
  if (shouldSkipService(svc)) return [];
  const spec = svc.spec ?? {};
  const clusterIP = [spec.clusterIP ?? '', ...(spec.clusterIPs ?? [])].find(isIPv4);
  if (clusterIP === undefined) return [];
  const type = spec.type ?? 'ClusterIP';
  const externalIPs = (spec.externalIPs ?? []).filter(isIPv4);
  const loadBalancerVIPs =
    type === 'LoadBalancer'
      ? (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip !== undefined && isIPv4(i.ip) && (i.ipMode === undefined || i.ipMode === 'VIP')).map((i) => i.ip ?? '')
      : [];
  const loadBalancerSourceRanges =
    loadBalancerVIPs.length > 0 ? (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter(isIPv4Cidr) : [];
  const sticky =
    spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultStickyMaxAgeSeconds) : undefined;
  // apiservice.ExternalPolicyLocal: a service reachable from outside (NodePort, LoadBalancer, externalIPs) with Local.
  const externalPolicyLocal = (type === 'NodePort' || type === 'LoadBalancer' || externalIPs.length > 0) && spec.externalTrafficPolicy === 'Local';
  const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
  const namespace = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  return (spec.ports ?? []).map((p) => ({
    name: { namespace, name, port: p.name ?? '', protocol: p.protocol ?? 'TCP' },
    clusterIP,
    port: p.port,
    nodePort: type === 'NodePort' || type === 'LoadBalancer' ? (p.nodePort ?? 0) : 0,
    externalIPs,
    loadBalancerVIPs,
    loadBalancerSourceRanges,
    stickyMaxAgeSeconds: sticky,
    externalPolicyLocal,
    internalPolicyLocal,
  }));
}

/** NodePort, load balancer VIPs or external IPs: the port takes traffic from outside the cluster. */
export function externallyAccessible(p: ServicePortInfo): boolean {
  return p.nodePort !== 0 || p.loadBalancerVIPs.length > 0 || p.externalIPs.length > 0;
}

/** Whether the port's rules use all endpoints (internal policy Cluster, or any external traffic: short circuits). */
export function usesClusterEndpoints(p: ServicePortInfo): boolean {
  return !p.internalPolicyLocal || externallyAccessible(p);
}

/** Whether the port's rules use this node's endpoints (a Local policy for traffic it takes). */
export function usesLocalEndpoints(p: ServicePortInfo): boolean {
  return p.internalPolicyLocal || (p.externalPolicyLocal && externallyAccessible(p));
}
