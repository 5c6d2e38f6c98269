import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../machinery/errors.js';
import { kubeletEndpoint, kubeletErrorStatus, kubeletLogPath, parsePodLogOptions, validateContainer, validatePodLogOptions } from './pod-log.js';

const twoContainers: Pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'a' }, { name: 'b' }] } };

const badRequest = (message: string) => (e: unknown): boolean => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && e.message === message;

describe('pods/log', () => {
  test('the only container is chosen when none is named', () => {
    assert.equal(validateContainer(undefined, { metadata: { name: 'p' }, spec: { containers: [{ name: 'main' }] } }), 'main');
  });

  test('a pod with several containers needs one named, as upstream says', () => {
    assert.throws(() => validateContainer(undefined, twoContainers), badRequest('a container name must be specified for pod p, choose one of: [init a b]'));
    assert.throws(() => validateContainer('x', twoContainers), badRequest('container x is not valid for pod p'));
    assert.equal(validateContainer('init', twoContainers), 'init');
  });

  test('invalid options are a PodLogOptions Invalid error', () => {
    const errs = validatePodLogOptions({ tailLines: -1, limitBytes: 0, sinceSeconds: 1, sinceTime: '2020-01-01T00:00:00Z' });
    const e = ApiError.invalid({ group: '', name: 'PodLogOptions' }, 'p', errs);
    assert.equal(
      e.message,
      'PodLogOptions "p" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0, : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified]',
    );
    assert.deepEqual(validatePodLogOptions({ sinceSeconds: 0 }).map((x) => x.field), ['sinceSeconds']);
  });

  test('query values that do not convert are bad requests', () => {
    assert.deepEqual(parsePodLogOptions(new URLSearchParams('container=a&follow=true&tailLines=2&timestamps=1')), { container: 'a', follow: true, tailLines: 2, timestamps: true });
    assert.throws(() => parsePodLogOptions(new URLSearchParams('follow=maybe')), badRequest('strconv.ParseBool: parsing "maybe": invalid syntax'));
    assert.throws(() => parsePodLogOptions(new URLSearchParams('tailLines=ten')), badRequest('strconv.ParseInt: parsing "ten": invalid syntax'));
  });

  test('the kubelet URL carries only the options given, sinceTime in whole seconds', () => {
    assert.equal(kubeletLogPath(twoContainers, 'a', {}), '/containerLogs/ns/p/a');
    assert.equal(
      kubeletLogPath(twoContainers, 'b', { follow: true, previous: true, timestamps: true, tailLines: 3, limitBytes: 9, sinceTime: '2020-01-01T00:00:00.5+01:00' }),
      '/containerLogs/ns/p/b?follow=true&limitBytes=9&previous=true&sinceTime=2019-12-31T23%3A00%3A00Z&tailLines=3&timestamps=true',
    );
  });

  test("the kubelet is the node's InternalIP at its daemon endpoint port", () => {
    const node: Node = {
      status: {
        addresses: [
          { type: 'Hostname', address: 'n1' },
          { type: 'InternalIP', address: '127.0.0.1' },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      },
    };
    assert.deepEqual(kubeletEndpoint(node), { host: '127.0.0.1', port: 10250 });
    assert.deepEqual(kubeletEndpoint({ status: { addresses: [{ type: 'Hostname', address: 'n1' }] } }), { host: 'n1', port: 10250 });
    assert.throws(() => kubeletEndpoint({ status: {} }), /no preferred addresses found; known addresses: \[\]/);
  });

  test("a kubelet's error answers become upstream's Status errors", () => {
    const bad = kubeletErrorStatus(400, 'container "c" in pod "p" is waiting to start: ContainerCreating', 'p');
    assert.equal(bad.code, 400);
    assert.equal(bad.message, 'container "c" in pod "p" is waiting to start: ContainerCreating');
    assert.equal(kubeletErrorStatus(500, 'boom', 'p').message, 'Internal error occurred: boom');
    const forbidden = kubeletErrorStatus(403, 'Forbidden (user=x, verb=get, resource=nodes, subresource(s)=[proxy])\n', 'p');
    assert.equal(forbidden.reason, 'Forbidden');
    assert.equal(kubeletErrorStatus(404, 'pod "p" does not exist', 'p').message, 'the server could not find the requested resource');
    assert.equal(kubeletErrorStatus(401, 'Unauthorized', 'p').message, 'the server has asked for the client to provide credentials');
  });
});
