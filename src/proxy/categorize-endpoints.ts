// Which endpoints a service port's rules use (upstream's CategorizeEndpoints, without topology hints): for the
// Cluster policy the ready endpoints, or when none is ready anywhere the serving-terminating ones; for the Local
// policy this node's ready endpoints, or its serving-terminating ones when it has no ready one.
import type { EndpointInfo } from './endpoint-info.js';
import { usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './service-port-info.js';

export interface CategorizedEndpoints {
  clusterEndpoints: EndpointInfo[];
  localEndpoints: EndpointInfo[];
  /** Every endpoint some rule of this node may send to (the union of the two, in order). */
  allReachableEndpoints: EndpointInfo[];
  /** Whether the service has usable endpoints anywhere in the cluster. */
  hasAnyEndpoints: boolean;
}

export function categorizeEndpoints(endpoints: readonly EndpointInfo[], svc: ServicePortInfo): CategorizedEndpoints {
  let clusterEndpoints: EndpointInfo[] = [];
  let localEndpoints: EndpointInfo[] = [];
  let hasAnyEndpoints = false;
  if (usesClusterEndpoints(svc)) {
    clusterEndpoints = endpoints.filter((ep) => ep.ready);
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating);
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true;
  }
  if (!usesLocalEndpoints(svc)) return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalServingTerminating = true;
    }
  }
  if (hasLocalReady) localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  else if (hasLocalServingTerminating) localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.serving && ep.terminating);

  if (!usesClusterEndpoints(svc)) return { clusterEndpoints, localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints };
  const all = new Set<EndpointInfo>([...clusterEndpoints, ...localEndpoints]);
  return { clusterEndpoints, localEndpoints, allReachableEndpoints: endpoints.filter((ep) => all.has(ep)), hasAnyEndpoints };
}
