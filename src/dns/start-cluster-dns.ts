// The cluster DNS server of a k8ts server: informers on Services, EndpointSlices and Namespaces feed the cluster
// zone, UDP and TCP listeners answer from it (forwarding other names to the resolv.conf nameservers), and the kube-dns
// Service, this server's EndpointSlice and the kube-dns Endpoints are kept in the API while it runs.
import type { Namespace, Node, Service } from 'kubernetes-types/core/v1.js';
import { cidrContains, parseIpv4, parseIpv4Cidr } from '../controllers/nodeipam/cidr-set.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { Informer, type Obj } from '../client/informer.js';
import type { RestClient } from '../client/rest-client.js';
import { log } from '../cli/log.js';
import { ClusterZone } from './cluster-zone.js';
import { createDnsHandler } from './dns-handler.js';
import { DnsServer } from './dns-server.js';
import { KubeDnsRegistration } from './kube-dns-registration.js';
import { UpstreamForwarder } from './upstream-forwarder.js';
import { readUpstreamServers, type UpstreamServer } from './upstream-servers.js';

export interface ClusterDnsOptions {
  client: RestClient;
  /** The address to listen on and to publish as the kube-dns endpoint (the node address). */
  address: string;
  /** The UDP and TCP port (53; 0 picks a free one). */
  port: number;
  /** The cluster domain, e.g. cluster.local. */
  clusterDomain: string;
  /** The kube-dns Service's cluster IP. */
  clusterDns: string;
  /** The resolv.conf whose nameservers get the names outside the cluster domain. */
  resolvConf: string;
  /** This server's node name: its EndpointSlice is kube-dns-NODE. */
  nodeName: string;
  /** Keep the kube-dns Service, slice and Endpoints in the API (default true). */
  register?: boolean;
  /** How long an upstream server gets to answer (default 2 s). */
  upstreamTimeoutMs?: number;
  /** How long the start waits for the caches before it answers anyway (default 5 s, as CoreDNS). */
  syncTimeoutMs?: number;
  /**
   * The clients names outside the cluster are looked up for: these IPv4 ranges (the pod network), loopback and the
   * nodes' addresses (host-network pods). Undefined: everyone.
   */
  recursionFrom?: readonly string[];
}

export interface ClusterDns {
  readonly address: string;
  readonly port: number;
  readonly zone: ClusterZone;
  readonly upstreams: readonly UpstreamServer[];
  /** Closes the listeners, withdraws this server's endpoint and stops the informers. */
  stop(): Promise<void>;
}

