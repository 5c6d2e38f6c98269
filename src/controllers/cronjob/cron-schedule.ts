// A cron schedule as robfig/cron/v3's ParseStandard builds it (what the CronJob controller uses): five fields
// (minute hour day-of-month month day-of-week), an optional TZ=/CRON_TZ= prefix naming the zone the fields are read
// in, the @yearly … @hourly descriptors and "@every <duration>". `next(t)` is SpecSchedule.Next: the first second
// after t that matches, stepping the zone's wall clock as Go's time package does across DST changes.
import { cronScheduleError, dom as domBounds, dow as dowBounds, hours as hourBounds, minutes as minuteBounds, months as monthBounds, type CronBounds } from '../../api/validation/groups/cron-schedule.js';
import { parseGoDuration } from '../../machinery/go-duration.js';
import { localTimeZone, wallClock, wallTimeToMs } from './zoned-time.js';

/** A parsed schedule: the first activation strictly after `afterMs` (epoch ms), or undefined when there is none. */
export interface CronSchedule {
  next(afterMs: number): number | undefined;
}

const starBit = 2n ** 63n;

type Bounds = CronBounds;

function parseIntOrName(expr: string, names: Readonly<Record<string, number>> | undefined): number {
  return names?.[expr.toLowerCase()] ?? Number(expr);
}

/** getRange: the bits of one comma-separated part (the expression is known to be valid). */
function rangeBits(expr: string, r: Bounds): bigint {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  const low = lowAndHigh[0] ?? '';
  let start: number;
  let end: number;
  let extra = 0n;
  if (low === '*' || low === '?') {
    start = r.min;
    end = r.max;
    extra = starBit;
  } else {
    start = parseIntOrName(low, r.names);
    end = lowAndHigh.length === 2 ? parseIntOrName(lowAndHigh[1] ?? '', r.names) : start;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = Number(rangeAndStep[1]);
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1) end = r.max;
    if (step > 1) extra = 0n;
  }
  let bits = 0n;
  for (let i = start; i <= end; i += step) bits |= 1n << BigInt(i);
  return bits | extra;
}

function fieldBits(field: string, r: Bounds): bigint {
  let bits = 0n;
  for (const part of field.split(',')) if (part.length > 0) bits |= rangeBits(part, r);
  return bits;
}

const has = (bits: bigint, n: number): boolean => (bits & (1n << BigInt(n))) !== 0n;

/** SpecSchedule: bit sets per field, read in `zone` (an IANA name, or undefined for the process's local zone). */
export class SpecSchedule implements CronSchedule {
  constructor(
    readonly second: bigint,
    readonly minute: bigint,
    readonly hour: bigint,
    readonly dom: bigint,
    readonly month: bigint,
    readonly dow: bigint,
    readonly zone: string | undefined,
  ) {}

  private dayMatches(day: number, weekday: number): boolean {
    const domMatch = has(this.dom, day);
    const dowMatch = has(this.dow, weekday);
    if ((this.dom & starBit) !== 0n || (this.dow & starBit) !== 0n) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }

