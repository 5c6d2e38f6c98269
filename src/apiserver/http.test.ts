import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import { ApiError } from '../machinery/errors.js';
import { maxBodyBytes, negotiate, readBody, statusOf, writeChunk } from './http.js';

// Accept headers as the real clients send them.
const kubectlGetTable = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const kubectlProtobufTable = 'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const clientGoProtobuf = 'application/vnd.kubernetes.protobuf,application/json';
const clientGoProtobufAny = 'application/vnd.kubernetes.protobuf, */*';
const clientGoMetadata = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const clientGoMetadataGet = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
const clientNode = 'application/json, */*;q=0.8';
const python = 'application/json';

describe('negotiate', () => {
  test('no Accept header means JSON', () => {
    assert.deepEqual(negotiate(undefined, true), { kind: 'json' });
    assert.deepEqual(negotiate('', true), { kind: 'json' });
  });

  test('kubectl get asks for a meta.k8s.io/v1 Table and gets one where tables are served', () => {
    assert.deepEqual(negotiate(kubectlGetTable, true), { kind: 'json', as: 'Table' });
    assert.deepEqual(negotiate(kubectlProtobufTable, true), { kind: 'json', as: 'Table' });
  });

  test('kubectl get falls back to plain JSON where tables are not served', () => {
    assert.deepEqual(negotiate(kubectlGetTable, false), { kind: 'json' });
  });

  test('a v1beta1 Table request is honoured like v1', () => {
    assert.deepEqual(negotiate('application/json;as=Table;v=v1beta1;g=meta.k8s.io', true), { kind: 'json', as: 'Table' });
  });

  test('a Table of another group or version is skipped for the next acceptable range', () => {
    assert.deepEqual(negotiate('application/json;as=Table;v=v2;g=meta.k8s.io,application/json', true), { kind: 'json' });
    assert.deepEqual(negotiate('application/json;as=Table;v=v1;g=example.com,application/yaml', true), { kind: 'yaml' });
    assert.deepEqual(negotiate('application/json;as=Table;v=v1,application/json', true), { kind: 'json' });
  });

  test('the client-go metadata informer gets PartialObjectMetadataList over JSON', () => {
    assert.deepEqual(negotiate(clientGoMetadata, true), { kind: 'json', as: 'PartialObjectMetadataList' });
    assert.deepEqual(negotiate(clientGoMetadataGet, true), { kind: 'json', as: 'PartialObjectMetadata' });
  });

  test('protobuf-first lists of client-go are answered in JSON', () => {
    assert.deepEqual(negotiate(clientGoProtobuf, true), { kind: 'json' });
    assert.deepEqual(negotiate(clientGoProtobufAny, true), { kind: 'json' });
    assert.deepEqual(negotiate('application/vnd.kubernetes.protobuf', true), { kind: 'json' });
  });

  test('client-node and the python client get JSON', () => {
    assert.deepEqual(negotiate(clientNode, true), { kind: 'json' });
    assert.deepEqual(negotiate(python, true), { kind: 'json' });
  });

  test('*/* and application/* mean JSON', () => {
    assert.deepEqual(negotiate('*/*', true), { kind: 'json' });
    assert.deepEqual(negotiate('application/*', false), { kind: 'json' });
  });

  test('application/yaml is answered in YAML, also as a Table', () => {
    assert.deepEqual(negotiate('application/yaml', true), { kind: 'yaml' });
    assert.deepEqual(negotiate('application/yaml;as=Table;v=v1;g=meta.k8s.io', true), { kind: 'yaml', as: 'Table' });
  });

  test('media type names are case-insensitive and may carry spaces around parameters', () => {
    assert.deepEqual(negotiate('Application/JSON ; as=Table ; v=v1 ; g=meta.k8s.io', true), { kind: 'json', as: 'Table' });
  });

  test('an Accept header with nothing servable is 406 Not Acceptable', () => {
    assert.throws(
      () => negotiate('text/html', true),
      (e: unknown) => e instanceof ApiError && e.code === 406 && e.reason === 'NotAcceptable' && e.message.startsWith('only the following media types are accepted: application/json, application/yaml'),
    );
  });

  test('a Table-only Accept header where tables are not served falls back to JSON', () => {
    assert.deepEqual(negotiate('application/json;as=Table;v=v1;g=meta.k8s.io', false), { kind: 'json' });
  });

  // goautoneg (upstream's negotiation) orders the ranges by q before picking one.
  test('a range with a higher q wins over an earlier one', () => {
    assert.deepEqual(negotiate('application/yaml;q=0.5, application/json', true), { kind: 'json' });
  });
});

