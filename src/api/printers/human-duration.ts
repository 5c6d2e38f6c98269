// The printers' timestamp helpers around duration.HumanDuration (src/machinery/duration.ts).

import { humanDuration } from '../../machinery/duration.js';

export { humanDuration };

/** Go's zero time.Time, 0001-01-01T00:00:00Z, in milliseconds since the epoch. */
const goZeroTime = -62135596800000;

/** Milliseconds since the epoch for an RFC 3339 timestamp (Time or MicroTime); undefined for a zero or absent time. */
export function parseTimestamp(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) return undefined;
  // Go's zero time serializes as 0001-01-01T00:00:00Z; IsZero() holds for it.
  if (ms === goZeroTime) return undefined;
  return ms;
}

/** translateTimestampSince: "<unknown>" for a zero time, else the human duration from ts to now. */
export function translateTimestampSince(ts: unknown, now: Date): string {
  const ms = parseTimestamp(ts);
  if (ms === undefined) return '<unknown>';
  return humanDuration(now.getTime() - ms);
}
