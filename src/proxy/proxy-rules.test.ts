import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyRules } from './proxy-rules.js';
import { renderService, type ServiceRenderContext } from './render-service.js';
import { emptyRendered, type RenderedRules } from './rendered-rules.js';
import { diffRendered, isEmptyDiff } from './rules-diff.js';
import { endpoint, port, service, slice } from './test-objects.js';

const ctx: ServiceRenderContext = { clusterCidr: '10.244.0.0/16', nodeIP: '192.0.2.2', nodeName: 'node-a' };
const skeleton = { serviceCidr: '10.96.0.0/16', nodePortIPs: ['192.0.2.2'] };

function svc(name: string, ip: string, eps: string[], extra: Record<string, unknown> = {}): RenderedRules {
  return renderService(
    service(name, { clusterIP: ip, ports: [port('http', 80)], ...extra }),
    [slice(`${name}-a`, name, [{ name: 'http', port: 8080 }], eps.map((e) => endpoint(e)))],
    ctx,
  );
}

const lines = (script: string): string[] => script.split('\n').filter((l) => l !== '');

describe('diffing rendered rules', () => {
  test('the same rules make no change', () => {
    assert.ok(isEmptyDiff(diffRendered(svc('a', '10.96.0.5', ['10.244.0.5']), svc('a', '10.96.0.5', ['10.244.0.5']))));
  });

  test('an endpoint gone rewrites the service chain and leaves the endpoint chain stale, with no element touched', () => {
    const d = diffRendered(svc('a', '10.96.0.5', ['10.244.0.5', '10.244.0.6']), svc('a', '10.96.0.5', ['10.244.0.5']));
    assert.deepEqual(d.deleteElements, []);
    assert.deepEqual(d.addElements, []);
    assert.equal(d.flushChains.length, 2);
    assert.equal(d.staleChains.length, 1);
    assert.match(d.staleChains[0] ?? '', /__10\.244\.0\.6\/8080$/);
    assert.deepEqual([...d.rules.keys()].map((c) => c.split('-')[0]), ['service']);
  });

  test('the last endpoint gone moves the cluster IP from service-ips to no-endpoint-services', () => {
    const d = diffRendered(svc('a', '10.96.0.5', ['10.244.0.5']), svc('a', '10.96.0.5', []));
    assert.deepEqual(d.deleteElements.map((e) => e.container), ['service-ips']);
    assert.deepEqual(d.addElements.map((e) => e.container), ['no-endpoint-services']);
  });

  test('a changed affinity timeout makes the sets again and rewrites every chain that uses them', () => {
    const before = svc('a', '10.96.0.5', ['10.244.0.5'], { sessionAffinity: 'ClientIP' });
    const after = svc('a', '10.96.0.5', ['10.244.0.5'], { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
    const d = diffRendered(before, after);
    assert.equal(d.deleteSets.length, 1);
    assert.deepEqual([...d.addSets.values()], [60]);
    assert.equal(d.rules.size, 2);
  });
});

describe('proxy rules', () => {
  test('a full sync rebuilds the table from nothing and adds every service', () => {
    const rules = new ProxyRules('k8ts-proxy');
    const plan = rules.planFull(new Map([['ns1/a', svc('a', '10.96.0.5', ['10.244.0.5'])]]), skeleton);
    const l = lines(plan.script);
    assert.deepEqual(l.slice(0, 3), [
      'add table ip k8ts-proxy { comment "rules for the k8ts service proxy" ; }',
      'delete table ip k8ts-proxy',
      'add table ip k8ts-proxy { comment "rules for the k8ts service proxy" ; }',
    ]);
    assert.ok(l.includes('add element ip k8ts-proxy nodeport-ips { 192.0.2.2 }'));
    assert.ok(l.includes('add rule ip k8ts-proxy cluster-ips-check ip daddr { 10.96.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"'));
    assert.ok(l.some((x) => x.startsWith('add element ip k8ts-proxy service-ips { 10.96.0.5 . tcp . 80 : goto service-')));
    plan.commit();
    assert.equal(rules.serviceCount, 1);
  });

  test('a partial sync touches only the service that changed', () => {
    const rules = new ProxyRules('k8ts-proxy');
    rules.planFull(new Map([['ns1/a', svc('a', '10.96.0.5', ['10.244.0.5'])], ['ns1/b', svc('b', '10.96.0.6', ['10.244.0.7'])]]), skeleton).commit();
    const plan = rules.planPartial(new Map([['ns1/b', svc('b', '10.96.0.6', ['10.244.0.7', '10.244.0.8'])]]), 1000);
    const l = lines(plan.script);
    assert.ok(l.every((x) => x.includes('ns1/b/')), plan.script);
    assert.deepEqual(l.map((x) => x.split(' ').slice(0, 2).join(' ')), ['flush chain', 'add chain', 'add rule', 'add rule', 'add rule', 'add rule']);
    plan.commit();
    assert.equal(rules.planPartial(new Map([['ns1/b', svc('b', '10.96.0.6', ['10.244.0.7', '10.244.0.8'])]]), 1001).script, '');
  });

  test('a chain no longer wanted is flushed now and deleted once a second has passed', () => {
    const rules = new ProxyRules('k8ts-proxy');
    rules.planFull(new Map([['ns1/a', svc('a', '10.96.0.5', ['10.244.0.5', '10.244.0.6'])]]), skeleton).commit();
    const p1 = rules.planPartial(new Map([['ns1/a', svc('a', '10.96.0.5', ['10.244.0.5'])]]), 10_000);
    assert.ok(lines(p1.script).some((x) => /^flush chain ip k8ts-proxy endpoint-.*__10\.244\.0\.6\/8080$/.test(x)));
    assert.ok(!p1.script.includes('delete chain'));
    p1.commit();
    assert.equal(rules.nextStaleDeadline(), 11_000);
    assert.equal(rules.planPartial(new Map(), 10_500).script, '');
    const p2 = rules.planPartial(new Map(), 11_000);
    assert.match(p2.script, /^delete chain ip k8ts-proxy endpoint-.*__10\.244\.0\.6\/8080\n$/);
    p2.commit();
    assert.equal(rules.nextStaleDeadline(), undefined);
  });

  test('a stale chain wanted again is not deleted', () => {
    const rules = new ProxyRules('k8ts-proxy');
    rules.planFull(new Map([['ns1/a', svc('a', '10.96.0.5', ['10.244.0.5', '10.244.0.6'])]]), skeleton).commit();
    rules.planPartial(new Map([['ns1/a', svc('a', '10.96.0.5', ['10.244.0.5'])]]), 0).commit();
    rules.planPartial(new Map([['ns1/a', svc('a', '10.96.0.5', ['10.244.0.5', '10.244.0.6'])]]), 100).commit();
    assert.deepEqual(rules.staleChainNames(), []);
    assert.ok(!rules.planPartial(new Map(), 5000).script.includes('delete chain'));
  });

  test('a deleted service loses all its elements and chains', () => {
    const rules = new ProxyRules('k8ts-proxy');
    rules.planFull(new Map([['ns1/a', svc('a', '10.96.0.5', ['10.244.0.5'])]]), skeleton).commit();
    const plan = rules.planPartial(new Map([['ns1/a', emptyRendered()]]), 0);
    const l = lines(plan.script);
    assert.deepEqual(l.filter((x) => x.startsWith('delete element')).length, 2);
    assert.deepEqual(l.filter((x) => x.startsWith('flush chain')).length, 2);
    plan.commit();
    assert.equal(rules.serviceCount, 0);
  });

  test('an address and port already held by one service is not taken by a second', () => {
    const lb = (name: string, ip: string): RenderedRules =>
      renderService(
        service(name, { type: 'LoadBalancer', clusterIP: ip, ports: [port('http', 80, { nodePort: name === 'a' ? 30001 : 30002 })] }, { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } }),
        [slice(`${name}-a`, name, [{ name: 'http', port: 8080 }], [endpoint('10.244.0.5')])],
        ctx,
      );
    const rules = new ProxyRules('k8ts-proxy');
    rules.planFull(new Map([['ns1/a', lb('a', '10.96.0.5')]]), skeleton).commit();
    const plan = rules.planPartial(new Map([['ns1/b', lb('b', '10.96.0.6')]]), 0);
    assert.deepEqual(plan.conflicts.map((c) => [c.element, c.owner]), [['service-ips 192.0.2.2 . tcp . 80', 'ns1/a']]);
    assert.ok(!plan.script.includes('192.0.2.2'));
    plan.commit();
    // Deleting the second service does not delete the first one's element.
    const del = rules.planPartial(new Map([['ns1/b', emptyRendered()]]), 1);
    assert.ok(!del.script.includes('192.0.2.2'));
  });
});
