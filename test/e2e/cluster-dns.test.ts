// The cluster DNS of a real `k8ts server` (no node agent): service, SRV, headless, ExternalName and NXDOMAIN answers
// over UDP and TCP, records following service changes, names outside the cluster forwarded to a resolver this test
// runs on a loopback address (never the machine's), and the kube-dns Service seen by kubectl. All traffic is on
// 127.0.0.0/8.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, RecordType } from 'dns-packet';
import { DnsServer, createStaticHandler, tcpExchange, udpExchange } from '../../src/dns/index.js';
import { K8tsServer, waitFor } from './support/server.js';

const upstreamRecords: Answer[] = [
  { type: 'A', name: 'example.org', ttl: 300, class: 'IN', data: '192.0.2.80' },
  { type: 'A', name: 'www.example.org', ttl: 300, class: 'IN', data: '192.0.2.81' },
];

const manifests = `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{name: http, port: 80, protocol: TCP}, {name: metrics, port: 9100, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  ports: [{name: pg, port: 5432}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: db-1
  labels: {kubernetes.io/service-name: db}
addressType: IPv4
endpoints:
- {addresses: [10.240.7.10], hostname: db-0, conditions: {ready: true}}
- {addresses: [10.240.7.11], hostname: db-1, conditions: {ready: true}}
- {addresses: [10.240.7.12], hostname: db-2, conditions: {ready: false}}
ports: [{name: pg, port: 5432, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: www.example.org}
`;

