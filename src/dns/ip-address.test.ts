import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addressFromReverse, canonicalIp, dashedIp, ipFromDashed, isReverseName } from './ip-address.js';

describe('ip-address', () => {
  test('canonicalIp expands IPv6 and refuses what is no address', () => {
    assert.equal(canonicalIp('10.0.0.1'), '10.0.0.1');
    assert.equal(canonicalIp('FD00::1'), 'fd00:0000:0000:0000:0000:0000:0000:0001');
    assert.equal(canonicalIp('::ffff:10.0.0.1'), '0000:0000:0000:0000:0000:ffff:0a00:0001');
    assert.equal(canonicalIp('::'), '0000:0000:0000:0000:0000:0000:0000:0000');
    assert.equal(canonicalIp('example.org'), undefined);
  });

  test('addressFromReverse reads full in-addr.arpa and ip6.arpa names only', () => {
    assert.equal(addressFromReverse('10.0.254.10.in-addr.arpa'), '10.254.0.10');
    assert.equal(addressFromReverse('0.254.10.in-addr.arpa'), undefined);
    const nibbles = '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f';
    assert.equal(canonicalIp(addressFromReverse(`${nibbles}.ip6.arpa.`) ?? ''), canonicalIp('fd00::1'));
    assert.equal(isReverseName('in-addr.arpa'), true);
    assert.equal(isReverseName('arpa.example'), false);
  });

  test('dashed addresses go both ways, as CoreDNS reads them', () => {
    assert.equal(dashedIp('10.0.0.1'), '10-0-0-1');
    assert.equal(dashedIp('fd00::1'), 'fd00--1');
    assert.equal(ipFromDashed('10-0-0-1'), '10.0.0.1');
    assert.equal(ipFromDashed('fd00--1'), 'fd00::1');
    assert.equal(ipFromDashed('web-0'), undefined);
    assert.equal(ipFromDashed('300-0-0-1'), undefined);
  });
});
