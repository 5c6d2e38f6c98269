// The DNS server on loopback: the cluster zone's answers over UDP and TCP, forwarding to an upstream resolver that
// the test runs on loopback, truncation, and malformed queries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet, RecordType } from 'dns-packet';
import { ClusterZone } from './cluster-zone.js';
import { createDnsHandler } from './dns-handler.js';
import { DnsServer } from './dns-server.js';
import { tcpExchange, udpExchange } from './dns-exchange.js';
import { createStaticHandler } from './static-handler.js';
import { UpstreamForwarder } from './upstream-forwarder.js';

const upstreamRecords: Answer[] = [
  { type: 'A', name: 'example.org', ttl: 300, class: 'IN', data: '192.0.2.80' },
  ...Array.from({ length: 60 }, (_, i): Answer => ({ type: 'A', name: 'big.example.org', ttl: 300, class: 'IN', data: `198.51.100.${i + 1}` })),
];

let nextId = 1;
function query(name: string, type: RecordType, extra: Partial<Packet> = {}): Buffer {
  return dnsPacket.encode({ type: 'query', id: nextId++, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }], ...extra });
}

function rcodeOf(p: DecodedPacket): string {
  return (p as DecodedPacket & { rcode: string }).rcode;
}

describe('DNS server', () => {
  let upstream: DnsServer;
  let server: DnsServer;
  let zone: ClusterZone;
  const upstreamQueries: string[] = [];

  before(async () => {
    upstream = await DnsServer.listen({ host: '127.0.0.1', port: 0, handler: createStaticHandler(upstreamRecords, { onQuery: (n, t) => upstreamQueries.push(`${n} ${t}`) }) });
    zone = new ClusterZone({ domain: 'cluster.local', dnsServiceIp: '10.254.0.10' });
    zone.setNamespace({ metadata: { name: 'default' } });
    zone.setService({ metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.254.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
    zone.setService({ metadata: { namespace: 'default', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.org' } });
    zone.setService({ metadata: { namespace: 'default', name: 'many' }, spec: { clusterIP: 'None', clusterIPs: ['None'] } });
    zone.setEndpointSlice({
      metadata: { namespace: 'default', name: 'many-1', labels: { 'kubernetes.io/service-name': 'many' } },
      addressType: 'IPv4',
      endpoints: Array.from({ length: 40 }, (_, i) => ({ addresses: [`10.240.0.${i + 2}`] })),
    });
    zone.synced = true;
    const forwarder = new UpstreamForwarder({ servers: [{ host: '127.0.0.1', port: upstream.port }], timeoutMs: 1000 });
    server = await DnsServer.listen({ host: '127.0.0.1', port: 0, handler: createDnsHandler({ zone, forwarder }) });
  });

  after(async () => {
    await server.close();
    await upstream.close();
  });

  const endpoint = (): { host: string; port: number } => ({ host: '127.0.0.1', port: server.port });

  async function ask(q: Buffer, transport: 'udp' | 'tcp' = 'udp'): Promise<{ raw: Buffer; packet: DecodedPacket }> {
    const raw = transport === 'udp' ? await udpExchange(endpoint(), q, 3000) : await tcpExchange(endpoint(), q, 3000);
    assert.ok(raw !== undefined, 'the server answers');
    return { raw, packet: dnsPacket.decode(raw) };
  }

  test('a service name is answered over UDP, authoritatively, with the query id and question', async () => {
    const q = query('web.default.svc.cluster.local', 'A');
    const { packet } = await ask(q);
    assert.equal(packet.id, q.readUInt16BE(0));
    assert.equal(packet.flag_aa, true);
    assert.equal(packet.flag_rd, true);
    assert.equal(rcodeOf(packet), 'NOERROR');
    assert.deepEqual(packet.questions, [{ name: 'web.default.svc.cluster.local', type: 'A', class: 'IN' }]);
    assert.deepEqual(
      packet.answers?.map((a) => [a.type, a.name, 'data' in a ? a.data : undefined, 'ttl' in a ? a.ttl : undefined]),
      [['A', 'web.default.svc.cluster.local', '10.254.0.20', 5]],
    );
  });

  test('SRV and NXDOMAIN are answered over TCP as well', async () => {
    const srv = await ask(query('_http._tcp.web.default.svc.cluster.local', 'SRV'), 'tcp');
    const a = srv.packet.answers?.[0];
    assert.ok(a !== undefined && a.type === 'SRV');
    assert.deepEqual(a.data, { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' });
    const nx = await ask(query('nope.default.svc.cluster.local', 'A'), 'tcp');
    assert.equal(rcodeOf(nx.packet), 'NXDOMAIN');
    assert.equal(nx.packet.authorities?.[0]?.type, 'SOA');
  });

  test('names outside the cluster are forwarded upstream and the answer relayed, rcode included', async () => {
    const ok = await ask(query('example.org', 'A'));
    assert.equal(rcodeOf(ok.packet), 'NOERROR');
    assert.deepEqual(ok.packet.answers?.map((a) => ('data' in a ? a.data : undefined)), ['192.0.2.80']);
    const nx = await ask(query('nothing.example.org', 'A'), 'tcp');
    assert.equal(rcodeOf(nx.packet), 'NXDOMAIN');
    assert.ok(upstreamQueries.includes('nothing.example.org A'));
    assert.ok(!upstreamQueries.some((q) => q.includes('cluster.local')), 'cluster names never go upstream');
  });

  test('an ExternalName service answers the CNAME and the target\'s records from upstream', async () => {
    const { packet } = await ask(query('ext.default.svc.cluster.local', 'A'));
    assert.deepEqual(
      packet.answers?.map((a) => `${a.name} ${a.type} ${String('data' in a ? a.data : '')}`),
      ['ext.default.svc.cluster.local CNAME example.org', 'example.org A 192.0.2.80'],
    );
  });

  test('a large upstream answer comes truncated over UDP (at most 512 bytes, TC) and whole over TCP', async () => {
    const udp = await ask(query('big.example.org', 'A'));
    assert.ok(udp.raw.length <= 512, `${udp.raw.length} bytes`);
    assert.equal(udp.packet.flag_tc, true);
    const tcp = await ask(query('big.example.org', 'A'), 'tcp');
    assert.equal(tcp.packet.flag_tc, false);
    assert.equal(tcp.packet.answers?.length, 60);
  });

  test('a large headless answer is truncated to 512 bytes, or to the EDNS0 size the client offers', async () => {
    const plain = await ask(query('many.default.svc.cluster.local', 'A'));
    assert.ok(plain.raw.length <= 512);
    assert.equal(plain.packet.flag_tc, true);
    assert.ok((plain.packet.answers?.length ?? 0) > 0 && (plain.packet.answers?.length ?? 0) < 40);
    const edns = await ask(query('many.default.svc.cluster.local', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] }));
    assert.ok(edns.raw.length <= 1232 && edns.raw.length > 512, `${edns.raw.length} bytes`);
    assert.equal(edns.packet.flag_tc, false);
    assert.equal(edns.packet.answers?.length, 40);
    assert.equal(edns.packet.additionals?.[0]?.type, 'OPT');
    const tcp = await ask(query('many.default.svc.cluster.local', 'A'), 'tcp');
    assert.equal(tcp.packet.answers?.length, 40);
  });

  test('malformed queries get FORMERR (garbage, two questions), other opcodes NOTIMP, EDNS version 1 BADVERS', async () => {
    const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x61]);
    const g = await ask(garbage);
    assert.equal(g.raw.readUInt16BE(0), 0x1234);
    assert.equal(g.raw.readUInt16BE(2) & 0x800f, 0x8001);
    const two = dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: 'a.cluster.local', type: 'A' }, { name: 'b.cluster.local', type: 'A' }] });
    assert.equal(rcodeOf((await ask(two, 'tcp')).packet), 'FORMERR');
    const status = dnsPacket.encode({ type: 'query', id: 8, flags: 2 << 11, questions: [{ name: 'a.cluster.local', type: 'A' }] });
    assert.equal((await ask(status)).raw.readUInt16BE(2) & 0xf, 4);
    const v1 = await ask(query('web.default.svc.cluster.local', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 1, flags: 0, flag_do: false, options: [] }] }));
    const opt = v1.packet.additionals?.find((a) => a.type === 'OPT');
    assert.ok(opt !== undefined && opt.type === 'OPT');
    assert.equal(opt.extendedRcode, 1);
    assert.equal(v1.raw.readUInt16BE(2) & 0xf, 0);
  });

  test('a packet too short for a header, or a response, gets no answer and the server keeps serving', async () => {
    const socket = createSocket('udp4');
    const replies: Buffer[] = [];
    socket.on('message', (m) => replies.push(m));
    await new Promise<void>((r) => socket.send(Buffer.from([1, 2, 3]), server.port, '127.0.0.1', () => r()));
    const response = dnsPacket.encode({ type: 'response', id: 9, questions: [{ name: 'web.default.svc.cluster.local', type: 'A' }] });
    await new Promise<void>((r) => socket.send(response, server.port, '127.0.0.1', () => r()));
    await new Promise((r) => setTimeout(r, 200));
    socket.close();
    assert.deepEqual(replies, []);
    assert.equal(rcodeOf((await ask(query('web.default.svc.cluster.local', 'A'))).packet), 'NOERROR');
  });

  test('queries pipelined on one TCP connection are all answered', async () => {
    const { connect } = await import('node:net');
    const socket = connect({ host: '127.0.0.1', port: server.port });
    const ids = [101, 102, 103];
    const frames = ids.map((id) => {
      const q = dnsPacket.encode({ type: 'query', id, questions: [{ name: 'web.default.svc.cluster.local', type: 'A' }] });
      const len = Buffer.alloc(2);
      len.writeUInt16BE(q.length, 0);
      return Buffer.concat([len, q]);
    });
    const got = await new Promise<number[]>((resolve, reject) => {
      let buf: Buffer = Buffer.alloc(0);
      const seen: number[] = [];
      socket.on('error', reject);
      socket.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const n = buf.readUInt16BE(0);
          seen.push(buf.readUInt16BE(2));
          buf = buf.subarray(2 + n);
        }
        if (seen.length === ids.length) resolve(seen);
      });
      socket.write(Buffer.concat(frames));
    });
    socket.destroy();
    assert.deepEqual(got.sort(), ids);
  });

  test('with no upstream answering, names outside the cluster get SERVFAIL', async () => {
    const lonely = await DnsServer.listen({
      host: '127.0.0.1',
      port: 0,
      handler: createDnsHandler({ zone, forwarder: new UpstreamForwarder({ servers: [] }) }),
    });
    try {
      const raw = await udpExchange({ host: '127.0.0.1', port: lonely.port }, query('example.org', 'A'), 3000);
      assert.ok(raw !== undefined);
      assert.equal(rcodeOf(dnsPacket.decode(raw)), 'SERVFAIL');
    } finally {
      await lonely.close();
    }
  });
});

