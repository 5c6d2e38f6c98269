import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DnsConfigurer } from './dns-configurer.js';
import { ResolvConfError } from './resolv-conf.js';

interface Recorded { pod: string | undefined; reason: string; message: string }

async function withResolvConf(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-dns-'));
  try {
    const path = join(dir, 'resolv.conf');
    await writeFile(path, text);
    await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'c' }], dnsPolicy: 'Default', dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2'] } } };

describe('the kubelet DNS configurer', () => {
  test('reads --resolv-conf for each pod and records the forming warnings on the pod', async () => {
    await withResolvConf('nameserver 10.0.0.1\nnameserver 10.0.0.2\nsearch corp.example\n', async (path) => {
      const events: Recorded[] = [];
      const dns = new DnsConfigurer({ clusterDns: ['10.43.0.10'], clusterDomain: 'cluster.local', resolvConf: path }, (p, reason, message) => events.push({ pod: p?.metadata?.name, reason, message }));
      const config = await dns.podDns(pod);
      assert.deepEqual(config, { servers: ['10.0.0.1', '10.0.0.2', '1.1.1.1'], searches: ['corp.example'], options: [] });
      assert.deepEqual(events, [{ pod: 'web', reason: 'DNSConfigForming', message: 'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.0.0.1 10.0.0.2 1.1.1.1' }]);
    });
  });

  test('fails to form a pod config when the resolv.conf is missing', async () => {
    const dns = new DnsConfigurer({ clusterDns: ['10.43.0.10'], clusterDomain: 'cluster.local', resolvConf: '/nonexistent/resolv.conf' }, () => undefined);
    await assert.rejects(dns.podDns(pod), (e: unknown) => e instanceof ResolvConfError && e.message === 'open /nonexistent/resolv.conf: no such file or directory');
  });

  test('the start-up check warns on the node about a search line pods cannot take whole, or an unreadable file', async () => {
    const searches = Array.from({ length: 31 }, (_, i) => `d${i}.example`).join(' ');
    await withResolvConf(`nameserver 10.0.0.1\nsearch ${searches}\n`, async (path) => {
      const events: Recorded[] = [];
      await new DnsConfigurer({ clusterDns: [], clusterDomain: 'cluster.local', resolvConf: path }, (p, reason, message) => events.push({ pod: p?.metadata?.name, reason, message })).checkLimitsForResolvConf();
      assert.deepEqual(events, [{ pod: undefined, reason: 'CheckLimitsForResolvConf', message: `Resolv.conf file '${path}' contains search line consisting of more than 29 domains!` }]);
    });
    const events: Recorded[] = [];
    await new DnsConfigurer({ clusterDns: [], clusterDomain: '', resolvConf: '/nonexistent/resolv.conf' }, (p, reason, message) => events.push({ pod: p?.metadata?.name, reason, message })).checkLimitsForResolvConf();
    assert.deepEqual(events, [{ pod: undefined, reason: 'CheckLimitsForResolvConf', message: 'open /nonexistent/resolv.conf: no such file or directory' }]);
  });
});
