// The records of the cluster domain, from Services, EndpointSlices and Namespaces: what CoreDNS's kubernetes plugin
// answers with `pods insecure`, `ttl 5` and the reverse zones falling through (the default Corefile), after the
// Kubernetes DNS specification (kubernetes/dns docs/specification.md).
//
//   NAME.NS.svc.DOMAIN                  A/AAAA: the cluster IPs; headless: the ready endpoints' addresses
//   HOST.NAME.NS.svc.DOMAIN             A/AAAA of the endpoint whose hostname (or dashed IP) is HOST
//   _PORT._PROTO.NAME.NS.svc.DOMAIN     SRV for a named port (targets NAME.NS.svc.DOMAIN or HOST.NAME.NS.svc.DOMAIN)
//   NAME.NS.svc.DOMAIN (ExternalName)   CNAME to spec.externalName (the target's records are looked up upstream)
//   A-B-C-D.NS.pod.DOMAIN               A A.B.C.D (any address, in an existing namespace)
//   D.C.B.A.in-addr.arpa                PTR to the service (or endpoint) name of a cluster IP (or endpoint address)
//   dns-version.DOMAIN                  TXT "1.1.0"; DOMAIN: SOA and NS (ns.dns.DOMAIN, the DNS service's address)
import type { Answer, RecordType } from 'dns-packet';
import type { Namespace, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isIPv4 } from 'node:net';
import { addressFromReverse, canonicalIp, dashedIp, ipFromDashed, isReverseName } from './ip-address.js';
import { parseZoneRequest, type ZoneRequest } from './zone-request.js';

/** CoreDNS's default TTL of every answer of the kubernetes plugin. */
export const clusterDnsTtl = 5;
/** The schema version of the Kubernetes DNS specification, served as TXT at dns-version.DOMAIN. */
export const dnsSchemaVersion = '1.1.0';
/** The most CNAMEs followed inside the zone (CoreDNS stops after 8). */
const maxCnameChain = 8;

export type ZoneRcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';

export interface ZoneAnswer {
  readonly rcode: ZoneRcode;
  readonly answers: Answer[];
  readonly authorities: Answer[];
  readonly additionals: Answer[];
  /**
   * An ExternalName whose target lies outside the cluster domain: the target's records of this type are to be looked
   * up upstream and appended to the answers (which end in the CNAME). If the lookup fails, `unresolved` is the answer.
   */
  readonly chase?: { readonly name: string; readonly type: RecordType; readonly unresolved: ZoneAnswer };
}

export interface ClusterZoneOptions {
  /** The cluster domain, e.g. cluster.local (no trailing dot). */
  domain: string;
  /** The DNS service's address: ns.dns.DOMAIN and the zone's NS record. */
  dnsServiceIp?: string;
  /** Seconds since the epoch, for the SOA serial (default the clock). */
  now?: () => number;
}

interface PortInfo {
  readonly name: string;
  readonly protocol: string;
  /** -1 is CoreDNS's sentinel for an object without ports (address records only, no SRV). */
  readonly port: number;
}

interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly clusterIPs: readonly string[];
  readonly headless: boolean;
  readonly externalName: string;
  readonly ports: readonly PortInfo[];
}

interface EndpointInfo {
  readonly address: string;
  /** The endpoint's hostname, or its dashed address when it has none (CoreDNS's endpointHostname). */
  readonly label: string;
}

interface SliceInfo {
  readonly namespace: string;
  readonly serviceName: string;
  /** Ready addresses only (ready unset counts as ready). */
  readonly endpoints: readonly EndpointInfo[];
  readonly ports: readonly PortInfo[];
}

/** One candidate record (CoreDNS's msg.Service): an address or, for ExternalName, a name. */
interface Entry {
  readonly host: string;
  readonly isName: boolean;
  readonly port: number;
  /** The owner name of this entry's address record: the SRV target. */
  readonly owner: string;
}

interface Lookup {
  readonly entries: Entry[];
  /** True when the name does not exist (NXDOMAIN). */
  readonly nameError: boolean;
}

const noPorts: readonly PortInfo[] = [{ name: '', protocol: '', port: -1 }];

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function addTo(index: Map<string, Set<string>>, k: string, v: string): void {
  let s = index.get(k);
  if (s === undefined) index.set(k, (s = new Set()));
  s.add(v);
}