/** Binds the fake upstream on 127.0.53.N:53 for the first N that is free. */
async function startUpstream(onQuery: (name: string, type: string) => void): Promise<DnsServer> {
  let last: unknown;
  for (let n = 2; n < 40; n++) {
    try {
      return await DnsServer.listen({ host: `127.0.53.${n}`, port: 53, handler: createStaticHandler(upstreamRecords, { onQuery }) });
    } catch (e: unknown) {
      last = e;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

function rcode(p: DecodedPacket): string {
  return (p as DecodedPacket & { rcode: string }).rcode;
}

function values(p: DecodedPacket, type?: string): string[] {
  return (p.answers ?? []).filter((a) => type === undefined || a.type === type).map((a) => {
    if (a.type === 'SRV') return `${a.data.target}:${a.data.port}`;
    return 'data' in a ? String(a.data) : '';
  });
}

describe('cluster DNS of k8ts server', { timeout: 120_000 }, () => {
  let server: K8tsServer | undefined;
  let upstream: DnsServer | undefined;
  let dir: string | undefined;
  let dnsPort = 0;
  const upstreamQueries: string[] = [];
  let id = 1;

  async function ask(name: string, type: RecordType, transport: 'udp' | 'tcp' = 'udp'): Promise<DecodedPacket> {
    const q = dnsPacket.encode({ type: 'query', id: id++, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });
    const raw = transport === 'udp' ? await udpExchange({ host: '127.0.0.1', port: dnsPort }, q, 5000) : await tcpExchange({ host: '127.0.0.1', port: dnsPort }, q, 5000);
    assert.ok(raw !== undefined, `an answer to ${name} ${type} over ${transport}`);
    return dnsPacket.decode(raw);
  }

  before(async () => {
    upstream = await startUpstream((name, type) => upstreamQueries.push(`${name} ${type}`));
    dir = mkdtempSync(join(tmpdir(), 'k8ts-dns-e2e-'));
    const resolvConf = join(dir, 'resolv.conf');
    writeFileSync(resolvConf, `nameserver ${upstream.host}\n`);
    server = await K8tsServer.start({ extraArgs: ['--cluster-dns-port', '0', '--resolv-conf', resolvConf] });
    await waitFor('the cluster DNS listening', () => /"msg":"cluster DNS listening"/.test(server?.log ?? ''), 20_000);
    const line = (server.log.split('\n').find((l) => l.includes('"cluster DNS listening"')) ?? '{}').trim();
    const fields = JSON.parse(line) as { port?: number; address?: string; upstreams?: string[] };
    assert.equal(fields.address, '127.0.0.1');
    assert.deepEqual(fields.upstreams, [upstream.host]);
    dnsPort = fields.port ?? 0;
    assert.ok(dnsPort > 0);
    server.k(['apply', '-f', '-'], { input: manifests });
  });

  after(async () => {
    await server?.destroy();
    await upstream?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('kubectl shows the kube-dns Service at the tenth address of the service range, ports 53/UDP and 53/TCP', async () => {
    const s = server as K8tsServer;
    await waitFor('the kube-dns Service', () => s.kubectl(['get', 'svc', '-n', 'kube-system', 'kube-dns']).code === 0, 20_000);
    const out = s.k(['get', 'svc', '-n', 'kube-system', 'kube-dns']);
    assert.match(out, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    assert.match(out, /\nkube-dns\s+ClusterIP\s+10\.254\.0\.10\s+<none>\s+53\/UDP,53\/TCP\s+\d+s/);
    const labels = JSON.parse(s.k(['get', 'svc', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.metadata.labels}'])) as Record<string, string>;
    assert.deepEqual(labels, { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' });
    assert.deepEqual(values(await ask('kube-dns.kube-system.svc.cluster.local', 'A')), ['10.254.0.10']);
    // A server on loopback publishes no endpoint address (the API refuses loopback endpoints, as upstream's).
    await waitFor('the kube-dns Endpoints', () => s.kubectl(['get', 'endpoints', '-n', 'kube-system', 'kube-dns']).code === 0, 20_000);
    assert.match(s.k(['get', 'endpoints', '-n', 'kube-system', 'kube-dns']), /\nkube-dns\s+<none>\s/);
  });

  test('a service name has an A record of its cluster IP over UDP and TCP', async () => {
    const ip = (server as K8tsServer).k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    await waitFor('web in DNS', async () => rcode(await ask('web.default.svc.cluster.local', 'A')) === 'NOERROR');
    for (const transport of ['udp', 'tcp'] as const) {
      const p = await ask('web.default.svc.cluster.local', 'A', transport);
      assert.equal(p.flag_aa, true);
      assert.deepEqual(values(p), [ip], transport);
      assert.equal(p.answers?.[0]?.type === 'A' ? p.answers[0].ttl : -1, 5);
    }
  });

  test('SRV names a named port, and the service name lists them all', async () => {
    assert.deepEqual(values(await ask('_http._tcp.web.default.svc.cluster.local', 'SRV')), ['web.default.svc.cluster.local:80']);
    assert.deepEqual(values(await ask('web.default.svc.cluster.local', 'SRV', 'tcp')).sort(), ['web.default.svc.cluster.local:80', 'web.default.svc.cluster.local:9100']);
    assert.equal(rcode(await ask('_http._udp.web.default.svc.cluster.local', 'SRV')), 'NXDOMAIN');
  });

  test('a headless service answers its ready endpoints, and their hostnames have records of their own', async () => {
    await waitFor('db in DNS', async () => values(await ask('db.default.svc.cluster.local', 'A')).length === 2);
    assert.deepEqual(values(await ask('db.default.svc.cluster.local', 'A')).sort(), ['10.240.7.10', '10.240.7.11']);
    assert.deepEqual(values(await ask('db-1.db.default.svc.cluster.local', 'A', 'tcp')), ['10.240.7.11']);
    assert.equal(rcode(await ask('db-2.db.default.svc.cluster.local', 'A')), 'NXDOMAIN');
    assert.deepEqual(values(await ask('_pg._tcp.db.default.svc.cluster.local', 'SRV')).sort(), ['db-0.db.default.svc.cluster.local:5432', 'db-1.db.default.svc.cluster.local:5432']);
    assert.deepEqual(values(await ask('11.7.240.10.in-addr.arpa', 'PTR')), ['db-1.db.default.svc.cluster.local']);
  });

  test('an ExternalName service is a CNAME, its target resolved by the upstream resolver', async () => {
    const p = await ask('ext.default.svc.cluster.local', 'A');
    assert.deepEqual(
      (p.answers ?? []).map((a) => `${a.name} ${a.type} ${'data' in a ? String(a.data) : ''}`),
      ['ext.default.svc.cluster.local CNAME www.example.org', 'www.example.org A 192.0.2.81'],
    );
  });

  test('unknown names in the cluster domain are NXDOMAIN with the SOA; existing names without the type NODATA', async () => {
    for (const transport of ['udp', 'tcp'] as const) {
      const nx = await ask('nope.default.svc.cluster.local', 'A', transport);
      assert.equal(rcode(nx), 'NXDOMAIN');
      assert.equal(nx.flag_aa, true);
      const soa = nx.authorities?.[0];
      assert.ok(soa !== undefined && soa.type === 'SOA');
      assert.equal(soa.data.mname, 'ns.dns.cluster.local');
    }
    const nodata = await ask('web.default.svc.cluster.local', 'AAAA');
    assert.equal(rcode(nodata), 'NOERROR');
    assert.deepEqual(nodata.answers, []);
    assert.equal(rcode(await ask('nons.svc.cluster.local', 'A')), 'NXDOMAIN');
    assert.deepEqual(values(await ask('10-240-9-9.default.pod.cluster.local', 'A')), ['10.240.9.9']);
  });

  test('other names go to the resolver of --resolv-conf over UDP and TCP, answers and rcodes relayed', async () => {
    for (const transport of ['udp', 'tcp'] as const) {
      const ok = await ask('example.org', 'A', transport);
      assert.equal(rcode(ok), 'NOERROR');
      assert.deepEqual(values(ok), ['192.0.2.80']);
      assert.equal(rcode(await ask(`missing-${transport}.example.org`, 'A', transport)), 'NXDOMAIN');
    }
    assert.ok(upstreamQueries.includes('missing-udp.example.org A'));
    assert.ok(upstreamQueries.includes('missing-tcp.example.org A'));
    assert.ok(!upstreamQueries.some((q) => q.includes('cluster.local')), 'no cluster name was forwarded');
  });

  test('records follow service changes: a deleted service goes, a re-created one comes back with its new address', async () => {
    const s = server as K8tsServer;
    s.k(['delete', 'svc', 'web']);
    await waitFor('web gone from DNS', async () => rcode(await ask('web.default.svc.cluster.local', 'A')) === 'NXDOMAIN', 5000);
    s.k(['create', 'service', 'clusterip', 'web', '--tcp=8080:80']);
    const ip = s.k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    await waitFor('web back in DNS', async () => values(await ask('web.default.svc.cluster.local', 'A')).join() === ip, 5000);
    assert.deepEqual(values(await ask('_8080-80._tcp.web.default.svc.cluster.local', 'SRV')), ['web.default.svc.cluster.local:8080']);
    s.k(['patch', 'endpointslice', 'db-1', '--type=json', '-p', '[{"op":"replace","path":"/endpoints/2/conditions/ready","value":true}]']);
    await waitFor('db-2 ready in DNS', async () => values(await ask('db.default.svc.cluster.local', 'A')).length === 3, 5000);
    assert.deepEqual(values(await ask('db-2.db.default.svc.cluster.local', 'A')), ['10.240.7.12']);
  });

  test('a malformed query gets FORMERR and the server goes on answering', async () => {
    const garbage = Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x61]);
    const raw = await udpExchange({ host: '127.0.0.1', port: dnsPort }, garbage, 5000);
    assert.ok(raw !== undefined);
    assert.equal(raw.readUInt16BE(2) & 0xf, 1);
    assert.equal(rcode(await ask('kube-dns.kube-system.svc.cluster.local', 'A')), 'NOERROR');
  });
});
