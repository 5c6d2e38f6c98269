import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuUsageSampler } from './cpu-usage-sampler.js';

describe('CpuUsageSampler', () => {
  test('the first sample of a cgroup has no rate, the second gives CPU nanoseconds per second', () => {
    const s = new CpuUsageSampler(1000);
    assert.equal(s.observe('/a', { timestamp: 0, usageNanoSeconds: 0 }, 1), undefined);
    // 1.5 s of CPU over 2 s of wall time: 0.75 cores.
    assert.equal(s.observe('/a', { timestamp: 2000, usageNanoSeconds: 1.5e9 }, 2), 750_000_000);
  });

  test('a read sooner than the minimum interval returns the last rate and keeps the stored sample', () => {
    const s = new CpuUsageSampler(1000);
    s.observe('/a', { timestamp: 0, usageNanoSeconds: 0 }, 1);
    assert.equal(s.observe('/a', { timestamp: 10_000, usageNanoSeconds: 1e10 }, 2), 1e9);
    assert.equal(s.observe('/a', { timestamp: 10_100, usageNanoSeconds: 1e10 }, 2), 1e9);
    // The window runs from the stored sample at 10 s: 0.5 s of CPU in 1 s.
    assert.equal(s.observe('/a', { timestamp: 11_000, usageNanoSeconds: 1.05e10 }, 3), 500_000_000);
  });

  test('a counter that goes back (a new cgroup under the same path) starts over', () => {
    const s = new CpuUsageSampler(1000);
    s.observe('/a', { timestamp: 0, usageNanoSeconds: 5e9 }, 1);
    assert.equal(s.observe('/a', { timestamp: 2000, usageNanoSeconds: 1e6 }, 2), undefined);
    assert.equal(s.observe('/a', { timestamp: 4000, usageNanoSeconds: 2e9 + 1e6 }, 3), 1e9);
  });

  test('prune forgets cgroups not seen in the round', () => {
    const s = new CpuUsageSampler();
    s.observe('/a', { timestamp: 0, usageNanoSeconds: 0 }, 1);
    s.observe('/b', { timestamp: 0, usageNanoSeconds: 0 }, 1);
    s.observe('/a', { timestamp: 5000, usageNanoSeconds: 0 }, 2);
    s.prune(2);
    assert.equal(s.size, 1);
  });
});
