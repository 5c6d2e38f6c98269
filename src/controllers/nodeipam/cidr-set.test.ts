import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrRangeExhaustedError, CidrSet, noCidrsRemainingMessage, parseIpv4Cidr, formatIpv4Cidr } from './cidr-set.js';

describe('CidrSet', () => {
  test('hands out the /24 blocks of a /16 in order', () => {
    const s = new CidrSet('10.240.0.0/16', 24);
    assert.equal(s.maxCidrs, 256);
    assert.equal(s.allocateNext(), '10.240.0.0/24');
    assert.equal(s.allocateNext(), '10.240.1.0/24');
    assert.equal(s.allocateNext(), '10.240.2.0/24');
    assert.equal(s.allocatedCount, 3);
  });

  test('skips blocks that existing nodes already occupy', () => {
    const s = new CidrSet('10.240.0.0/16', 24);
    s.occupy('10.240.0.0/24');
    s.occupy('10.240.1.0/24');
    assert.equal(s.allocateNext(), '10.240.2.0/24');
  });

  test('occupying the same block twice counts it once', () => {
    const s = new CidrSet('10.240.0.0/16', 24);
    s.occupy('10.240.5.0/24');
    s.occupy('10.240.5.0/24');
    assert.equal(s.allocatedCount, 1);
  });

  test('a released block is handed out again only after the rotation comes back to it', () => {
    const s = new CidrSet('10.0.0.0/30', 32);
    assert.deepEqual([s.allocateNext(), s.allocateNext()], ['10.0.0.0/32', '10.0.0.1/32']);
    s.release('10.0.0.0/32');
    assert.equal(s.allocateNext(), '10.0.0.2/32');
    assert.equal(s.allocateNext(), '10.0.0.3/32');
    assert.equal(s.allocateNext(), '10.0.0.0/32');
  });

  test('a full range throws upstream\'s error', () => {
    const s = new CidrSet('10.0.0.0/23', 24);
    s.allocateNext();
    s.allocateNext();
    assert.throws(() => s.allocateNext(), (e: unknown) => e instanceof CidrRangeExhaustedError && e.message === noCidrsRemainingMessage);
    s.release('10.0.1.0/24');
    assert.equal(s.allocateNext(), '10.0.1.0/24');
  });

  test('occupying a larger CIDR takes every block inside it', () => {
    const s = new CidrSet('10.240.0.0/16', 24);
    s.occupy('10.240.4.0/22');
    assert.equal(s.allocatedCount, 4);
    assert.ok(s.isTaken('10.240.7.0/24'));
    assert.ok(!s.isTaken('10.240.8.0/24'));
  });

  test('a CIDR outside the cluster CIDR is refused', () => {
    const s = new CidrSet('10.240.0.0/16', 24);
    assert.throws(() => s.occupy('10.241.0.0/24'), /is out the range of cluster cidr 10\.240\.0\.0\/16/);
  });

  test('a node mask smaller than the cluster mask is refused', () => {
    assert.throws(() => new CidrSet('10.240.0.0/16', 8), /mask size 8/);
  });

  test('parsing clears the host bits as Go does', () => {
    assert.equal(formatIpv4Cidr(parseIpv4Cidr('10.240.7.9/16')), '10.240.0.0/16');
    assert.throws(() => parseIpv4Cidr('10.240.0.0'), /invalid CIDR address/);
    assert.throws(() => parseIpv4Cidr('300.0.0.0/8'), /invalid CIDR address/);
  });
});
