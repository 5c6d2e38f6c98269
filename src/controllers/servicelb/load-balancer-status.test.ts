import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { desiredIngress, ingressEqual, ingressToString } from './load-balancer-status.js';

function node(name: string, internal: string, opts: { ready?: boolean; external?: string; labels?: Record<string, string> } = {}): Node {
  return {
    metadata: { name, ...(opts.labels !== undefined ? { labels: opts.labels } : {}) },
    status: {
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
      addresses: [{ type: 'InternalIP', address: internal }, { type: 'Hostname', address: name }, ...(opts.external !== undefined ? [{ type: 'ExternalIP', address: opts.external }] : [])],
    },
  };
}

function lb(name: string, ports: number[], extra: Partial<NonNullable<Service['spec']>> = {}, created = '2024-01-01T00:00:00Z'): Service {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: created },
    spec: { type: 'LoadBalancer', clusterIP: '10.254.0.9', ports: ports.map((p) => ({ port: p, protocol: 'TCP' })), ...extra },
  };
}

const nodes = [node('b', '192.0.2.12'), node('a', '192.0.2.11'), node('c', '192.0.2.13', { ready: false })];

describe('the load balancer status of ServiceLB', () => {
  test('a LoadBalancer service gets the InternalIPs of the Ready nodes, sorted, as VIPs', () => {
    const svc = lb('web', [8080]);
    assert.deepEqual(desiredIngress(svc, nodes, [], [svc]), [{ ip: '192.0.2.11', ipMode: 'VIP' }, { ip: '192.0.2.12', ipMode: 'VIP' }]);
  });

  test('ExternalIPs are used instead when any node has one', () => {
    const svc = lb('web', [8080]);
    assert.deepEqual(desiredIngress(svc, [node('a', '192.0.2.11', { external: '198.51.100.1' }), node('b', '192.0.2.12')], [], [svc]), [{ ip: '198.51.100.1', ipMode: 'VIP' }]);
  });

  test('once a node is labelled enablelb, only nodes with enablelb=true serve', () => {
    const svc = lb('web', [8080]);
    const labelled = [node('a', '192.0.2.11', { labels: { 'svccontroller.k3s.cattle.io/enablelb': 'true' } }), node('b', '192.0.2.12', { labels: { 'svccontroller.k3s.cattle.io/enablelb': 'false' } }), node('c', '192.0.2.13')];
    assert.deepEqual(desiredIngress(svc, labelled, [], [svc]), [{ ip: '192.0.2.11', ipMode: 'VIP' }]);
  });

  test('externalTrafficPolicy Local lists only nodes with a ready pod endpoint', () => {
    const svc = lb('web', [8080], { externalTrafficPolicy: 'Local' });
    const slices: EndpointSlice[] = [
      {
        addressType: 'IPv4',
        endpoints: [
          { addresses: ['10.244.1.5'], nodeName: 'b', conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'p1' } },
          { addresses: ['10.244.0.5'], nodeName: 'a', conditions: { ready: false }, targetRef: { kind: 'Pod', name: 'p2' } },
        ],
      },
    ];
    assert.deepEqual(desiredIngress(svc, nodes, slices, [svc]), [{ ip: '192.0.2.12', ipMode: 'VIP' }]);
  });

  test('a port an older LoadBalancer service holds leaves the newer one without an address', () => {
    const older = lb('first', [8080], {}, '2024-01-01T00:00:00Z');
    const newer = lb('second', [80, 8080], {}, '2024-01-02T00:00:00Z');
    assert.deepEqual(desiredIngress(newer, nodes, [], [older, newer]), []);
    assert.equal(desiredIngress(older, nodes, [], [older, newer])?.length, 2);
    // The same port over UDP is another hostPort.
    const udp = lb('dns', [8080], { ports: [{ port: 8080, protocol: 'UDP' }] }, '2024-01-03T00:00:00Z');
    assert.equal(desiredIngress(udp, nodes, [], [older, udp])?.length, 2);
  });

  test('services of another loadBalancerClass are left alone', () => {
    const svc = lb('web', [8080], { loadBalancerClass: 'example.com/lb' });
    assert.equal(desiredIngress(svc, nodes, [], [svc]), undefined);
  });

  test('a service that is no longer a LoadBalancer loses its addresses, and other services are left alone', () => {
    const was: Service = { metadata: { name: 'x', namespace: 'default' }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.11' }] } } };
    assert.deepEqual(desiredIngress(was, nodes, [], [was]), []);
    const plain: Service = { metadata: { name: 'y', namespace: 'default' }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } };
    assert.equal(desiredIngress(plain, nodes, [], [plain]), undefined);
  });

  test('ingress compares field by field and prints as k3s prints it in events', () => {
    assert.ok(ingressEqual([{ ip: '192.0.2.11', ipMode: 'VIP' }], [{ ip: '192.0.2.11', ipMode: 'VIP' }]));
    assert.ok(!ingressEqual([{ ip: '192.0.2.11' }], [{ ip: '192.0.2.11', ipMode: 'VIP' }]));
    assert.equal(ingressToString([{ ip: '192.0.2.11' }, { hostname: 'lb.example' }]), '[192.0.2.11 lb.example]');
    assert.equal(ingressToString([]), '[]');
  });
});
