// Wall-clock time in an IANA time zone through Intl, with Go's time.Date semantics for building an instant from
// wall-clock fields (overflowing fields normalise; a wall time skipped or repeated by a DST change resolves as Go
// resolves it).

/** The wall clock of an instant in a zone. `month` is 1-12; `weekday` 0 is Sunday. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

const weekdays: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The zone Go's time.Local stands for: the process's own. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Whether Intl knows the zone (time.LoadLocation succeeding). */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch (e: unknown) {
    return false;
  }
}

/** The wall clock of epoch milliseconds `ms` in `zone`. */
export function wallClock(ms: number, zone: string): WallClock {
  const w: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  let bc = false;
  for (const p of formatter(zone).formatToParts(new Date(ms))) {
    switch (p.type) {
      case 'year':
        w.year = Number(p.value);
        break;
      case 'month':
        w.month = Number(p.value);
        break;
      case 'day':
        w.day = Number(p.value);
        break;
      case 'hour':
        w.hour = Number(p.value);
        break;
      case 'minute':
        w.minute = Number(p.value);
        break;
      case 'second':
        w.second = Number(p.value);
        break;
      case 'weekday':
        w.weekday = weekdays[p.value] ?? 0;
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  if (bc) w.year = 1 - w.year;
  return w;
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (whole seconds). */
export function zoneOffsetMs(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * time.Date(year, month, day, hour, minute, second, 0, zone) in epoch ms: fields out of range normalise (month 13
 * is January of the next year); the offset is the one in force at the wall time read as UTC, corrected once when
 * that instant lies on the other side of a transition, as Go does.
 */
export function wallTimeToMs(zone: string, year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  const unix = d.getTime();
  let offset = zoneOffsetMs(unix, zone);
  if (offset !== 0) {
    const utc = unix - offset;
    const actual = zoneOffsetMs(utc, zone);
    if (actual !== offset) offset = actual;
  }
  return unix - offset;
}

/** RFC 3339 with whole seconds and the zone's numeric offset (Go's time.RFC3339 of t.In(zone)); "Z" for UTC. */
export function formatRfc3339InZone(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  const off = zoneOffsetMs(ms, zone);
  const pad = (n: number, len = 2): string => String(n).padStart(len, '0');
  const base = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  // Go's "Z07:00" writes Z for a zero offset.
  if (off === 0) return `${base}Z`;
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off) / 60_000;
  return `${base}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
