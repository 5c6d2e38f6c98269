import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { encodeMessage } from './message-writer.js';

const many = (n: number): Answer[] => Array.from({ length: n }, (_, i): Answer => ({ type: 'A', name: 'web.default.svc.cluster.local', ttl: 5, class: 'IN', data: `10.0.0.${i + 1}` }));

function response(p: Partial<Packet>): Packet {
  return { type: 'response', id: 42, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{ name: 'web.default.svc.cluster.local', type: 'A', class: 'IN' }], ...p };
}

describe('encodeMessage', () => {
  test('repeated owner names become two-byte pointers and the message decodes to the same records', () => {
    const p = response({ answers: many(10) });
    const compressed = encodeMessage(p);
    const plain = dnsPacket.encode(p);
    // Each answer's 31-byte owner name is a 2-byte pointer to the question's.
    assert.equal(plain.length - compressed.length, 10 * 29);
    const back = dnsPacket.decode(compressed);
    assert.equal(back.id, 42);
    assert.equal(back.flag_aa, true);
    assert.deepEqual(back.answers, dnsPacket.decode(plain).answers);
  });

  test('a shared tail is compressed too (SRV targets under the zone, SOA names)', () => {
    const p = response({
      answers: [{ type: 'SRV', name: '_http._tcp.web.default.svc.cluster.local', ttl: 5, class: 'IN', data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } }],
      authorities: [{ type: 'SOA', name: 'cluster.local', ttl: 5, class: 'IN', data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } }],
      additionals: [{ type: 'A', name: 'web.default.svc.cluster.local', ttl: 5, class: 'IN', data: '10.0.0.1' }],
    });
    const back = dnsPacket.decode(encodeMessage(p));
    assert.deepEqual(back.answers, dnsPacket.decode(dnsPacket.encode(p)).answers);
    assert.deepEqual(back.authorities, dnsPacket.decode(dnsPacket.encode(p)).authorities);
    assert.deepEqual(back.additionals, dnsPacket.decode(dnsPacket.encode(p)).additionals);
  });

  test('answers beyond the limit are left out with TC set; the OPT record stays', () => {
    const opt: Answer = { type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
    const buf = encodeMessage(response({ answers: many(100), additionals: [opt] }), 512);
    assert.ok(buf.length <= 512, `${buf.length} bytes`);
    const back = dnsPacket.decode(buf);
    assert.equal(back.flag_tc, true);
    assert.ok((back.answers?.length ?? 0) > 20);
    assert.equal(back.additionals?.length, 1);
    assert.equal(back.additionals?.[0]?.type, 'OPT');
  });

  test('additional records that do not fit are dropped without TC', () => {
    const extra = many(60).map((a) => ({ ...a, name: `x${a.type === 'A' ? a.data : ''}.example.org` }));
    const back = dnsPacket.decode(encodeMessage(response({ answers: many(1), additionals: extra }), 512));
    assert.equal(back.flag_tc, false);
    assert.equal(back.answers?.length, 1);
    assert.ok((back.additionals?.length ?? 0) < 60);
  });

  test('a label longer than 63 bytes is refused rather than encoded wrong', () => {
    assert.throws(() => encodeMessage(response({ answers: [{ type: 'A', name: `${'a'.repeat(64)}.example.org`, ttl: 5, class: 'IN', data: '10.0.0.1' }] })), /longer than 63/);
  });
});
