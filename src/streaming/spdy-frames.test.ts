import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import {
  controlStreamId,
  dataFrames,
  FLAG_FIN,
  FrameReader,
  FrameType,
  goAwayFrame,
  HeaderBlockWriter,
  nameValueBlock,
  pingFrame,
  RstStatus,
  rstStreamFrame,
  synStreamFrame,
  type SpdyFrame,
} from './spdy-frames.js';

/** Decodes a SPDY/3 name/value block: u32 count, then u32 length + name and u32 length + value for each. */
function decodeNameValueBlock(b: Buffer): [string, string][] {
  const count = b.readUInt32BE(0);
  let off = 4;
  const read = (): string => {
    const len = b.readUInt32BE(off);
    const s = b.subarray(off + 4, off + 4 + len).toString('utf8');
    off += 4 + len;
    return s;
  };
  const out: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const name = read();
    out.push([name, read()]);
  }
  assert.equal(off, b.length, 'the block has no trailing bytes');
  return out;
}

function inflateSoFar(blocks: Buffer[]): Buffer {
  return inflateSync(Buffer.concat(blocks), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
}

describe('SPDY control frames', () => {
  test('a PING is a version 3 control frame of type 6 with the 32-bit id', () => {
    assert.deepEqual(pingFrame(7), Buffer.from([0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07]));
    assert.equal(pingFrame(0xfffffffe).readUInt32BE(8), 0xfffffffe);
  });

  test('a RST_STREAM carries the stream id and the status code', () => {
    assert.deepEqual(
      rstStreamFrame(5, RstStatus.InvalidStream),
      Buffer.from([0x80, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x02]),
    );
  });

  test('a GOAWAY carries the last good stream id and an OK status by default', () => {
    assert.deepEqual(goAwayFrame(3), Buffer.from([0x80, 0x03, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00]));
    assert.equal(goAwayFrame(3, 2).readUInt32BE(12), 2);
  });

  test('a SYN_STREAM has the stream id, no associated stream, the priority bits and the header block', () => {
    const block = Buffer.from('hdrs');
    const f = synStreamFrame(3, block, { priority: 2 });
    assert.equal(f.readUInt16BE(0), 0x8003);
    assert.equal(f.readUInt16BE(2), FrameType.SynStream);
    assert.equal(f[4], 0, 'no flags');
    assert.equal(f.readUInt32BE(4) & 0xffffff, 10 + block.length);
    assert.equal(f.readUInt32BE(8), 3);
    assert.equal(f.readUInt32BE(12), 0);
    assert.equal(f[16], 2 << 5);
    assert.equal(f[17], 0);
    assert.deepEqual(f.subarray(18), block);
  });

  test('a SYN_STREAM with fin sets the FIN flag', () => {
    assert.equal(synStreamFrame(1, Buffer.alloc(0), { fin: true })[4], FLAG_FIN);
  });
});

describe('SPDY data frames', () => {
  test('a data frame has the stream id, the flags and the length before the payload', () => {
    const parts = dataFrames(5, Buffer.from('hello'), false);
    assert.deepEqual(Buffer.concat(parts), Buffer.concat([Buffer.from([0, 0, 0, 5, 0, 0, 0, 5]), Buffer.from('hello')]));
  });

  test('an empty payload with fin is one empty frame that carries FIN', () => {
    assert.deepEqual(Buffer.concat(dataFrames(1, Buffer.alloc(0), true)), Buffer.from([0, 0, 0, 1, FLAG_FIN, 0, 0, 0]));
  });

  test('a payload larger than a frame holds is split, FIN only on the last part', () => {
    const big = Buffer.alloc(0xffffff + 10, 0x61);
    const frames = new FrameReader().push(Buffer.concat(dataFrames(3, big, true)));
    assert.equal(frames.length, 2);
    const [first, second] = frames;
    assert.ok(first?.kind === 'data' && second?.kind === 'data');
    assert.equal(first.streamId, 3);
    assert.equal(first.data.length, 0xffffff);
    assert.equal(first.fin, false);
    assert.equal(second.data.length, 10);
    assert.equal(second.fin, true);
  });
});

describe('SPDY header blocks', () => {
  test('a name/value block has a count, then each lower-cased name and value with a 32-bit length', () => {
    const b = nameValueBlock([
      ['streamType', 'error'],
      ['X-Thing', 'Ünïcode'],
    ]);
    assert.equal(b.readUInt32BE(0), 2);
    assert.equal(b.readUInt32BE(4), 'streamtype'.length);
    assert.equal(b.subarray(8, 18).toString(), 'streamtype');
    assert.deepEqual(decodeNameValueBlock(b), [
      ['streamtype', 'error'],
      ['x-thing', 'Ünïcode'],
    ]);
    assert.deepEqual(nameValueBlock([]), Buffer.from([0, 0, 0, 0]));
  });

  test('the first header block opens a zlib stream without a preset dictionary', () => {
    const block = new HeaderBlockWriter().encode(nameValueBlock([['a', 'b']]));
    assert.deepEqual(block.subarray(0, 2), Buffer.from([0x78, 0x01]));
    assert.equal((0x78 * 256 + 0x01) % 31, 0);
  });

  test('each header block ends with a sync flush', () => {
    const w = new HeaderBlockWriter();
    for (const headers of [[['a', 'b']], [['c', 'd']]] as const) {
      assert.deepEqual(w.encode(nameValueBlock(headers)).subarray(-5), Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    }
  });

  test('consecutive header blocks continue one zlib stream that inflates to the name/value blocks', () => {
    const w = new HeaderBlockWriter();
    const nv1 = nameValueBlock([['streamType', 'error']]);
    const nv2 = nameValueBlock([
      ['streamType', 'stdout'],
      ['port', '8080'],
    ]);
    const b1 = w.encode(nv1);
    const b2 = w.encode(nv2);
    assert.notDeepEqual(b2.subarray(0, 2), Buffer.from([0x78, 0x01]), 'only the first block has the zlib header');
    assert.deepEqual(inflateSoFar([b1]), nv1);
    const both = inflateSoFar([b1, b2]);
    assert.deepEqual(both, Buffer.concat([nv1, nv2]));
    assert.deepEqual(decodeNameValueBlock(both.subarray(nv1.length)), [
      ['streamtype', 'stdout'],
      ['port', '8080'],
    ]);
  });

  test('a name/value block longer than a stored block holds is split and still inflates', () => {
    const w = new HeaderBlockWriter();
    const nv = nameValueBlock([['big', 'x'.repeat(0x1ffff)]]);
    const b = w.encode(nv);
    assert.deepEqual(inflateSoFar([b]), nv);
    const small = nameValueBlock([['a', 'b']]);
    assert.deepEqual(inflateSoFar([b, w.encode(small)]), Buffer.concat([nv, small]));
  });
});

describe('the SPDY frame reader', () => {
  test('frames split across reads come out once complete', () => {
    const wire = Buffer.concat([pingFrame(2), ...dataFrames(1, Buffer.from('abc'), true)]);
    const r = new FrameReader();
    const got: SpdyFrame[] = [];
    for (const byte of wire) got.push(...r.push(Buffer.from([byte])));
    assert.deepEqual(got, [
      { kind: 'control', type: FrameType.Ping, flags: 0, payload: Buffer.from([0, 0, 0, 2]) },
      { kind: 'data', streamId: 1, fin: true, data: Buffer.from('abc') },
    ]);
  });

  test('several frames in one read all come out, in order', () => {
    const wire = Buffer.concat([rstStreamFrame(3, RstStatus.Cancel), ...dataFrames(5, Buffer.from('x'), false), goAwayFrame(1)]);
    const frames = new FrameReader().push(wire);
    assert.deepEqual(
      frames.map((f) => (f.kind === 'control' ? `control ${f.type} stream ${controlStreamId(f.payload)}` : `data ${f.streamId} fin=${f.fin}`)),
      [`control ${FrameType.RstStream} stream 3`, 'data 5 fin=false', `control ${FrameType.GoAway} stream 1`],
    );
  });

  test('an incomplete frame yields nothing until the rest arrives', () => {
    const r = new FrameReader();
    const wire = Buffer.concat(dataFrames(1, Buffer.from('hello'), false));
    assert.deepEqual(r.push(wire.subarray(0, 10)), []);
    assert.deepEqual(r.push(wire.subarray(10)), [{ kind: 'data', streamId: 1, fin: false, data: Buffer.from('hello') }]);
  });

  test('a control frame of another SPDY version is an error', () => {
    const v2 = Buffer.from([0x80, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]);
    assert.throws(() => new FrameReader().push(v2), /unsupported SPDY version 2/);
  });

  test('the stream id of a control payload ignores the reserved bit, and a short payload has none', () => {
    assert.equal(controlStreamId(Buffer.from([0x80, 0, 0, 9, 1, 2])), 9);
    assert.equal(controlStreamId(Buffer.from([0, 0])), 0);
  });
});
