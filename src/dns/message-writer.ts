// Encodes a DNS message with name compression (RFC 1035 4.1.4: an owner name, or its tail, already written becomes
// a pointer) and within a size limit: records that do not fit are left out, TC set when an answer or authority record
// had to go. dns-packet encodes each record's type, class, TTL and data; this writes the names and the sections.
import dnsPacket from 'dns-packet';
import type { Answer, Packet, Question } from 'dns-packet';

const headerSize = 12;
const flagQr = 0x8000;
const flagTc = 0x0200;
const maxPointer = 0x3fff;

/** A record's bytes after its owner name (type, class, TTL, length, data), as dns-packet encodes them. */
function recordTail(a: Answer): Buffer {
  const encoded = dnsPacket.encode({ answers: [{ ...a, name: '.' } as Answer] });
  // Header (12 bytes), then the root name (one zero byte).
  return encoded.subarray(headerSize + 1);
}

function questionTail(q: Question): Buffer {
  const encoded = dnsPacket.encode({ questions: [{ ...q, name: '.' }] });
  return encoded.subarray(headerSize + 1);
}

function labelsOf(name: string): string[] {
  const n = name.replace(/^\.+|\.+$/g, '');
  return n === '' ? [] : n.split('.');
}

class Writer {
  private chunks: Buffer[] = [];
  size = headerSize;
  private readonly names = new Map<string, number>();

  /** The bytes of a name written at the current end, and the tails it would add to the table. */
  private nameBytes(name: string, at: number): { bytes: Buffer; added: [string, number][] } {
    const labels = labelsOf(name);
    const parts: Buffer[] = [];
    const added: [string, number][] = [];
    let offset = at;
    for (let i = 0; i < labels.length; i++) {
      const tail = labels.slice(i).join('.').toLowerCase();
      const pointer = this.names.get(tail);
      if (pointer !== undefined) {
        const p = Buffer.alloc(2);
        p.writeUInt16BE(0xc000 | pointer, 0);
        parts.push(p);
        return { bytes: Buffer.concat(parts), added };
      }
      if (offset <= maxPointer) added.push([tail, offset]);
      const label = Buffer.from(labels[i] ?? '', 'utf8');
      if (label.length > 63) throw new Error(`label longer than 63 bytes in ${name}`);
      parts.push(Buffer.from([label.length]), label);
      offset += 1 + label.length;
    }
    parts.push(Buffer.from([0]));
    return { bytes: Buffer.concat(parts), added };
  }

  /** Appends the owner name and the rest if the whole fits in `limit`; true when it did. */
  tryAppend(name: string, tail: Buffer, limit: number): boolean {
    const { bytes, added } = this.nameBytes(name, this.size);
    const n = bytes.length + tail.length;
    if (this.size + n > limit) return false;
    this.chunks.push(bytes, tail);
    this.size += n;
    for (const [k, v] of added) if (!this.names.has(k)) this.names.set(k, v);
    return true;
  }

  finish(header: Buffer): Buffer {
    return Buffer.concat([header, ...this.chunks]);
  }
}

/**
 * The message in at most `limit` bytes: everything when it fits; otherwise the question, as many answers as fit, then
 * authorities, then additional records (the OPT record always kept), TC set when an answer or authority record was
 * left out (RFC 2181 9: leaving out additional records does not truncate).
 */
export function encodeMessage(packet: Packet, limit = 65535): Buffer {
  const w = new Writer();
  const questions = packet.questions ?? [];
  for (const q of questions) {
    if (!w.tryAppend(q.name, questionTail(q), Infinity)) throw new Error('question does not fit');
  }
  const opt = (packet.additionals ?? []).filter((a) => a.type === 'OPT');
  const optTails = opt.map(recordTail);
  const optSize = optTails.reduce((n, t) => n + 1 + t.length, 0);
  const room = Math.max(limit - optSize, w.size);
  let truncated = false;
  const counts = [0, 0, 0];
  const sections: [readonly Answer[], number, boolean][] = [
    [packet.answers ?? [], 0, true],
    [packet.authorities ?? [], 1, true],
    [(packet.additionals ?? []).filter((a) => a.type !== 'OPT'), 2, false],
  ];
  for (const [records, index, truncates] of sections) {
    if (truncated) break;
    for (const r of records) {
      if (!w.tryAppend(r.name, recordTail(r), room)) {
        if (truncates) truncated = true;
        break;
      }
      counts[index] = (counts[index] ?? 0) + 1;
    }
  }
  for (const t of optTails) {
    w.tryAppend('.', t, Infinity);
    counts[2] = (counts[2] ?? 0) + 1;
  }
  const header = Buffer.alloc(headerSize);
  header.writeUInt16BE(packet.id ?? 0, 0);
  header.writeUInt16BE((packet.type === 'response' ? flagQr : 0) | ((packet.flags ?? 0) & 0x7fff) | (truncated ? flagTc : 0), 2);
  header.writeUInt16BE(questions.length, 4);
  header.writeUInt16BE(counts[0] ?? 0, 6);
  header.writeUInt16BE(counts[1] ?? 0, 8);
  header.writeUInt16BE(counts[2] ?? 0, 10);
  return w.finish(header);
}
