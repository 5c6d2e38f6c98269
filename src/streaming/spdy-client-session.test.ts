import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { SpdyClientSession, type SpdyStream } from './spdy-client-session.js';

// A tiny SPDY/3.1 server written from the draft, independent of the framing code under test.

type Seen =
  | { kind: 'syn'; id: number; fin: boolean; headers: [string, string][] }
  | { kind: 'data'; id: number; fin: boolean; data: Buffer }
  | { kind: 'ping'; id: number }
  | { kind: 'rst'; id: number; status: number }
  | { kind: 'goaway'; lastGood: number }
  | { kind: 'other'; type: number };

function decodeNameValueBlock(b: Buffer): [string, string][] {
  let off = 4;
  const read = (): string => {
    const len = b.readUInt32BE(off);
    off += 4 + len;
    return b.subarray(off - len, off).toString('utf8');
  };
  const out: [string, string][] = [];
  for (let i = b.readUInt32BE(0); i > 0; i--) out.push([read(), read()]);
  return out;
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(payload.length, 4);
  head[4] = flags;
  return Buffer.concat([head, payload]);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

class FakeSpdyServer extends EventEmitter {
  readonly seen: Seen[] = [];
  private buf = Buffer.alloc(0);
  private compressed: Buffer[] = [];
  private inflatedLength = 0;

  constructor(readonly socket: Socket) {
    super();
    socket.on('data', (d: Buffer) => this.receive(d));
    socket.on('error', () => undefined);
  }

  private receive(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) return;
      const first = this.buf.readUInt32BE(0);
      const flags = this.buf[4] ?? 0;
      const p = this.buf.subarray(8, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.record(first, flags, p);
    }
  }

  private record(first: number, flags: number, p: Buffer): void {
    let f: Seen;
    if ((first & 0x80000000) === 0) {
      f = { kind: 'data', id: first & 0x7fffffff, fin: (flags & 1) !== 0, data: Buffer.from(p) };
    } else {
      assert.equal((first >>> 16) & 0x7fff, 3, 'SPDY version 3');
      const type = first & 0xffff;
      if (type === 1) {
        this.compressed.push(p.subarray(10));
        const all = inflateSync(Buffer.concat(this.compressed), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
        const block = all.subarray(this.inflatedLength);
        this.inflatedLength = all.length;
        f = { kind: 'syn', id: p.readUInt32BE(0) & 0x7fffffff, fin: (flags & 1) !== 0, headers: decodeNameValueBlock(block) };
      } else if (type === 3) f = { kind: 'rst', id: p.readUInt32BE(0), status: p.readUInt32BE(4) };
      else if (type === 6) f = { kind: 'ping', id: p.readUInt32BE(0) };
      else if (type === 7) f = { kind: 'goaway', lastGood: p.readUInt32BE(0) };
      else f = { kind: 'other', type };
    }
    this.seen.push(f);
    this.emit('frame', f);
  }

  /** Resolves with the first frame seen (before or after the call) that matches. */
  waitFor<K extends Seen['kind']>(kind: K, match: (f: Extract<Seen, { kind: K }>) => boolean = () => true): Promise<Extract<Seen, { kind: K }>> {
    const is = (f: Seen): f is Extract<Seen, { kind: K }> => f.kind === kind && match(f as Extract<Seen, { kind: K }>);
    const found = this.seen.find(is);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${kind} frame came`)), 2000);
      const on = (f: Seen): void => {
        if (!is(f)) return;
        clearTimeout(timer);
        this.off('frame', on);
        resolve(f);
      };
      this.on('frame', on);
    });
  }

  synReply(id: number, fin = false): void {
    // Any zlib data will do as a header block: the client does not decode it.
    this.socket.write(control(2, fin ? 1 : 0, Buffer.concat([u32s(id), Buffer.from([0x78, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff])])));
  }

  data(id: number, data: string | Buffer, fin = false): void {
    const payload = Buffer.from(data);
    const head = u32s(id, payload.length);
    head[4] = fin ? 1 : 0;
    this.socket.write(Buffer.concat([head, payload]));
  }

  ping(id: number): void {
    this.socket.write(control(6, 0, u32s(id)));
  }

  rst(id: number, status = 5): void {
    this.socket.write(control(3, 0, u32s(id, status)));
  }

  headers(id: number, fin: boolean): void {
    this.socket.write(control(8, fin ? 1 : 0, Buffer.concat([u32s(id), Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])])));
  }

  synStream(id: number): void {
    this.socket.write(control(1, 0, Buffer.concat([u32s(id, 0), Buffer.from([0, 0])])));
  }
}

/** A client socket and the fake server on its other end, over 127.0.0.1. */
async function connect(): Promise<{ client: Socket; server: FakeSpdyServer; done(): void }> {
  const listener = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = createConnection({ host: '127.0.0.1', port: (listener.address() as AddressInfo).port });
  client.on('error', () => undefined);
  await once(client, 'connect');
  const [s] = await accepted;
  listener.close();
  return {
    client,
    server: new FakeSpdyServer(s),
    done: () => {
      client.destroy();
      s.destroy();
    },
  };
}

const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

function collect(stream: SpdyStream): { data: () => string; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d));
  return { data: () => Buffer.concat(chunks).toString(), ended: once(stream, 'end').then(() => undefined) };
}

describe('SpdyClientSession', () => {
  test('streams get odd ids from 1 and their headers arrive with lower-case names', async () => {
    const { client, server, done } = await connect();
    try {
      const session = new SpdyClientSession(client);
      const ids = [session.createStream([['streamType', 'error']]), session.createStream([['streamType', 'stdin']]), session.createStream([['StreamType', 'stdout'], ['Port', '80']])].map((s) => s.id);
      assert.deepEqual(ids, [1, 3, 5]);
      await server.waitFor('syn', (f) => f.id === 5);
      assert.deepEqual(
        server.seen.filter((f) => f.kind === 'syn'),
        [
          { kind: 'syn', id: 1, fin: false, headers: [['streamtype', 'error']] },
          { kind: 'syn', id: 3, fin: false, headers: [['streamtype', 'stdin']] },
          { kind: 'syn', id: 5, fin: false, headers: [['streamtype', 'stdout'], ['port', '80']] },
        ],
      );
    } finally {
      done();
    }
  });

  test('data written before the SYN_REPLY is held and sent after it, then the FIN', async () => {
    const { client, server, done } = await connect();
    try {
      const session = new SpdyClientSession(client);
      const stream = session.createStream([['streamType', 'stdin']]);
      stream.write(Buffer.from('one '));
      stream.write(Buffer.from('two'));
      stream.end();
      await server.waitFor('syn');
      await tick();
      assert.deepEqual(server.seen.filter((f) => f.kind === 'data'), [], 'nothing is sent before the reply');
      server.synReply(1);
      await server.waitFor('data', (f) => f.fin);
      assert.deepEqual(
        server.seen.filter((f) => f.kind === 'data').map((f) => (f.kind === 'data' ? [f.id, f.data.toString(), f.fin] : [])),
        [
          [1, 'one ', false],
          [1, 'two', false],
          [1, '', true],
        ],
      );
    } finally {
      done();
    }
  });

  test('after the reply, writes go out at once and end() sends an empty FIN data frame, once', async () => {
    const { client, server, done } = await connect();
    try {
      const session = new SpdyClientSession(client);
      const stream = session.createStream([['streamType', 'stdin']]);
      server.synReply(1);
      await tick();
      stream.write(Buffer.from('now'));
      assert.equal((await server.waitFor('data')).data.toString(), 'now');
      stream.write(Buffer.alloc(0));
      stream.end();
      stream.end();
      stream.write(Buffer.from('too late'));
      const fin = await server.waitFor('data', (f) => f.fin);
      assert.deepEqual([fin.id, fin.data.length], [1, 0]);
      await tick();
      assert.equal(server.seen.filter((f) => f.kind === 'data').length, 2, 'no empty write, second FIN or write after end');
    } finally {
      done();
    }
  });

  test("the server's data arrives as 'data' events and its FIN as 'end'", async () => {
    const { client, server, done } = await connect();
    try {
      const session = new SpdyClientSession(client);
      session.createStream([['streamType', 'error']]);
      const stdout = session.createStream([['streamType', 'stdout']]);
      const got = collect(stdout);
      server.synReply(3);
      server.data(3, 'hello ');
      server.data(3, 'world', true);
      await got.ended;
      assert.equal(got.data(), 'hello world');
      assert.equal(stdout.ended, true);
      server.data(3, 'after the end');
      await tick();
      assert.equal(got.data(), 'hello world');
    } finally {
      done();
    }
  });

  test("the server's pings (even ids) are echoed and odd ones are not", async () => {
    const { client, server, done } = await connect();
    try {
      new SpdyClientSession(client);
      server.ping(3);
      server.ping(2);
      assert.equal((await server.waitFor('ping')).id, 2);
      await tick();
      assert.deepEqual(server.seen.filter((f) => f.kind === 'ping'), [{ kind: 'ping', id: 2 }]);
    } finally {
      done();
    }
  });

  test('bytes that followed the upgrade response are read as frames first', async () => {
    const { client, server, done } = await connect();
    try {
      const leftover = control(6, 0, u32s(4));
      new SpdyClientSession(client, leftover);
      assert.equal((await server.waitFor('ping')).id, 4);
    } finally {
      done();
    }
  });

  test('RST_STREAM ends the stream', async () => {
    const { client, server, done } = await connect();
    try {
      const session = new SpdyClientSession(client);
      const stream = session.createStream([['streamType', 'stdout']]);
      const other = session.createStream([['streamType', 'stderr']]);
      const got = collect(stream);
      server.rst(1);
      await got.ended;
      assert.equal(stream.ended, true);
      assert.equal(other.ended, false);
    } finally {
      done();
    }
  });

  test('a HEADERS frame with FIN, or a SYN_REPLY with FIN, ends the stream', async () => {
    const { client, server, done } = await connect();
    try {
      const session = new SpdyClientSession(client);
      const a = collect(session.createStream([['streamType', 'stdout']]));
      const b = collect(session.createStream([['streamType', 'stderr']]));
      server.synReply(1);
      server.headers(1, true);
      server.synReply(3, true);
      await Promise.all([a.ended, b.ended]);
    } finally {
      done();
    }
  });

  test('a DATA frame for an unknown stream is answered with RST_STREAM INVALID_STREAM', async () => {
    const { client, server, done } = await connect();
    try {
      new SpdyClientSession(client);
      server.data(9, 'who?');
      assert.deepEqual(await server.waitFor('rst'), { kind: 'rst', id: 9, status: 2 });
    } finally {
      done();
    }
  });

  test('a stream the server opens is refused', async () => {
    const { client, server, done } = await connect();
    try {
      new SpdyClientSession(client);
      server.synStream(2);
      assert.deepEqual(await server.waitFor('rst'), { kind: 'rst', id: 2, status: 3 });
    } finally {
      done();
    }
  });

  test("the socket closing ends every stream and emits 'close'", async () => {
    const { client, server, done } = await connect();
    try {
      const session = new SpdyClientSession(client);
      const closed = once(session, 'close');
      const a = collect(session.createStream([['streamType', 'stdout']]));
      const b = collect(session.createStream([['streamType', 'stderr']]));
      server.synReply(1);
      await server.waitFor('syn', (f) => f.id === 3);
      server.socket.destroy();
      await Promise.all([a.ended, b.ended, closed]);
      const late = session.createStream([['streamType', 'error']]);
      assert.equal(late.id, 5);
      await once(late, 'end');
    } finally {
      done();
    }
  });

  test('close() sends GOAWAY and ends the connection', async () => {
    const { client, server, done } = await connect();
    try {
      const session = new SpdyClientSession(client);
      const stream = collect(session.createStream([['streamType', 'error']]));
      const closed = once(session, 'close');
      const serverEnd = once(server.socket, 'end');
      session.close();
      await Promise.all([closed, stream.ended, serverEnd]);
      assert.deepEqual(server.seen.at(-1), { kind: 'goaway', lastGood: 0 });
    } finally {
      done();
    }
  });

  test("a frame of another SPDY version is a protocol error that tears the connection down", async () => {
    const { client, server, done } = await connect();
    try {
      const session = new SpdyClientSession(client);
      const errors: Error[] = [];
      session.on('protocolError', (e: Error) => errors.push(e));
      const closed = once(session, 'close');
      server.socket.write(Buffer.from([0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 2]));
      await closed;
      assert.match(errors[0]?.message ?? '', /unsupported SPDY version 2/);
      assert.equal(client.destroyed, true);
    } finally {
      done();
    }
  });
});
