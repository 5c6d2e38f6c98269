import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredObject } from '../../api/object.js';
import { fieldErrorMessage } from '../../machinery/field-errors.js';
import { ipToString, nodePortRange, nthAddress, parseCidr, ServiceAllocator } from './service-allocator.js';

type Spec = Record<string, unknown>;

function svc(name: string, spec: Spec, namespace = 'default'): StoredObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ port: 80, protocol: 'TCP' }], ...spec } };
}

const specOf = (s: StoredObject): Spec => s['spec'] as Spec;
const portsOf = (s: StoredObject): Spec[] => specOf(s)['ports'] as Spec[];

function ipNumber(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function allocator(cidr = '10.254.0.0/16', existing: StoredObject[] = []): ServiceAllocator {
  return new ServiceAllocator(parseCidr(cidr), async () => existing);
}

describe('parseCidr and addresses', () => {
  test('the base is masked to the prefix', () => {
    assert.deepEqual(parseCidr('10.254.3.7/16'), { base: ipNumber('10.254.0.0'), bits: 16 });
    assert.equal(ipToString(parseCidr('192.168.10.0/24').base), '192.168.10.0');
  });

  test('the first address is the kubernetes service and the tenth cluster DNS', () => {
    const c = parseCidr('10.254.0.0/16');
    assert.equal(nthAddress(c, 1), '10.254.0.1');
    assert.equal(nthAddress(c, 10), '10.254.0.10');
  });

  test('malformed CIDRs are refused', () => {
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '300.0.0.0/8', 'fd00::/64', '10.0.0.0/31']) assert.throws(() => parseCidr(bad), /invalid CIDR/, bad);
  });
});

describe('cluster IP allocation', () => {
  test('allocated IPs lie inside the CIDR, excluding network and broadcast, and never repeat over 500 services', async () => {
    const a = allocator('10.96.0.0/22');
    const seen = new Set<string>();
    const base = ipNumber('10.96.0.0');
    for (let i = 0; i < 500; i++) {
      const s = svc(`s${i}`, {});
      assert.deepEqual(await a.allocate(s, undefined, false), []);
      const ip = specOf(s)['clusterIP'] as string;
      const n = ipNumber(ip);
      assert.ok(n > base && n < base + 1023, `${ip} is a usable address of 10.96.0.0/22`);
      assert.ok(!seen.has(ip), `${ip} allocated twice`);
      seen.add(ip);
      assert.deepEqual(specOf(s)['clusterIPs'], [ip]);
    }
  });

  test('a service gets IPv4 single-stack family fields', async () => {
    const s = svc('fam', {});
    await allocator().allocate(s, undefined, false);
    assert.deepEqual(specOf(s)['ipFamilies'], ['IPv4']);
    assert.equal(specOf(s)['ipFamilyPolicy'], 'SingleStack');
  });

  test('a requested free IP inside the range is given', async () => {
    const s = svc('fixed', { clusterIP: '10.254.0.10' });
    assert.deepEqual(await allocator().allocate(s, undefined, false), []);
    assert.equal(specOf(s)['clusterIP'], '10.254.0.10');
    assert.deepEqual(specOf(s)['clusterIPs'], ['10.254.0.10']);
  });

  test('a requested IP that another service holds is refused with upstream\'s message', async () => {
    const a = allocator();
    await a.allocate(svc('first', { clusterIP: '10.254.0.10' }), undefined, false);
    const errs = await a.allocate(svc('second', { clusterIP: '10.254.0.10' }), undefined, false);
    assert.deepEqual(errs.map(fieldErrorMessage), ['spec.clusterIPs: Invalid value: []string{"10.254.0.10"}: failed to allocate IP 10.254.0.10: provided IP is already allocated']);
  });

  test('a requested IP outside the range is refused with upstream\'s message', async () => {
    const errs = await allocator().allocate(svc('out', { clusterIP: '10.0.0.1' }), undefined, false);
    assert.deepEqual(errs.map(fieldErrorMessage), [
      'spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.254.0.0/16',
    ]);
  });

  test('the network and broadcast addresses are out of range', async () => {
    for (const ip of ['10.254.0.0', '10.254.255.255']) {
      const errs = await allocator().allocate(svc('edge', { clusterIP: ip }), undefined, false);
      assert.equal(errs.length, 1, ip);
    }
  });

  test('headless and ExternalName services get no IP', async () => {
    const headless = svc('headless', { clusterIP: 'None' });
    await allocator().allocate(headless, undefined, false);
    assert.equal(specOf(headless)['clusterIP'], 'None');
    const ext = svc('ext', { type: 'ExternalName', externalName: 'example.com' });
    await allocator().allocate(ext, undefined, false);
    assert.equal(specOf(ext)['clusterIP'], undefined);
  });

  test('IPs of existing services are known after a restart', async () => {
    const a = allocator('10.254.0.0/16', [svc('old', { clusterIP: '10.254.0.20', type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] })]);
    assert.equal((await a.allocate(svc('new', { clusterIP: '10.254.0.20' }), undefined, false)).length, 1);
    assert.equal((await a.allocate(svc('new2', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] }), undefined, false)).length, 1);
  });

  test('an update keeps the IP the service has', async () => {
    const a = allocator();
    const s = svc('keep', {});
    await a.allocate(s, undefined, false);
    const ip = specOf(s)['clusterIP'];
    const next = svc('keep', { clusterIP: '' });
    assert.deepEqual(await a.allocate(next, s, false), []);
    assert.equal(specOf(next)['clusterIP'], ip);
  });

  test('a deleted service\'s IP and node ports can be taken again', async () => {
    const a = allocator();
    const s = svc('gone', { clusterIP: '10.254.0.30', type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30030 }] });
    assert.deepEqual(await a.allocate(s, undefined, false), []);
    a.release(s);
    assert.deepEqual(await a.allocate(svc('heir', { clusterIP: '10.254.0.30', type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30030 }] }), undefined, false), []);
  });

  test('a dry run shows an IP but does not keep it', async () => {
    const a = allocator();
    const dry = svc('dry', { clusterIP: '10.254.0.40', type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30040 }] });
    assert.deepEqual(await a.allocate(dry, undefined, true), []);
    assert.equal(specOf(dry)['clusterIP'], '10.254.0.40');
    assert.deepEqual(await a.allocate(svc('real', { clusterIP: '10.254.0.40', type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30040 }] }), undefined, false), []);
    const dynamic = svc('dry-dynamic', {});
    await a.allocate(dynamic, undefined, true);
    const shown = specOf(dynamic)['clusterIP'] as string;
    assert.match(shown, /^10\.254\./);
    assert.deepEqual(await a.allocate(svc('takes-it', { clusterIP: shown }), undefined, false), []);
  });

  test('a failed allocation releases what it took', async () => {
    const a = allocator();
    await a.allocate(svc('holder', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30050 }] }), undefined, false);
    const failing = svc('failing', { clusterIP: '10.254.0.50', type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30050 }] });
    assert.equal((await a.allocate(failing, undefined, false)).length, 1);
    assert.deepEqual(await a.allocate(svc('next', { clusterIP: '10.254.0.50' }), undefined, false), []);
  });

  test('a full range is an internal error "range is full"', async () => {
    const a = allocator('10.1.0.0/29');
    for (let i = 0; i < 6; i++) assert.deepEqual(await a.allocate(svc(`f${i}`, {}), undefined, false), []);
    await assert.rejects(a.allocate(svc('one-too-many', {}), undefined, false), (e: unknown) => e instanceof Error && e.message === 'Internal error occurred: failed to allocate a serviceIP: range is full');
  });
});

