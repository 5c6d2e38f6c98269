import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addressesInUse, bridgeName, MAX_LINK_NAME, pickSubnet, planNetwork, validateClusterName } from './address-plan.js';

const ADDRS = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever
9: k8ts-a    inet 172.30.0.1/24 scope global k8ts-a\\       valid_lft forever preferred_lft forever`;
const ROUTES = `default via 192.0.2.1 dev eth0
172.30.1.0/24 via 192.0.2.9 dev eth0
local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1
broadcast 192.0.2.255 dev eth0 table local proto kernel scope link src 192.0.2.2`;

describe('address planning', () => {
  test('the addresses and routes in use are read from ip output, the default route left out', () => {
    assert.deepEqual(addressesInUse(ADDRS, ROUTES), ['127.0.0.1/8', '192.0.2.2/24', '172.30.0.1/24', '172.30.1.0/24', '127.0.0.0/8', '192.0.2.255/32']);
  });

  test('the first /24 that collides with no address, route or avoided range is picked', () => {
    assert.equal(pickSubnet(addressesInUse(ADDRS, ROUTES)), '172.30.2.0/24');
    assert.equal(pickSubnet([], ['172.30.0.0/23']), '172.30.2.0/24');
    assert.equal(pickSubnet(['172.30.0.0/16']), '172.29.0.0/24');
  });

  test('no subnet is picked when the pools are all taken', () => {
    assert.equal(pickSubnet(['172.16.0.0/12']), undefined);
  });

  test('the host gets .1, the master .2 and node i .(2+i), each node its own namespace and host veth', () => {
    const plan = planNetwork('demo', 2, '172.30.4.0/24');
    assert.equal(plan.hostIp, '172.30.4.1');
    assert.equal(plan.bridge, 'k8ts-demo');
    assert.deepEqual(
      plan.nodes.map((n) => [n.name, n.role, n.netns, n.ip, n.nodeIface]),
      [
        ['demo-master', 'master', 'k8ts-demo-master', '172.30.4.2', 'eth0'],
        ['demo-node-1', 'node', 'k8ts-demo-node-1', '172.30.4.3', 'eth0'],
        ['demo-node-2', 'node', 'k8ts-demo-node-2', '172.30.4.4', 'eth0'],
      ],
    );
    assert.equal(new Set(plan.nodes.map((n) => n.hostVeth)).size, 3);
  });

  test('link names stay within 15 characters for long cluster names and the biggest node index', () => {
    const name = 'a-very-long-cluster-name-for-testing';
    assert.ok(bridgeName(name).length <= MAX_LINK_NAME);
    assert.notEqual(bridgeName(name), bridgeName(`${name}-2`));
    const plan = planNetwork(name, 252, '172.30.0.0/24');
    for (const n of plan.nodes) assert.ok(n.hostVeth.length <= MAX_LINK_NAME, n.hostVeth);
    assert.equal(plan.nodes.at(-1)?.ip, '172.30.0.254');
  });

  test('a node count that does not fit in a /24 and a subnet that is not a /24 are refused', () => {
    assert.throws(() => planNetwork('x', 253, '172.30.0.0/24'), /0 to 252 nodes/);
    assert.throws(() => planNetwork('x', 1, '172.30.0.0/16'), /a \/24 is needed/);
  });

  test('cluster names must be DNS-1123 labels of at most 40 characters', () => {
    assert.equal(validateClusterName('demo-1'), undefined);
    assert.match(validateClusterName('Demo') ?? '', /lowercase RFC 1123 label/);
    assert.match(validateClusterName('../etc') ?? '', /lowercase RFC 1123 label/);
    assert.match(validateClusterName('a'.repeat(41)) ?? '', /no more than 40 characters/);
    assert.equal(validateClusterName(''), 'a cluster name is required');
  });
});
