import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { dialErrorText, dialUpgrade, readResponseBody, splice, UpgradeDialError } from './upgrade-dial.js';

interface Received {
  head: string;
  rest: Buffer;
}

/** A TCP server on 127.0.0.1 that reads each request head and hands it, with the socket, to `answer`. */
async function serve(answer: (socket: Socket, req: Received) => void): Promise<{ port: number; requests: Received[]; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const requests: Received[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (answered || end < 0) return;
      answered = true;
      const req = { head: buf.subarray(0, end + 4).toString('latin1'), rest: buf.subarray(end + 4) };
      requests.push(req);
      answer(socket, req);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  server.close();
  await once(server, 'close');
  return port;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('dialUpgrade', () => {
  test('the request head is written by hand, Host added, and the body follows it', async () => {
    const srv = await serve((socket) => socket.write('HTTP/1.1 101 Switching Protocols\r\n\r\n'));
    try {
      const res = await dialUpgrade({
        url: new URL(`http://127.0.0.1:${srv.port}/exec/ns/p/c?command=ls&output=1`),
        method: 'POST',
        headers: [
          ['Connection', 'Upgrade'],
          ['Upgrade', 'SPDY/3.1'],
          ['X-Bad', 'a\r\nInjected: yes'],
        ],
        body: Buffer.from('early'),
      });
      res.socket.destroy();
      await delay(20);
      const req = srv.requests[0];
      assert.ok(req !== undefined);
      assert.equal(
        req.head,
        `POST /exec/ns/p/c?command=ls&output=1 HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Bad: a  Injected: yes\r\n\r\n`,
      );
      assert.equal(req.rest.toString(), 'early');
    } finally {
      await srv.close();
    }
  });

  test('a Host header given is not doubled', async () => {
    const srv = await serve((socket) => socket.write('HTTP/1.1 101 Switching Protocols\r\n\r\n'));
    try {
      const res = await dialUpgrade({ url: new URL(`http://127.0.0.1:${srv.port}/x`), method: 'GET', headers: [['host', 'kubelet']] });
      res.socket.destroy();
      assert.equal(srv.requests[0]?.head, 'GET /x HTTP/1.1\r\nhost: kubelet\r\n\r\n');
    } finally {
      await srv.close();
    }
  });

  test('a 101 answer gives its head, lower-cased headers, the bytes after the head and the socket', async () => {
    const head =
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nX-Multi: a\r\nx-multi: b\r\n\r\n';
    const srv = await serve((socket) => {
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from([0x80, 0x03, 0x00, 0x06])]));
      socket.once('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
    });
    try {
      const res = await dialUpgrade({ url: new URL(`http://127.0.0.1:${srv.port}/`), method: 'POST', headers: [] });
      assert.equal(res.statusCode, 101);
      assert.equal(res.headers['x-stream-protocol-version'], 'v4.channel.k8s.io');
      assert.equal(res.headers['upgrade'], 'SPDY/3.1');
      assert.equal(res.headers['x-multi'], 'a, b');
      assert.equal(res.rawHead.toString('latin1'), head);
      assert.deepEqual(res.leftover, Buffer.from([0x80, 0x03, 0x00, 0x06]));
      assert.equal(res.socket.isPaused(), true, 'the socket is handed over paused');
      res.socket.write('ping');
      res.socket.resume();
      const [reply] = (await once(res.socket, 'data')) as [Buffer];
      assert.equal(reply.toString(), 'echo:ping');
      res.socket.destroy();
    } finally {
      await srv.close();
    }
  });

  test('a response head split across reads is put back together', async () => {
    const srv = await serve((socket) => {
      socket.write('HTTP/1.1 101 Swit');
      setTimeout(() => socket.write('ching Protocols\r\nA: 1\r'), 10);
      setTimeout(() => socket.write('\n\r\nrest'), 20);
    });
    try {
      const res = await dialUpgrade({ url: new URL(`http://127.0.0.1:${srv.port}/`), method: 'GET', headers: [] });
      assert.equal(res.statusCode, 101);
      assert.equal(res.headers['a'], '1');
      assert.equal(res.leftover.toString(), 'rest');
      res.socket.destroy();
    } finally {
      await srv.close();
    }
  });

  test('a refused connection is an UpgradeDialError in Go dial error text', async () => {
    const port = await freePort();
    await assert.rejects(
      dialUpgrade({ url: new URL(`http://127.0.0.1:${port}/`), method: 'GET', headers: [] }),
      (e: unknown) => e instanceof UpgradeDialError && e.message === `dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
  });

  test('a server that never answers times out', async () => {
    const srv = await serve(() => undefined);
    try {
      await assert.rejects(
        dialUpgrade({ url: new URL(`http://127.0.0.1:${srv.port}/`), method: 'GET', headers: [], timeoutMs: 100 }),
        (e: unknown) => e instanceof UpgradeDialError && e.message === `dial tcp 127.0.0.1:${srv.port}: i/o timeout`,
      );
    } finally {
      await srv.close();
    }
  });

  test('a connection closed before the response head is an EOF', async () => {
    const srv = await serve((socket) => socket.end());
    try {
      await assert.rejects(
        dialUpgrade({ url: new URL(`http://127.0.0.1:${srv.port}/`), method: 'GET', headers: [], timeoutMs: 1000 }),
        (e: unknown) => e instanceof UpgradeDialError && e.message === 'EOF',
      );
    } finally {
      await srv.close();
    }
  });

  test(
    'a failed dial leaves no timer behind',
    async () => {
      const srv = await serve((socket) => socket.end());
      const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      try {
        const before = timers();
        await assert.rejects(dialUpgrade({ url: new URL(`http://127.0.0.1:${srv.port}/`), method: 'GET', headers: [], timeoutMs: 1500 }));
        assert.ok(timers() <= before, `${timers()} timers now, ${before} before the dial`);
      } finally {
        await srv.close();
      }
    },
  );

  test('an answer that is not HTTP is a malformed response', async () => {
    const srv = await serve((socket) => socket.write('SSH-2.0-OpenSSH\r\n\r\n'));
    try {
      await assert.rejects(
        dialUpgrade({ url: new URL(`http://127.0.0.1:${srv.port}/`), method: 'GET', headers: [] }),
        (e: unknown) => e instanceof UpgradeDialError && e.message === 'malformed HTTP response "SSH-2.0-OpenSSH"',
      );
    } finally {
      await srv.close();
    }
  });
});

