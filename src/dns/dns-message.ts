// DNS messages on the wire (dns-packet decodes; message-writer encodes with name compression): the checks a server makes before it answers (as miekg/dns's
// default accept function: one question, a query, opcode QUERY), replies, EDNS0 and truncation to the client's size.
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Packet, Question } from 'dns-packet';
import { encodeMessage } from './message-writer.js';

export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;
export type RcodeName = keyof typeof Rcode;

const headerSize = 12;
const flagQr = 0x8000;
const flagAa = 0x0400;
const flagTc = 0x0200;
const flagRd = 0x0100;
/** The UDP payload size of a client without EDNS0 (RFC 1035). */
export const classicUdpSize = 512;
/** The most a UDP answer of ours carries whatever the client offers (the DNS flag day 2020 size). */
export const maxUdpSize = 1232;

export type QueryCheck =
  /** Not a query of ours to answer (too short for a header, or a response): dropped, as miekg/dns does. */
  | { readonly kind: 'drop' }
  /** A query to refuse with this header-only reply (FORMERR, NOTIMP). */
  | { readonly kind: 'reject'; readonly reply: Buffer }
  | { readonly kind: 'query'; readonly packet: DecodedPacket; readonly question: Question; readonly opt: OptAnswer | undefined };

/** A reply with only the header: the query's id, opcode and RD, QR set and this rcode. */
export function headerReply(query: Buffer, rcode: number): Buffer {
  const b = Buffer.alloc(headerSize);
  b.writeUInt16BE(query.readUInt16BE(0), 0);
  const flags = query.readUInt16BE(2);
  b.writeUInt16BE(flagQr | (flags & 0x7800) | (flags & flagRd) | (rcode & 0xf), 2);
  return b;
}

/** Reads and checks a query: what to do with it. Never throws. */
export function checkQuery(query: Buffer): QueryCheck {
  if (query.length < headerSize) return { kind: 'drop' };
  const flags = query.readUInt16BE(2);
  if ((flags & flagQr) !== 0) return { kind: 'drop' };
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0) return { kind: 'reject', reply: headerReply(query, Rcode.NOTIMP) };
  const qd = query.readUInt16BE(4);
  const an = query.readUInt16BE(6);
  const ns = query.readUInt16BE(8);
  const ar = query.readUInt16BE(10);
  if (qd !== 1 || an > 1 || ns > 1 || ar > 2) return { kind: 'reject', reply: headerReply(query, Rcode.FORMERR) };
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(query);
  } catch (e: unknown) {
    void e;
    return { kind: 'reject', reply: headerReply(query, Rcode.FORMERR) };
  }
  const question = packet.questions?.[0];
  if (question === undefined || typeof question.name !== 'string') return { kind: 'reject', reply: headerReply(query, Rcode.FORMERR) };
  const opt = (packet.additionals ?? []).find((a): a is OptAnswer => a.type === 'OPT');
  return { kind: 'query', packet, question, opt };
}

/** The most a UDP answer to this query may carry: 512 bytes, or the EDNS0 size the client offers (up to 1232). */
export function udpLimit(opt: OptAnswer | undefined): number {
  if (opt === undefined) return classicUdpSize;
  return Math.min(maxUdpSize, Math.max(classicUdpSize, opt.udpPayloadSize));
}

/** The OPT record of a reply to a query that had one: our size, the DO bit echoed. */
function replyOpt(opt: OptAnswer, extendedRcode = 0): OptAnswer {
  return { type: 'OPT', name: '.', udpPayloadSize: maxUdpSize, extendedRcode, ednsVersion: 0, flags: opt.flag_do ? 0x8000 : 0, flag_do: opt.flag_do, options: [] };
}

export interface ReplyContent {
  rcode: number;
  authoritative: boolean;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
}

/** A reply to a checked query, truncated to `limit` bytes (UDP) with TC set when records had to go. */
export function encodeReply(query: Extract<QueryCheck, { kind: 'query' }>, content: ReplyContent, limit: number): Buffer {
  const rd = query.packet.flag_rd ? flagRd : 0;
  const additionals = [...(content.additionals ?? [])];
  let rcode = content.rcode;
  if (query.opt !== undefined) {
    additionals.push(replyOpt(query.opt, rcode >> 4));
    rcode &= 0xf;
  }
  const packet: Packet = {
    type: 'response',
    id: query.packet.id ?? 0,
    flags: (content.authoritative ? flagAa : 0) | rd | rcode,
    questions: [query.question],
    answers: content.answers ?? [],
    authorities: content.authorities ?? [],
    additionals,
  };
  return encodeMessage(packet, limit);
}

/** BADVERS for a query with an EDNS version other than 0 (RFC 6891 6.1.3). */
export function badVersionReply(query: Extract<QueryCheck, { kind: 'query' }>): Buffer {
  return encodeReply(query, { rcode: Rcode.BADVERS, authoritative: false }, classicUdpSize);
}

/**
 * A response from elsewhere (an upstream resolver) made to fit `limit` bytes for a UDP client: as it is if it fits,
 * else re-encoded with fewer records and TC set; a response that cannot be decoded keeps its header and question
 * with TC set.
 */
export function truncateResponse(response: Buffer, limit: number): Buffer {
  if (response.length <= limit) return response;
  let decoded: DecodedPacket;
  try {
    decoded = dnsPacket.decode(response);
  } catch (e: unknown) {
    void e;
    const header = Buffer.from(response.subarray(0, headerSize));
    header.writeUInt16BE(header.readUInt16BE(2) | flagTc, 2);
    header.writeUInt16BE(0, 4);
    header.writeUInt16BE(0, 6);
    header.writeUInt16BE(0, 8);
    header.writeUInt16BE(0, 10);
    return header;
  }
  // decode() folds the rcode into flags; keep every header bit as it came.
  const packet: Packet = { ...decoded, type: 'response', flags: response.readUInt16BE(2) & 0x7fff };
  return encodeMessage(packet, limit);
}

/** The same message with another id. */
export function withId(message: Buffer, id: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(id, 0);
  return copy;
}
