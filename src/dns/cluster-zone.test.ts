import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer } from 'dns-packet';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ClusterZone, type ZoneAnswer } from './cluster-zone.js';

function svc(namespace: string, name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec };
}

function slice(namespace: string, name: string, service: string, body: Partial<EndpointSlice>): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [],
    ...body,
  };
}

function zoneWith(): ClusterZone {
  const z = new ClusterZone({ domain: 'cluster.local', dnsServiceIp: '10.254.0.10', now: () => 1700000000 });
  for (const ns of ['default', 'kube-system', 'apps']) z.setNamespace({ metadata: { name: ns } });
  z.setService(svc('default', 'web', { type: 'ClusterIP', clusterIP: '10.254.0.20', clusterIPs: ['10.254.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }));
  z.setService(svc('default', 'noports', { clusterIP: '10.254.0.21' }));
  z.setService(svc('default', 'dual', { clusterIP: '10.254.0.22', clusterIPs: ['10.254.0.22', 'fd00::16'], ports: [{ name: 'http', port: 80 }] }));
  z.setService(svc('apps', 'db', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'pg', port: 5432 }] }));
  z.setEndpointSlice(
    slice('apps', 'db-abc', 'db', {
      endpoints: [
        { addresses: ['10.240.1.5'], hostname: 'db-0', conditions: { ready: true } },
        { addresses: ['10.240.1.6'], hostname: 'db-1' },
        { addresses: ['10.240.1.7'], conditions: { ready: false } },
        { addresses: ['10.240.2.8'], conditions: { ready: true } },
      ],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    }),
  );
  z.setService(svc('default', 'ext', { type: 'ExternalName', externalName: 'example.org' }));
  z.setService(svc('default', 'alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }));
  z.synced = true;
  return z;
}

function resolve(z: ClusterZone, name: string, type: Parameters<ClusterZone['resolve']>[1]): ZoneAnswer {
  const r = z.resolve(name, type);
  assert.ok(r !== undefined, `${name} ${type} is answered by the zone`);
  return r;
}

function data(answers: readonly Answer[]): unknown[] {
  return answers.map((a) => ('data' in a ? a.data : undefined));
}

describe('ClusterZone', () => {
  test('a ClusterIP service has an A record of its cluster IP with TTL 5 and the name as asked', () => {
    const r = resolve(zoneWith(), 'Web.Default.svc.cluster.local', 'A');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers, [{ type: 'A', name: 'Web.Default.svc.cluster.local', ttl: 5, class: 'IN', data: '10.254.0.20' }]);
    assert.deepEqual(r.authorities, []);
  });

  test('a service without ports still has its A record', () => {
    assert.deepEqual(data(resolve(zoneWith(), 'noports.default.svc.cluster.local', 'A').answers), ['10.254.0.21']);
  });

  test('a dual-stack service answers A with its IPv4 and AAAA with its IPv6 address', () => {
    const z = zoneWith();
    assert.deepEqual(data(resolve(z, 'dual.default.svc.cluster.local', 'A').answers), ['10.254.0.22']);
    assert.deepEqual(data(resolve(z, 'dual.default.svc.cluster.local', 'AAAA').answers), ['fd00::16']);
  });

  test('AAAA of an IPv4-only service is NODATA: NOERROR, no answers, the SOA in authority', () => {
    const r = resolve(zoneWith(), 'web.default.svc.cluster.local', 'AAAA');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers, []);
    assert.equal(r.authorities.length, 1);
    const soa = r.authorities[0];
    assert.deepEqual(soa, {
      type: 'SOA',
      name: 'cluster.local',
      ttl: 5,
      class: 'IN',
      data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
    });
  });

  test('an unknown service, namespace or label layout is NXDOMAIN with the SOA', () => {
    const z = zoneWith();
    for (const name of ['nope.default.svc.cluster.local', 'web.nons.svc.cluster.local', 'nons.svc.cluster.local', 'a.b.c.d.e.svc.cluster.local', 'web.default.xyz.cluster.local']) {
      const r = resolve(z, name, 'A');
      assert.equal(r.rcode, 'NXDOMAIN', name);
      assert.equal(r.authorities[0]?.type, 'SOA', name);
    }
  });

  test('a name error before the caches synced is SERVFAIL', () => {
    const z = zoneWith();
    z.synced = false;
    assert.equal(resolve(z, 'nope.default.svc.cluster.local', 'A').rcode, 'SERVFAIL');
    assert.equal(resolve(z, 'web.default.svc.cluster.local', 'A').rcode, 'NOERROR');
  });

  test('the apex, svc, an existing namespace and ns.dns exist (NODATA for A, or the DNS address)', () => {
    const z = zoneWith();
    for (const name of ['cluster.local', 'svc.cluster.local', 'pod.cluster.local', 'default.svc.cluster.local', 'apps.pod.cluster.local']) {
      const r = resolve(z, name, 'A');
      assert.equal(r.rcode, 'NOERROR', name);
      assert.deepEqual(r.answers, [], name);
    }
    assert.deepEqual(data(resolve(z, 'ns.dns.cluster.local', 'A').answers), ['10.254.0.10']);
  });

  test('SOA and NS of the zone apex', () => {
    const z = zoneWith();
    const soa = resolve(z, 'cluster.local', 'SOA');
    assert.equal(soa.answers[0]?.type, 'SOA');
    const ns = resolve(z, 'cluster.local', 'NS');
    assert.deepEqual(data(ns.answers), ['ns.dns.cluster.local']);
    assert.deepEqual(ns.additionals, [{ type: 'A', name: 'ns.dns.cluster.local', ttl: 5, class: 'IN', data: '10.254.0.10' }]);
  });

  test('dns-version has the schema version as TXT', () => {
    assert.deepEqual(data(resolve(zoneWith(), 'dns-version.cluster.local', 'TXT').answers), ['1.1.0']);
  });

  test('other types are NODATA for names that exist and NXDOMAIN for names that do not', () => {
    const z = zoneWith();
    assert.equal(resolve(z, 'web.default.svc.cluster.local', 'MX').rcode, 'NOERROR');
    assert.deepEqual(resolve(z, 'web.default.svc.cluster.local', 'TXT').answers, []);
    assert.equal(resolve(z, 'nope.default.svc.cluster.local', 'TXT').rcode, 'NXDOMAIN');
  });

  test('SRV for a named port targets the service name, with its address as additional record', () => {
    const r = resolve(zoneWith(), '_http._tcp.web.default.svc.cluster.local', 'SRV');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers, [{ type: 'SRV', name: '_http._tcp.web.default.svc.cluster.local', ttl: 5, class: 'IN', data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } }]);
    assert.deepEqual(r.additionals, [{ type: 'A', name: 'web.default.svc.cluster.local', ttl: 5, class: 'IN', data: '10.254.0.20' }]);
  });

  test('SRV with a wrong protocol or an unknown port name is NXDOMAIN', () => {
    const z = zoneWith();
    assert.equal(resolve(z, '_http._udp.web.default.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
    assert.equal(resolve(z, '_nope._tcp.web.default.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
  });

  test('SRV of the service name lists every port, weights shared out as CoreDNS (100 / count)', () => {
    const r = resolve(zoneWith(), 'web.default.svc.cluster.local', 'SRV');
    assert.deepEqual(
      r.answers.map((a) => (a.type === 'SRV' ? [a.data.port, a.data.weight] : [])),
      [
        [80, 50],
        [53, 50],
      ],
    );
    assert.equal(r.additionals.length, 1);
  });

  test('SRV of a service without ports is NODATA', () => {
    const r = resolve(zoneWith(), 'noports.default.svc.cluster.local', 'SRV');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers, []);
  });

  test('a headless service answers with its ready endpoints only', () => {
    assert.deepEqual(data(resolve(zoneWith(), 'db.apps.svc.cluster.local', 'A').answers), ['10.240.1.5', '10.240.1.6', '10.240.2.8']);
  });

  test('endpoints with a hostname (StatefulSet pods) have HOSTNAME.SERVICE records; others their dashed IP', () => {
    const z = zoneWith();
    assert.deepEqual(data(resolve(z, 'db-0.db.apps.svc.cluster.local', 'A').answers), ['10.240.1.5']);
    assert.deepEqual(data(resolve(z, '10-240-2-8.db.apps.svc.cluster.local', 'A').answers), ['10.240.2.8']);
    assert.equal(resolve(z, 'db-9.db.apps.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
    // A not-ready endpoint has no name.
    assert.equal(resolve(z, '10-240-1-7.db.apps.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
  });

  test('SRV of a headless service has one record per endpoint, targeting the endpoint names', () => {
    const r = resolve(zoneWith(), '_pg._tcp.db.apps.svc.cluster.local', 'SRV');
    assert.deepEqual(
      r.answers.map((a) => (a.type === 'SRV' ? `${a.data.target}:${a.data.port}/${a.data.weight}` : '')),
      ['db-0.db.apps.svc.cluster.local:5432/33', 'db-1.db.apps.svc.cluster.local:5432/33', '10-240-2-8.db.apps.svc.cluster.local:5432/33'],
    );
    assert.deepEqual(
      r.additionals.map((a) => `${a.name}=${String('data' in a ? a.data : '')}`),
      ['db-0.db.apps.svc.cluster.local=10.240.1.5', 'db-1.db.apps.svc.cluster.local=10.240.1.6', '10-240-2-8.db.apps.svc.cluster.local=10.240.2.8'],
    );
  });

  test('a headless service without ready endpoints is NXDOMAIN, as CoreDNS', () => {
    const z = zoneWith();
    z.setService(svc('apps', 'empty', { clusterIP: 'None', clusterIPs: ['None'] }));
    assert.equal(resolve(z, 'empty.apps.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
  });

  test('a headless service with IPv6 endpoints has AAAA records', () => {
    const z = zoneWith();
    z.setService(svc('apps', 'v6', { clusterIP: 'None', clusterIPs: ['None'] }));
    z.setEndpointSlice(slice('apps', 'v6-x', 'v6', { addressType: 'IPv6', endpoints: [{ addresses: ['fd00::5'] }] }));
    assert.deepEqual(data(resolve(z, 'v6.apps.svc.cluster.local', 'AAAA').answers), ['fd00::5']);
    assert.deepEqual(data(resolve(z, 'fd00--5.v6.apps.svc.cluster.local', 'AAAA').answers), ['fd00::5']);
  });

  test('an ExternalName service is a CNAME whose outside target is left to an upstream lookup', () => {
    const z = zoneWith();
    const r = resolve(z, 'ext.default.svc.cluster.local', 'A');
    assert.deepEqual(r.answers, [{ type: 'CNAME', name: 'ext.default.svc.cluster.local', ttl: 5, class: 'IN', data: 'example.org' }]);
    assert.equal(r.chase?.name, 'example.org');
    assert.equal(r.chase?.type, 'A');
    assert.equal(r.chase?.unresolved.rcode, 'NOERROR');
    assert.deepEqual(r.chase?.unresolved.answers, []);
    assert.deepEqual(data(resolve(z, 'ext.default.svc.cluster.local', 'CNAME').answers), ['example.org']);
    // No SRV for ExternalName services (as CoreDNS).
    assert.deepEqual(resolve(z, 'ext.default.svc.cluster.local', 'SRV').answers, []);
  });

  test('an ExternalName pointing inside the cluster domain is followed there', () => {
    const r = resolve(zoneWith(), 'alias.default.svc.cluster.local', 'A');
    assert.deepEqual(
      r.answers.map((a) => `${a.type} ${String('data' in a ? a.data : '')}`),
      ['CNAME web.default.svc.cluster.local', 'A 10.254.0.20'],
    );
    assert.equal(r.chase, undefined);
  });

  test('a CNAME loop inside the zone ends in NODATA', () => {
    const z = zoneWith();
    z.setService(svc('default', 'loop1', { type: 'ExternalName', externalName: 'loop2.default.svc.cluster.local' }));
    z.setService(svc('default', 'loop2', { type: 'ExternalName', externalName: 'loop1.default.svc.cluster.local' }));
    const r = resolve(z, 'loop1.default.svc.cluster.local', 'A');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers, []);
  });

  test('pod names resolve to the dashed address in an existing namespace (pods insecure)', () => {
    const z = zoneWith();
    assert.deepEqual(data(resolve(z, '10-240-3-4.default.pod.cluster.local', 'A').answers), ['10.240.3.4']);
    assert.deepEqual(resolve(z, '10-240-3-4.default.pod.cluster.local', 'AAAA').answers, []);
    assert.deepEqual(data(resolve(z, 'fd00--1.default.pod.cluster.local', 'AAAA').answers), ['fd00::1']);
    assert.equal(resolve(z, '10-240-3-4.nons.pod.cluster.local', 'A').rcode, 'NXDOMAIN');
    assert.equal(resolve(z, 'not-an-ip.default.pod.cluster.local', 'A').rcode, 'NXDOMAIN');
  });

  test('PTR of a cluster IP names the service; of an endpoint address its endpoint name', () => {
    const z = zoneWith();
    assert.deepEqual(data(resolve(z, '20.0.254.10.in-addr.arpa', 'PTR').answers), ['web.default.svc.cluster.local']);
    assert.deepEqual(data(resolve(z, '5.1.240.10.in-addr.arpa', 'PTR').answers), ['db-0.db.apps.svc.cluster.local']);
    const v6 = '6.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa';
    assert.deepEqual(data(resolve(z, v6, 'PTR').answers), ['dual.default.svc.cluster.local']);
  });

  test('names outside the zone, and reverse names of other addresses, are not the zone\'s', () => {
    const z = zoneWith();
    assert.equal(z.resolve('example.org', 'A'), undefined);
    assert.equal(z.resolve('notcluster.local', 'A'), undefined);
    assert.equal(z.resolve('1.1.168.192.in-addr.arpa', 'PTR'), undefined);
    assert.equal(z.resolve('20.0.254.10.in-addr.arpa', 'A'), undefined);
  });

  test('records follow changes: an updated cluster IP, a deleted service and a deleted slice', () => {
    let now = 1700000000;
    const z = new ClusterZone({ domain: 'cluster.local', now: () => now });
    z.setNamespace({ metadata: { name: 'default' } });
    z.synced = true;
    z.setService(svc('default', 'web', { clusterIP: '10.254.0.20', ports: [{ port: 80 }] }));
    now++;
    z.setService(svc('default', 'web', { clusterIP: '10.254.0.30', ports: [{ port: 80 }] }));
    assert.deepEqual(data(resolve(z, 'web.default.svc.cluster.local', 'A').answers), ['10.254.0.30']);
    assert.equal(z.resolve('20.0.254.10.in-addr.arpa', 'PTR'), undefined);
    assert.equal(z.serial, 1700000001);
    z.deleteService('default', 'web');
    assert.equal(resolve(z, 'web.default.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
    z.setService(svc('default', 'h', { clusterIP: 'None', clusterIPs: ['None'] }));
    z.setEndpointSlice(slice('default', 'h-1', 'h', { endpoints: [{ addresses: ['10.240.0.9'] }] }));
    assert.deepEqual(data(resolve(z, 'h.default.svc.cluster.local', 'A').answers), ['10.240.0.9']);
    z.deleteEndpointSlice('default', 'h-1');
    assert.equal(resolve(z, 'h.default.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
    z.deleteNamespace('default');
    assert.equal(resolve(z, 'default.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
  });

  test('a cluster domain given with a trailing dot or capitals works the same', () => {
    const z = new ClusterZone({ domain: 'Cluster.Local.' });
    z.setNamespace({ metadata: { name: 'default' } });
    z.setService(svc('default', 'web', { clusterIP: '10.254.0.20' }));
    assert.deepEqual(data(resolve(z, 'web.default.svc.cluster.local.', 'A').answers), ['10.254.0.20']);
  });
});
