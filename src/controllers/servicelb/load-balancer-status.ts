// The load balancer status k3s's ServiceLB gives a Service of type LoadBalancer, without its svclb pods: the
// addresses of the nodes that would run one. Eligible nodes are the Ready ones (only those labelled
// svccontroller.k3s.cattle.io/enablelb=true once any node carries that label), with externalTrafficPolicy Local only
// those with a ready endpoint of the service; their ExternalIPs if any node has one, else their InternalIPs, sorted.
// A port (protocol and number) already served by an older LoadBalancer service is a hostPort no svclb pod could
// take: that service gets no address, as its svclb pods would stay Pending.
import type { LoadBalancerIngress, Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export const enableLbLabel = 'svccontroller.k3s.cattle.io/enablelb';

/** Whether ServiceLB looks after the service: a LoadBalancer without a loadBalancerClass of another controller. */
export function isServiceLbService(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && (svc.spec.loadBalancerClass === undefined || svc.spec.loadBalancerClass === '');
}

function isReady(node: Node): boolean {
  return node.metadata?.deletionTimestamp === undefined && (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function olderFirst(a: Service, b: Service): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
  const kb = `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

const portKeys = (svc: Service): string[] => (svc.spec?.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`);

/** The older LoadBalancer service that holds one of `svc`'s ports, if any. */
export function conflictingService(svc: Service, services: readonly Service[]): Service | undefined {
  const mine = new Set(portKeys(svc));
  const uid = svc.metadata?.uid;
  return services
    .filter((o) => o !== svc && (uid === undefined || o.metadata?.uid !== uid) && isServiceLbService(o) && olderFirst(o, svc) < 0)
    .find((o) => portKeys(o).some((k) => mine.has(k)));
}

/**
 * The ingress ServiceLB wants for the service; undefined when the service is not ServiceLB's to change (another
 * class, or not a LoadBalancer with nothing to clear).
 */
export function desiredIngress(svc: Service, nodes: readonly Node[], slices: readonly EndpointSlice[], services: readonly Service[]): LoadBalancerIngress[] | undefined {
  if (!isServiceLbService(svc)) {
    // A service that stopped being a LoadBalancer loses the addresses it had.
    if (svc.spec?.type !== 'LoadBalancer' && (svc.status?.loadBalancer?.ingress ?? []).length > 0) return [];
    return undefined;
  }
  if ((svc.spec?.ipFamilies ?? ['IPv4']).every((f) => f !== 'IPv4')) return [];
  if (conflictingService(svc, services) !== undefined) return [];
  let eligible = nodes.filter(isReady);
  if (nodes.some((n) => n.metadata?.labels?.[enableLbLabel] !== undefined)) eligible = eligible.filter((n) => n.metadata?.labels?.[enableLbLabel] === 'true');
  if (svc.spec?.externalTrafficPolicy === 'Local') {
    const withEndpoints = new Set<string>();
    for (const s of slices) {
      for (const ep of s.endpoints ?? []) {
        if (ep.targetRef?.kind === 'Pod' && ep.conditions?.ready === true && ep.nodeName !== undefined) withEndpoints.add(ep.nodeName);
      }
    }
    eligible = eligible.filter((n) => withEndpoints.has(n.metadata?.name ?? ''));
  }
  const ipv4 = /^\d+\.\d+\.\d+\.\d+$/;
  const addrs = (type: string): string[] => eligible.flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === type && ipv4.test(a.address)).map((a) => a.address));
  const external = addrs('ExternalIP');
  const ips = [...new Set(external.length > 0 ? external : addrs('InternalIP'))].sort();
  return ips.map((ip) => ({ ip, ipMode: 'VIP' }));
}

/** Whether two ingress lists say the same (servicehelper.LoadBalancerStatusEqual, order included). */
export function ingressEqual(a: readonly LoadBalancerIngress[], b: readonly LoadBalancerIngress[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i];
    return y !== undefined && (x.ip ?? '') === (y.ip ?? '') && (x.hostname ?? '') === (y.hostname ?? '') && (x.ipMode ?? '') === (y.ipMode ?? '') && JSON.stringify(x.ports ?? []) === JSON.stringify(y.ports ?? []);
  });
}

/** How k3s prints ingress in its events: Go's %v of the IPs (or hostnames), e.g. [192.0.2.2 192.0.2.3]. */
export function ingressToString(ingress: readonly LoadBalancerIngress[]): string {
  return `[${ingress.map((i) => (i.ip !== undefined && i.ip !== '' ? i.ip : (i.hostname ?? ''))).join(' ')}]`;
}
