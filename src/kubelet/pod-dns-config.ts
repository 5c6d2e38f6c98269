// A pod's DNS configuration for the CRI sandbox, from its dnsPolicy and dnsConfig (upstream's
// pkg/kubelet/network/dns/dns.go GetPodDNS). containerd writes the sandbox's resolv.conf from it and mounts that
// into every container of the pod.
//   ClusterFirst: the cluster DNS servers, search NS.svc.DOMAIN svc.DOMAIN DOMAIN then the node's search domains,
//     options ndots:5; a host-network pod falls back to Default; without cluster DNS servers too, with
//     MissingClusterDNS warnings on the node and the pod.
//   ClusterFirstWithHostNet: ClusterFirst, also for host-network pods.
//   Default: the node's resolv.conf (--resolv-conf); with none (''), 127.0.0.1 per node IPv4 address (::1 per IPv6
//     one) and search ".".
//   None: nothing but the pod's dnsConfig.
// The pod's dnsConfig is appended to any of them (duplicates dropped, its options override by name), then the result
// is cut to upstream's limits (3 nameservers; 32 search paths of at most 253 characters, 2048 in all), with a
// DNSConfigForming warning on the pod for each cut.
import type { Pod, PodDNSConfigOption, PodDNSConfig } from 'kubernetes-types/core/v1.js';
import type { DNSConfig } from '../cri/index.js';
import { formatPod } from './crash-loop-backoff.js';
import { maxDnsNameservers, maxDnsSearchListChars, maxDnsSearchPathLength, maxDnsSearchPaths, type ResolvConf } from './resolv-conf.js';

/** defaultDNSOptions */
export const defaultDnsOptions: readonly string[] = ['ndots:5'];

/** What the node's kubelet knows: --cluster-dns, --cluster-domain, --resolv-conf (its path, '' for none). */
export interface ClusterDnsSettings {
  clusterDns: readonly string[];
  clusterDomain: string;
  resolvConf: string;
  /** The node's addresses, for the loopback nameservers of Default without a resolv.conf. */
  nodeIPs?: readonly string[];
}

/** A warning event about the pod or the node that forming the config raised. */
export interface DnsEvent {
  on: 'pod' | 'node';
  reason: 'DNSConfigForming' | 'MissingClusterDNS';
  message: string;
}

export type PodDnsType = 'cluster' | 'host' | 'none';

/** getPodDNSType. An unknown policy (the API server rejects those) counts as ClusterFirst, as upstream falls back. */
export function podDnsType(pod: Pod): PodDnsType {
  const hostNetwork = pod.spec?.hostNetwork === true;
  switch (pod.spec?.dnsPolicy) {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'Default':
      return 'host';
    case 'ClusterFirst':
      return hostNetwork ? 'host' : 'cluster';
    default:
      return 'cluster';
  }
}

function omitDuplicates(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * mergeDNSOptions: NAME or NAME:VALUE options, the pod's overriding the existing ones of the same name (a pod option
 * without a value leaves only the name). Upstream's order comes from a Go map; here the first appearance of a name
 * keeps its place.
 */
export function mergeDnsOptions(existing: readonly string[], podOptions: readonly PodDNSConfigOption[]): string[] {
  const byName = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    if (i === -1) byName.set(op, '');
    else byName.set(op.slice(0, i), op.slice(i + 1));
  }
  for (const op of podOptions) byName.set(op.name ?? '', op.value ?? '');
  return [...byName].map(([name, value]) => (value !== '' ? `${name}:${value}` : name));
}

/** appendDNSConfig: the pod's nameservers and searches after the existing ones (duplicates dropped), options merged. */
export function appendDnsConfig(existing: ResolvConf, podConfig: PodDNSConfig): ResolvConf {
  return {
    servers: omitDuplicates([...existing.servers, ...(podConfig.nameservers ?? [])]),
    searches: omitDuplicates([...existing.searches, ...(podConfig.searches ?? [])]),
    options: mergeDnsOptions(existing.options, podConfig.options ?? []),
  };
}

