import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { nodeAnnotations, parseFlannelBackend, vtepMac } from './flannel-backend.js';
import { remoteSubnets } from './overlay-plan.js';
import { masqueradeRules } from './masquerade.js';

function node(name: string, backend: 'vxlan' | 'host-gw', ip: string, podCIDR?: string, extra: Partial<Node['metadata']> = {}): Node {
  return {
    metadata: { name, annotations: nodeAnnotations(backend, name, ip), ...extra },
    spec: podCIDR !== undefined ? { podCIDR } : {},
    status: { addresses: [{ type: 'InternalIP', address: ip }] },
  };
}

describe('the overlay plan', () => {
  test('host-gw routes each other node\'s podCIDR through its address, never its own', () => {
    const nodes = [node('a', 'host-gw', '172.30.0.2', '10.240.0.0/24'), node('c', 'host-gw', '172.30.0.4', '10.240.2.0/24'), node('b', 'host-gw', '172.30.0.3', '10.240.1.0/24')];
    assert.deepEqual(remoteSubnets('a', 'host-gw', nodes), [
      { node: 'b', podCidr: '10.240.1.0/24', nodeIp: '172.30.0.3' },
      { node: 'c', podCidr: '10.240.2.0/24', nodeIp: '172.30.0.4' },
    ]);
  });

  test('vxlan entries carry the remote VTEP MAC and the gateway address of its block', () => {
    const nodes = [node('a', 'vxlan', '172.30.0.2', '10.240.0.0/24'), node('b', 'vxlan', '172.30.0.3', '10.240.1.0/24')];
    assert.deepEqual(remoteSubnets('a', 'vxlan', nodes), [{ node: 'b', podCidr: '10.240.1.0/24', nodeIp: '172.30.0.3', vtepMac: vtepMac('b'), vtepIp: '10.240.1.0' }]);
  });

  test('nodes without a podCIDR, of another backend, virtual, or without a MAC are skipped', () => {
    const e = node('e', 'vxlan', '172.30.0.6', '10.240.4.0/24');
    const noMac: Node = { ...e, metadata: { ...e.metadata, annotations: { ...e.metadata?.annotations, 'flannel.alpha.coreos.com/backend-data': '{"VNI":1}' } } };
    const nodes = [
      node('b', 'vxlan', '172.30.0.3'),
      node('c', 'host-gw', '172.30.0.4', '10.240.2.0/24'),
      node('d', 'vxlan', '172.30.0.5', '10.240.3.0/24', { labels: { type: 'virtual' } }),
      noMac,
    ];
    assert.deepEqual(remoteSubnets('a', 'vxlan', nodes), []);
    assert.deepEqual(remoteSubnets('a', 'none', [node('b', 'host-gw', '172.30.0.3', '10.240.1.0/24')]), []);
  });

  test('the published public-ip annotation wins over the InternalIP', () => {
    const n: Node = { ...node('b', 'host-gw', '172.30.0.3', '10.240.1.0/24'), status: { addresses: [{ type: 'InternalIP', address: '192.168.9.9' }] } };
    assert.equal(remoteSubnets('a', 'host-gw', [n])[0]?.nodeIp, '172.30.0.3');
  });
});

describe('flannel backends and annotations', () => {
  test('the VTEP MAC is locally administered, unicast and stable per node name', () => {
    const mac = vtepMac('node-1');
    assert.match(mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    const first = parseInt(mac.slice(0, 2), 16);
    assert.equal(first & 0x02, 0x02);
    assert.equal(first & 0x01, 0);
    assert.equal(vtepMac('node-1'), mac);
    assert.notEqual(vtepMac('node-2'), mac);
  });

  test('a node publishes its backend as flannel does', () => {
    assert.deepEqual(nodeAnnotations('vxlan', 'n', '10.0.0.5'), {
      'flannel.alpha.coreos.com/backend-type': 'vxlan',
      'flannel.alpha.coreos.com/public-ip': '10.0.0.5',
      'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
      'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: vtepMac('n') }),
    });
    assert.equal(nodeAnnotations('host-gw', 'n', '10.0.0.5')['flannel.alpha.coreos.com/backend-data'], 'null');
  });

  test('an unknown backend is refused with the known ones named', () => {
    assert.equal(parseFlannelBackend('host-gw'), 'host-gw');
    assert.throws(() => parseFlannelBackend('udp'), /invalid --flannel-backend "udp": one of vxlan, host-gw, none/);
  });

  test('masquerade keeps pod-to-pod addresses and masquerades the rest, replacing an older table at once', () => {
    const r = masqueradeRules('10.240.0.0/16');
    assert.match(r, /^table ip k8ts-flannel \{\}\ndelete table ip k8ts-flannel\n/);
    assert.match(r, /ip saddr 10\.240\.0\.0\/16 ip daddr 10\.240\.0\.0\/16 return/);
    assert.match(r, /ip saddr 10\.240\.0\.0\/16 ip daddr != 224\.0\.0\.0\/4 masquerade fully-random/);
  });
});

describe('the overlay plan against bad Node data', () => {
  const ranges = { clusterCidr: '10.240.0.0/16', serviceCidr: '10.254.0.0/16' };

  test('a podCIDR outside the cluster range is never routed (it could take over the machine\'s own routes)', () => {
    const nodes = [node('b', 'host-gw', '172.30.0.3', '192.168.1.0/24'), node('c', 'host-gw', '172.30.0.4', '10.240.0.0/15'), node('d', 'host-gw', '172.30.0.5', '10.240.3.0/24')];
    assert.deepEqual(remoteSubnets('a', 'host-gw', nodes, ranges).map((r) => r.node), ['d']);
  });

  test('node addresses that are loopback, multicast, unspecified, link-local or in the pod or service range are refused', () => {
    for (const ip of ['127.0.0.1', '224.0.0.5', '0.0.0.0', '169.254.1.1', '10.240.9.9', '10.254.0.10', 'not-an-ip']) {
      assert.deepEqual(remoteSubnets('a', 'vxlan', [node('b', 'vxlan', ip, '10.240.1.0/24')], ranges), [], ip);
    }
    assert.equal(remoteSubnets('a', 'vxlan', [node('b', 'vxlan', '172.30.0.3', '10.240.1.0/24')], ranges).length, 1);
  });

  test('a podCIDR that overlaps this node\'s own or one already routed is skipped, the first by name winning', () => {
    const nodes = [node('a', 'host-gw', '172.30.0.2', '10.240.0.0/24'), node('c', 'host-gw', '172.30.0.4', '10.240.1.0/24'), node('b', 'host-gw', '172.30.0.3', '10.240.1.0/24'), node('d', 'host-gw', '172.30.0.5', '10.240.0.0/24')];
    assert.deepEqual(remoteSubnets('a', 'host-gw', nodes, ranges).map((r) => r.node), ['b']);
  });
});
