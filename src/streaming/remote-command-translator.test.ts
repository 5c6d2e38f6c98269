import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ApiError } from '../machinery/errors.js';
import { statusFromErrorStream, statusFromFailedUpgrade, translateRemoteCommand, type RemoteCommandOptions, type StreamStatus } from './remote-command-translator.js';
import { dialUpgrade, UpgradeDialError, type UpgradeResponse } from './upgrade-dial.js';

const success: StreamStatus = { metadata: {}, status: 'Success' };
const internal = (message: string): StreamStatus => ApiError.internal(message).toStatus();

describe('the status of the SPDY error stream', () => {
  test('an empty error stream is success', () => {
    assert.deepEqual(statusFromErrorStream(Buffer.alloc(0)), success);
  });

  test('a Success status is success', () => {
    assert.deepEqual(statusFromErrorStream(Buffer.from('{"metadata":{},"status":"Success"}')), success);
  });

  test('a non-zero exit code reads as client-go prints it, with the code as the ExitCode cause', () => {
    const kubelet = {
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    };
    assert.deepEqual(statusFromErrorStream(Buffer.from(JSON.stringify(kubelet))), {
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: command terminated with exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  test('a non-zero exit code without an ExitCode cause is a protocol error', () => {
    const s = { metadata: {}, status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'Other', message: '3' }] } };
    assert.deepEqual(statusFromErrorStream(Buffer.from(JSON.stringify(s))), internal('error stream protocol error: no ExitCode cause given'));
    assert.deepEqual(statusFromErrorStream(Buffer.from('{"status":"Failure","reason":"NonZeroExitCode"}')), internal('error stream protocol error: no ExitCode cause given'));
  });

  test('an exit code that is not a number from 0 to 255 is a protocol error', () => {
    const withCode = (code: string): Buffer => Buffer.from(JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: code }] } }));
    assert.deepEqual(statusFromErrorStream(withCode('three')), internal('error stream protocol error: invalid exit code value "three"'));
    assert.deepEqual(statusFromErrorStream(withCode('256')), internal('error stream protocol error: invalid exit code value "256"'));
  });

  test('bytes that are not JSON are a protocol error quoting them', () => {
    const s = statusFromErrorStream(Buffer.from('oops'));
    assert.equal(s.reason, 'InternalError');
    assert.equal(s.code, 500);
    assert.match(s.message ?? '', /^Internal error occurred: error stream protocol error: .+ in "oops"$/);
  });

  test('any other failure is an internal error with its message', () => {
    assert.deepEqual(
      statusFromErrorStream(Buffer.from('{"metadata":{},"status":"Failure","message":"container not running (abc)"}')),
      internal('container not running (abc)'),
    );
  });

  test('a status that is neither Success nor Failure is an unknown error', () => {
    assert.deepEqual(statusFromErrorStream(Buffer.from('{"status":"Pending"}')), internal('error stream protocol error: unknown error'));
  });
});

describe('the status of a failed upgrade', () => {
  test('a Status body is passed on as it is', () => {
    const body = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pod does not exist', reason: 'NotFound', code: 404 };
    assert.deepEqual(statusFromFailedUpgrade(404, Buffer.from(JSON.stringify(body))), body);
  });

  test('a text body is the message of an upgrade error', () => {
    assert.deepEqual(statusFromFailedUpgrade(500, Buffer.from('container not found ("c")')), internal('unable to upgrade connection: container not found ("c")'));
  });

  test('JSON that is not a Status is read as text', () => {
    assert.deepEqual(statusFromFailedUpgrade(500, Buffer.from('{"error":"x"}')), internal('unable to upgrade connection: {"error":"x"}'));
  });

  test('an empty body gives the status code', () => {
    assert.deepEqual(statusFromFailedUpgrade(502, Buffer.alloc(0)), internal('unable to upgrade connection: 502'));
  });

  test(
    'the text body is trimmed, as client-go does',
    () => {
      assert.deepEqual(statusFromFailedUpgrade(404, Buffer.from('404 page not found\n')), internal('unable to upgrade connection: 404 page not found'));
    },
  );
});