describe('readResponseBody', () => {
  test('a 500 answer gives its status and its Content-Length body, even when the body comes later', async () => {
    const body = '{"kind":"Status","status":"Failure","message":"container not found"}';
    const srv = await serve((socket) => {
      socket.write(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
      setTimeout(() => socket.write(`${body.slice(10)}trailing garbage`), 20);
    });
    try {
      const res = await dialUpgrade({ url: new URL(`http://127.0.0.1:${srv.port}/`), method: 'POST', headers: [] });
      assert.equal(res.statusCode, 500);
      assert.equal(res.headers['content-length'], String(body.length));
      assert.equal(res.leftover.toString(), body.slice(0, 10));
      assert.equal((await readResponseBody(res)).toString(), body);
      assert.equal(res.socket.destroyed, true, 'the connection is closed once the body is read');
    } finally {
      await srv.close();
    }
  });

  test('a chunked body is decoded', async () => {
    const srv = await serve((socket) => socket.write('HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'));
    try {
      const res = await dialUpgrade({ url: new URL(`http://127.0.0.1:${srv.port}/`), method: 'POST', headers: [] });
      assert.equal(res.statusCode, 400);
      assert.equal((await readResponseBody(res)).toString(), 'hello world');
    } finally {
      await srv.close();
    }
  });

  test('a body without a length is read to the end of the connection and cut at the limit', async () => {
    const srv = await serve((socket) => {
      socket.write('HTTP/1.0 403 Forbidden\r\n\r\n');
      setTimeout(() => socket.end('no access for you'), 10);
    });
    try {
      const res = await dialUpgrade({ url: new URL(`http://127.0.0.1:${srv.port}/`), method: 'POST', headers: [] });
      assert.equal(res.statusCode, 403);
      assert.equal((await readResponseBody(res, 9)).toString(), 'no access');
    } finally {
      await srv.close();
    }
  });
});

describe('dial error text', () => {
  test('known connect errors read as Go writes them, IPv6 hosts bracketed', () => {
    const err = (code: string): Error => Object.assign(new Error(`connect ${code}`), { code });
    assert.equal(dialErrorText('::1', 10250, err('ECONNREFUSED')), 'dial tcp [::1]:10250: connect: connection refused');
    assert.equal(dialErrorText('10.0.0.1', 10250, err('ETIMEDOUT')), 'dial tcp 10.0.0.1:10250: i/o timeout');
    assert.equal(dialErrorText('10.0.0.1', 10250, err('EHOSTUNREACH')), 'dial tcp 10.0.0.1:10250: connect: no route to host');
    assert.equal(dialErrorText('10.0.0.1', 10250, err('EPIPE')), 'connect EPIPE');
  });
});

describe('splice', () => {
  /** A connected pair of loopback sockets. */
  async function pair(): Promise<{ client: Socket; server: Socket }> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const client = createConnection({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    const [s] = await accepted;
    await once(client, 'connect').catch(() => undefined);
    server.close();
    return { client, server: s };
  }

  test('bytes pass both ways and one side closing closes the other, onClose once', async () => {
    const a = await pair();
    const b = await pair();
    let closes = 0;
    // a.server and b.server are spliced: a.client talks to b.client through them.
    splice(a.server, b.server, () => closes++);
    a.client.write('to b');
    const [atB] = (await once(b.client, 'data')) as [Buffer];
    assert.equal(atB.toString(), 'to b');
    b.client.write('to a');
    const [atA] = (await once(a.client, 'data')) as [Buffer];
    assert.equal(atA.toString(), 'to a');
    a.client.end();
    await once(b.client, 'close');
    assert.equal(closes, 1);
    assert.equal(a.server.destroyed && b.server.destroyed, true);
  });
});
