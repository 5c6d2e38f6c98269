import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSubnetEnv, parseSubnetEnv, readSubnetEnv, writeSubnetEnv } from './subnet-env.js';

describe('subnet.env', () => {
  test('is written in flannel format plus SUBNET and MTU', () => {
    assert.equal(
      formatSubnetEnv({ subnet: '10.240.3.0/24', network: '10.240.0.0/16', mtu: 1450, ipMasq: true }),
      'FLANNEL_NETWORK=10.240.0.0/16\nFLANNEL_SUBNET=10.240.3.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\nSUBNET=10.240.3.0/24\nMTU=1450\n',
    );
  });

  test('names the podCIDR by SUBNET, else by the block of FLANNEL_SUBNET', () => {
    assert.equal(parseSubnetEnv('SUBNET=10.240.3.0/24\nMTU=1450\n'), '10.240.3.0/24');
    assert.equal(parseSubnetEnv('FLANNEL_NETWORK=10.42.0.0/16\nFLANNEL_SUBNET=10.42.7.1/24\n'), '10.42.7.0/24');
    assert.equal(parseSubnetEnv('SUBNET=nonsense\n'), undefined);
    assert.equal(parseSubnetEnv(''), undefined);
  });

  test('round-trips through the data dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k8ts-subnet-'));
    try {
      assert.equal(await readSubnetEnv(dir), undefined);
      await writeSubnetEnv(dir, { subnet: '10.240.9.0/24', network: '10.240.0.0/16', mtu: 1450, ipMasq: true });
      assert.equal(await readSubnetEnv(dir), '10.240.9.0/24');
      assert.match(await readFile(join(dir, 'subnet.env'), 'utf8'), /^FLANNEL_NETWORK=10\.240\.0\.0\/16$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
