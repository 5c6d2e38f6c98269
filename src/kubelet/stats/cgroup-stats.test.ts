import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuFromV2, memoryFromMeminfo, memoryFromV1, memoryFromV2, parseFlatKeyed, parseSingleValue, readCgroupStats } from './cgroup-stats.js';

const V1_MEMORY_STAT = `cache 9293824
rss 5738496
pgfault 413085
pgmajfault 0
inactive_file 151552
hierarchical_memory_limit 9223372036854771712
total_cache 611880960
total_rss 501039104
total_pgfault 441019172
total_pgmajfault 4929
total_inactive_anon 495628288
total_inactive_file 364503040
`;

const V2_MEMORY_STAT = `anon 2531328
file 1351680
kernel_stack 16384
inactive_anon 2527232
active_anon 4096
inactive_file 1212416
active_file 139264
pgfault 3564
pgmajfault 12
`;

const V2_CPU_STAT = `usage_usec 2500123
user_usec 2000000
system_usec 500123
nr_periods 0
nr_throttled 0
throttled_usec 0
`;

describe('cgroup file parsers', () => {
  test('a flat keyed file becomes a map of numbers and odd lines are skipped', () => {
    const m = parseFlatKeyed('a 1\nb 22\n\nbroken line here\nc x\n');
    assert.deepEqual([...m.entries()], [['a', 1], ['b', 22]]);
  });

  test('a single-value file is a number, and "max" or garbage is undefined', () => {
    assert.equal(parseSingleValue('34202121355663\n'), 34202121355663);
    assert.equal(parseSingleValue('max\n'), undefined);
    assert.equal(parseSingleValue(''), undefined);
    assert.equal(parseSingleValue('abc'), undefined);
  });

  test('v1 memory: the working set is usage minus total_inactive_file, with the hierarchical rss and page faults', () => {
    const m = memoryFromV1('1112645632\n', V1_MEMORY_STAT, '9223372036854771712\n');
    assert.deepEqual(m, {
      usageBytes: 1112645632,
      workingSetBytes: 1112645632 - 364503040,
      rssBytes: 501039104,
      pageFaults: 441019172,
      majorPageFaults: 4929,
      limitBytes: undefined,
    });
  });

  test('v1 memory: the working set never goes below zero and a real limit is kept', () => {
    const m = memoryFromV1('100\n', 'total_inactive_file 4096\n', '268435456\n');
    assert.equal(m?.workingSetBytes, 0);
    assert.equal(m?.limitBytes, 268435456);
  });

  test('v2 memory: memory.current minus inactive_file, anon as rss, and "max" means no limit', () => {
    assert.deepEqual(memoryFromV2('4194304\n', V2_MEMORY_STAT, 'max\n'), {
      usageBytes: 4194304,
      workingSetBytes: 4194304 - 1212416,
      rssBytes: 2531328,
      pageFaults: 3564,
      majorPageFaults: 12,
      limitBytes: undefined,
    });
    assert.equal(memoryFromV2('1\n', '', '536870912\n')?.limitBytes, 536870912);
  });

  test('v2 cpu: usage_usec in nanoseconds', () => {
    assert.equal(cpuFromV2(V2_CPU_STAT), 2500123000);
    assert.equal(cpuFromV2('user_usec 1\n'), undefined);
  });

  test('the v2 root falls back to /proc/meminfo', () => {
    const m = memoryFromMeminfo('MemTotal:       16000000 kB\nMemFree:         4000000 kB\nAnonPages:       1000 kB\nInactive(file):  2000000 kB\n');
    assert.equal(m?.usageBytes, 12000000 * 1024);
    assert.equal(m?.workingSetBytes, 10000000 * 1024);
    assert.equal(m?.rssBytes, 1000 * 1024);
  });
});

describe('readCgroupStats on fixture trees', () => {
  const tree = async (files: Record<string, string>): Promise<string> => {
    const root = await mkdtemp(join(tmpdir(), 'cgroup-'));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
    return root;
  };

  test('v1 reads cpuacct and memory hierarchies of the same path', async () => {
    const root = await tree({
      'cpuacct/k8ts/podu1/c1/cpuacct.usage': '5000000000\n',
      'memory/k8ts/podu1/c1/memory.usage_in_bytes': '1048576\n',
      'memory/k8ts/podu1/c1/memory.stat': 'total_inactive_file 524288\ntotal_rss 262144\ntotal_pgfault 10\ntotal_pgmajfault 1\n',
      'memory/k8ts/podu1/c1/memory.limit_in_bytes': '9223372036854771712\n',
    });
    try {
      const s = await readCgroupStats('/k8ts/podu1/c1', { version: 1, cgroupRoot: root, now: () => 42 });
      assert.deepEqual(s, {
        timestamp: 42,
        cpuUsageNanoSeconds: 5e9,
        memory: { usageBytes: 1048576, workingSetBytes: 524288, rssBytes: 262144, pageFaults: 10, majorPageFaults: 1, limitBytes: undefined },
      });
      assert.equal(await readCgroupStats('/k8ts/podu1/gone', { version: 1, cgroupRoot: root }), undefined);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('v2 reads the unified directory, and the root takes its memory from /proc/meminfo', async () => {
    const root = await tree({
      'cgroup/k8ts/podu1/c1/cpu.stat': V2_CPU_STAT,
      'cgroup/k8ts/podu1/c1/memory.current': '4194304\n',
      'cgroup/k8ts/podu1/c1/memory.stat': V2_MEMORY_STAT,
      'cgroup/k8ts/podu1/c1/memory.max': 'max\n',
      'cgroup/cpu.stat': 'usage_usec 1000\n',
      'proc/meminfo': 'MemTotal: 2048 kB\nMemFree: 1024 kB\n',
    });
    try {
      const opts = { version: 2 as const, cgroupRoot: join(root, 'cgroup'), procRoot: join(root, 'proc'), now: () => 7 };
      const c = await readCgroupStats('/k8ts/podu1/c1', opts);
      assert.equal(c?.cpuUsageNanoSeconds, 2500123000);
      assert.equal(c?.memory?.workingSetBytes, 4194304 - 1212416);
      const r = await readCgroupStats('/', opts);
      assert.equal(r?.cpuUsageNanoSeconds, 1_000_000);
      assert.equal(r?.memory?.usageBytes, 1024 * 1024);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
