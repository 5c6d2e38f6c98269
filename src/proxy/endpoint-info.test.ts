import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsForServicePort } from './endpoint-info.js';
import { endpoint, slice } from './test-objects.js';

const http = { namespace: 'ns1', name: 's', port: 'http', protocol: 'TCP' };

describe('endpoints of a service port', () => {
  test('a named target port takes each slice\'s port number for that name', () => {
    const eps = endpointsForServicePort(
      [
        slice('s-1', 's', [{ name: 'http', port: 8080, protocol: 'TCP' }], [endpoint('10.244.0.5')]),
        slice('s-2', 's', [{ name: 'http', port: 9090, protocol: 'TCP' }, { name: 'metrics', port: 9100, protocol: 'TCP' }], [endpoint('10.244.0.6')]),
      ],
      http,
      'node-a',
    );
    assert.deepEqual(eps.map((e) => `${e.ip}:${e.port}`), ['10.244.0.5:8080', '10.244.0.6:9090']);
  });

  test('ports of another name or protocol, IPv6 slices and endpoints without an address are left out', () => {
    const eps = endpointsForServicePort(
      [
        slice('a', 's', [{ name: 'http', port: 80, protocol: 'UDP' }], [endpoint('10.244.0.5')]),
        slice('b', 's', [{ name: 'web', port: 80, protocol: 'TCP' }], [endpoint('10.244.0.6')]),
        slice('c', 's', [{ name: 'http', port: 80, protocol: 'TCP' }], [endpoint('fd00::1')], 'ns1', 'IPv6'),
        slice('d', 's', [{ name: 'http', port: 80, protocol: 'TCP' }], [{ addresses: [] }]),
      ],
      http,
      'node-a',
    );
    assert.deepEqual(eps, []);
  });

  test('unset conditions count as ready and serving, and not terminating', () => {
    const [ep] = endpointsForServicePort([slice('a', 's', [{ name: 'http', port: 80 }], [{ addresses: ['10.244.0.5'] }])], http, 'node-a');
    assert.deepEqual(ep, { ip: '10.244.0.5', port: 80, ready: true, serving: true, terminating: false, isLocal: false });
  });

  test('an endpoint listed twice counts once, as ready if either copy is', () => {
    const eps = endpointsForServicePort(
      [
        slice('a', 's', [{ name: 'http', port: 80 }], [endpoint('10.244.0.5', 'node-a', { ready: false, serving: false, terminating: true })]),
        slice('b', 's', [{ name: 'http', port: 80 }], [endpoint('10.244.0.5', 'node-a')]),
      ],
      http,
      'node-a',
    );
    assert.equal(eps.length, 1);
    assert.equal(eps[0]?.ready, true);
  });

  test('endpoints come out in address order and know whether they run on this node', () => {
    const eps = endpointsForServicePort(
      [slice('a', 's', [{ name: 'http', port: 80 }], [endpoint('10.244.1.10', 'node-b'), endpoint('10.244.0.9', 'node-a'), endpoint('10.244.0.10', 'node-a')])],
      http,
      'node-a',
    );
    assert.deepEqual(eps.map((e) => [e.ip, e.isLocal]), [['10.244.0.9', true], ['10.244.0.10', true], ['10.244.1.10', false]]);
  });
});