describe('node port allocation', () => {
  test('NodePort and LoadBalancer services get ports from 30000-32767; ClusterIP ones none', async () => {
    const a = allocator();
    const np = svc('np', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] });
    assert.deepEqual(await a.allocate(np, undefined, false), []);
    for (const p of portsOf(np)) {
      const n = p['nodePort'] as number;
      assert.ok(n >= nodePortRange.min && n <= nodePortRange.max, String(n));
    }
    const lb = svc('lb', { type: 'LoadBalancer' });
    await a.allocate(lb, undefined, false);
    assert.equal(typeof portsOf(lb)[0]?.['nodePort'], 'number');
    const noPorts = svc('lb-no-ports', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false });
    await a.allocate(noPorts, undefined, false);
    assert.equal(portsOf(noPorts)[0]?.['nodePort'], undefined);
    const cip = svc('cip', {});
    await a.allocate(cip, undefined, false);
    assert.equal(portsOf(cip)[0]?.['nodePort'], undefined);
  });

  test('node ports never repeat while the range lasts', async () => {
    const a = allocator();
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const s = svc(`p${i}`, { type: 'NodePort' });
      await a.allocate(s, undefined, false);
      const n = portsOf(s)[0]?.['nodePort'] as number;
      assert.ok(!seen.has(n), `${n} allocated twice`);
      seen.add(n);
    }
  });

  test('the same port number is free per protocol', async () => {
    const a = allocator();
    assert.deepEqual(await a.allocate(svc('tcp', { type: 'NodePort', ports: [{ port: 53, protocol: 'TCP', nodePort: 30053 }] }), undefined, false), []);
    assert.deepEqual(await a.allocate(svc('udp', { type: 'NodePort', ports: [{ port: 53, protocol: 'UDP', nodePort: 30053 }] }), undefined, false), []);
  });

  test('a taken node port is refused with upstream\'s message', async () => {
    const a = allocator();
    await a.allocate(svc('a', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] }), undefined, false);
    const errs = await a.allocate(svc('b', { type: 'NodePort', ports: [{ port: 81, protocol: 'TCP' }, { port: 80, protocol: 'TCP', nodePort: 30080 }] }), undefined, false);
    assert.deepEqual(errs.map(fieldErrorMessage), ['spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated']);
  });

  test('a node port outside the range is refused with upstream\'s message', async () => {
    const errs = await allocator().allocate(svc('low', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 8080 }] }), undefined, false);
    assert.deepEqual(errs.map(fieldErrorMessage), ['spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767']);
  });

  test('an update keeps the node port of an unchanged port', async () => {
    const a = allocator();
    const s = svc('np-keep', { type: 'NodePort' });
    await a.allocate(s, undefined, false);
    const port = portsOf(s)[0]?.['nodePort'];
    const next = svc('np-keep', { type: 'NodePort', clusterIP: specOf(s)['clusterIP'] });
    assert.deepEqual(await a.allocate(next, s, false), []);
    assert.equal(portsOf(next)[0]?.['nodePort'], port);
  });
});
