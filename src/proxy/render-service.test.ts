import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderService, type ServiceRenderContext } from './render-service.js';
import type { RenderedRules } from './rendered-rules.js';
import { endpoint, port, service, slice } from './test-objects.js';

const ctx: ServiceRenderContext = { clusterCidr: '10.244.0.0/16', nodeIP: '192.0.2.2', nodeName: 'node-a' };
const svcChain = 'service-ULMVA6XW-ns1/svc1/tcp/p80';
const ep1Chain = 'endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80';

const elements = (r: RenderedRules): string[] => r.elements.map((e) => `${e.container} ${e.key}${e.value !== undefined ? ` : ${e.value}` : ''}`);

describe('rendering a service', () => {
  test('a ClusterIP service sends its IP:port to a chain that picks an endpoint at random and DNATs to it', () => {
    const r = renderService(
      service('svc1', { clusterIP: '172.30.0.41', ports: [port('p80', 80, { targetPort: 80 })] }),
      [slice('svc1-a', 'svc1', [{ name: 'p80', port: 80, protocol: 'TCP' }], [endpoint('10.180.0.1')])],
      ctx,
    );
    assert.deepEqual(elements(r), ['cluster-ips 172.30.0.41', `service-ips 172.30.0.41 . tcp . 80 : goto ${svcChain}`]);
    assert.deepEqual(r.chains.get(svcChain), [
      'ip daddr 172.30.0.41 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade',
      `numgen random mod 1 vmap { 0 : goto ${ep1Chain} }`,
    ]);
    assert.deepEqual(r.chains.get(ep1Chain), ['ip saddr 10.180.0.1 jump mark-for-masquerade', 'meta l4proto tcp dnat to 10.180.0.1:80']);
    assert.equal(r.chains.size, 2);
  });

  test('random balancing spreads over every ready endpoint, and not-ready ones get no chain', () => {
    const r = renderService(
      service('svc1', { clusterIP: '172.30.0.41', ports: [port('p80', 80)] }),
      [slice('a', 'svc1', [{ name: 'p80', port: 80 }], [endpoint('10.180.0.1'), endpoint('10.180.0.2'), endpoint('10.180.0.3', 'node-a', { ready: false, serving: false })])],
      ctx,
    );
    const rule = r.chains.get(svcChain)?.[1] ?? '';
    assert.match(rule, /^numgen random mod 2 vmap \{ 0 : goto endpoint-\S+__10\.180\.0\.1\/80, 1 : goto endpoint-\S+__10\.180\.0\.2\/80 \}$/);
    assert.ok(![...r.chains.keys()].some((c) => c.includes('10.180.0.3')));
  });

  test('a service without endpoints rejects through the no-endpoint maps and has no chains', () => {
    const r = renderService(service('svc1', { type: 'NodePort', clusterIP: '172.30.0.41', ports: [port('p80', 80, { nodePort: 30080 })] }), [], ctx);
    assert.deepEqual(elements(r), [
      'cluster-ips 172.30.0.41',
      'no-endpoint-services 172.30.0.41 . tcp . 80 : goto reject-chain',
      'no-endpoint-nodeports tcp . 30080 : goto reject-chain',
    ]);
    assert.equal(r.elements[1]?.comment, 'ns1/svc1:p80');
    assert.equal(r.chains.size, 0);
  });

  test('headless and ExternalName services render nothing', () => {
    const s = [slice('a', 'h', [{ name: 'p80', port: 80 }], [endpoint('10.180.0.1')])];
    assert.equal(renderService(service('h', { clusterIP: 'None', ports: [port('p80', 80)] }), s, ctx).elements.length, 0);
    assert.equal(renderService(service('h', { type: 'ExternalName', externalName: 'a.example' }), s, ctx).elements.length, 0);
    assert.equal(renderService(undefined, s, ctx).elements.length, 0);
  });

  test('a NodePort or LoadBalancer with policy Cluster goes through an external chain that masquerades', () => {
    const r = renderService(
      service('svc1', { type: 'LoadBalancer', clusterIP: '172.30.0.41', ports: [port('p80', 80, { nodePort: 30080 })] }, { loadBalancer: { ingress: [{ ip: '192.0.2.2', ipMode: 'VIP' }] } }),
      [slice('a', 'svc1', [{ name: 'p80', port: 80 }], [endpoint('10.180.0.1', 'node-b')])],
      ctx,
    );
    const ext = 'external-ULMVA6XW-ns1/svc1/tcp/p80';
    assert.deepEqual(elements(r), [
      'cluster-ips 172.30.0.41',
      `service-ips 172.30.0.41 . tcp . 80 : goto ${svcChain}`,
      `service-ips 192.0.2.2 . tcp . 80 : goto ${ext}`,
      `service-nodeports tcp . 30080 : goto ${ext}`,
    ]);
    assert.deepEqual(r.chains.get(ext), ['jump mark-for-masquerade', `goto ${svcChain}`]);
  });

  test('externalTrafficPolicy Local keeps the client address and uses only local endpoints from outside', () => {
    const r = renderService(
      service('svc1', { type: 'NodePort', clusterIP: '172.30.0.41', externalTrafficPolicy: 'Local', ports: [port('p80', 80, { nodePort: 30080 })] }),
      [slice('a', 'svc1', [{ name: 'p80', port: 80 }], [endpoint('10.180.0.1', 'node-a'), endpoint('10.180.0.2', 'node-b')])],
      ctx,
    );
    const ext = 'external-ULMVA6XW-ns1/svc1/tcp/p80';
    const local = 'local-ULMVA6XW-ns1/svc1/tcp/p80';
    assert.deepEqual(r.chains.get(ext), [
      `ip saddr 10.244.0.0/16 goto ${svcChain} comment "short-circuit pod traffic"`,
      'fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"',
      `fib saddr type local goto ${svcChain} comment "short-circuit local traffic"`,
      `goto ${local}`,
    ]);
    assert.match(r.chains.get(local)?.[0] ?? '', /^numgen random mod 1 vmap \{ 0 : goto endpoint-\S+__10\.180\.0\.1\/80 \}$/);
    assert.match(r.chains.get(svcChain)?.[1] ?? '', /mod 2/);
  });

  test('externalTrafficPolicy Local with no local endpoint drops external traffic but serves the cluster IP', () => {
    const r = renderService(
      service('svc1', { type: 'NodePort', clusterIP: '172.30.0.41', externalTrafficPolicy: 'Local', ports: [port('p80', 80, { nodePort: 30080 })] }),
      [slice('a', 'svc1', [{ name: 'p80', port: 80 }], [endpoint('10.180.0.2', 'node-b')])],
      ctx,
    );
    assert.ok(elements(r).includes('no-endpoint-nodeports tcp . 30080 : drop'));
    assert.ok(elements(r).includes(`service-ips 172.30.0.41 . tcp . 80 : goto ${svcChain}`));
    assert.ok(elements(r).some((e) => e.startsWith('service-nodeports tcp . 30080 : goto external-')));
  });

  test('internalTrafficPolicy Local with no local endpoint drops traffic to the cluster IP', () => {
    const r = renderService(
      service('svc1', { clusterIP: '172.30.0.41', internalTrafficPolicy: 'Local', ports: [port('p80', 80)] }),
      [slice('a', 'svc1', [{ name: 'p80', port: 80 }], [endpoint('10.180.0.2', 'node-b')])],
      ctx,
    );
    assert.deepEqual(elements(r), ['cluster-ips 172.30.0.41', 'no-endpoint-services 172.30.0.41 . tcp . 80 : drop']);
  });

  test('ClientIP affinity adds a timed set per endpoint, checked before the random pick and updated on the way', () => {
    const r = renderService(
      service('svc1', { clusterIP: '172.30.0.41', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 300 } }, ports: [port('p80', 80)] }),
      [slice('a', 'svc1', [{ name: 'p80', port: 80 }], [endpoint('10.180.0.1')])],
      ctx,
    );
    const set = 'affinity-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80';
    assert.deepEqual([...r.sets], [[set, 300]]);
    assert.equal(r.chains.get(svcChain)?.[1], `ip saddr @${set} goto ${ep1Chain}`);
    assert.deepEqual(r.chains.get(ep1Chain), ['ip saddr 10.180.0.1 jump mark-for-masquerade', `update @${set} { ip saddr }`, 'meta l4proto tcp dnat to 10.180.0.1:80']);
  });

  test('loadBalancerSourceRanges put the VIPs behind a firewall chain that admits the node when a range holds it', () => {
    const r = renderService(
      service('svc1', { type: 'LoadBalancer', clusterIP: '172.30.0.41', loadBalancerSourceRanges: ['192.0.2.0/24'], ports: [port('p80', 80, { nodePort: 30080 })] }, { loadBalancer: { ingress: [{ ip: '192.0.2.50' }] } }),
      [slice('a', 'svc1', [{ name: 'p80', port: 80 }], [endpoint('10.180.0.1')])],
      ctx,
    );
    assert.ok(elements(r).includes('firewall-ips 192.0.2.50 . tcp . 80 : goto firewall-ULMVA6XW-ns1/svc1/tcp/p80'));
    assert.deepEqual(r.chains.get('firewall-ULMVA6XW-ns1/svc1/tcp/p80'), ['ip saddr != { 192.0.2.0/24, 192.0.2.50 } drop']);
  });

  test('two ports of one service share one cluster-ips element', () => {
    const r = renderService(service('svc1', { clusterIP: '172.30.0.41', ports: [port('p80', 80), port('p443', 443)] }), [], ctx);
    assert.equal(r.elements.filter((e) => e.container === 'cluster-ips').length, 1);
  });
});
