import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { categorizeEndpoints } from './categorize-endpoints.js';
import type { EndpointInfo } from './endpoint-info.js';
import type { ServicePortInfo } from './service-port-info.js';

const svc = (extra: Partial<ServicePortInfo> = {}): ServicePortInfo => ({
  name: { namespace: 'ns1', name: 's', port: 'p', protocol: 'TCP' },
  clusterIP: '10.96.0.5',
  port: 80,
  nodePort: 0,
  externalIPs: [],
  loadBalancerVIPs: [],
  loadBalancerSourceRanges: [],
  stickyMaxAgeSeconds: undefined,
  externalPolicyLocal: false,
  internalPolicyLocal: false,
  ...extra,
});
const ep = (ip: string, isLocal: boolean, state: 'ready' | 'terminating' | 'gone'): EndpointInfo => ({
  ip,
  port: 80,
  ready: state === 'ready',
  serving: state !== 'gone',
  terminating: state !== 'ready',
  isLocal,
});

describe('categorizing endpoints', () => {
  test('the Cluster policy uses only the ready endpoints', () => {
    const r = categorizeEndpoints([ep('10.0.0.1', true, 'ready'), ep('10.0.0.2', false, 'terminating'), ep('10.0.0.3', false, 'ready')], svc());
    assert.deepEqual(r.clusterEndpoints.map((e) => e.ip), ['10.0.0.1', '10.0.0.3']);
    assert.deepEqual(r.localEndpoints, []);
    assert.equal(r.hasAnyEndpoints, true);
  });

  test('with no ready endpoint anywhere, the serving terminating ones are used', () => {
    const r = categorizeEndpoints([ep('10.0.0.1', true, 'gone'), ep('10.0.0.2', false, 'terminating')], svc());
    assert.deepEqual(r.clusterEndpoints.map((e) => e.ip), ['10.0.0.2']);
    assert.equal(r.hasAnyEndpoints, true);
  });

  test('endpoints that are neither ready nor serving leave the service without endpoints', () => {
    const r = categorizeEndpoints([ep('10.0.0.1', true, 'gone')], svc());
    assert.equal(r.hasAnyEndpoints, false);
    assert.deepEqual(r.allReachableEndpoints, []);
  });

  test('externalTrafficPolicy Local adds this node\'s ready endpoints beside the cluster ones', () => {
    const r = categorizeEndpoints([ep('10.0.0.1', true, 'ready'), ep('10.0.0.2', false, 'ready')], svc({ nodePort: 30001, externalPolicyLocal: true }));
    assert.deepEqual(r.clusterEndpoints.map((e) => e.ip), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(r.localEndpoints.map((e) => e.ip), ['10.0.0.1']);
    assert.deepEqual(r.allReachableEndpoints.map((e) => e.ip), ['10.0.0.1', '10.0.0.2']);
  });

  test('internalTrafficPolicy Local without local endpoints has none to reach, though the service has endpoints', () => {
    const r = categorizeEndpoints([ep('10.0.0.2', false, 'ready')], svc({ internalPolicyLocal: true }));
    assert.deepEqual(r.localEndpoints, []);
    assert.deepEqual(r.allReachableEndpoints, []);
    assert.equal(r.hasAnyEndpoints, true);
  });

  test('the Local policy falls back to this node\'s serving terminating endpoints', () => {
    const r = categorizeEndpoints([ep('10.0.0.1', true, 'terminating'), ep('10.0.0.2', false, 'ready')], svc({ internalPolicyLocal: true }));
    assert.deepEqual(r.localEndpoints.map((e) => e.ip), ['10.0.0.1']);
  });
});
