import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { resourceListToJSON } from './resource-list.js';
import { quotaServiceType, serviceEvaluator, serviceUsage } from './service-evaluator.js';

const svc = (spec: Service['spec']): Service => ({ metadata: { name: 's', namespace: 'ns' }, spec });
const ports = [{ port: 80 }, { port: 443, nodePort: 30443 }];

describe('service quota evaluator', () => {
  test('a ClusterIP service counts once and uses no node ports or load balancers', () => {
    assert.deepEqual(resourceListToJSON(serviceUsage(svc({ ports }))), { 'count/services': '1', services: '1', 'services.loadbalancers': '0', 'services.nodeports': '0' });
  });

  test('a NodePort service counts each of its ports', () => {
    assert.equal(resourceListToJSON(serviceUsage(svc({ type: 'NodePort', ports })))['services.nodeports'], '2');
  });

  test('a LoadBalancer counts a load balancer and node ports, only explicit ones when it does not allocate them', () => {
    const lb = resourceListToJSON(serviceUsage(svc({ type: 'LoadBalancer', ports })));
    assert.equal(lb['services.loadbalancers'], '1');
    assert.equal(lb['services.nodeports'], '2');
    assert.equal(resourceListToJSON(serviceUsage(svc({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports })))['services.nodeports'], '1');
  });

  test('creates and updates are charged, and only NodePort and LoadBalancer are quota types', () => {
    assert.equal(serviceEvaluator.handles('UPDATE'), true);
    assert.equal(serviceEvaluator.handles('DELETE'), false);
    assert.equal(quotaServiceType(svc({ type: 'ExternalName' })), '');
    assert.equal(quotaServiceType(svc({ type: 'NodePort' })), 'NodePort');
  });
});
