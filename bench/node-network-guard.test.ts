import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4Cidr } from '../src/controllers/nodeipam/cidr-set.js';
import { addressesInUse, guardRules, overlaps, rangeCollision } from './node-network-guard.js';

const ADDRS = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
2: eth0    inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever
`;
const ROUTES = `default via 10.0.2.2 dev eth0
10.0.2.0/24 dev eth0 proto kernel scope link src 10.0.2.15
local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1
broadcast 10.0.2.255 dev eth0 table local proto kernel scope link src 10.0.2.15
`;

describe('the node bench network guard', () => {
  test('two ranges overlap when either holds the other, whichever is given first', () => {
    assert.equal(overlaps(parseIpv4Cidr('10.244.0.0/16'), parseIpv4Cidr('10.244.3.0/24')), true);
    assert.equal(overlaps(parseIpv4Cidr('10.244.3.7/32'), parseIpv4Cidr('10.244.0.0/16')), true);
    assert.equal(overlaps(parseIpv4Cidr('10.244.0.0/16'), parseIpv4Cidr('10.96.0.0/16')), false);
  });

  test('reads the addresses and the non-default routes from ip output, the default route left out', () => {
    assert.deepEqual(addressesInUse(ADDRS, ROUTES), ['127.0.0.1/8', '10.0.2.15/24', '10.0.2.0/24', '127.0.0.1', '10.0.2.255']);
  });

  test('refuses a range that holds an address of this machine and accepts private ranges it does not use', () => {
    const inUse = addressesInUse(ADDRS, ROUTES);
    assert.equal(rangeCollision(['10.244.0.0/16', '10.96.0.0/16'], inUse), undefined);
    assert.equal(rangeCollision(['10.0.0.0/16'], inUse), '10.0.0.0/16 collides with 10.0.2.15/24 on this machine: choose another range');
  });

  test('rejects pod traffic leaving the pod range, any traffic to the service range, and local traffic to pods off cni0', () => {
    assert.deepEqual(guardRules('10.244.0.0/16', '10.96.0.0/16'), [
      { chain: 'FORWARD', rule: ['-s', '10.244.0.0/16', '!', '-d', '10.244.0.0/16', '-j', 'REJECT'] },
      { chain: 'FORWARD', rule: ['-d', '10.96.0.0/16', '-j', 'REJECT'] },
      { chain: 'OUTPUT', rule: ['-d', '10.96.0.0/16', '-j', 'REJECT'] },
      { chain: 'POSTROUTING', rule: ['-t', 'mangle', '-d', '10.244.0.0/16', '!', '-o', 'cni0', '-j', 'DROP'] },
    ]);
  });
});