/** generateSearchesForDNSClusterFirst */
export function clusterFirstSearches(namespace: string, clusterDomain: string, hostSearches: readonly string[]): string[] {
  if (clusterDomain === '') return [...hostSearches];
  return omitDuplicates([`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain, ...hostSearches]);
}

/** formDNSNameserversFitsLimits: at most 3; the warning when some were left out. */
export function fitNameservers(servers: readonly string[]): { servers: string[]; warning?: string } {
  if (servers.length <= maxDnsNameservers) return { servers: [...servers] };
  const kept = servers.slice(0, maxDnsNameservers);
  return { servers: kept, warning: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${kept.join(' ')}` };
}

/**
 * formDNSSearchFitsLimits: the first 32 paths, without those longer than 253 characters, then the last ones cut
 * until the line fits 2048 characters; the warning when anything was left out.
 */
export function fitSearches(searches: readonly string[]): { searches: string[]; warning?: string } {
  let exceeded = false;
  let kept = [...searches];
  if (kept.length > maxDnsSearchPaths) {
    kept = kept.slice(0, maxDnsSearchPaths);
    exceeded = true;
  }
  const short = kept.filter((s) => Buffer.byteLength(s) <= maxDnsSearchPathLength);
  if (short.length !== kept.length) exceeded = true;
  kept = short;
  const lineLength = Buffer.byteLength(kept.join(' '));
  if (lineLength > maxDnsSearchListChars) {
    let cutLength = 0;
    let cut = 0;
    for (let i = kept.length - 1; i >= 0; i--) {
      cutLength += Buffer.byteLength(kept[i] ?? '') + 1;
      cut++;
      if (lineLength - cutLength <= maxDnsSearchListChars) break;
    }
    kept = kept.slice(0, kept.length - cut);
    exceeded = true;
  }
  if (!exceeded) return { searches: kept };
  return { searches: kept, warning: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${kept.join(' ')}` };
}

/** GetPodDNS on the node's resolv.conf as read (`host`; empty when there is none): the config and the events to record. */
export function podDnsConfig(pod: Pod, host: ResolvConf, settings: ClusterDnsSettings): { config: DNSConfig; events: DnsEvent[] } {
  const events: DnsEvent[] = [];
  let dns: ResolvConf = { servers: [...host.servers], searches: [...host.searches], options: [...host.options] };
  let type = podDnsType(pod);
  if (type === 'none') {
    dns = { servers: [], searches: [], options: [] };
  } else if (type === 'cluster') {
    if (settings.clusterDns.length > 0) {
      dns = {
        servers: [...settings.clusterDns],
        searches: clusterFirstSearches(pod.metadata?.namespace ?? '', settings.clusterDomain, dns.searches),
        options: [...defaultDnsOptions],
      };
    } else {
      const nodeMessage = 'kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.';
      events.push({ on: 'node', reason: 'MissingClusterDNS', message: nodeMessage });
      events.push({ on: 'pod', reason: 'MissingClusterDNS', message: `pod: ${JSON.stringify(formatPod(pod))}. ${nodeMessage}` });
      type = 'host';
    }
  }
  if (type === 'host' && settings.resolvConf === '') {
    // No resolv.conf: the nameserver on the local machine, and no search (bind's behaviour without nameservers).
    for (const ip of settings.nodeIPs ?? []) dns.servers.push(ip.includes(':') ? '::1' : '127.0.0.1');
    if (dns.servers.length === 0) dns.servers.push('127.0.0.1');
    dns.searches = ['.'];
  }
  if (pod.spec?.dnsConfig !== undefined) dns = appendDnsConfig(dns, pod.spec.dnsConfig);
  const servers = fitNameservers(dns.servers);
  if (servers.warning !== undefined) events.push({ on: 'pod', reason: 'DNSConfigForming', message: servers.warning });
  const searches = fitSearches(dns.searches);
  if (searches.warning !== undefined) events.push({ on: 'pod', reason: 'DNSConfigForming', message: searches.warning });
  return { config: { servers: servers.servers, searches: searches.searches, options: dns.options }, events };
}
