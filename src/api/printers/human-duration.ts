// duration.HumanDuration from k8s.io/apimachinery/pkg/util/duration, and the printers' timestamp helpers.

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
/** Go's zero time.Time, 0001-01-01T00:00:00Z, in milliseconds since the epoch. */
const goZeroTime = -62135596800000;

/** A succinct, ~2-3 significant figure rendering of a duration given in milliseconds, as upstream prints AGE. */
export function humanDuration(ms: number): string {
  // Go truncates toward zero when converting a duration to whole units.
  const seconds = Math.trunc(ms / second);
  // Up to two seconds into the future is tolerated as clock skew.
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / minute);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / hour);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const d = Math.trunc(hours / 24);
    return h === 0 ? `${d}d` : `${d}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const years = Math.trunc(hours / 24 / 365);
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

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
