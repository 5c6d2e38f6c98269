import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashAndTruncate, isServiceChainName, servicePortChainNameBase, servicePortEndpointChainNameBase, servicePortNameString } from './chain-names.js';

const svc1 = { namespace: 'ns1', name: 'svc1', port: 'p80', protocol: 'TCP' };

describe('chain names', () => {
  test('a service port chain name carries the same hash as upstream kube-proxy gives it', () => {
    // The example in upstream's servicePortChainNameBase comment.
    assert.equal(servicePortChainNameBase(svc1), 'ULMVA6XW-ns1/svc1/tcp/p80');
  });

  test('an endpoint chain name carries the same hash as upstream kube-proxy gives it', () => {
    assert.equal(servicePortEndpointChainNameBase(svc1, '10.180.0.1', 80), '5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
  });

  test('IPv6 endpoint addresses have their colons replaced by dots', () => {
    assert.match(servicePortEndpointChainNameBase(svc1, 'fd00::1', 80), /^[A-Z2-7]{8}-ns1\/svc1\/tcp\/p80__fd00\.\.1\/80$/);
  });

  test('names longer than nftables allows are cut and end in three dots', () => {
    const long = hashAndTruncate('x'.repeat(400));
    assert.equal(long.length, 240);
    assert.ok(long.endsWith('...'));
  });

  test('service chains are told apart from the fixed chains by their slash', () => {
    assert.ok(isServiceChainName('service-ULMVA6XW-ns1/svc1/tcp/p80'));
    assert.ok(!isServiceChainName('mark-for-masquerade'));
  });

  test('a service port name prints as namespace/name:port, without the colon for an unnamed port', () => {
    assert.equal(servicePortNameString(svc1), 'ns1/svc1:p80');
    assert.equal(servicePortNameString({ ...svc1, port: '' }), 'ns1/svc1');
  });
});
