import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointAddress, EndpointSubset } from 'kubernetes-types/core/v1.js';
import { lessEndpointAddress, repackSubsets } from './repack-subsets.js';

const addr = (ip: string, uid = ''): EndpointAddress => (uid === '' ? { ip } : { ip, targetRef: { kind: 'Pod', name: uid, uid } });
const port = (p: number, name = ''): { name?: string; port: number; protocol: string } => (name === '' ? { port: p, protocol: 'TCP' } : { name, port: p, protocol: 'TCP' });

describe('repackSubsets', () => {
  test('an empty list stays empty', () => {
    assert.deepEqual(repackSubsets([]), []);
  });

  test('addresses that offer the same port are merged into one subset sorted by IP', () => {
    const got = repackSubsets([
      { addresses: [addr('10.0.0.3', 'c')], ports: [port(80)] },
      { addresses: [addr('10.0.0.1', 'a')], ports: [port(80)] },
      { addresses: [addr('10.0.0.2', 'b')], ports: [port(80)] },
    ]);
    assert.deepEqual(got, [{ addresses: [addr('10.0.0.1', 'a'), addr('10.0.0.2', 'b'), addr('10.0.0.3', 'c')], ports: [port(80)] }]);
  });

  test('ready and not-ready addresses of one port share a subset', () => {
    const got = repackSubsets([
      { addresses: [addr('10.0.0.1', 'a')], ports: [port(80)] },
      { notReadyAddresses: [addr('10.0.0.2', 'b')], ports: [port(80)] },
    ]);
    assert.deepEqual(got, [{ addresses: [addr('10.0.0.1', 'a')], notReadyAddresses: [addr('10.0.0.2', 'b')], ports: [port(80)] }]);
  });

  test('an address both ready and not ready for a port counts as ready', () => {
    const got = repackSubsets([
      { notReadyAddresses: [addr('10.0.0.1', 'a')], ports: [port(80)] },
      { addresses: [addr('10.0.0.1', 'a')], ports: [port(80)] },
    ]);
    assert.deepEqual(got, [{ addresses: [addr('10.0.0.1', 'a')], ports: [port(80)] }]);
  });

  test('ports offered by the same addresses are merged into one subset', () => {
    const got = repackSubsets([
      { addresses: [addr('10.0.0.1', 'a')], ports: [port(80, 'http')] },
      { addresses: [addr('10.0.0.1', 'a')], ports: [port(443, 'https')] },
    ]);
    assert.equal(got.length, 1);
    assert.deepEqual(got[0]?.addresses, [addr('10.0.0.1', 'a')]);
    assert.deepEqual(new Set(got[0]?.ports?.map((p) => p.port)), new Set([80, 443]));
  });

  test('different address sets per port give separate subsets', () => {
    const got = repackSubsets([
      { addresses: [addr('10.0.0.1', 'a')], ports: [port(80, 'http')] },
      { addresses: [addr('10.0.0.2', 'b')], ports: [port(80, 'http')] },
      { addresses: [addr('10.0.0.1', 'a')], ports: [port(443, 'https')] },
    ]);
    assert.equal(got.length, 2);
    const http = got.find((s) => s.ports?.[0]?.name === 'http');
    const https = got.find((s) => s.ports?.[0]?.name === 'https');
    assert.deepEqual(http?.addresses?.map((a) => a.ip), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(https?.addresses?.map((a) => a.ip), ['10.0.0.1']);
  });

  test('subsets without ports are kept, without ports', () => {
    const got = repackSubsets([{ addresses: [addr('10.0.0.1', 'a')], ports: [] }, { addresses: [addr('10.0.0.2', 'b')], ports: [] }]);
    assert.deepEqual(got, [{ addresses: [addr('10.0.0.1', 'a'), addr('10.0.0.2', 'b')] }]);
  });

  test('the same IP from two pods is kept twice, told apart by UID', () => {
    const got = repackSubsets([
      { addresses: [addr('10.0.0.1', 'b')], ports: [port(80)] },
      { addresses: [addr('10.0.0.1', 'a')], ports: [port(80)] },
    ]);
    assert.deepEqual(got[0]?.addresses?.map((a) => a.targetRef?.uid), ['a', 'b']);
  });

  test('the result does not depend on the input order', () => {
    const input: EndpointSubset[] = [
      { addresses: [addr('10.0.0.1', 'a')], ports: [port(80, 'http')] },
      { notReadyAddresses: [addr('10.0.0.2', 'b')], ports: [port(80, 'http')] },
      { addresses: [addr('10.0.0.3', 'c')], ports: [port(443, 'https')] },
    ];
    assert.deepEqual(repackSubsets(input), repackSubsets([...input].reverse()));
  });
});

describe('lessEndpointAddress', () => {
  test('orders by IP bytewise, then by UID, an address without target first', () => {
    assert.equal(lessEndpointAddress(addr('10.0.0.10'), addr('10.0.0.9')), true);
    assert.equal(lessEndpointAddress(addr('10.0.0.1', 'a'), addr('10.0.0.1', 'b')), true);
    assert.equal(lessEndpointAddress(addr('10.0.0.1'), addr('10.0.0.1', 'a')), true);
    assert.equal(lessEndpointAddress(addr('10.0.0.1', 'a'), addr('10.0.0.1')), false);
  });
});