function removeFrom(index: Map<string, Set<string>>, k: string, v: string): void {
  const s = index.get(k);
  if (s === undefined) return;
  s.delete(v);
  if (s.size === 0) index.delete(k);
}

function serviceInfo(svc: Service): ServiceInfo | undefined {
  const namespace = svc.metadata?.namespace;
  const name = svc.metadata?.name;
  if (namespace === undefined || name === undefined) return undefined;
  const spec = svc.spec ?? {};
  const clusterIPs = spec.clusterIPs !== undefined && spec.clusterIPs.length > 0 ? spec.clusterIPs : spec.clusterIP !== undefined && spec.clusterIP !== '' ? [spec.clusterIP] : [];
  const ports = (spec.ports ?? []).map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port }));
  return {
    namespace,
    name,
    type: spec.type ?? 'ClusterIP',
    clusterIPs,
    headless: clusterIPs.length === 1 && clusterIPs[0] === 'None',
    externalName: spec.externalName ?? '',
    ports: ports.length === 0 ? noPorts : ports,
  };
}

function sliceInfo(slice: EndpointSlice): SliceInfo | undefined {
  const namespace = slice.metadata?.namespace;
  const serviceName = slice.metadata?.labels?.['kubernetes.io/service-name'];
  if (namespace === undefined || serviceName === undefined || serviceName === '') return undefined;
  if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return undefined;
  const endpoints: EndpointInfo[] = [];
  for (const ep of slice.endpoints ?? []) {
    if (ep.conditions?.ready === false) continue;
    for (const address of ep.addresses ?? []) {
      if (canonicalIp(address) === undefined) continue;
      endpoints.push({ address, label: ep.hostname !== undefined && ep.hostname !== '' ? ep.hostname : dashedIp(address) });
    }
  }
  const ports = (slice.ports ?? []).map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port ?? -1 }));
  return { namespace, serviceName, endpoints, ports: ports.length === 0 ? noPorts : ports };
}

function matchPortAndProtocol(r: ZoneRequest, p: PortInfo): boolean {
  return (r.port === '' || r.port === p.name.toLowerCase()) && (r.protocol === '' || r.protocol === p.protocol.toLowerCase());
}

export class ClusterZone {
  readonly domain: string;
  private readonly dnsServiceIp: string | undefined;
  private readonly now: () => number;
  private readonly services = new Map<string, ServiceInfo>();
  private readonly slices = new Map<string, SliceInfo>();
  /** namespace/service to the keys of its slices. */
  private readonly slicesByService = new Map<string, Set<string>>();
  /** Canonical cluster IP to service keys; canonical endpoint address to slice keys. */
  private readonly clusterIpIndex = new Map<string, Set<string>>();
  private readonly endpointIpIndex = new Map<string, Set<string>>();
  private readonly namespaces = new Set<string>();
  private serialSeconds: number;
  /** False until the caches have been listed: a name error is then SERVFAIL, as CoreDNS answers before its sync. */
  synced = false;

  constructor(opts: ClusterZoneOptions) {
    this.domain = opts.domain.toLowerCase().replace(/\.$/, '');
    this.dnsServiceIp = opts.dnsServiceIp;
    this.now = opts.now ?? ((): number => Math.floor(Date.now() / 1000));
    this.serialSeconds = this.now();
  }

  /** The SOA serial: when the zone last changed (seconds since the epoch, as CoreDNS's). */
  get serial(): number {
    return this.serialSeconds >>> 0;
  }

  private touch(): void {
    this.serialSeconds = this.now();
  }

  setService(svc: Service): void {
    const info = serviceInfo(svc);
    if (info === undefined) return;
    this.deleteService(info.namespace, info.name);
    const k = key(info.namespace, info.name);
    this.services.set(k, info);
    for (const ip of info.clusterIPs) {
      const c = canonicalIp(ip);
      if (c !== undefined) addTo(this.clusterIpIndex, c, k);
    }
    this.touch();
  }

  deleteService(namespace: string, name: string): void {
    const k = key(namespace, name);
    const old = this.services.get(k);
    if (old === undefined) return;
    for (const ip of old.clusterIPs) {
      const c = canonicalIp(ip);
      if (c !== undefined) removeFrom(this.clusterIpIndex, c, k);
    }
    this.services.delete(k);
    this.touch();
  }