// A fake kubelet that speaks SPDY/3.1 after the upgrade, written from the draft (independent of the code under test).

interface Frame {
  control: boolean;
  type: number;
  id: number;
  fin: boolean;
  payload: Buffer;
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

class FakeKubelet extends EventEmitter {
  readonly frames: Frame[] = [];
  /** streamType → stream id, from the SYN_STREAMs. */
  readonly streams = new Map<string, number>();
  private buf = Buffer.alloc(0);
  private compressed: Buffer[] = [];
  private inflated = 0;

  constructor(readonly socket: Socket) {
    super();
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 8) {
        const len = this.buf.readUInt32BE(4) & 0xffffff;
        if (this.buf.length < 8 + len) return;
        const first = this.buf.readUInt32BE(0);
        const control = (first & 0x80000000) !== 0;
        const payload = Buffer.from(this.buf.subarray(8, 8 + len));
        const f: Frame = { control, type: control ? first & 0xffff : 0, id: control ? payload.readUInt32BE(0) & 0x7fffffff : first, fin: ((this.buf[4] ?? 0) & 1) !== 0, payload };
        this.buf = this.buf.subarray(8 + len);
        if (control && f.type === 1) {
          this.compressed.push(payload.subarray(10));
          const all = inflateSync(Buffer.concat(this.compressed), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
          const block = all.subarray(this.inflated);
          this.inflated = all.length;
          // One header, streamType: u32 count, u32 len, name, u32 len, value.
          assert.equal(block.readUInt32BE(0), 1);
          const nameLen = block.readUInt32BE(4);
          assert.equal(block.subarray(8, 8 + nameLen).toString(), 'streamtype');
          this.streams.set(block.subarray(12 + nameLen).toString(), f.id);
          this.synReply(f.id);
        }
        this.frames.push(f);
        this.emit('frame', f);
      }
    });
  }

  private synReply(id: number): void {
    const head = Buffer.from([0x80, 0x03, 0x00, 0x02, 0, 0, 0, 0]);
    const payload = Buffer.concat([u32s(id), Buffer.from([0x78, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff])]);
    head.writeUInt32BE(payload.length, 4);
    this.socket.write(Buffer.concat([head, payload]));
  }

  idOf(streamType: string): number {
    const id = this.streams.get(streamType);
    assert.ok(id !== undefined, `a ${streamType} stream was opened`);
    return id;
  }

  data(streamType: string, data: string | Buffer, fin = false): void {
    const payload = Buffer.from(data);
    const head = u32s(this.idOf(streamType), payload.length);
    head[4] = fin ? 1 : 0;
    this.socket.write(Buffer.concat([head, payload]));
  }

  /** What the client sent on a stream, and whether it ended it. */
  received(streamType: string): { data: string; fin: boolean } {
    const id = this.streams.get(streamType);
    const frames = this.frames.filter((f) => !f.control && f.id === id);
    return { data: Buffer.concat(frames.map((f) => f.payload)).toString(), fin: frames.some((f) => f.fin) };
  }

  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the kubelet never saw what was expected')), 2000);
      const on = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.off('frame', on);
        resolve();
      };
      this.on('frame', on);
    });
  }
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function toBuffer(data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

interface Session {
  client: WebSocket;
  /** Messages the client got, channel byte first. */
  messages: Buffer[];
  message(n: number): Promise<Buffer>;
  closed: Promise<number>;
  translated: Promise<void>;
  kubelet: Promise<FakeKubelet>;
  cleanup(): Promise<void>;
}

/** A v5 WebSocket client, the API server's end running translateRemoteCommand, and a fake kubelet behind `dial`. */
async function start(opts: RemoteCommandOptions, dial?: (kubeletPort: number) => Promise<UpgradeResponse>): Promise<Session> {
  const kubeletServer = createServer();
  const kubelet = new Promise<FakeKubelet>((resolve) => kubeletServer.once('connection', (s: Socket) => resolve(new FakeKubelet(s))));
  const kubeletPort = await listen(kubeletServer);
  const defaultDial = async (): Promise<UpgradeResponse> => {
    const socket = createConnection({ host: '127.0.0.1', port: kubeletPort });
    await once(socket, 'connect');
    socket.pause();
    return { statusCode: 101, headers: { 'x-stream-protocol-version': 'v4.channel.k8s.io' }, rawHead: Buffer.from('HTTP/1.1 101 Switching Protocols\r\n\r\n'), leftover: Buffer.alloc(0), socket };
  };
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'v5.channel.k8s.io' });
  await once(wss, 'listening');
  const translated = new Promise<void>((resolve, reject) =>
    wss.once('connection', (ws: WebSocket) => {
      translateRemoteCommand(ws, opts, dial === undefined ? defaultDial : () => dial(kubeletPort)).then(resolve, reject);
    }),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, 'v5.channel.k8s.io');
  const messages: Buffer[] = [];
  const arrived = new EventEmitter();
  client.on('message', (data: RawData) => {
    messages.push(toBuffer(data));
    arrived.emit('message');
  });
  const closed = new Promise<number>((resolve) => client.once('close', (code: number) => resolve(code)));
  await once(client, 'open');
  assert.equal(client.protocol, 'v5.channel.k8s.io');
  const message = async (n: number): Promise<Buffer> => {
    const timer = setTimeout(() => arrived.emit('error', new Error(`message ${n} never came`)), 2000);
    try {
      while (messages.length <= n) await once(arrived, 'message');
    } finally {
      clearTimeout(timer);
    }
    return messages[n] as Buffer;
  };
  return {
    client,
    messages,
    message,
    closed,
    translated,
    kubelet,
    cleanup: async () => {
      client.terminate();
      kubeletServer.close();
      wss.close();
      const k = await Promise.race([kubelet, Promise.resolve(undefined)]);
      k?.socket.destroy();
    },
  };
}

