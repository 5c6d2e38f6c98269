import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, issueCertificate } from '../src/pki/pki.js';
import { ChunkedDecoder, RawConnection, frameRequest, parseResponse } from './raw-http.js';

describe('the lean benchmark HTTP client', () => {
  test('a response with Content-Length is complete only once its whole body has arrived', () => {
    const full = Buffer.from('HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}HTTP/1.1');
    assert.equal(parseResponse(full.subarray(0, 60)), undefined);
    const parsed = parseResponse(full);
    assert.ok(parsed);
    assert.equal(parsed.response.status, 201);
    assert.equal(parsed.response.body.toString(), '{"a":1}');
    assert.equal(full.subarray(parsed.used).toString(), 'HTTP/1.1');
  });

  test('a chunked response is joined from its chunks and ends at the zero-size chunk', () => {
    const full = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\na\r\n0123456789\r\n0\r\n\r\n');
    assert.equal(parseResponse(full.subarray(0, full.length - 1)), undefined);
    const parsed = parseResponse(full);
    assert.ok(parsed);
    assert.equal(parsed.response.status, 200);
    assert.equal(parsed.response.body.toString(), 'abc0123456789');
    assert.equal(parsed.used, full.length);
  });

  test('a streamed chunked body is decoded the same whichever bytes the chunks are split at', () => {
    const wire = Buffer.from('5\r\nhello\r\n1\r\n,\r\nb\r\n wide world\r\n0\r\n\r\n');
    for (let split = 1; split < wire.length; split++) {
      let text = '';
      let ended = false;
      const d = new ChunkedDecoder(
        (p) => (text += p.toString()),
        () => (ended = true),
      );
      d.push(wire.subarray(0, split));
      d.push(wire.subarray(split));
      assert.equal(text, 'hello, wide world', `split at ${split}`);
      assert.equal(ended, true, `split at ${split}`);
    }
  });

  test('requests on one keep-alive TLS connection reach a real HTTPS server in order', async () => {
    const ca = await createCA('raw-http-test-ca');
    const leaf = await issueCertificate(ca, { commonName: 'localhost', ipAddresses: ['127.0.0.1'], server: true });
    const seen: string[] = [];
    const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers.authorization} ${Buffer.concat(chunks).toString()}`);
        if (req.url === '/chunked') {
          res.write('part1,');
          res.end('part2');
          return;
        }
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-length': '2' });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const conn = new RawConnection({ host: '127.0.0.1', port, caPem: ca.certPem });
    try {
      const host = `127.0.0.1:${port}`;
      const a = await conn.request(frameRequest('POST', '/a', host, { Authorization: 'Bearer t' }, Buffer.from('{"x":1}')));
      const b = await conn.request(frameRequest('GET', '/chunked', host, { Authorization: 'Bearer t' }));
      const c = await conn.request(frameRequest('GET', '/c', host, {}));
      assert.deepEqual([a.status, a.body.toString()], [201, 'ok']);
      assert.deepEqual([b.status, b.body.toString()], [200, 'part1,part2']);
      assert.deepEqual([c.status, c.body.toString()], [200, 'ok']);
      assert.deepEqual(seen, ['POST /a Bearer t {"x":1}', 'GET /chunked Bearer t ', 'GET /c undefined ']);
    } finally {
      conn.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