  next(afterMs: number): number | undefined {
    const zone = this.zone ?? localTimeZone();
    // Start at the next whole second.
    let t = Math.floor(afterMs / 1000) * 1000 + 1000;
    let w = wallClock(t, zone);
    const date = (y: number, mo: number, d: number, h = 0, mi = 0): number => wallTimeToMs(zone, y, mo, d, h, mi, 0);
    let added = false;
    const yearLimit = w.year + 5;
    wrap: for (;;) {
      if (w.year > yearLimit) return undefined;
      while (!has(this.month, w.month)) {
        if (!added) {
          added = true;
          t = date(w.year, w.month, 1);
          w = wallClock(t, zone);
        }
        // AddDate(0, 1, 0): the same wall clock a month later.
        t = wallTimeToMs(zone, w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
        w = wallClock(t, zone);
        if (w.month === 1) continue wrap;
      }
      while (!this.dayMatches(w.day, w.weekday)) {
        if (!added) {
          added = true;
          t = date(w.year, w.month, w.day);
          w = wallClock(t, zone);
        }
        t = wallTimeToMs(zone, w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
        w = wallClock(t, zone);
        // Notice if the hour is no longer midnight due to DST: add an hour if it is 23, subtract one if it is 1.
        if (w.hour !== 0) {
          t += (w.hour > 12 ? 24 - w.hour : -w.hour) * 3_600_000;
          w = wallClock(t, zone);
        }
        if (w.day === 1) continue wrap;
      }
      while (!has(this.hour, w.hour)) {
        if (!added) {
          added = true;
          t = date(w.year, w.month, w.day, w.hour);
          w = wallClock(t, zone);
        }
        t += 3_600_000;
        w = wallClock(t, zone);
        if (w.hour === 0) continue wrap;
      }
      while (!has(this.minute, w.minute)) {
        if (!added) {
          added = true;
          t = Math.floor(t / 60_000) * 60_000;
        }
        t += 60_000;
        w = wallClock(t, zone);
        if (w.minute === 0) continue wrap;
      }
      while (!has(this.second, w.second)) {
        if (!added) {
          added = true;
          t = Math.floor(t / 1000) * 1000;
        }
        t += 1000;
        w = wallClock(t, zone);
        if (w.second === 0) continue wrap;
      }
      return t;
    }
  }
}

/** ConstantDelaySchedule ("@every"): whole seconds, at least one. */
export class ConstantDelaySchedule implements CronSchedule {
  readonly delayMs: number;
  constructor(delayMs: number) {
    this.delayMs = delayMs < 1000 ? 1000 : delayMs - (delayMs % 1000);
  }
  next(afterMs: number): number {
    // t.Add(delay - t.Nanosecond()).
    return Math.floor(afterMs / 1000) * 1000 + this.delayMs;
  }
}

function allBits(r: Bounds): bigint {
  return fieldBits('*', r);
}

/** The descriptors, as robfig/cron expands them (all at second 0, with the star bits of "*"). */
function descriptor(spec: string, zone: string | undefined): SpecSchedule | undefined {
  const one = (n: number): bigint => 1n << BigInt(n);
  const all = { dom: allBits(domBounds), month: allBits(monthBounds), dow: allBits(dowBounds), hour: allBits(hourBounds) };
  switch (spec) {
    case '@yearly':
    case '@annually':
      return new SpecSchedule(one(0), one(0), one(0), one(1), one(1), all.dow, zone);
    case '@monthly':
      return new SpecSchedule(one(0), one(0), one(0), one(1), all.month, all.dow, zone);
    case '@weekly':
      return new SpecSchedule(one(0), one(0), one(0), all.dom, all.month, one(0), zone);
    case '@daily':
    case '@midnight':
      return new SpecSchedule(one(0), one(0), one(0), all.dom, all.month, all.dow, zone);
    case '@hourly':
      return new SpecSchedule(one(0), one(0), all.hour, all.dom, all.month, all.dow, zone);
    default:
      return undefined;
  }
}

/**
 * cron.ParseStandard: the schedule, or an Error with robfig/cron's message. A TZ=/CRON_TZ= prefix sets the zone the
 * fields are read in; without one, the process's local zone is used, as upstream's controller does.
 */
export function parseStandard(schedule: string): CronSchedule {
  const err = cronScheduleError(schedule);
  if (err !== undefined) throw new Error(err);
  let spec = schedule;
  let zone: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    const name = i < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, i);
    zone = name === 'Local' ? undefined : name === '' ? 'UTC' : name;
    spec = i < 0 ? '' : spec.slice(i).trim();
  }
  if (spec.startsWith('@every ')) return new ConstantDelaySchedule(parseGoDuration(spec.slice('@every '.length)));
  if (spec.startsWith('@')) {
    const d = descriptor(spec, zone);
    if (d === undefined) throw new Error(`unrecognized descriptor: ${spec}`);
    return d;
  }
  const fields = spec.split(/\s+/).filter((f) => f.length > 0);
  const [mi = '', h = '', dom = '', mo = '', dow = ''] = fields;
  return new SpecSchedule(1n, fieldBits(mi, minuteBounds), fieldBits(h, hourBounds), fieldBits(dom, domBounds), fieldBits(mo, monthBounds), fieldBits(dow, dowBounds), zone);
}