function nameOf(obj: Obj): { namespace: string; name: string } {
  return { namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
}

export async function startClusterDns(opts: ClusterDnsOptions): Promise<ClusterDns> {
  const zone = new ClusterZone({ domain: opts.clusterDomain, dnsServiceIp: opts.clusterDns });
  const services = new Informer(opts.client, '/api/v1/services');
  const slices = new Informer(opts.client, '/apis/discovery.k8s.io/v1/endpointslices');
  const namespaces = new Informer(opts.client, '/api/v1/namespaces');
  services.addHandlers({
    add: (o) => zone.setService(o as Service),
    update: (_old, o) => zone.setService(o as Service),
    delete: (o) => zone.deleteService(nameOf(o).namespace, nameOf(o).name),
  });
  slices.addHandlers({
    add: (o) => zone.setEndpointSlice(o as unknown as EndpointSlice),
    update: (_old, o) => zone.setEndpointSlice(o as unknown as EndpointSlice),
    delete: (o) => zone.deleteEndpointSlice(nameOf(o).namespace, nameOf(o).name),
  });
  namespaces.addHandlers({
    add: (o) => zone.setNamespace(o as Namespace),
    update: (_old, o) => zone.setNamespace(o as Namespace),
    delete: (o) => zone.deleteNamespace(nameOf(o).name),
  });
  const informers = [services, slices, namespaces];
  // The nodes' addresses, for host-network clients allowed to recurse.
  const nodeAddresses = new Set<string>();
  if (opts.recursionFrom !== undefined) {
    const n = new Informer(opts.client, '/api/v1/nodes');
    const refresh = (): void => {
      nodeAddresses.clear();
      for (const node of n.list() as Node[]) for (const a of node.status?.addresses ?? []) if (a.type === 'InternalIP' || a.type === 'ExternalIP') nodeAddresses.add(a.address);
    };
    n.addHandlers({ add: refresh, update: refresh, delete: refresh });
    informers.push(n);
  }
  const ranges = (opts.recursionFrom ?? []).map((c) => parseIpv4Cidr(c));
  const mayRecurse =
    opts.recursionFrom === undefined
      ? undefined
      : (source: string): boolean => {
          const addr = source.replace(/^::ffff:/, '');
          if (addr === '::1' || nodeAddresses.has(addr) || addr === opts.address) return true;
          const n = parseIpv4(addr);
          if (n === undefined) return false;
          if (n >>> 24 === 127) return true;
          return ranges.some((r) => cidrContains(r, n));
        };
  const stopInformers = (): void => {
    for (const inf of informers) inf.stop();
  };

  const upstream = readUpstreamServers(opts.resolvConf, opts.port === 53 ? { host: opts.address, port: 53 } : undefined);
  if (upstream.error !== undefined) log.warn('cluster DNS cannot read the resolvers; names outside the cluster get SERVFAIL', { component: 'cluster-dns', resolvConf: opts.resolvConf, error: upstream.error });
  else if (upstream.servers.length === 0) log.warn('cluster DNS has no upstream resolvers; names outside the cluster get SERVFAIL', { component: 'cluster-dns', resolvConf: opts.resolvConf });
  const forwarder = new UpstreamForwarder({ servers: upstream.servers, ...(opts.upstreamTimeoutMs !== undefined ? { timeoutMs: opts.upstreamTimeoutMs } : {}) });
  const handler = createDnsHandler({
    zone,
    forwarder,
    ...(mayRecurse !== undefined ? { mayRecurse } : {}),
    onError: (e) => log.error('cluster DNS query failed', { component: 'cluster-dns', error: e instanceof Error ? e.message : String(e) }),
  });

  for (const inf of informers) inf.start();
  let server: DnsServer;
  try {
    server = await DnsServer.listen({
      host: opts.address,
      port: opts.port,
      handler,
      onError: (e) => log.warn('cluster DNS socket error', { component: 'cluster-dns', error: e instanceof Error ? e.message : String(e) }),
    });
  } catch (e: unknown) {
    stopInformers();
    throw e;
  }

  // Answer once the caches are listed, or after the timeout (name errors are SERVFAIL until then), as CoreDNS.
  const synced = Promise.all(informers.map((i) => i.waitForSync())).then(() => {
    zone.synced = true;
  });
  let syncTimer: NodeJS.Timeout | undefined;
  await Promise.race([synced, new Promise<void>((resolve) => (syncTimer = setTimeout(resolve, opts.syncTimeoutMs ?? 5000)))]);
  clearTimeout(syncTimer);
  if (!zone.synced) log.warn('cluster DNS starts with unsynced caches', { component: 'cluster-dns' });

  let registration: KubeDnsRegistration | undefined;
  if (opts.register !== false) {
    registration = new KubeDnsRegistration(opts.client, {
      clusterIp: opts.clusterDns,
      endpoint: { nodeName: opts.nodeName, address: opts.address, port: server.port },
      services,
      slices,
      onError: (what, e) => log.warn(what, { component: 'cluster-dns', error: e instanceof Error ? e.message : String(e) }),
      onChange: (what, fields) => log.info(what, { component: 'cluster-dns', ...fields }),
    });
    registration.start();
  }
  log.info('cluster DNS listening', {
    component: 'cluster-dns',
    address: server.host,
    port: server.port,
    domain: zone.domain,
    clusterDNS: opts.clusterDns,
    upstreams: upstream.servers.map((s) => s.host),
    endpointPublished: registration?.publishing ?? false,
  });

  let stopping: Promise<void> | undefined;
  return {
    address: server.host,
    port: server.port,
    zone,
    upstreams: upstream.servers,
    stop: () =>
      (stopping ??= (async (): Promise<void> => {
        await server.close();
        await registration?.stop();
        stopInformers();
      })()),
  };
}
