import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { capacityAnnotationSetCorrectly, computeEndpointSubsets, overCapacityAnnotation, truncateEndpoints } from './endpoint-subsets.js';

function mkPod(name: string, ip: string, opts: { ready?: boolean; phase?: string; portName?: string; deleting?: boolean; hostname?: string; subdomain?: string } = {}): Pod {
  const pod: Pod = {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'nginx' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'nginx', ports: [{ name: opts.portName ?? 'http', containerPort: 80, protocol: 'TCP' }] }] },
    status: { phase: opts.phase ?? 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
  if (opts.deleting === true) return { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } };
  if (opts.hostname !== undefined && pod.spec !== undefined) pod.spec.hostname = opts.hostname;
  if (opts.subdomain !== undefined && pod.spec !== undefined) pod.spec.subdomain = opts.subdomain;
  return pod;
}

const svc = (extra: Partial<NonNullable<Service['spec']>> = {}): Service => ({
  metadata: { name: 'nginx', namespace: 'default' },
  spec: { selector: { app: 'nginx' }, clusterIP: '10.0.0.10', ipFamilies: ['IPv4'], ports: [{ port: 8080, targetPort: 'http', protocol: 'TCP' }], ...extra },
});

describe('computeEndpointSubsets', () => {
  test('ready pods are addresses on their resolved container port, with node and pod reference', () => {
    const { subsets, ready, notReady } = computeEndpointSubsets(svc(), [mkPod('b', '10.240.0.2'), mkPod('a', '10.240.0.1')]);
    assert.equal(ready, 2);
    assert.equal(notReady, 0);
    assert.deepEqual(subsets, [
      {
        addresses: [
          { ip: '10.240.0.1', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
          { ip: '10.240.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } },
        ],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ]);
  });

  test('not-ready pods go to notReadyAddresses unless the Service publishes them', () => {
    const pods = [mkPod('a', '10.240.0.1'), mkPod('b', '10.240.0.2', { ready: false })];
    const got = computeEndpointSubsets(svc(), pods);
    assert.deepEqual(got.subsets[0]?.addresses?.map((a) => a.ip), ['10.240.0.1']);
    assert.deepEqual(got.subsets[0]?.notReadyAddresses?.map((a) => a.ip), ['10.240.0.2']);
    const published = computeEndpointSubsets(svc({ publishNotReadyAddresses: true }), pods);
    assert.deepEqual(published.subsets[0]?.addresses?.map((a) => a.ip), ['10.240.0.1', '10.240.0.2']);
    assert.equal(published.subsets[0]?.notReadyAddresses, undefined);
  });

  test('terminal pods, pods without an IP and pods being deleted are left out', () => {
    const noIP: Pod = { ...mkPod('c', ''), status: { phase: 'Running', podIPs: [] } };
    const got = computeEndpointSubsets(svc(), [mkPod('a', '10.240.0.1', { phase: 'Succeeded' }), mkPod('b', '10.240.0.2', { deleting: true }), noIP, mkPod('d', '10.240.0.4')]);
    assert.deepEqual(got.subsets[0]?.addresses?.map((a) => a.ip), ['10.240.0.4']);
  });

  test('a pod whose container port name does not resolve is left out of that port only', () => {
    const service = svc({ ports: [{ name: 'web', port: 8080, targetPort: 'http', protocol: 'TCP' }, { name: 'raw', port: 9000, targetPort: 9000, protocol: 'TCP' }] });
    const got = computeEndpointSubsets(service, [mkPod('a', '10.240.0.1'), mkPod('b', '10.240.0.2', { portName: 'web' })]);
    const web = got.subsets.find((s) => s.ports?.some((p) => p.name === 'web'));
    const raw = got.subsets.find((s) => s.ports?.some((p) => p.name === 'raw'));
    assert.deepEqual(web?.addresses?.map((a) => a.ip), ['10.240.0.1']);
    assert.deepEqual(web?.ports, [{ name: 'web', port: 80, protocol: 'TCP' }]);
    assert.deepEqual(raw?.addresses?.map((a) => a.ip).sort(), ['10.240.0.1', '10.240.0.2']);
  });

  test('a headless Service without ports publishes addresses without ports, with the hostname of pods in its subdomain', () => {
    const got = computeEndpointSubsets(svc({ clusterIP: 'None', ports: [] }), [mkPod('a', '10.240.0.1', { hostname: 'web-0', subdomain: 'nginx' }), mkPod('b', '10.240.0.2', { hostname: 'x', subdomain: 'other' })]);
    assert.deepEqual(got.subsets, [
      {
        addresses: [
          { ip: '10.240.0.1', nodeName: 'node-1', hostname: 'web-0', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
          { ip: '10.240.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } },
        ],
      },
    ]);
  });

  test('a Service with a ClusterIP but no ports publishes nothing', () => {
    assert.deepEqual(computeEndpointSubsets(svc({ ports: [] }), [mkPod('a', '10.240.0.1')]).subsets, []);
  });

  test('an IPv6 Service takes only IPv6 pod addresses', () => {
    assert.deepEqual(computeEndpointSubsets(svc({ ipFamilies: ['IPv6'] }), [mkPod('a', '10.240.0.1')]).subsets, []);
  });
});

describe('truncateEndpoints', () => {
  const many = (n: number, prefix: string): { ip: string }[] => Array.from({ length: n }, (_v, i) => ({ ip: `${prefix}.${Math.floor(i / 250)}.${i % 250}` }));

  test('at most 1000 addresses are kept, not-ready ones cut first', () => {
    const ep: Endpoints = { subsets: [{ addresses: many(900, '10.1'), notReadyAddresses: many(300, '10.2'), ports: [{ port: 80 }] }] };
    assert.equal(truncateEndpoints(ep), true);
    assert.equal(ep.subsets?.[0]?.addresses?.length, 900);
    assert.equal(ep.subsets?.[0]?.notReadyAddresses?.length, 100);
    assert.equal(capacityAnnotationSetCorrectly({ [overCapacityAnnotation]: 'truncated' }, [{ addresses: many(1001, '10.3') }]), false);
    assert.equal(capacityAnnotationSetCorrectly({ [overCapacityAnnotation]: 'truncated' }, [{ addresses: many(1000, '10.3') }]), false);
  });

  test('too many ready addresses are cut proportionally per subset and all not-ready ones dropped', () => {
    const ep: Endpoints = { subsets: [{ addresses: many(1500, '10.1'), notReadyAddresses: many(10, '10.2') }, { addresses: many(500, '10.3') }] };
    assert.equal(truncateEndpoints(ep), true);
    assert.deepEqual(ep.subsets?.map((s) => [s.addresses?.length, s.notReadyAddresses?.length]), [[750, undefined], [250, undefined]]);
  });

  test('below the capacity nothing changes', () => {
    const ep: Endpoints = { subsets: [{ addresses: many(10, '10.1') }] };
    assert.equal(truncateEndpoints(ep), false);
    assert.equal(capacityAnnotationSetCorrectly({}, ep.subsets), true);
    assert.equal(capacityAnnotationSetCorrectly({ [overCapacityAnnotation]: 'truncated' }, ep.subsets), false);
  });
});
