// nft transactions as text for `nft -f -`: the table's fixed skeleton (upstream's setupNFTables: base chains on the
// netfilter hooks, the dispatch maps, the no-endpoint and firewall checks, masquerading) and a diff's operations in
// an order the kernel accepts.
import type { NftElement } from './rendered-rules.js';
import {
  clusterIPsSet,
  firewallIPsMap,
  markMasqChain,
  noEndpointNodePortsMap,
  noEndpointServicesMap,
  rejectChain,
  serviceIPsMap,
  serviceNodePortsMap,
} from './render-service-port.js';
import type { RulesDiff } from './rules-diff.js';

/** Our table: kube-proxy's is `ip kube-proxy`, so both can live on one machine. */
export const defaultTableName = 'k8ts-proxy';
/** Upstream's --masquerade-bit 14. */
export const masqueradeMark = '0x4000';

const servicesChain = 'services';
const masqueradingChain = 'masquerading';
const serviceEndpointsCheckChain = 'service-endpoints-check';
const nodePortEndpointsCheckChain = 'nodeport-endpoints-check';
const firewallCheckChain = 'firewall-check';
const clusterIPsCheckChain = 'cluster-ips-check';
export const nodePortIPsSet = 'nodeport-ips';

/** Base chains, named `${type}-${hook}`; filter chains see the destination before DNAT (priority dstnat-10 = -110). */
const baseChains: readonly { name: string; type: 'filter' | 'nat'; hook: string; priority: number }[] = [
  { name: 'filter-prerouting', type: 'filter', hook: 'prerouting', priority: -110 },
  { name: 'filter-input', type: 'filter', hook: 'input', priority: -110 },
  { name: 'filter-forward', type: 'filter', hook: 'forward', priority: -110 },
  { name: 'filter-output', type: 'filter', hook: 'output', priority: -110 },
  { name: 'filter-output-post-dnat', type: 'filter', hook: 'output', priority: -90 },
  { name: 'nat-prerouting', type: 'nat', hook: 'prerouting', priority: -100 },
  { name: 'nat-output', type: 'nat', hook: 'output', priority: -100 },
  { name: 'nat-postrouting', type: 'nat', hook: 'postrouting', priority: 100 },
];

const jumpChains: readonly { dst: string; src: string; extra: string }[] = [
  { dst: nodePortEndpointsCheckChain, src: 'filter-input', extra: 'ct state new ' },
  { dst: serviceEndpointsCheckChain, src: 'filter-input', extra: 'ct state new ' },
  { dst: serviceEndpointsCheckChain, src: 'filter-forward', extra: 'ct state new ' },
  { dst: serviceEndpointsCheckChain, src: 'filter-output', extra: 'ct state new ' },
  { dst: firewallCheckChain, src: 'filter-prerouting', extra: 'ct state new ' },
  { dst: firewallCheckChain, src: 'filter-output', extra: 'ct state new ' },
  { dst: servicesChain, src: 'nat-output', extra: '' },
  { dst: servicesChain, src: 'nat-prerouting', extra: '' },
  { dst: masqueradingChain, src: 'nat-postrouting', extra: '' },
  { dst: clusterIPsCheckChain, src: 'filter-forward', extra: 'ct state new ' },
  { dst: clusterIPsCheckChain, src: 'filter-output-post-dnat', extra: 'ct state new ' },
];

export interface SkeletonOptions {
  table: string;
  /** --service-cidr: traffic to an address of it that no Service holds is dropped. */
  serviceCidr: string;
  /** The addresses that take NodePort traffic. */
  nodePortIPs: readonly string[];
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '')}"`;
}

/**
 * The table from nothing: any table of ours left over (an earlier run that died) goes in the same transaction, so
 * the switch is atomic. Service rules are added after it.
 */