function request(chunks: readonly Buffer[], headers: Record<string, string> = {}): IncomingMessage {
  const msg = new IncomingMessage(new Socket());
  msg.headers = headers;
  for (const c of chunks) msg.push(c);
  msg.push(null);
  return msg;
}

describe('readBody', () => {
  test('concatenates the chunks of the body', async () => {
    const body = await readBody(request([Buffer.from('{"a":'), Buffer.from('1}')]));
    assert.equal(body.toString(), '{"a":1}');
  });

  test('an empty body is an empty buffer', async () => {
    assert.equal((await readBody(request([]))).length, 0);
  });

  test('the limit is upstream\'s 3 MiB', () => {
    assert.equal(maxBodyBytes, 3 * 1024 * 1024);
  });

  test('a body over the limit is 413 RequestEntityTooLarge with upstream\'s message', async () => {
    await assert.rejects(readBody(request([Buffer.alloc(6), Buffer.alloc(6)]), 10), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 413);
      assert.equal(e.reason, 'RequestEntityTooLarge');
      assert.equal(e.message, 'Request entity too large: limit is 10');
      return true;
    });
  });

  test('a declared Content-Length over the limit is refused before reading', async () => {
    await assert.rejects(readBody(request([], { 'content-length': String(maxBodyBytes + 1) })), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 413);
      assert.equal(e.message, `Request entity too large: limit is ${maxBodyBytes}`);
      return true;
    });
  });

  test('a body exactly at the limit is accepted', async () => {
    assert.equal((await readBody(request([Buffer.alloc(10)]), 10)).length, 10);
  });
});

describe('statusOf', () => {
  test('an ApiError becomes its Status', () => {
    const s = statusOf(ApiError.notFound({ group: 'apps', name: 'deployments' }, 'web'));
    assert.deepEqual(s, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "web" not found',
      reason: 'NotFound',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 404,
    });
  });

  test('any other error is a 500 InternalError', () => {
    const s = statusOf(new Error('boom'));
    assert.equal(s.code, 500);
    assert.equal(s.reason, 'InternalError');
    assert.equal(s.message, 'Internal error occurred: boom');
  });
});

describe('writeChunk', () => {
  // A real HTTP/1.1 server on loopback: the streamed response writes a chunk while a promise continuation is due.
  async function streamedChunk(flush: boolean): Promise<{ corkedAfterWrite: number; received: string }> {
    let corkedAfterWrite = -1;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      void Promise.resolve().then(() => {
        writeChunk(res, '{"type":"ADDED"}\n', flush);
        corkedAfterWrite = res.socket?.writableCorked ?? -1;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const received = await new Promise<string>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: '/' }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
      return { corkedAfterWrite, received };
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  test('a flushed chunk leaves at once instead of waiting for the next tick', async () => {
    const r = await streamedChunk(true);
    assert.equal(r.corkedAfterWrite, 0);
    assert.equal(r.received, '{"type":"ADDED"}\n');
  });

  test('an unflushed chunk is held back (corked) until the next tick, as Node does', async () => {
    const r = await streamedChunk(false);
    assert.equal(r.corkedAfterWrite, 1);
    assert.equal(r.received, '{"type":"ADDED"}\n');
  });
});
