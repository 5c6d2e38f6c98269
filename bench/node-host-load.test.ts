import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHostLoad, parseVmstat } from './node-host-load.js';

const VMSTAT = `procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----
 r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st
 2  0      0 23286212  20228 839592    0    0    65  1089  641 1071 42  5 48  0  5
 3  0      0 23286212  20228 839592    0    0    16     4  473  263 50  2 40  0  8
`;

describe('the node bench host load', () => {
  test("takes the columns of vmstat's last sample by their header names", () => {
    const cols = parseVmstat(VMSTAT);
    assert.equal(cols['st'], 8);
    assert.equal(cols['id'], 40);
    assert.equal(cols['r'], 3);
  });

  test('gives nothing for output without a sample', () => {
    assert.deepEqual(parseVmstat(''), {});
    assert.deepEqual(parseVmstat(VMSTAT.split('\n').slice(0, 2).join('\n')), {});
  });

  test('prints n/a for figures it could not read', () => {
    assert.equal(formatHostLoad({ load1: 1.234, steal: Number.NaN, idle: 50 }), 'load average 1.23, steal n/a, idle 50%');
  });
});
