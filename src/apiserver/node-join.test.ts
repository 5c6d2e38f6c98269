import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basicPassword, bootstrapTokenValid, parseJoinRequest } from './node-join.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('node join requests', () => {
  test('the password of a Basic header is what follows the first colon', () => {
    assert.equal(basicPassword(`Basic ${b64('node:a:b')}`), 'a:b');
    assert.equal(basicPassword(`Bearer x`), undefined);
    assert.equal(basicPassword(undefined), undefined);
    assert.equal(basicPassword(`Basic ${b64('nocolon')}`), undefined);
  });

  test('a request names a valid node and its IP addresses', () => {
    assert.deepEqual(parseJoinRequest({ nodeName: 'n-1', addresses: ['10.0.0.2'] }), { nodeName: 'n-1', addresses: ['10.0.0.2'], dnsNames: [] });
    assert.throws(() => parseJoinRequest([]), /nodeName: Required value/);
    assert.throws(() => parseJoinRequest({ nodeName: 'Bad_Name', addresses: ['10.0.0.2'] }), /nodeName: Invalid value: "Bad_Name"/);
    assert.throws(() => parseJoinRequest({ nodeName: 'n', addresses: ['nope'] }), /addresses: Invalid value/);
    assert.throws(() => parseJoinRequest({ nodeName: 'n', addresses: ['10.0.0.2'], dnsNames: ['UPPER'] }), /dnsNames: Invalid value/);
  });

  test('a node may not have its certificate name the API server: the kubernetes names or a service address', () => {
    assert.throws(() => parseJoinRequest({ nodeName: 'n', addresses: ['10.254.0.1'] }, '10.254.0.0/16'), /a node address may not lie in the service range 10\.254\.0\.0\/16/);
    assert.throws(() => parseJoinRequest({ nodeName: 'n', addresses: ['10.0.0.2'], dnsNames: ['kubernetes.default.svc'] }), /the names of the kubernetes service are the API server's/);
    assert.throws(() => parseJoinRequest({ nodeName: 'kubernetes', addresses: ['10.0.0.2'] }), /the names of the kubernetes service/);
  });

  test('a bootstrap token is valid while its Secret holds it, allows authentication and has not expired', async () => {
    const secret = (fields: Record<string, string>): { type: string; data: Record<string, string> } => ({ type: 'bootstrap.kubernetes.io/token', data: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, b64(v)])) });
    const good = { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', expiration: '2030-01-01T00:00:00Z' };
    const lookup = (fields: Record<string, string>) => async (id: string) => (id === 'abcdef' ? secret(fields) : undefined);
    const now = Date.parse('2029-01-01T00:00:00Z');
    assert.equal(await bootstrapTokenValid('abcdef.0123456789abcdef', lookup(good), now), true);
    assert.equal(await bootstrapTokenValid('abcdef.0123456789abcdee', lookup(good), now), false);
    assert.equal(await bootstrapTokenValid('zzzzzz.0123456789abcdef', lookup(good), now), false);
    assert.equal(await bootstrapTokenValid('abcdef.0123456789abcdef', lookup(good), Date.parse('2031-01-01T00:00:00Z')), false);
    assert.equal(await bootstrapTokenValid('abcdef.0123456789abcdef', lookup({ ...good, 'usage-bootstrap-authentication': 'false' }), now), false);
    assert.equal(await bootstrapTokenValid('not-a-token', lookup(good), now), false);
    // Upstream's checks of the Secret itself: its type, and not being deleted.
    assert.equal(await bootstrapTokenValid('abcdef.0123456789abcdef', async () => ({ ...secret(good), type: 'Opaque' }), now), false);
    assert.equal(await bootstrapTokenValid('abcdef.0123456789abcdef', async () => ({ ...secret(good), metadata: { deletionTimestamp: '2029-01-01T00:00:00Z' } }), now), false);
  });
});