  setEndpointSlice(slice: EndpointSlice): void {
    const namespace = slice.metadata?.namespace;
    const name = slice.metadata?.name;
    if (namespace === undefined || name === undefined) return;
    this.deleteEndpointSlice(namespace, name);
    const info = sliceInfo(slice);
    if (info === undefined) return;
    const k = key(namespace, name);
    this.slices.set(k, info);
    addTo(this.slicesByService, key(namespace, info.serviceName), k);
    for (const ep of info.endpoints) addTo(this.endpointIpIndex, canonicalIp(ep.address) ?? ep.address, k);
    this.touch();
  }

  deleteEndpointSlice(namespace: string, name: string): void {
    const k = key(namespace, name);
    const old = this.slices.get(k);
    if (old === undefined) return;
    removeFrom(this.slicesByService, key(namespace, old.serviceName), k);
    for (const ep of old.endpoints) removeFrom(this.endpointIpIndex, canonicalIp(ep.address) ?? ep.address, k);
    this.slices.delete(k);
    this.touch();
  }

  setNamespace(ns: Namespace): void {
    const name = ns.metadata?.name;
    if (name === undefined || this.namespaces.has(name)) return;
    this.namespaces.add(name);
    this.touch();
  }

  deleteNamespace(name: string): void {
    if (this.namespaces.delete(name)) this.touch();
  }

  /**
   * The answer to a question, or undefined when the name is not this zone's to answer (outside the cluster domain,
   * or a reverse name that is no cluster IP nor endpoint address): such questions go to the upstream resolvers.
   */
  resolve(qname: string, qtype: RecordType): ZoneAnswer | undefined {
    const name = qname.replace(/\.$/, '');
    const lower = name.toLowerCase();
    if (isReverseName(lower)) return this.resolveReverse(name, lower, qtype);
    if (lower !== this.domain && !lower.endsWith(`.${this.domain}`)) return undefined;
    // The zone as the question spells it (CoreDNS keeps the query's case in the names it builds).
    const zone = name.slice(name.length - this.domain.length);
    const relative = lower === this.domain ? '' : lower.slice(0, lower.length - this.domain.length - 1);
    switch (qtype) {
      case 'A':
      case 'AAAA': {
        const r = this.addresses(name, relative, zone, qtype, 0);
        if (r.nameError) return this.failure(zone, 'NXDOMAIN');
        if (r.records.length === 0) return this.failure(zone, 'NOERROR');
        return this.success(r.records, [], r.chase === undefined ? undefined : { name: r.chase, type: qtype, unresolved: this.failure(zone, 'NOERROR') });
      }
      case 'SRV':
        return this.srv(name, relative, zone);
      case 'CNAME': {
        const l = this.lookup(relative, zone);
        if (l.nameError) return this.failure(zone, 'NXDOMAIN');
        const first = l.entries[0];
        if (first === undefined || !first.isName) return this.failure(zone, 'NOERROR');
        return this.success([{ type: 'CNAME', name, ttl: clusterDnsTtl, class: 'IN', data: first.host }], []);
      }
      case 'TXT': {
        if (relative === 'dns-version') return this.success([{ type: 'TXT', name, ttl: 28800, class: 'IN', data: dnsSchemaVersion }], []);
        return this.existence(relative, zone);
      }
      case 'SOA':
        if (relative === '') return this.success([this.soa(zone)], []);
        return this.existence(relative, zone);
      case 'NS':
        if (relative === '') {
          if (this.dnsServiceIp === undefined) return this.failure(zone, 'NOERROR');
          const ns = `ns.dns.${zone}`;
          return this.success([{ type: 'NS', name, ttl: clusterDnsTtl, class: 'IN', data: ns }], [this.address(ns, this.dnsServiceIp)]);
        }
        return this.existence(relative, zone);
      default:
        // CoreDNS's "fake A lookup": NODATA for a name that exists, NXDOMAIN for one that does not.
        return this.existence(relative, zone);
    }
  }

