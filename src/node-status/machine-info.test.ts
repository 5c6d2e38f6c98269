import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chooseInternalIp,
  defaultRouteInterface,
  detectCgroupVersion,
  goArch,
  hugePageSizeOfDir,
  meminfoField,
  osImageOf,
  parseCpuCount,
  parseMemTotal,
  parseOsRelease,
  readMachineInfo,
  uuidFromMachineId,
  type InterfaceAddress,
} from './machine-info.js';

const meminfo = `MemTotal:       24684084 kB
MemFree:        22085256 kB
MemAvailable:   23805592 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
`;

const cpuinfo = `processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R)

processor\t: 1
vendor_id\t: GenuineIntel
`;

const osRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
`;

const procNetRoute = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth1\t00000000\t010A000A\t0003\t0\t0\t200\t00000000\t0\t0\t0
eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false): InterfaceAddress => ({ address, family, internal });

describe('machine-info parsers', () => {
  test('MemTotal is read in bytes (meminfo kB are KiB)', () => {
    assert.equal(parseMemTotal(meminfo), 24684084n * 1024n);
    assert.equal(meminfoField(meminfo, 'MemAvailable'), 23805592n * 1024n);
    assert.equal(meminfoField(meminfo, 'HugePages_Total'), 0n);
    assert.throws(() => parseMemTotal('MemFree: 1 kB\n'), /MemTotal not found/);
  });

  test('the cores are the processor entries of /proc/cpuinfo', () => {
    assert.equal(parseCpuCount(cpuinfo), 2);
    assert.equal(parseCpuCount(''), undefined);
  });

  test('the OS image is PRETTY_NAME, unquoted, else Linux', () => {
    assert.equal(parseOsRelease(osRelease)['ID'], 'debian');
    assert.equal(osImageOf(osRelease), 'Debian GNU/Linux 12 (bookworm)');
    assert.equal(osImageOf("PRETTY_NAME='Alpine Linux v3.19'\n"), 'Alpine Linux v3.19');
    assert.equal(osImageOf('NAME=x\n'), 'Linux');
    assert.equal(osImageOf(undefined), 'Linux');
  });

  test('architectures use GOARCH names', () => {
    assert.equal(goArch('x64'), 'amd64');
    assert.equal(goArch('arm64'), 'arm64');
    assert.equal(goArch('ia32'), '386');
  });

  test('a machine id is written as a UUID when there is no product_uuid', () => {
    assert.equal(uuidFromMachineId('3d1219c7c4c5404aaa1f6d2a48adfda4\n'), '3d1219c7-c4c5-404a-aa1f-6d2a48adfda4');
  });

  test('huge page directories name their resource size in binary units', () => {
    assert.deepEqual(hugePageSizeOfDir('hugepages-2048kB'), { size: '2Mi', pageBytes: 2097152n });
    assert.deepEqual(hugePageSizeOfDir('hugepages-1048576kB'), { size: '1Gi', pageBytes: 1073741824n });
    assert.equal(hugePageSizeOfDir('other'), undefined);
  });

  test('the default route interface is the up default route of lowest metric', () => {
    assert.equal(defaultRouteInterface(procNetRoute), 'eth0');
    assert.equal(defaultRouteInterface('Iface\tDestination\n'), undefined);
  });

  test('the InternalIP is --node-ip, else the default interface IPv4, else any non-loopback IPv4', () => {
    const ifs = {
      lo: [iface('127.0.0.1', 'IPv4', true)],
      eth0: [iface('fd00::2', 'IPv6'), iface('192.0.2.2', 'IPv4')],
      eth1: [iface('10.0.0.5', 'IPv4')],
    };
    assert.equal(chooseInternalIp(ifs, 'eth0'), '192.0.2.2');
    assert.equal(chooseInternalIp(ifs, 'eth0', '10.9.9.9'), '10.9.9.9');
    assert.equal(chooseInternalIp(ifs, undefined), '192.0.2.2');
    assert.equal(chooseInternalIp({ lo: ifs.lo }, undefined), '127.0.0.1');
  });
});

describe('readMachineInfo', () => {
  test('reads a machine from a fixture tree', async () => {
    const root = await mkdtemp(join(tmpdir(), 'k8ts-machine-'));
    try {
      const put = async (p: string, text: string): Promise<void> => {
        await mkdir(join(root, p, '..'), { recursive: true });
        await writeFile(join(root, p), text);
      };
      await put('proc/meminfo', meminfo);
      await put('proc/cpuinfo', cpuinfo);
      await put('proc/net/route', procNetRoute);
      await put('proc/sys/kernel/random/boot_id', '421f16d4-98d0-480b-80f7-e98bb8a9b926\n');
      await put('var/lib/dbus/machine-id', '3d1219c7c4c5404aaa1f6d2a48adfda4\n');
      await put('etc/os-release', osRelease);
      await put('sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages', '3\n');
      await put('sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages', '0\n');
      const m = await readMachineInfo({
        root,
        dataDir: join(root, 'data'),
        hostname: 'Node-A',
        interfaces: { eth0: [iface('192.0.2.2', 'IPv4')] },
      });
      assert.equal(m.cpus, 2);
      assert.equal(m.memoryBytes, 24684084n * 1024n);
      assert.ok(m.ephemeralStorageBytes > 0n);
      assert.deepEqual(m.hugePages, [
        { size: '1Gi', bytes: 0n },
        { size: '2Mi', bytes: 3n * 2097152n },
      ]);
      assert.equal(m.machineId, '3d1219c7c4c5404aaa1f6d2a48adfda4');
      assert.equal(m.systemUuid, '3d1219c7-c4c5-404a-aa1f-6d2a48adfda4');
      assert.equal(m.bootId, '421f16d4-98d0-480b-80f7-e98bb8a9b926');
      assert.equal(m.osImage, 'Debian GNU/Linux 12 (bookworm)');
      assert.equal(m.hostname, 'node-a');
      assert.equal(m.internalIp, '192.0.2.2');
      assert.equal(m.operatingSystem, 'linux');

      await put('sys/class/dmi/id/product_uuid', 'EC2A1B2C-0000-1111-2222-333344445555\n');
      await put('etc/machine-id', 'aaaabbbbccccddddeeeeffff00001111\n');
      const m2 = await readMachineInfo({ root, dataDir: join(root, 'data'), hostname: 'n', interfaces: {} });
      assert.equal(m2.systemUuid, 'EC2A1B2C-0000-1111-2222-333344445555');
      assert.equal(m2.machineId, 'aaaabbbbccccddddeeeeffff00001111');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('the cgroup version is 2 only where cgroup.controllers exists', async () => {
    const root = await mkdtemp(join(tmpdir(), 'k8ts-cgroup-'));
    try {
      assert.equal(await detectCgroupVersion(root), 1);
      await writeFile(join(root, 'cgroup.controllers'), 'cpu memory pids\n');
      assert.equal(await detectCgroupVersion(root), 2);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
