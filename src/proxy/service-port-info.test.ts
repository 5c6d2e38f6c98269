import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { externallyAccessible, servicePortInfos, usesClusterEndpoints, usesLocalEndpoints } from './service-port-info.js';
import { port, service } from './test-objects.js';

describe('service port info', () => {
  test('headless and ExternalName services get no ports', () => {
    assert.deepEqual(servicePortInfos(service('h', { clusterIP: 'None', ports: [port('p', 80)] })), []);
    assert.deepEqual(servicePortInfos(service('e', { type: 'ExternalName', externalName: 'example.org', ports: [port('p', 80)] })), []);
    assert.deepEqual(servicePortInfos(service('u', { ports: [port('p', 80)] })), []);
  });

  test('a ClusterIP service port has its cluster IP, port and protocol and no NodePort', () => {
    const [p] = servicePortInfos(service('s', { clusterIP: '10.96.0.5', ports: [port('dns', 53, { protocol: 'UDP', nodePort: 30053 })] }));
    assert.equal(p?.clusterIP, '10.96.0.5');
    assert.deepEqual(p?.name, { namespace: 'ns1', name: 's', port: 'dns', protocol: 'UDP' });
    assert.equal(p?.nodePort, 0);
    assert.equal(p !== undefined && externallyAccessible(p), false);
  });

  test('a LoadBalancer service takes its VIPs from status.loadBalancer, leaving out Proxy-mode ingress', () => {
    const [p] = servicePortInfos(
      service('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.6', ports: [port('http', 8080, { nodePort: 30080 })], loadBalancerSourceRanges: [' 192.0.2.0/24 '] }, {
        loadBalancer: { ingress: [{ ip: '192.0.2.2', ipMode: 'VIP' }, { ip: '192.0.2.3', ipMode: 'Proxy' }, { hostname: 'lb.example' }, { ip: '192.0.2.4' }] },
      }),
    );
    assert.deepEqual(p?.loadBalancerVIPs, ['192.0.2.2', '192.0.2.4']);
    assert.deepEqual(p?.loadBalancerSourceRanges, ['192.0.2.0/24']);
    assert.equal(p?.nodePort, 30080);
  });

  test('ingress on a service that is not a LoadBalancer is ignored', () => {
    const [p] = servicePortInfos(service('np', { type: 'NodePort', clusterIP: '10.96.0.7', ports: [port('p', 80, { nodePort: 30001 })] }, { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } }));
    assert.deepEqual(p?.loadBalancerVIPs, []);
  });

  test('ClientIP session affinity defaults to 10800 seconds and honours sessionAffinityConfig', () => {
    const [a] = servicePortInfos(service('a', { clusterIP: '10.96.0.8', sessionAffinity: 'ClientIP', ports: [port('p', 80)] }));
    const [b] = servicePortInfos(service('b', { clusterIP: '10.96.0.9', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [port('p', 80)] }));
    const [c] = servicePortInfos(service('c', { clusterIP: '10.96.0.10', sessionAffinity: 'None', ports: [port('p', 80)] }));
    assert.equal(a?.stickyMaxAgeSeconds, 10800);
    assert.equal(b?.stickyMaxAgeSeconds, 60);
    assert.equal(c?.stickyMaxAgeSeconds, undefined);
  });

  test('externalTrafficPolicy Local counts only for services reachable from outside', () => {
    const [np] = servicePortInfos(service('np', { type: 'NodePort', clusterIP: '10.96.0.11', externalTrafficPolicy: 'Local', ports: [port('p', 80, { nodePort: 30002 })] }));
    const [ci] = servicePortInfos(service('ci', { clusterIP: '10.96.0.12', externalTrafficPolicy: 'Local', ports: [port('p', 80)] }));
    assert.equal(np?.externalPolicyLocal, true);
    assert.equal(ci?.externalPolicyLocal, false);
    assert.ok(np !== undefined && usesClusterEndpoints(np) && usesLocalEndpoints(np));
  });

  test('internalTrafficPolicy Local on a ClusterIP service uses only local endpoints', () => {
    const [p] = servicePortInfos(service('l', { clusterIP: '10.96.0.13', internalTrafficPolicy: 'Local', ports: [port('p', 80)] }));
    assert.ok(p !== undefined && !usesClusterEndpoints(p) && usesLocalEndpoints(p));
  });
});
