/**
 * The CRI container log format containerd and CRI-O write, one line per record:
 * `2016-10-06T00:17:09.669794202Z stdout F log content` (F: full line, P: partial line).
 */
export type LogStream = 'stdout' | 'stderr';

/** Go's time.RFC3339Nano in UTC for a time in nanoseconds since the epoch (trailing zeros of the fraction dropped). */
export function rfc3339Nano(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  const fraction = nanos % 1_000_000_000n;
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const frac = fraction.toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${frac === '' ? '' : `.${frac}`}Z`;
}

export function formatCriLogLine(nanos: bigint, stream: LogStream, content: string, partial = false): string {
  return `${rfc3339Nano(nanos)} ${stream} ${partial ? 'P' : 'F'} ${content}\n`;
}