export function skeletonScript(o: SkeletonOptions): string {
  const t = `ip ${o.table}`;
  const lines: string[] = [
    `add table ${t} { comment "rules for the k8ts service proxy" ; }`,
    `delete table ${t}`,
    `add table ${t} { comment "rules for the k8ts service proxy" ; }`,
  ];
  for (const bc of baseChains) lines.push(`add chain ${t} ${bc.name} { type ${bc.type} hook ${bc.hook} priority ${bc.priority} ; }`);
  const created = new Set<string>();
  const ensure = (c: string): void => {
    if (created.has(c)) return;
    created.add(c);
    lines.push(`add chain ${t} ${c}`);
  };
  for (const j of jumpChains) {
    ensure(j.dst);
    lines.push(`add rule ${t} ${j.src} ${j.extra}jump ${j.dst}`);
  }
  for (const c of [servicesChain, clusterIPsCheckChain, masqueradingChain, markMasqChain]) ensure(c);
  lines.push(
    `add rule ${t} ${markMasqChain} mark set mark or ${masqueradeMark}`,
    `add rule ${t} ${masqueradingChain} mark and ${masqueradeMark} == 0 return`,
    `add rule ${t} ${masqueradingChain} mark set mark xor ${masqueradeMark}`,
    `add rule ${t} ${masqueradingChain} masquerade fully-random`,
    `add set ${t} ${clusterIPsSet} { type ipv4_addr ; comment "Active ClusterIPs" ; }`,
    `add rule ${t} ${clusterIPsCheckChain} ip daddr @${clusterIPsSet} reject comment "Reject traffic to invalid ports of ClusterIPs"`,
  );
  if (o.serviceCidr !== '') lines.push(`add rule ${t} ${clusterIPsCheckChain} ip daddr { ${o.serviceCidr} } drop comment "Drop traffic to unallocated ClusterIPs"`);
  lines.push(`add set ${t} ${nodePortIPsSet} { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`);
  if (o.nodePortIPs.length > 0) lines.push(`add element ${t} ${nodePortIPsSet} { ${o.nodePortIPs.join(', ')} }`);
  lines.push(
    `add map ${t} ${noEndpointServicesMap} { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`,
    `add map ${t} ${noEndpointNodePortsMap} { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`,
    `add chain ${t} ${rejectChain} { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`,
    `add rule ${t} ${rejectChain} reject`,
    `add rule ${t} ${serviceEndpointsCheckChain} ip daddr . meta l4proto . th dport vmap @${noEndpointServicesMap}`,
    `add rule ${t} ${nodePortEndpointsCheckChain} ip daddr @${nodePortIPsSet} meta l4proto . th dport vmap @${noEndpointNodePortsMap}`,
    `add map ${t} ${firewallIPsMap} { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`,
    `add rule ${t} ${firewallCheckChain} ip daddr . meta l4proto . th dport vmap @${firewallIPsMap}`,
    `add map ${t} ${serviceIPsMap} { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`,
    `add map ${t} ${serviceNodePortsMap} { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`,
    `add rule ${t} ${servicesChain} ip daddr . meta l4proto . th dport vmap @${serviceIPsMap}`,
    `add rule ${t} ${servicesChain} ip daddr @${nodePortIPsSet} meta l4proto . th dport vmap @${serviceNodePortsMap}`,
  );
  return lines.join('\n') + '\n';
}

/** Replaces the NodePort addresses. */
export function nodePortIPsScript(table: string, ips: readonly string[]): string {
  const t = `ip ${table}`;
  return `flush set ${t} ${nodePortIPsSet}\n${ips.length > 0 ? `add element ${t} ${nodePortIPsSet} { ${ips.join(', ')} }\n` : ''}`;
}

function elementText(e: NftElement, withValue: boolean): string {
  const comment = e.comment !== undefined ? ` comment ${quote(e.comment)}` : '';
  if (!withValue) return e.key;
  return e.value === undefined ? `${e.key}${comment}` : `${e.key}${comment} : ${e.value}`;
}

/** The diff's operations in a workable order; `deleteChains` are stale chains old enough to go now. */
export function diffScript(table: string, d: RulesDiff, deleteChains: readonly string[] = []): string {
  const t = `ip ${table}`;
  const lines: string[] = [];
  for (const e of d.deleteElements) lines.push(`delete element ${t} ${e.container} { ${elementText(e, false)} }`);
  for (const c of d.flushChains) lines.push(`flush chain ${t} ${c}`);
  for (const s of d.deleteSets) lines.push(`delete set ${t} ${s}`);
  for (const [s, timeout] of d.addSets) lines.push(`add set ${t} ${s} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeout}s ; }`);
  for (const c of d.addChains) lines.push(`add chain ${t} ${c}`);
  for (const [c, rules] of d.rules) for (const r of rules) lines.push(`add rule ${t} ${c} ${r}`);
  for (const e of d.addElements) lines.push(`add element ${t} ${e.container} { ${elementText(e, true)} }`);
  for (const c of deleteChains) lines.push(`delete chain ${t} ${c}`);
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