  private resolveReverse(name: string, lower: string, qtype: RecordType): ZoneAnswer | undefined {
    if (qtype !== 'PTR') return undefined;
    const ip = addressFromReverse(lower);
    if (ip === undefined) return undefined;
    const targets = this.reverseNames(ip);
    if (targets.length === 0) return undefined;
    return this.success(
      targets.map((t) => ({ type: 'PTR', name, ttl: clusterDnsTtl, class: 'IN', data: t })),
      [],
    );
  }

  /** The names of an address: the first service with it as a cluster IP, else every endpoint name with it. */
  reverseNames(ip: string): string[] {
    const c = canonicalIp(ip);
    if (c === undefined) return [];
    for (const k of this.clusterIpIndex.get(c) ?? []) {
      const svc = this.services.get(k);
      if (svc !== undefined) return [`${svc.name}.${svc.namespace}.svc.${this.domain}`];
    }
    const out = new Set<string>();
    for (const k of this.endpointIpIndex.get(c) ?? []) {
      const slice = this.slices.get(k);
      if (slice === undefined) continue;
      for (const ep of slice.endpoints) {
        if (canonicalIp(ep.address) === c) out.add(`${ep.label}.${slice.serviceName}.${slice.namespace}.svc.${this.domain}`);
      }
    }
    return [...out];
  }

