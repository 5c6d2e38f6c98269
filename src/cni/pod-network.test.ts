import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSubnetEnv } from '../node-status/subnet-env.js';
import type { CniConfList } from './cni-config.js';
import { writeCniConfig } from './pod-network.js';

async function withDataDir(fn: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-cni-'));
  try {
    await fn(dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('writeCniConfig', () => {
  test('writes 10-k8ts.conflist into the conf dir k8ts gives containerd by default', () =>
    withDataDir(async (dataDir) => {
      const res = await writeCniConfig({ dataDir, podCidr: '10.244.0.0/24' });
      assert.equal(res.path, join(dataDir, 'agent', 'etc', 'cni', 'net.d', '10-k8ts.conflist'));
      assert.equal(res.changed, true);
      const conf = JSON.parse(await readFile(res.path, 'utf8')) as CniConfList;
      assert.deepEqual(conf.plugins[0].ipam.ranges, [[{ subnet: '10.244.0.0/24', gateway: '10.244.0.1' }]]);
      assert.equal(conf.plugins[0].mtu, 1500);
      assert.deepEqual(await readdir(join(dataDir, 'agent', 'etc', 'cni', 'net.d')), ['10-k8ts.conflist']);
    }));

  test('takes the MTU from subnet.env when the node status wrote one', () =>
    withDataDir(async (dataDir) => {
      await writeSubnetEnv(dataDir, { subnet: '10.244.1.0/24', network: '10.244.0.0/16', mtu: 1450, ipMasq: true });
      const res = await writeCniConfig({ dataDir, podCidr: '10.244.1.0/24', confDir: join(dataDir, 'net.d') });
      assert.equal(res.path, join(dataDir, 'net.d', '10-k8ts.conflist'));
      assert.equal((JSON.parse(await readFile(res.path, 'utf8')) as CniConfList).plugins[0].mtu, 1450);
    }));

  test('leaves an unchanged file untouched and rewrites it when the podCIDR changes', () =>
    withDataDir(async (dataDir) => {
      const first = await writeCniConfig({ dataDir, podCidr: '10.244.0.0/24' });
      const before = await stat(first.path);
      const again = await writeCniConfig({ dataDir, podCidr: '10.244.0.0/24' });
      assert.equal(again.changed, false);
      const same = await stat(first.path);
      assert.equal(same.ino, before.ino);
      assert.equal(same.mtimeMs, before.mtimeMs);

      const moved = await writeCniConfig({ dataDir, podCidr: '10.244.9.0/24' });
      assert.equal(moved.changed, true);
      assert.notEqual((await stat(first.path)).ino, before.ino, 'replaced by a rename, not rewritten in place');
      assert.match(await readFile(first.path, 'utf8'), /"subnet": "10\.244\.9\.0\/24"/);
      assert.deepEqual(await readdir(join(dataDir, 'agent', 'etc', 'cni', 'net.d')), ['10-k8ts.conflist']);
    }));

  test('writes nothing for a podCIDR it cannot use', () =>
    withDataDir(async (dataDir) => {
      await assert.rejects(writeCniConfig({ dataDir, podCidr: 'not-a-cidr' }), /invalid CIDR address: not-a-cidr/);
      await assert.rejects(stat(join(dataDir, 'agent', 'etc', 'cni', 'net.d', '10-k8ts.conflist')), { code: 'ENOENT' });
    }));
});
