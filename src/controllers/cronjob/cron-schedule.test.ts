import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStandard } from './cron-schedule.js';
import { formatRfc3339InZone, wallTimeToMs } from './zoned-time.js';

const next = (schedule: string, after: string): string | undefined => {
  const t = parseStandard(schedule).next(Date.parse(after));
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe('cron schedules (robfig/cron ParseStandard and Next)', () => {
  test('a step in the minute field fires at the next multiple', () => {
    assert.equal(next('TZ=UTC */15 * * * *', '2024-05-01T10:07:30Z'), '2024-05-01T10:15:00.000Z');
    assert.equal(next('TZ=UTC */15 * * * *', '2024-05-01T10:15:00Z'), '2024-05-01T10:30:00.000Z');
  });

  test('day of month and day of week are ORed when neither is a star', () => {
    assert.equal(next('TZ=UTC 0 0 13 * 5', '2024-01-01T00:00:00Z'), '2024-01-05T00:00:00.000Z');
    assert.equal(next('TZ=UTC 0 0 13 * *', '2024-01-01T00:00:00Z'), '2024-01-13T00:00:00.000Z');
  });

  test('the fields are read in the time zone of the TZ prefix', () => {
    // Monday 09:00 in India is 03:30 UTC.
    assert.equal(next('TZ=Asia/Kolkata 0 9 * * 1', '2024-01-01T00:00:00Z'), '2024-01-01T03:30:00.000Z');
    assert.equal(next('CRON_TZ=America/New_York 0 12 * * *', '2024-07-01T00:00:00Z'), '2024-07-01T16:00:00.000Z');
  });

  test('a wall time skipped by the spring DST change is skipped that day, as robfig/cron does', () => {
    // 02:00 does not exist in New York on 10 March 2024.
    assert.equal(next('TZ=America/New_York 0 2 * * *', '2024-03-09T12:00:00Z'), '2024-03-11T06:00:00.000Z');
  });

  test('a wall time repeated by the autumn DST change fires once, at its first occurrence', () => {
    // 01:30 happens twice in Berlin on 27 October 2024 (CEST then CET); the first is 23:30 UTC the day before.
    assert.equal(next('TZ=Europe/Berlin 30 1 * * *', '2024-10-26T12:00:00Z'), '2024-10-26T23:30:00.000Z');
    assert.equal(next('TZ=Europe/Berlin 30 1 * * *', '2024-10-26T23:30:00Z'), '2024-10-28T00:30:00.000Z');
  });

  test('descriptors and @every parse as robfig/cron defines them', () => {
    assert.equal(next('TZ=UTC @hourly', '2024-05-01T10:07:30Z'), '2024-05-01T11:00:00.000Z');
    assert.equal(next('TZ=UTC @weekly', '2024-05-01T10:07:30Z'), '2024-05-05T00:00:00.000Z');
    assert.equal(next('@every 90s', '2024-05-01T10:07:30.500Z'), '2024-05-01T10:09:00.000Z');
  });

  test('a schedule that never matches returns no next time', () => {
    assert.equal(next('TZ=UTC 0 0 31 2 *', '2024-01-01T00:00:00Z'), undefined);
  });

  test('an invalid schedule throws robfig/cron\'s message', () => {
    assert.throws(() => parseStandard('* * *'), { message: 'expected exactly 5 fields, found 3: [* * *]' });
    assert.throws(() => parseStandard('61 * * * *'), { message: 'end of range (61) above maximum (59): 61' });
  });

  test('wall times convert to instants and back in a zone with DST', () => {
    assert.equal(new Date(wallTimeToMs('Europe/Berlin', 2024, 7, 1, 12, 0, 0)).toISOString(), '2024-07-01T10:00:00.000Z');
    assert.equal(formatRfc3339InZone(Date.parse('2024-07-01T10:00:00Z'), 'Europe/Berlin'), '2024-07-01T12:00:00+02:00');
    assert.equal(formatRfc3339InZone(Date.parse('2024-07-01T10:00:00Z'), 'UTC'), '2024-07-01T10:00:00Z');
  });
});
