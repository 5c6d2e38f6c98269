// The subsets the Endpoints controller publishes for a Service (upstream's syncService loop, addEndpointSubset,
// podToEndpointAddressForService and truncateEndpoints).
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { isPodReady } from '../podcontrol/active-pods.js';
import { findPort } from './find-port.js';
import { isIPv6, podIPs, serviceIPFamily, shouldPodBeInEndpoints, shouldSetHostname } from './pod-endpoints.js';
import { repackSubsets } from './repack-subsets.js';

/** Upstream's maxCapacity: an Endpoints object keeps at most this many addresses. */
export const maxEndpointsCapacity = 1000;
export const overCapacityAnnotation = 'endpoints.kubernetes.io/over-capacity';

export interface ComputedSubsets {
  subsets: EndpointSubset[];
  ready: number;
  notReady: number;
}

/** The pod's address of the Service's IP family, or undefined when it has none of that family. */
export function podToEndpointAddress(svc: Service, pod: Pod): EndpointAddress | undefined {
  const family = serviceIPFamily(svc, pod);
  const ip = podIPs(pod).find((i) => isIPv6(i) === (family === 'IPv6'));
  if (ip === undefined) return undefined;
  const targetRef: EndpointAddress['targetRef'] = { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' };
  if (pod.metadata?.uid !== undefined) targetRef.uid = pod.metadata.uid;
  return { ip, nodeName: pod.spec?.nodeName ?? '', targetRef };
}

export function endpointPortFromServicePort(sp: ServicePort, portNum: number): EndpointPort {
  const p: EndpointPort = { port: portNum };
  if (sp.name !== undefined && sp.name !== '') p.name = sp.name;
  if (sp.protocol !== undefined) p.protocol = sp.protocol;
  if (sp.appProtocol !== undefined) p.appProtocol = sp.appProtocol;
  return p;
}

/** The repacked subsets for `svc` over `pods` (the pods its selector matches in its namespace). */
export function computeEndpointSubsets(svc: Service, pods: readonly Pod[]): ComputedSubsets {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const subsets: EndpointSubset[] = [];
  let ready = 0;
  let notReady = 0;
  const add = (pod: Pod, epa: EndpointAddress, epp: EndpointPort | undefined): void => {
    const ports = epp === undefined ? [] : [epp];
    if (publishNotReady || isPodReady(pod)) {
      subsets.push({ addresses: [epa], ports });
      ready++;
    } else {
      subsets.push({ notReadyAddresses: [epa], ports });
      notReady++;
    }
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ep = podToEndpointAddress(svc, pod);
    if (ep === undefined) continue;
    const epa: EndpointAddress = { ...ep };
    if (shouldSetHostname(pod, svc)) epa.hostname = pod.spec?.hostname ?? '';
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) {
      // A headless Service may have no ports: its addresses are published without any.
      if (svc.spec?.clusterIP === 'None') add(pod, epa, undefined);
      continue;
    }
    for (const sp of ports) {
      const portNum = findPort(pod, sp);
      if (portNum === undefined) continue;
      add(pod, epa, endpointPortFromServicePort(sp, portNum));
    }
  }
  return { subsets: repackSubsets(subsets), ready, notReady };
}

/**
 * truncateEndpoints: above maxEndpointsCapacity addresses, not-ready addresses are cut first (or, when the ready
 * ones alone are too many, all not-ready and the ready ones proportionally per subset). True when it truncated.
 */
export function truncateEndpoints(ep: Endpoints): boolean {
  const subsets = ep.subsets ?? [];
  let totalReady = 0;
  let totalNotReady = 0;
  for (const ss of subsets) {
    totalReady += (ss.addresses ?? []).length;
    totalNotReady += (ss.notReadyAddresses ?? []).length;
  }
  if (totalReady + totalNotReady <= maxEndpointsCapacity) return false;
  const truncateReady = totalReady > maxEndpointsCapacity;
  const max = truncateReady ? maxEndpointsCapacity : maxEndpointsCapacity - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  for (const ss of subsets) {
    const numInSubset = truncateReady ? (ss.addresses ?? []).length : (ss.notReadyAddresses ?? []).length;
    const toBeAdded = Math.min(Math.ceil((numInSubset / numTotal) * max), canBeAdded);
    if (truncateReady) {
      ss.addresses = (ss.addresses ?? []).slice(0, toBeAdded);
      delete ss.notReadyAddresses;
      canBeAdded -= ss.addresses.length;
    } else {
      ss.notReadyAddresses = (ss.notReadyAddresses ?? []).slice(0, toBeAdded);
      canBeAdded -= ss.notReadyAddresses.length;
    }
  }
  return true;
}

/**
 * capacityAnnotationSetCorrectly: false when the addresses exceed the capacity (they must be truncated), else
 * true when the over-capacity annotation is absent.
 */
export function capacityAnnotationSetCorrectly(annotations: Readonly<Record<string, string>> | undefined, subsets: readonly EndpointSubset[] | undefined): boolean {
  let n = 0;
  for (const ss of subsets ?? []) n += (ss.addresses ?? []).length + (ss.notReadyAddresses ?? []).length;
  if (n > maxEndpointsCapacity) return false;
  return annotations?.[overCapacityAnnotation] === undefined;
}
