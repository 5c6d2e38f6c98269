import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSubnetEnv } from '../node-status/subnet-env.js';
import { cniConfList, hostLocalDataDir, podCidrGateway, renderCniConfList, subnetEnvMtu } from './cni-config.js';

describe('the CNI conflist', () => {
  test('bridges pods on cni0 with host-local addresses from the podCIDR, then portmap for hostPorts', () => {
    assert.deepEqual(cniConfList({ dataDir: '/var/lib/k8ts', podCidr: '10.244.3.0/24' }), {
      cniVersion: '1.0.0',
      name: 'k8ts',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          mtu: 1500,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: '10.244.3.0/24', gateway: '10.244.3.1' }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: '/var/lib/k8ts/agent/cni/networks',
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    });
  });

  test('does not masquerade outbound traffic (that belongs to the overlay)', () => {
    assert.equal(cniConfList({ dataDir: '/d', podCidr: '10.240.0.0/24' }).plugins[0].ipMasq, false);
  });

  test('takes the MTU and bridge name it is given', () => {
    const bridge = cniConfList({ dataDir: '/d', podCidr: '10.240.0.0/24', mtu: 1450, bridge: 'k8ts0' }).plugins[0];
    assert.equal(bridge.mtu, 1450);
    assert.equal(bridge.bridge, 'k8ts0');
  });

  test('normalises a podCIDR written with host bits and gives its first address as the gateway', () => {
    const range = cniConfList({ dataDir: '/d', podCidr: '10.240.7.9/24' }).plugins[0].ipam.ranges[0]?.[0];
    assert.deepEqual(range, { subnet: '10.240.7.0/24', gateway: '10.240.7.1' });
    assert.equal(podCidrGateway('192.168.10.0/23'), '192.168.10.1');
  });

  test('refuses a podCIDR that is not IPv4 CIDR or leaves no address for a pod', () => {
    assert.throws(() => cniConfList({ dataDir: '/d', podCidr: 'fd00::/64' }), /invalid CIDR address: fd00::\/64/);
    assert.throws(() => cniConfList({ dataDir: '/d', podCidr: '10.0.0.0/31' }), /podCIDR 10\.0\.0\.0\/31 is too small/);
    assert.doesNotThrow(() => cniConfList({ dataDir: '/d', podCidr: '10.0.0.0/30' }));
  });

  test('refuses an MTU or bridge name the kernel would not take', () => {
    assert.throws(() => cniConfList({ dataDir: '/d', podCidr: '10.0.0.0/24', mtu: 100 }), /invalid MTU 100/);
    assert.throws(() => cniConfList({ dataDir: '/d', podCidr: '10.0.0.0/24', bridge: 'a-bridge-name-too-long' }), /invalid bridge name/);
  });

  test('renders deterministic indented JSON ending in a newline', () => {
    const a = renderCniConfList({ dataDir: '/d', podCidr: '10.244.0.0/24' });
    assert.equal(a, renderCniConfList({ dataDir: '/d', podCidr: '10.244.0.0/24' }));
    assert.ok(a.endsWith('}\n'));
    assert.match(a, /^\{\n {2}"cniVersion": "1\.0\.0",\n {2}"name": "k8ts",/);
  });

  test('keeps host-local leases under the data dir', () => {
    assert.equal(hostLocalDataDir('/tmp/k8ts-x'), '/tmp/k8ts-x/agent/cni/networks');
  });
});

describe('the MTU of a subnet.env', () => {
  test('is read from the file the node status writes', () => {
    assert.equal(subnetEnvMtu(formatSubnetEnv({ subnet: '10.244.0.0/24', network: '10.244.0.0/16', mtu: 1450, ipMasq: true })), 1450);
  });

  test('falls back to FLANNEL_MTU and is undefined when neither is a number', () => {
    assert.equal(subnetEnvMtu('FLANNEL_MTU=1400\n'), 1400);
    assert.equal(subnetEnvMtu('MTU=\nSUBNET=10.0.0.0/24\n'), undefined);
    assert.equal(subnetEnvMtu(''), undefined);
  });
});
