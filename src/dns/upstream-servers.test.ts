import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResolvConfNameservers, readUpstreamServers } from './upstream-servers.js';

describe('upstream servers', () => {
  test('the nameserver lines of resolv.conf are read in order, comments and bad lines skipped', () => {
    const text = '# comment\nsearch example.org\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\nnameserver not-an-ip\n ; x\nnameserver 10.0.0.2 # trailing\noptions ndots:5\n';
    assert.deepEqual(parseResolvConfNameservers(text), [
      { host: '127.0.0.53', port: 53 },
      { host: 'fe80::1', port: 53 },
      { host: '10.0.0.2', port: 53 },
    ]);
  });

  test('a resolv.conf naming the DNS server itself does not make it forward to itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-dns-'));
    try {
      const file = join(dir, 'resolv.conf');
      writeFileSync(file, 'nameserver 127.0.0.1\nnameserver 127.0.0.2\n');
      assert.deepEqual(readUpstreamServers(file, { host: '127.0.0.1', port: 53 }).servers, [{ host: '127.0.0.2', port: 53 }]);
      assert.deepEqual(readUpstreamServers(file, { host: '0.0.0.0', port: 53 }).servers, []);
      assert.equal(readUpstreamServers(file).servers.length, 2);
      const missing = readUpstreamServers(join(dir, 'nope'));
      assert.deepEqual(missing.servers, []);
      assert.match(missing.error ?? '', /ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
