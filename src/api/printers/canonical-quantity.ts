// resource.Quantity's canonical String() form, which upstream printers show for capacities and quota usage.

type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const decimalSuffixes: ReadonlyMap<string, number> = new Map([
  ['n', -9], ['u', -6], ['m', -3], ['', 0], ['k', 3], ['M', 6], ['G', 9], ['T', 12], ['P', 15], ['E', 18],
]);
const binarySuffixes: ReadonlyMap<string, number> = new Map([['Ki', 1], ['Mi', 2], ['Gi', 3], ['Ti', 4], ['Pi', 5], ['Ei', 6]]);
const decimalSuffixOf: ReadonlyMap<number, string> = new Map([...decimalSuffixes].map(([s, e]) => [e, s]));
const binarySuffixOf = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const abs = (n: bigint): bigint => (n < 0n ? -n : n);

interface Parsed {
  /** The value is num × 10^scale. */
  num: bigint;
  scale: number;
  format: QuantityFormat;
}

function parse(s: string): Parsed | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?([a-zA-Z]*(?:[eE][+-]?\d+)?)$/.exec(s);
  if (!m) return undefined;
  const [, sign = '', whole = '', frac = '', suffix = ''] = m;
  if (whole === '' && frac === '') return undefined;
  let num = BigInt(`${whole}${frac}` || '0');
  let scale = -frac.length;
  let format: QuantityFormat;
  const decimal = decimalSuffixes.get(suffix);
  const binary = binarySuffixes.get(suffix);
  const exponent = /^[eE]([+-]?\d+)$/.exec(suffix);
  if (decimal !== undefined) {
    format = 'DecimalSI';
    scale += decimal;
  } else if (binary !== undefined) {
    format = 'BinarySI';
    num *= 1024n ** BigInt(binary);
  } else if (exponent) {
    format = 'DecimalExponent';
    scale += Number(exponent[1]);
  } else {
    return undefined;
  }
  // Quantities keep at most nano precision, rounding up.
  if (scale < -9) {
    const d = pow10(-9 - scale);
    const q = abs(num) / d + (abs(num) % d === 0n ? 0n : 1n);
    num = num < 0n ? -q : q;
    scale = -9;
  }
  if (sign === '-') num = -num;
  return { num, scale, format };
}

function decimalCanonical(num: bigint, scale: number, format: QuantityFormat): string {
  let n = num;
  let e = scale;
  while (n !== 0n && n % 10n === 0n) {
    n /= 10n;
    e += 1;
  }
  const r = ((e % 3) + 3) % 3;
  n *= pow10(r);
  e -= r;
  if (format === 'DecimalExponent') return e === 0 ? `${n}` : `${n}e${e}`;
  const suffix = decimalSuffixOf.get(e);
  return suffix === undefined ? `${n}e${e}` : `${n}${suffix}`;
}

/** The canonical form of a Kubernetes quantity ("1024Mi" → "1Gi", "0.5" → "500m"); unparseable input is returned unchanged. */
export function canonicalQuantity(s: string): string {
  const q = parse(s.trim());
  if (!q) return s;
  if (q.num === 0n) return '0';
  if (q.format !== 'BinarySI') return decimalCanonical(q.num, q.scale, q.format);
  // Binary quantities print in binary only when exact and at least 1024 in magnitude.
  let integer: bigint | undefined;
  if (q.scale >= 0) integer = q.num * pow10(q.scale);
  else if (q.num % pow10(-q.scale) === 0n) integer = q.num / pow10(-q.scale);
  if (integer === undefined || abs(integer) < 1024n) return decimalCanonical(q.num, q.scale, 'DecimalSI');
  let k = 0;
  while (k < binarySuffixOf.length - 1 && integer % 1024n === 0n) {
    integer /= 1024n;
    k += 1;
  }
  return `${integer}${binarySuffixOf[k] ?? ''}`;
}

/** A quantity as the printers receive it from JSON: a string, or a number for a plain integer. */
export function quantityString(v: unknown): string {
  if (typeof v === 'string') return canonicalQuantity(v);
  if (typeof v === 'number') return canonicalQuantity(String(v));
  return '0';
}
