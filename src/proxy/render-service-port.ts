// The rules of one service port, as upstream's nftables proxier writes them in syncProxyRules: the ClusterIP,
// external IPs, load balancer VIPs and NodePort as elements of the dispatch maps (or of the no-endpoint maps, which
// reject), and the service's chains: cluster- and local-policy chains that pick an endpoint at random (numgen), an
// external chain that masquerades (policy Cluster) or short-circuits pod and host traffic (policy Local), a firewall
// chain for loadBalancerSourceRanges, and one chain per endpoint that masquerades hairpin traffic, records session
// affinity and DNATs.
import {
  affinitySetPrefix,
  clusterPolicyChainPrefix,
  endpointChainPrefix,
  externalChainPrefix,
  firewallChainPrefix,
  localPolicyChainPrefix,
  servicePortChainNameBase,
  servicePortEndpointChainNameBase,
  servicePortNameString,
} from './chain-names.js';
import { categorizeEndpoints } from './categorize-endpoints.js';
import { endpointString, type EndpointInfo } from './endpoint-info.js';
import type { NftElement, RenderedRules } from './rendered-rules.js';
import { externallyAccessible, usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './service-port-info.js';
import { cidrContainsIp } from './ipv4.js';

/** The table's fixed chains, maps and sets that service rules refer to. */
export const markMasqChain = 'mark-for-masquerade';
export const rejectChain = 'reject-chain';
export const serviceIPsMap = 'service-ips';
export const serviceNodePortsMap = 'service-nodeports';
export const noEndpointServicesMap = 'no-endpoint-services';
export const noEndpointNodePortsMap = 'no-endpoint-nodeports';
export const firewallIPsMap = 'firewall-ips';
export const clusterIPsSet = 'cluster-ips';

export interface RenderContext {
  /** --cluster-cidr: traffic from it is pod traffic (the local traffic detector). */
  clusterCidr: string;
  /** The node's primary IP: a loadBalancerSourceRange that holds it admits the VIPs as sources too. */
  nodeIP: string;
}

function endpointChain(p: ServicePortInfo, ep: EndpointInfo): string {
  return endpointChainPrefix + servicePortEndpointChainNameBase(p.name, ep.ip, ep.port);
}

function affinitySet(p: ServicePortInfo, ep: EndpointInfo): string {
  return affinitySetPrefix + servicePortEndpointChainNameBase(p.name, ep.ip, ep.port);
}

/** Adds one service port's chains, sets and elements to `out`. */
export function renderServicePort(p: ServicePortInfo, endpoints: readonly EndpointInfo[], ctx: RenderContext, out: RenderedRules): void {
  const base = servicePortChainNameBase(p.name);
  const protocol = p.name.protocol.toLowerCase();
  const comment = servicePortNameString(p.name);
  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints } = categorizeEndpoints(endpoints, p);
  const chain = (name: string): string[] => {
    let rules = out.chains.get(name);
    if (rules === undefined) out.chains.set(name, (rules = []));
    return rules;
  };
  const element = (e: NftElement): void => void out.elements.push(e);

  const clusterPolicyChain = clusterPolicyChainPrefix + base;
  const localPolicyChain = localPolicyChainPrefix + base;
  const externalTrafficChain = externalChainPrefix + base;
  const fwChain = firewallChainPrefix + base;
  const usesClusterPolicyChain = clusterEndpoints.length > 0 && usesClusterEndpoints(p);
  const usesLocalPolicyChain = localEndpoints.length > 0 && usesLocalEndpoints(p);

  let internalTrafficChain = clusterPolicyChain;
  let hasInternalEndpoints = hasAnyEndpoints;
  if (p.internalPolicyLocal) {
    internalTrafficChain = localPolicyChain;
    if (localEndpoints.length === 0) hasInternalEndpoints = false;
  }
  let externalPolicyChain = clusterPolicyChain;
  let hasExternalEndpoints = hasAnyEndpoints;
  if (p.externalPolicyLocal) {
    externalPolicyChain = localPolicyChain;
    if (localEndpoints.length === 0) hasExternalEndpoints = false;
  }
  const usesExternalTrafficChain = hasAnyEndpoints && externallyAccessible(p);

  let internalFilterVerdict = '';
  let externalFilterVerdict = '';
  if (!hasAnyEndpoints) {
    internalFilterVerdict = `goto ${rejectChain}`;
    externalFilterVerdict = `goto ${rejectChain}`;
  } else {
    if (!hasInternalEndpoints) internalFilterVerdict = 'drop';
    if (!hasExternalEndpoints) externalFilterVerdict = 'drop';
  }

  // Capture the cluster IP.
  element({ container: clusterIPsSet, key: p.clusterIP });
  const clusterKey = `${p.clusterIP} . ${protocol} . ${p.port}`;
  if (hasInternalEndpoints) element({ container: serviceIPsMap, key: clusterKey, value: `goto ${internalTrafficChain}` });
  else element({ container: noEndpointServicesMap, key: clusterKey, value: internalFilterVerdict, comment });

  // External IPs.
  for (const ip of p.externalIPs) {
    const key = `${ip} . ${protocol} . ${p.port}`;
    if (hasAnyEndpoints) element({ container: serviceIPsMap, key, value: `goto ${externalTrafficChain}` });
    if (!hasExternalEndpoints) element({ container: noEndpointServicesMap, key, value: externalFilterVerdict, comment });
  }

  // Load balancer VIPs, behind the firewall chain when loadBalancerSourceRanges are set.
  const usesFWChain = p.loadBalancerVIPs.length > 0 && p.loadBalancerSourceRanges.length > 0;
  for (const ip of p.loadBalancerVIPs) {
    const key = `${ip} . ${protocol} . ${p.port}`;
    if (hasAnyEndpoints) element({ container: serviceIPsMap, key, value: `goto ${externalTrafficChain}` });
    if (usesFWChain) element({ container: firewallIPsMap, key, value: `goto ${fwChain}`, comment });
  }
  if (!hasExternalEndpoints) {
    for (const ip of p.loadBalancerVIPs) element({ container: noEndpointServicesMap, key: `${ip} . ${protocol} . ${p.port}`, value: externalFilterVerdict, comment });
  }

  // The NodePort.
  if (p.nodePort !== 0) {
    const key = `${protocol} . ${p.nodePort}`;
    if (hasAnyEndpoints) element({ container: serviceNodePortsMap, key, value: `goto ${externalTrafficChain}` });
    if (!hasExternalEndpoints) element({ container: noEndpointNodePortsMap, key, value: externalFilterVerdict, comment });
  }

  // Internal traffic: masquerade what comes from outside the cluster network.
  if (hasInternalEndpoints) {
    chain(internalTrafficChain).push(`ip daddr ${p.clusterIP} ${protocol} dport ${p.port} ip saddr != ${ctx.clusterCidr} jump ${markMasqChain}`);
  }

  // External traffic.
  if (usesExternalTrafficChain) {
    const ext = chain(externalTrafficChain);
    if (!p.externalPolicyLocal) {
      // Non-local endpoints may be on other nodes: masquerade.
      ext.push(`jump ${markMasqChain}`);
    } else {
      // Pods of this cluster reaching an external address are not subject to the policy, as if they went out to
      // a load balancer and came back.
      ext.push(`ip saddr ${ctx.clusterCidr} goto ${clusterPolicyChain} comment "short-circuit pod traffic"`);
      // The host itself: its source address is local, so masquerade, and any endpoint will do.
      ext.push(`fib saddr type local jump ${markMasqChain} comment "masquerade local traffic"`);
      ext.push(`fib saddr type local goto ${clusterPolicyChain} comment "short-circuit local traffic"`);
    }
    if (hasExternalEndpoints) ext.push(`goto ${externalPolicyChain}`);
  }

  if (usesFWChain) {
    const sources = [...p.loadBalancerSourceRanges];
    if (ctx.nodeIP !== '' && p.loadBalancerSourceRanges.some((r) => cidrContainsIp(r, ctx.nodeIP))) sources.push(...p.loadBalancerVIPs);
    chain(fwChain).push(`ip saddr != { ${sources.join(', ')} } drop`);
  }

  if (p.stickyMaxAgeSeconds !== undefined) {
    for (const ep of allReachableEndpoints) out.sets.set(affinitySet(p, ep), p.stickyMaxAgeSeconds);
  }

  const writeServiceToEndpointRules = (svcChain: string, eps: readonly EndpointInfo[]): void => {
    const rules = chain(svcChain);
    if (p.stickyMaxAgeSeconds !== undefined) {
      for (const ep of eps) rules.push(`ip saddr @${affinitySet(p, ep)} goto ${endpointChain(p, ep)}`);
    }
    rules.push(`numgen random mod ${eps.length} vmap { ${eps.map((ep, i) => `${i} : goto ${endpointChain(p, ep)}`).join(', ')} }`);
  };
  if (usesClusterPolicyChain) writeServiceToEndpointRules(clusterPolicyChain, clusterEndpoints);
  if (usesLocalPolicyChain) writeServiceToEndpointRules(localPolicyChain, localEndpoints);

  for (const ep of allReachableEndpoints) {
    const rules = chain(endpointChain(p, ep));
    // Hairpin: a pod reaching itself through the service is masqueraded.
    rules.push(`ip saddr ${ep.ip} jump ${markMasqChain}`);
    if (p.stickyMaxAgeSeconds !== undefined) rules.push(`update @${affinitySet(p, ep)} { ip saddr }`);
    rules.push(`meta l4proto ${protocol} dnat to ${endpointString(ep)}`);
  }
}
