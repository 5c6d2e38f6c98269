import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../machinery/errors.js';
import { kubeletStreamPath, offeredProtocols, parsePodStreamOptions, streamContainer, type PodStreamOptions } from './pod-stream.js';

const badRequest = (message: string) => (e: unknown): boolean => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && e.message === message;

const pod: Pod = {
  metadata: { name: 'P', namespace: 'ns' },
  spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'a' }, { name: 'b' }], ephemeralContainers: [{ name: 'debug' }] },
};

const noStreams: PodStreamOptions = { command: [], stdin: false, stdout: false, stderr: false, tty: false, ports: [] };

function requestWithHeaders(headers: NodeJS.Dict<string | string[]>): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = headers as IncomingHttpHeaders;
  return req;
}

describe('pods/exec, attach and portforward options', () => {
  test('exec options come from the query, the command repeated in order', () => {
    assert.deepEqual(parsePodStreamOptions('exec', new URLSearchParams('container=c&command=sh&command=-c&command=echo+hi&stdin=true&stdout=1&stderr=T&tty=false')), {
      container: 'c',
      command: ['sh', '-c', 'echo hi'],
      stdin: true,
      stdout: true,
      stderr: true,
      tty: false,
      ports: [],
    });
  });

  test('absent or empty booleans are false and an empty container is no container', () => {
    assert.deepEqual(parsePodStreamOptions('attach', new URLSearchParams('container=&stdin=&command=ls')), { ...noStreams });
  });

  test('a boolean that does not parse is a bad request', () => {
    assert.throws(() => parsePodStreamOptions('exec', new URLSearchParams('stdin=yes')), badRequest('strconv.ParseBool: parsing "yes": invalid syntax'));
  });

  test('port-forward ports may be repeated or comma-separated', () => {
    assert.deepEqual(parsePodStreamOptions('portforward', new URLSearchParams('ports=80,443&ports=8080')).ports, [80, 443, 8080]);
    assert.deepEqual(parsePodStreamOptions('exec', new URLSearchParams('ports=80')).ports, []);
  });

  test('ports that are not numbers or out of range are bad requests', () => {
    assert.throws(() => parsePodStreamOptions('portforward', new URLSearchParams('ports=http')), badRequest('strconv.ParseInt: parsing "http": invalid syntax'));
    assert.throws(() => parsePodStreamOptions('portforward', new URLSearchParams('ports=0')), badRequest('strconv.ParseInt: parsing "0": value out of range'));
    assert.throws(() => parsePodStreamOptions('portforward', new URLSearchParams('ports=65536')), badRequest('strconv.ParseInt: parsing "65536": value out of range'));
  });
});

describe('the container of a streaming request', () => {
  test('the only container is chosen when none is named', () => {
    assert.equal(streamContainer(undefined, { metadata: { name: 'P' }, spec: { containers: [{ name: 'main' }] } }), 'main');
    assert.equal(streamContainer('', { metadata: { name: 'P' }, spec: { containers: [{ name: 'main' }] } }), 'main');
  });

  test('a pod with several containers needs one named, the init containers listed apart', () => {
    assert.throws(() => streamContainer(undefined, pod), badRequest('a container name must be specified for pod P, choose one of: [a b] or one of the init containers: [i]'));
    assert.throws(
      () => streamContainer(undefined, { metadata: { name: 'P' }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } }),
      badRequest('a container name must be specified for pod P, choose one of: [a b]'),
    );
  });

  test('a pod without containers cannot be chosen from', () => {
    assert.throws(() => streamContainer(undefined, { metadata: { name: 'P' }, spec: { containers: [] } }), badRequest('a container name must be specified for pod P'));
  });

  test('a named container must be one of the pod, init and ephemeral ones included', () => {
    assert.equal(streamContainer('b', pod), 'b');
    assert.equal(streamContainer('i', pod), 'i');
    assert.equal(streamContainer('debug', pod), 'debug');
    assert.throws(() => streamContainer('nope', pod), badRequest('container nope is not valid for pod P'));
  });
});

describe('the kubelet streaming path', () => {
  test('exec asks for each stream with "1" and repeats the command', () => {
    const o: PodStreamOptions = { ...noStreams, command: ['sh', '-c', 'echo hi'], stdout: true, stderr: true };
    assert.equal(kubeletStreamPath('exec', pod, 'c', o), '/exec/ns/P/c?output=1&error=1&command=sh&command=-c&command=echo+hi');
  });

  test('attach with stdin and a TTY names the container and carries no command', () => {
    const o: PodStreamOptions = { ...noStreams, stdin: true, stdout: true, tty: true };
    assert.equal(kubeletStreamPath('attach', pod, 'a', o), '/attach/ns/P/a?input=1&output=1&tty=1');
  });

  test('port-forward joins the ports into one escaped parameter and has no container', () => {
    assert.equal(kubeletStreamPath('portforward', { metadata: { name: 'p', namespace: 'ns' } }, '', { ...noStreams, ports: [80, 443] }), '/portForward/ns/p?port=80%2C443');
    assert.equal(kubeletStreamPath('portforward', { metadata: { name: 'p', namespace: 'ns' } }, '', noStreams), '/portForward/ns/p');
  });

  test('path segments are escaped', () => {
    assert.equal(kubeletStreamPath('exec', pod, 'a/b c', { ...noStreams, stdout: true }), '/exec/ns/P/a%2Fb%20c?output=1');
  });
});

describe('offered WebSocket subprotocols', () => {
  test('the header is split on commas and trimmed, in order', () => {
    assert.deepEqual(offeredProtocols(requestWithHeaders({ 'sec-websocket-protocol': 'v5.channel.k8s.io, v4.channel.k8s.io ,channel.k8s.io' })), [
      'v5.channel.k8s.io',
      'v4.channel.k8s.io',
      'channel.k8s.io',
    ]);
  });

  test('empty entries are dropped', () => {
    assert.deepEqual(offeredProtocols(requestWithHeaders({ 'sec-websocket-protocol': ',SPDY/3.1+portforward.k8s.io,, portforward.k8s.io,' })), [
      'SPDY/3.1+portforward.k8s.io',
      'portforward.k8s.io',
    ]);
  });

  test('repeated headers are read as one list', () => {
    assert.deepEqual(offeredProtocols(requestWithHeaders({ 'sec-websocket-protocol': ['SPDY/3.1+portforward.k8s.io,', 'portforward.k8s.io'] })), [
      'SPDY/3.1+portforward.k8s.io',
      'portforward.k8s.io',
    ]);
  });

  test('a request without the header offers none', () => {
    assert.deepEqual(offeredProtocols(requestWithHeaders({})), []);
  });
});