describe('DNS recursion limited to some clients', () => {
  test('a client it may not recurse for gets REFUSED for outside names and the cluster names still', async () => {
    const upstream = await DnsServer.listen({ host: '127.0.0.1', port: 0, handler: createStaticHandler(upstreamRecords) });
    const zone = new ClusterZone({ domain: 'cluster.local', dnsServiceIp: '10.254.0.10' });
    zone.setNamespace({ metadata: { name: 'default' } });
    zone.setService({ metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.254.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
    zone.setService({ metadata: { namespace: 'default', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.org' } });
    zone.synced = true;
    const seen: string[] = [];
    const handler = createDnsHandler({
      zone,
      forwarder: new UpstreamForwarder({ servers: [{ host: '127.0.0.1', port: upstream.port }], timeoutMs: 1000 }),
      mayRecurse: (source) => {
        seen.push(source);
        return source === '10.240.1.5';
      },
    });
    try {
      const rcode = async (name: string, source: string): Promise<[string, number]> => {
        const reply = await handler(query(name, 'A'), 'udp', source);
        assert.ok(reply !== undefined);
        const p = dnsPacket.decode(reply);
        return [rcodeOf(p), p.answers?.length ?? 0];
      };
      assert.deepEqual(await rcode('example.org', '192.0.2.99'), ['REFUSED', 0]);
      assert.deepEqual(await rcode('example.org', '10.240.1.5'), ['NOERROR', 1]);
      assert.deepEqual(await rcode('web.default.svc.cluster.local', '192.0.2.99'), ['NOERROR', 1]);
      // An ExternalName's CNAME is given, but not chased, for a client it may not recurse for.
      assert.deepEqual(await rcode('ext.default.svc.cluster.local', '192.0.2.99'), ['NOERROR', 1]);
      assert.deepEqual(await rcode('ext.default.svc.cluster.local', '10.240.1.5'), ['NOERROR', 2]);
      // The server hands the handler the client's address.
      const server = await DnsServer.listen({ host: '127.0.0.1', port: 0, handler });
      try {
        await udpExchange({ host: '127.0.0.1', port: server.port }, query('example.org', 'A'), 3000);
        assert.equal(seen.at(-1), '127.0.0.1');
      } finally {
        await server.close();
      }
    } finally {
      await upstream.close();
    }
  });
});
