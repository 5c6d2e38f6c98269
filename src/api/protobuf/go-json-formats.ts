// The JSON spellings Go gives apimachinery's time types: metav1.Time (RFC 3339, seconds, UTC),
// metav1.MicroTime (RFC 3339 with six fractional digits, UTC) and metav1.Duration (time.Duration.String()).

function isoSeconds(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) throw new Error(`timestamp out of range: ${seconds} seconds`);
  return d.toISOString().slice(0, -5);
}

/** metav1.Time as JSON: "2006-01-02T15:04:05Z" (sub-second precision is dropped, as upstream does). */
export function formatTime(seconds: bigint, nanos: number): string {
  const carry = BigInt(Math.floor(nanos / 1e9));
  return `${isoSeconds(seconds + carry)}Z`;
}

/** metav1.MicroTime as JSON: "2006-01-02T15:04:05.000000Z". */
export function formatMicroTime(seconds: bigint, nanos: number): string {
  const carry = Math.floor(nanos / 1e9);
  const micros = Math.floor((nanos - carry * 1e9) / 1000);
  return `${isoSeconds(seconds + BigInt(carry))}.${String(micros).padStart(6, '0')}Z`;
}

function fraction(value: bigint, digits: number): string {
  const unit = 10n ** BigInt(digits);
  const whole = value / unit;
  const frac = (value % unit).toString().padStart(digits, '0').replace(/0+$/, '');
  return frac === '' ? whole.toString() : `${whole}.${frac}`;
}

/** time.Duration.String() for a count of nanoseconds: "0s", "1.5µs", "100ms", "1h2m3.5s". */
export function formatDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const sign = nanoseconds < 0n ? '-' : '';
  const u = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (u < 1000n) return `${sign}${u}ns`;
  if (u < 1000000n) return `${sign}${fraction(u, 3)}µs`;
  if (u < 1000000000n) return `${sign}${fraction(u, 6)}ms`;
  const totalSeconds = u / 1000000000n;
  const hours = totalSeconds / 3600n;
  const minutes = (totalSeconds / 60n) % 60n;
  const seconds = fraction(u % 60000000000n, 9);
  let out = sign;
  if (hours > 0n) out += `${hours}h`;
  if (hours > 0n || minutes > 0n) out += `${minutes}m`;
  return `${out}${seconds}s`;
}