const onChannel = (channel: number, data: string | Buffer = Buffer.alloc(0)): Buffer => Buffer.concat([Buffer.from([channel]), Buffer.from(data)]);

describe('translateRemoteCommand', () => {
  test('a v5 session runs over SPDY to the kubelet and ends with the translated status and a close frame', async () => {
    const s = await start({ stdin: true, stdout: true, stderr: true, tty: false });
    try {
      assert.deepEqual(await s.message(0), onChannel(1), 'the first message is an empty one on channel 1');
      const kubelet = await s.kubelet;
      await kubelet.until(() => kubelet.streams.size === 4);
      assert.deepEqual([...kubelet.streams], [['error', 1], ['stdin', 3], ['stdout', 5], ['stderr', 7]]);

      s.client.send(onChannel(0, 'echo hi\n'));
      await kubelet.until(() => kubelet.received('stdin').data === 'echo hi\n');
      assert.equal(kubelet.received('stdin').fin, false);
      s.client.send(Buffer.from([255, 0]));
      await kubelet.until(() => kubelet.received('stdin').fin);

      kubelet.data('stdout', 'hi\n');
      assert.deepEqual(await s.message(1), onChannel(1, 'hi\n'));
      kubelet.data('stderr', 'warning\n');
      assert.deepEqual(await s.message(2), onChannel(2, 'warning\n'));

      kubelet.data('stdout', '', true);
      kubelet.data('stderr', '', true);
      const exit3 = {
        metadata: {},
        status: 'Failure',
        message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      };
      kubelet.data('error', JSON.stringify(exit3), true);
      const last = await s.message(3);
      assert.equal(last[0], 3);
      assert.deepEqual(JSON.parse(last.subarray(1).toString()), statusFromErrorStream(Buffer.from(JSON.stringify(exit3))));
      assert.equal(JSON.parse(last.subarray(1).toString()).message, 'command terminated with non-zero exit code: command terminated with exit code 3');
      assert.equal(await s.closed, 1000);
      await s.translated;
      await kubelet.until(() => kubelet.frames.some((f) => f.control && f.type === 7));
      assert.equal(s.messages.length, 4);
    } finally {
      await s.cleanup();
    }
  });

  test('a command that succeeds ends with a Success status', async () => {
    const s = await start({ stdin: false, stdout: true, stderr: false, tty: false });
    try {
      await s.message(0);
      const kubelet = await s.kubelet;
      await kubelet.until(() => kubelet.streams.size === 2);
      assert.deepEqual([...kubelet.streams.keys()], ['error', 'stdout']);
      kubelet.data('stdout', 'done', true);
      kubelet.data('error', '', true);
      assert.deepEqual(await s.message(1), onChannel(1, 'done'));
      assert.deepEqual(await s.message(2), onChannel(3, JSON.stringify(success)));
      assert.equal(await s.closed, 1000);
      await s.translated;
    } finally {
      await s.cleanup();
    }
  });

  test('stdin sent before the kubelet has answered is held and delivered', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const s = await start({ stdin: true, stdout: true, stderr: false, tty: false }, async (port) => {
      await gate;
      const socket = createConnection({ host: '127.0.0.1', port });
      await once(socket, 'connect');
      return { statusCode: 101, headers: { 'x-stream-protocol-version': 'v4.channel.k8s.io' }, rawHead: Buffer.alloc(0), leftover: Buffer.alloc(0), socket };
    });
    try {
      await s.message(0);
      s.client.send(onChannel(0, 'early'));
      s.client.send(Buffer.from([255, 0]));
      await new Promise((r) => setTimeout(r, 30));
      release();
      const kubelet = await s.kubelet;
      await kubelet.until(() => kubelet.received('stdin').fin);
      assert.equal(kubelet.received('stdin').data, 'early');
    } finally {
      await s.cleanup();
    }
  });

  test('with a TTY there is no stderr stream and resize messages go to the resize stream', async () => {
    const s = await start({ stdin: true, stdout: true, stderr: true, tty: true });
    try {
      await s.message(0);
      const kubelet = await s.kubelet;
      await kubelet.until(() => kubelet.streams.size === 4);
      assert.deepEqual([...kubelet.streams.keys()], ['error', 'stdin', 'stdout', 'resize']);
      s.client.send(onChannel(4, '{"Width":80,"Height":24}'));
      await kubelet.until(() => kubelet.received('resize').data === '{"Width":80,"Height":24}');
    } finally {
      await s.cleanup();
    }
  });

  test('without stdout the first message is on stderr, and without either on the error channel', async () => {
    const a = await start({ stdin: false, stdout: false, stderr: true, tty: false });
    try {
      assert.deepEqual(await a.message(0), onChannel(2));
    } finally {
      await a.cleanup();
    }
    const b = await start({ stdin: true, stdout: false, stderr: false, tty: false });
    try {
      assert.deepEqual(await b.message(0), onChannel(3));
    } finally {
      await b.cleanup();
    }
  });

  // The close handshake must not wait out ws's 30 s close timeout (the client is read again before it).
  test('a dial that fails ends the session with an internal error on channel 3', { timeout: 5000 }, async () => {
    const s = await start({ stdin: false, stdout: true, stderr: false, tty: false }, async () => {
      throw new UpgradeDialError('dial tcp 10.0.0.9:10250: connect: connection refused');
    });
    try {
      assert.deepEqual(await s.message(0), onChannel(1));
      const m = await s.message(1);
      assert.equal(m[0], 3);
      assert.deepEqual(JSON.parse(m.subarray(1).toString()), internal('dial tcp 10.0.0.9:10250: connect: connection refused'));
      assert.equal(await s.closed, 1000);
      await s.translated;
    } finally {
      await s.cleanup();
    }
  });

  // The close handshake must not wait out ws's 30 s close timeout (the client is read again before it).
  test('a kubelet that does not upgrade gives its text as the upgrade error', { timeout: 5000 }, async () => {
    const refuser = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end('HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 25\r\n\r\ncontainer not found ("c")'));
    });
    const port = await listen(refuser);
    const s = await start({ stdin: false, stdout: true, stderr: false, tty: false }, () =>
      dialUpgrade({ url: new URL(`http://127.0.0.1:${port}/exec/ns/p/c?output=1`), method: 'POST', headers: [['Upgrade', 'SPDY/3.1']] }),
    );
    try {
      await s.message(0);
      const m = await s.message(1);
      assert.equal(m[0], 3);
      assert.deepEqual(JSON.parse(m.subarray(1).toString()), internal('unable to upgrade connection: container not found ("c")'));
      assert.equal(await s.closed, 1000);
      await s.translated;
    } finally {
      await s.cleanup();
      refuser.close();
    }
  });

  // The close handshake must not wait out ws's 30 s close timeout (the client is read again before it).
  test('a kubelet that upgrades to another protocol version is an error', { timeout: 5000 }, async () => {
    const s = await start({ stdin: false, stdout: true, stderr: false, tty: false }, async (port) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      await once(socket, 'connect');
      return { statusCode: 101, headers: { 'x-stream-protocol-version': 'v3.channel.k8s.io' }, rawHead: Buffer.alloc(0), leftover: Buffer.alloc(0), socket };
    });
    try {
      await s.message(0);
      const m = await s.message(1);
      assert.deepEqual(JSON.parse(m.subarray(1).toString()), internal('unable to upgrade streaming request: protocol "v3.channel.k8s.io" is not v4.channel.k8s.io'));
      await s.translated;
    } finally {
      await s.cleanup();
    }
  });

  test('the client going away tears down the connection to the kubelet', async () => {
    const s = await start({ stdin: true, stdout: true, stderr: false, tty: false });
    try {
      await s.message(0);
      const kubelet = await s.kubelet;
      await kubelet.until(() => kubelet.streams.size === 3);
      const kubeletClosed = once(kubelet.socket, 'close');
      s.client.close(1000);
      await s.translated;
      await kubeletClosed;
    } finally {
      await s.cleanup();
    }
  });
});

