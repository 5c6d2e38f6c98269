// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00, as moby/spdystream and Go's spdy framer speak it), the parts a
// client of the Kubernetes streaming protocols needs: it writes SYN_STREAM, DATA, PING, RST_STREAM and GOAWAY, and
// reads every frame. Header blocks it writes are zlib streams of stored (uncompressed) deflate blocks: valid for any
// inflater, which keeps one context per connection as SPDY requires, without a compressor of our own. Header blocks it
// reads are not decoded (the client never needs the server's headers), so no inflater is kept either.

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;

/** RST_STREAM status codes. */
export const RstStatus = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6 } as const;

export type SpdyFrame =
  | { kind: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { kind: 'control'; type: number; flags: number; payload: Buffer };

const maxLength = 0xffffff;

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > maxLength) throw new Error(`SPDY frame payload of ${payload.length} bytes is too large`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

/** A DATA frame; a payload larger than a frame holds is split, the FIN flag on the last part. */
export function dataFrames(streamId: number, data: Buffer, fin: boolean): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  do {
    const part = data.subarray(offset, offset + maxLength);
    offset += part.length;
    const head = Buffer.alloc(8);
    head.writeUInt32BE(streamId & 0x7fffffff, 0);
    head.writeUInt32BE((((fin && offset >= data.length ? FLAG_FIN : 0) & 0xff) << 24) | part.length, 4);
    out.push(head, part);
  } while (offset < data.length);
  return out;
}

export function pingFrame(id: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(id >>> 0, 0);
  return controlFrame(FrameType.Ping, 0, p);
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.RstStream, 0, p);
}

export function goAwayFrame(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.GoAway, 0, p);
}

/** The uncompressed name/value block: a count, then each name and value with a 32-bit length (names lower-case). */
export function nameValueBlock(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(headers.length, 0);
  parts.push(count);
  for (const [name, value] of headers) {
    for (const s of [name.toLowerCase(), value]) {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length, 0);
      parts.push(len, b);
    }
  }
  return Buffer.concat(parts);
}

/**
 * The writing side of a connection's header compression context: each block continues one zlib stream (its
 * two-byte header first, no preset dictionary announced) with stored deflate blocks, which any peer inflates.
 */
export class HeaderBlockWriter {
  private started = false;

  encode(raw: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      // CMF 0x78 (deflate, 32 KiB window), FLG 0x01: no dictionary, (0x78 * 256 + 0x01) % 31 == 0.
      parts.push(Buffer.from([0x78, 0x01]));
      this.started = true;
    }
    let offset = 0;
    do {
      const chunk = raw.subarray(offset, offset + 0xffff);
      offset += chunk.length;
      const head = Buffer.alloc(5);
      head[0] = 0x00; // BFINAL 0, BTYPE 00 (stored); the rest of the byte is padding
      head.writeUInt16LE(chunk.length, 1);
      head.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(head, chunk);
    } while (offset < raw.length);
    // A sync flush (an empty stored block) ends each header block, as zlib's Z_SYNC_FLUSH does: inflaters such as
    // Go's hand out a stored block's bytes only when the next block starts, which must not lie past this frame.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

export function synStreamFrame(streamId: number, headerBlock: Buffer, opts: { fin?: boolean; priority?: number } = {}): Buffer {
  const p = Buffer.alloc(10);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(0, 4); // associated-to-stream-id
  p[8] = ((opts.priority ?? 0) & 0x7) << 5;
  p[9] = 0; // slot
  return controlFrame(FrameType.SynStream, opts.fin === true ? FLAG_FIN : 0, Buffer.concat([p, headerBlock]));
}

/** Incremental frame parser: push() bytes as they arrive, get the complete frames back. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: SpdyFrame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + length) break;
      const flags = this.buf[4] ?? 0;
      const payload = this.buf.subarray(8, 8 + length);
      const first = this.buf.readUInt32BE(0);
      if ((first & 0x80000000) !== 0) {
        const version = (first >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new Error(`unsupported SPDY version ${version}`);
        frames.push({ kind: 'control', type: first & 0xffff, flags, payload });
      } else {
        frames.push({ kind: 'data', streamId: first & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, data: payload });
      }
      this.buf = this.buf.subarray(8 + length);
    }
    return frames;
  }
}

/** The stream id a SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS or WINDOW_UPDATE payload starts with. */
export function controlStreamId(payload: Buffer): number {
  return payload.length >= 4 ? payload.readUInt32BE(0) & 0x7fffffff : 0;
}
