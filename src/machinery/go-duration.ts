// Go's time.ParseDuration ("2s", "1m30s", "1.5h", "300ms", "-2us"), in milliseconds.

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration into milliseconds; throws `time: invalid duration "x"` as Go does. */
export function parseGoDuration(text: string): number {
  const invalid = (): Error => new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s.startsWith('-')) sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  const segment = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0;
  while (s !== '') {
    const m = segment.exec(s);
    if (m === null) throw invalid();
    const whole = m[1] ?? '';
    const frac = m[2];
    if (whole === '' && (frac === undefined || frac === '')) throw invalid();
    const value = Number(`${whole === '' ? '0' : whole}.${frac ?? ''}`.replace(/\.$/, ''));
    total += value * (unitMs[m[3] ?? ''] ?? 0);
    s = s.slice(m[0].length);
  }
  return sign * total;
}
