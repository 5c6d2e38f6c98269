import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kubeDnsService, kubeDnsSlice, kubeDnsSubsets, publishableAddress } from './kube-dns-registration.js';

describe('kube-dns objects', () => {
  test('the Service has the cluster DNS address, no selector, and the dns and dns-tcp ports as k3s has them', () => {
    const s = kubeDnsService('10.254.0.10');
    assert.deepEqual(s.metadata, { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } });
    assert.equal(s.spec?.clusterIP, '10.254.0.10');
    assert.equal(s.spec?.selector, undefined);
    assert.deepEqual(s.spec?.ports, [
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
    ]);
  });

  test('a server\'s slice carries its address and real listen port, owned by the Service', () => {
    const s = kubeDnsSlice({ nodeName: 'node-a', address: '10.0.0.5', port: 5353 }, 'uid-1');
    assert.equal(s.metadata?.name, 'kube-dns-node-a');
    assert.deepEqual(s.metadata?.labels, { 'kubernetes.io/service-name': 'kube-dns', 'endpointslice.kubernetes.io/managed-by': 'cluster-dns.k8ts.io' });
    assert.equal(s.metadata?.ownerReferences?.[0]?.uid, 'uid-1');
    assert.equal(s.addressType, 'IPv4');
    assert.deepEqual(s.endpoints, [{ addresses: ['10.0.0.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-a' }]);
    assert.deepEqual(s.ports, [
      { name: 'dns', port: 5353, protocol: 'UDP' },
      { name: 'dns-tcp', port: 5353, protocol: 'TCP' },
    ]);
    assert.equal(kubeDnsSlice({ nodeName: 'b', address: 'fd00::5', port: 53 }, undefined).addressType, 'IPv6');
  });

  test('the Endpoints subsets group the servers by listen port, addresses sorted', () => {
    const subsets = kubeDnsSubsets([
      kubeDnsSlice({ nodeName: 'b', address: '10.0.0.7', port: 53 }, undefined),
      kubeDnsSlice({ nodeName: 'a', address: '10.0.0.5', port: 53 }, undefined),
      kubeDnsSlice({ nodeName: 'c', address: '10.0.0.9', port: 1053 }, undefined),
    ]);
    assert.deepEqual(subsets, [
      { addresses: [{ ip: '10.0.0.5', nodeName: 'a' }, { ip: '10.0.0.7', nodeName: 'b' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] },
      { addresses: [{ ip: '10.0.0.9', nodeName: 'c' }], ports: [{ name: 'dns', port: 1053, protocol: 'UDP' }, { name: 'dns-tcp', port: 1053, protocol: 'TCP' }] },
    ]);
  });

  test('loopback, unspecified and link-local addresses are not published', () => {
    for (const ip of ['127.0.0.1', '0.0.0.0', '::1', '::', '169.254.1.1', 'fe80::1']) assert.equal(publishableAddress(ip), false, ip);
    assert.equal(publishableAddress('10.0.0.5'), true);
  });
});