describe('translateRemoteCommand against misbehaving clients', () => {
  test('a malformed frame from the client ends the session instead of throwing', async () => {
    const s = await start({ stdin: true, stdout: true, stderr: false, tty: false });
    try {
      await s.message(0);
      const kubelet = await s.kubelet;
      await kubelet.until(() => kubelet.streams.size === 3);
      // A frame with the reserved opcode 3: ws's receiver rejects it with an 'error' on the server's socket.
      const raw = (s.client as unknown as { _socket: Socket })._socket;
      raw.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]));
      await s.translated;
      await new Promise<void>((resolve) => (kubelet.socket.destroyed ? resolve() : kubelet.socket.once('close', () => resolve())));
    } finally {
      await s.cleanup();
    }
  });

  test('a client that does not read stops the kubelet being read, so output does not pile up', async () => {
    const s = await start({ stdin: false, stdout: true, stderr: false, tty: false });
    try {
      await s.message(0);
      const kubelet = await s.kubelet;
      await kubelet.until(() => kubelet.streams.size === 2);
      // The client stops reading; the kubelet writes 64 MiB as fast as its socket lets it.
      (s.client as unknown as { _socket: Socket })._socket.pause();
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      let written = 0;
      const deadline = Date.now() + 3000;
      while (written < 64 * 1024 * 1024 && Date.now() < deadline) {
        if (!kubelet.socket.write(Buffer.concat([u32s(kubelet.idOf('stdout'), chunk.length), chunk]))) {
          const drained = await Promise.race([once(kubelet.socket, 'drain').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 300))]);
          if (!drained) break;
        }
        written += chunk.length;
      }
      assert.ok(written < 64 * 1024 * 1024, `the kubelet could write all ${written} bytes: nothing held it back`);
    } finally {
      await s.cleanup();
    }
  });
});
