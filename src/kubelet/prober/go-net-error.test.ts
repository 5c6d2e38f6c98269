import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { goDialError, goDuration, joinHostPort } from './go-net-error.js';

describe('Go wording', () => {
  test('durations print as time.Duration does', () => {
    assert.equal(goDuration(1000), '1s');
    assert.equal(goDuration(300), '300ms');
    assert.equal(goDuration(90_000), '1m30s');
    assert.equal(goDuration(3_600_000), '1h0m0s');
  });

  test('IPv6 hosts are bracketed', () => {
    assert.equal(joinHostPort('fd00::1', 80), '[fd00::1]:80');
    assert.equal(joinHostPort('10.0.0.1', 80), '10.0.0.1:80');
  });

  test('dial errors name the address and the errno text', () => {
    assert.equal(goDialError('10.0.0.1:80', { code: 'EHOSTUNREACH', syscall: 'connect', address: '10.0.0.1', port: 80 }), 'dial tcp 10.0.0.1:80: connect: no route to host');
    assert.equal(goDialError('db:5432', { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'db' }), 'dial tcp: lookup db: no such host');
  });
});
