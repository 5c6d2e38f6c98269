import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { checkQuery, headerReply, truncateResponse, udpLimit } from './dns-message.js';

describe('checkQuery', () => {
  test('a well-formed query is read with its question and EDNS0 record', () => {
    const q = dnsPacket.encode({ type: 'query', id: 5, questions: [{ name: 'a.b', type: 'SRV' }], additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] });
    const c = checkQuery(q);
    assert.equal(c.kind, 'query');
    if (c.kind !== 'query') return;
    assert.deepEqual(c.question, { name: 'a.b', type: 'SRV', class: 'IN' });
    assert.equal(udpLimit(c.opt), 1232);
  });

  test('short packets and responses are dropped', () => {
    assert.equal(checkQuery(Buffer.alloc(5)).kind, 'drop');
    assert.equal(checkQuery(dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'a', type: 'A' }] })).kind, 'drop');
  });

  test('no question, a cut-off question or an unknown opcode is rejected with a header-only reply', () => {
    const none = dnsPacket.encode({ type: 'query', id: 77, questions: [] });
    const r = checkQuery(none);
    assert.equal(r.kind, 'reject');
    if (r.kind === 'reject') assert.deepEqual([r.reply.length, r.reply.readUInt16BE(0), r.reply.readUInt16BE(2) & 0xf], [12, 77, 1]);
    const cut = dnsPacket.encode({ type: 'query', id: 78, questions: [{ name: 'example.org', type: 'A' }] }).subarray(0, 20);
    assert.equal(checkQuery(Buffer.from(cut)).kind, 'reject');
    const update = dnsPacket.encode({ type: 'query', id: 79, flags: 5 << 11, questions: [{ name: 'example.org', type: 'SOA' }] });
    const u = checkQuery(update);
    assert.ok(u.kind === 'reject' && (u.reply.readUInt16BE(2) & 0xf) === 4 && ((u.reply.readUInt16BE(2) >> 11) & 0xf) === 5);
  });

  test('udpLimit is 512 without EDNS0 and never below it', () => {
    assert.equal(udpLimit(undefined), 512);
    assert.equal(udpLimit({ type: 'OPT', name: '.', udpPayloadSize: 100, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }), 512);
  });

  test('headerReply keeps the id and RD and sets QR and the rcode', () => {
    const q = dnsPacket.encode({ type: 'query', id: 300, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'x', type: 'A' }] });
    const r = headerReply(q, 2);
    assert.equal(r.readUInt16BE(0), 300);
    assert.equal(r.readUInt16BE(2), 0x8000 | 0x0100 | 2);
  });

  test('truncateResponse leaves a small response as it is and cuts a large one with TC, keeping its rcode', () => {
    const small = dnsPacket.encode({ type: 'response', id: 1, flags: 3, questions: [{ name: 'x.example', type: 'A' }] });
    assert.equal(truncateResponse(small, 512), small);
    const big = dnsPacket.encode({
      type: 'response',
      id: 2,
      flags: dnsPacket.RECURSION_AVAILABLE,
      questions: [{ name: 'x.example', type: 'TXT' }],
      answers: Array.from({ length: 20 }, (_, i) => ({ type: 'TXT' as const, name: 'x.example', ttl: 1, class: 'IN' as const, data: `${i}`.repeat(60) })),
    });
    const cut = truncateResponse(big, 512);
    assert.ok(cut.length <= 512);
    const back = dnsPacket.decode(cut);
    assert.equal(back.flag_tc, true);
    assert.equal(back.flag_ra, true);
    assert.equal(back.id, 2);
  });
});
