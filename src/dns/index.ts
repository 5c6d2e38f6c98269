// The cluster DNS server (CoreDNS's kubernetes and forward plugins, in-process).
export { startClusterDns, type ClusterDns, type ClusterDnsOptions } from './start-cluster-dns.js';
export { ClusterZone, clusterDnsTtl, dnsSchemaVersion, type ZoneAnswer, type ClusterZoneOptions } from './cluster-zone.js';
export { createDnsHandler, type DnsHandler, type DnsTransport } from './dns-handler.js';
export { DnsServer, type DnsServerOptions } from './dns-server.js';
export { UpstreamForwarder } from './upstream-forwarder.js';
export { tcpExchange, udpExchange, type DnsEndpoint } from './dns-exchange.js';
export { parseResolvConfNameservers, readUpstreamServers, type UpstreamServer } from './upstream-servers.js';
export { KubeDnsRegistration, kubeDnsService, kubeDnsSlice, kubeDnsSubsets, kubeDnsSliceName, clusterDnsManagedBy } from './kube-dns-registration.js';
export { createStaticHandler } from './static-handler.js';