  private soa(zone: string): Answer {
    return {
      type: 'SOA',
      name: zone,
      ttl: Math.min(clusterDnsTtl, 300),
      class: 'IN',
      data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: this.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: clusterDnsTtl },
    };
  }

  private success(answers: Answer[], additionals: Answer[], chase?: ZoneAnswer['chase']): ZoneAnswer {
    return { rcode: 'NOERROR', answers, authorities: [], additionals, ...(chase !== undefined ? { chase } : {}) };
  }

  /** NXDOMAIN or NODATA, with the zone's SOA in the authority section; SERVFAIL for a name error before the sync. */
  private failure(zone: string, rcode: 'NOERROR' | 'NXDOMAIN'): ZoneAnswer {
    return { rcode: rcode === 'NXDOMAIN' && !this.synced ? 'SERVFAIL' : rcode, answers: [], authorities: [this.soa(zone)], additionals: [] };
  }

  private existence(relative: string, zone: string): ZoneAnswer {
    return this.failure(zone, this.lookup(relative, zone).nameError ? 'NXDOMAIN' : 'NOERROR');
  }

  private address(name: string, ip: string): Answer {
    return { type: isIPv4(ip) ? 'A' : 'AAAA', name, ttl: clusterDnsTtl, class: 'IN', data: ip };
  }

  /** CoreDNS's Services(): the candidate records of a name relative to the zone. */
  private lookup(relative: string, zone: string): Lookup {
    if (relative === 'ns.dns') {
      return { entries: this.dnsServiceIp === undefined ? [] : [{ host: this.dnsServiceIp, isName: false, port: 0, owner: `ns.dns.${zone}` }], nameError: false };
    }
    const r = parseZoneRequest(relative);
    if (r === undefined) return { entries: [], nameError: true };
    if (r.podOrSvc === '') return { entries: [], nameError: false };
    if (!this.namespaces.has(r.namespace)) return { entries: [], nameError: true };
    return r.podOrSvc === 'pod' ? this.findPod(r, zone) : this.findServices(r, zone);
  }

  private findPod(r: ZoneRequest, zone: string): Lookup {
    if (r.service === '') return { entries: [], nameError: false };
    const ip = ipFromDashed(r.service);
    if (ip === undefined) return { entries: [], nameError: true };
    return { entries: [{ host: ip, isName: false, port: 0, owner: `${r.service}.${r.namespace}.pod.${zone}` }], nameError: false };
  }

  private findServices(r: ZoneRequest, zone: string): Lookup {
    if (r.service === '') return { entries: [], nameError: false };
    const svc = this.services.get(key(r.namespace, r.service));
    if (svc === undefined) return { entries: [], nameError: true };
    const base = `${svc.name}.${svc.namespace}.svc.${zone}`;
    const entries: Entry[] = [];
    if (svc.type === 'ExternalName') {
      const target = svc.externalName.replace(/\.$/, '');
      // An endpoint name under an ExternalName, or an address as its target, has no record.
      if (r.endpoint !== '' || target === '' || canonicalIp(target) !== undefined) return { entries, nameError: true };
      return { entries: [{ host: target, isName: true, port: 0, owner: base }], nameError: false };
    }
    if (svc.headless || r.endpoint !== '') {
      let found = false;
      for (const sk of this.slicesByService.get(key(svc.namespace, svc.name)) ?? []) {
        const slice = this.slices.get(sk);
        if (slice === undefined) continue;
        for (const ep of slice.endpoints) {
          if (r.endpoint !== '' && r.endpoint !== ep.label.toLowerCase()) continue;
          for (const p of slice.ports) {
            if (!matchPortAndProtocol(r, p)) continue;
            found = true;
            entries.push({ host: ep.address, isName: false, port: p.port, owner: `${ep.label}.${base}` });
          }
        }
      }
      return { entries, nameError: !found };
    }
    let found = false;
    for (const p of svc.ports) {
      if (!matchPortAndProtocol(r, p)) continue;
      found = true;
      for (const ip of svc.clusterIPs) {
        if (canonicalIp(ip) !== undefined) entries.push({ host: ip, isName: false, port: p.port, owner: base });
      }
    }
    return { entries, nameError: !found };
  }

  /** CoreDNS's A()/AAAA(): address records, following ExternalName CNAMEs (inside the zone here, outside by a chase). */
  private addresses(qname: string, relative: string, zone: string, qtype: 'A' | 'AAAA', depth: number): { records: Answer[]; nameError: boolean; chase?: string } {
    const l = this.lookup(relative, zone);
    if (l.nameError) return { records: [], nameError: true };
    const records: Answer[] = [];
    const seen = new Set<string>();
    let chase: string | undefined;
    for (const e of l.entries) {
      if (e.isName) {
        const target = e.host;
        const targetLower = target.toLowerCase();
        if (targetLower === qname.toLowerCase() || depth >= maxCnameChain) continue;
        const cname: Answer = { type: 'CNAME', name: qname, ttl: clusterDnsTtl, class: 'IN', data: target };
        if (targetLower === this.domain || targetLower.endsWith(`.${this.domain}`)) {
          const rel = targetLower === this.domain ? '' : targetLower.slice(0, targetLower.length - this.domain.length - 1);
          const next = this.addresses(target, rel, target.slice(target.length - this.domain.length), qtype, depth + 1);
          if (!next.nameError && next.records.length > 0) {
            records.push(cname, ...next.records);
            if (next.chase !== undefined) chase = next.chase;
          }
          continue;
        }
        records.push(cname);
        chase = target;
        continue;
      }
      const v4 = isIPv4(e.host);
      if ((qtype === 'A') !== v4) continue;
      if (seen.has(e.host)) continue;
      seen.add(e.host);
      records.push({ type: qtype, name: qname, ttl: clusterDnsTtl, class: 'IN', data: e.host });
    }
    return { records, nameError: false, ...(chase !== undefined ? { chase } : {}) };
  }

  /** CoreDNS's SRV(): one record per port and target, weights shared out per priority, the targets' addresses extra. */
  private srv(qname: string, relative: string, zone: string): ZoneAnswer {
    const l = this.lookup(relative, zone);
    if (l.nameError) return this.failure(zone, 'NXDOMAIN');
    // SRV for ExternalName services is not implemented by CoreDNS either: those entries are dropped.
    const entries = l.entries.filter((e) => !e.isName);
    const weight = Math.max(1, Math.floor((100 / (100 * entries.length)) * 100));
    const answers: Answer[] = [];
    const extra: Answer[] = [];
    const seenSrv = new Set<string>();
    const seenAddr = new Set<string>();
    for (const e of entries) {
      if (e.port === -1) continue;
      const srvKey = `${e.owner.toLowerCase()}|${e.port}`;
      if (!seenSrv.has(srvKey)) {
        seenSrv.add(srvKey);
        answers.push({ type: 'SRV', name: qname, ttl: clusterDnsTtl, class: 'IN', data: { priority: 0, weight, port: e.port, target: e.owner } });
      }
      const addrKey = `${e.owner.toLowerCase()}|${e.host}`;
      if (!seenAddr.has(addrKey)) {
        seenAddr.add(addrKey);
        extra.push(this.address(e.owner, e.host));
      }
    }
    if (answers.length === 0) return this.failure(zone, 'NOERROR');
    return this.success(answers, extra);
  }
}
