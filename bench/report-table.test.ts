import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMarkdownTable, formatNumber, formatTable, meetsTarget, ratioToTarget, type BenchFigure } from './report-table.js';

const creates: BenchFigure = { figure: 'create 2000 pods', unit: '/s', measured: 1800, target: 1500, direction: 'min', upstream: '554/s' };
const listP50: BenchFigure = { figure: 'LIST 2000 pods p50', unit: 'ms', measured: 45, target: 30, direction: 'max', upstream: '94 ms' };
const info: BenchFigure = { figure: 'create p99', unit: 'ms', measured: 12.345 };

describe('benchmark report table', () => {
  test('the ratio to target is measured divided by target', () => {
    assert.equal(ratioToTarget(creates), 1.2);
    assert.equal(ratioToTarget(listP50), 1.5);
    assert.equal(ratioToTarget(info), undefined);
  });

  test('a throughput meets its target from above and a latency from below', () => {
    assert.equal(meetsTarget(creates), true);
    assert.equal(meetsTarget(listP50), false);
    assert.equal(meetsTarget({ ...listP50, measured: 30 }), true);
    assert.equal(meetsTarget(info), undefined);
  });

  test('a figure that could not be measured never meets its target', () => {
    assert.equal(meetsTarget({ ...creates, measured: Number.NaN }), undefined);
    assert.equal(formatNumber(Number.NaN), 'n/a');
  });

  test('numbers keep about three significant digits', () => {
    assert.equal(formatNumber(1234.6), '1235');
    assert.equal(formatNumber(12.345), '12.3');
    assert.equal(formatNumber(1.2345), '1.23');
  });

  test('the text table aligns its columns and marks missed targets', () => {
    const lines = formatTable([creates, listP50, info]).split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0] ?? '', /^figure\s+measured\s+target\s+upstream\s+measured\/target\s+ok$/);
    assert.match(lines[2] ?? '', /^create 2000 pods\s+1800 \/s\s+>= 1500 \/s\s+554\/s\s+1\.20\s+yes$/);
    assert.match(lines[3] ?? '', /<= 30\.0 ms\s+94 ms\s+1\.50\s+NO$/);
    assert.match(lines[4] ?? '', /^create p99\s+12\.3 ms\s+-\s+-\s+-\s+-$/);
    const col = (lines[0] ?? '').indexOf('measured');
    assert.equal((lines[2] ?? '').indexOf('1800'), col);
  });

  test('a count without a unit has no trailing space', () => {
    const md = formatMarkdownTable([{ figure: 'events', unit: '', measured: 10000, target: 10000, direction: 'min' }]).split('\n');
    assert.equal(md[2], '| events | 10000 | >= 10000 | - | 1.00 | yes |');
  });

  test('the Markdown table has a header separator and one row per figure', () => {
    const md = formatMarkdownTable([creates, info]).split('\n');
    assert.equal(md.length, 4);
    assert.equal(md[1], '| --- | --- | --- | --- | --- | --- |');
    assert.equal(md[2], '| create 2000 pods | 1800 /s | >= 1500 /s | 554/s | 1.20 | yes |');
  });
});
