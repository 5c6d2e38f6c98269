import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PodIpPool } from './pod-ip-pool.js';

describe('PodIpPool', () => {
  test('hands out addresses from .2 and gives an owner the same address twice', () => {
    const pool = new PodIpPool('10.240.3.0/24');
    assert.equal(pool.allocate('a'), '10.240.3.2');
    assert.equal(pool.allocate('b'), '10.240.3.3');
    assert.equal(pool.allocate('a'), '10.240.3.2');
    assert.equal(pool.free, 251);
  });

  test('reuses a released address', () => {
    const pool = new PodIpPool('10.240.3.0/24');
    pool.allocate('a');
    pool.allocate('b');
    pool.release('a');
    assert.equal(pool.allocate('c'), '10.240.3.2');
  });

  test('never hands out the broadcast address and reports a full pool', () => {
    const pool = new PodIpPool('10.0.0.0/29');
    const got = ['a', 'b', 'c', 'd', 'e', 'f'].map((o) => pool.allocate(o));
    assert.deepEqual(got, ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', undefined]);
  });

  test('reserving re-adopts an address and refuses taken or foreign ones', () => {
    const pool = new PodIpPool('10.240.3.0/24');
    assert.equal(pool.reserve('a', '10.240.3.7'), true);
    assert.equal(pool.reserve('b', '10.240.3.7'), false);
    assert.equal(pool.reserve('b', '10.240.4.7'), false);
    assert.equal(pool.reserve('b', '10.240.3.1'), false);
    assert.equal(pool.ipOf('a'), '10.240.3.7');
    assert.equal(pool.allocate('c'), '10.240.3.2');
  });
});
