import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { staleUdpDeletions, udpServicePorts } from './udp-conntrack.js';

const svc: Service = {
  metadata: { namespace: 'kube-system', name: 'kube-dns' },
  spec: { clusterIP: '10.254.0.10', clusterIPs: ['10.254.0.10'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] },
};
const slice = (addrs: string[], ready = true): EndpointSlice => ({
  addressType: 'IPv4',
  metadata: { name: 's', namespace: 'kube-system' },
  ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }],
  endpoints: addrs.map((a) => ({ addresses: [a], conditions: { ready } })),
});

describe('stale UDP conntrack entries', () => {
  test('only UDP ports count, with their ready endpoints and every frontend address', () => {
    const withLb: Service = { ...svc, spec: { ...svc.spec, externalIPs: ['192.0.2.9'] }, status: { loadBalancer: { ingress: [{ ip: '172.30.0.2' }] } } };
    assert.deepEqual(
      [...udpServicePorts(withLb, [slice(['10.240.0.5']), slice(['10.240.0.6'], false)])],
      [['dns', { frontends: [{ ip: '10.254.0.10', port: 53 }, { ip: '192.0.2.9', port: 53 }, { ip: '172.30.0.2', port: 53 }], endpoints: ['10.240.0.5'] }]],
    );
    assert.equal(udpServicePorts(undefined, []).size, 0);
  });

  test('a removed endpoint has its NATed flows deleted, for the service address and the node port', () => {
    const np: Service = { ...svc, spec: { ...svc.spec, ports: [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }] } };
    const before = udpServicePorts(np, [slice(['10.240.0.5', '10.240.1.7'])]);
    const after = udpServicePorts(np, [slice(['10.240.1.7'])]);
    assert.deepEqual(staleUdpDeletions(before, after), [
      ['-p', 'udp', '--orig-dst', '10.254.0.10', '--orig-port-dst', '53', '--dst-nat', '10.240.0.5'],
      ['-p', 'udp', '--orig-port-dst', '30053', '--dst-nat', '10.240.0.5'],
    ]);
    assert.deepEqual(staleUdpDeletions(after, after), []);
  });

  test('a port that gets its first endpoint has the flows that were rejected deleted', () => {
    const before = udpServicePorts(svc, []);
    const after = udpServicePorts(svc, [slice(['10.240.0.5'])]);
    assert.deepEqual(staleUdpDeletions(before, after), [['-p', 'udp', '--orig-dst', '10.254.0.10', '--orig-port-dst', '53']]);
    assert.deepEqual(staleUdpDeletions(new Map(), after), [['-p', 'udp', '--orig-dst', '10.254.0.10', '--orig-port-dst', '53']]);
  });

  test('a deleted service has every NATed flow of its endpoints deleted', () => {
    assert.deepEqual(staleUdpDeletions(udpServicePorts(svc, [slice(['10.240.0.5'])]), new Map()), [['-p', 'udp', '--orig-dst', '10.254.0.10', '--orig-port-dst', '53', '--dst-nat', '10.240.0.5']]);
  });
});
