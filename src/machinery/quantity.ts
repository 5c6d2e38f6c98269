// resource.Quantity after k8s.io/apimachinery/pkg/api/resource/quantity.go: parsing (with
// upstream's scanner, rounding up to nano precision and capping at 2^63-1), the canonical string
// ("1536Mi", "500m", "1e3"), comparison and arithmetic, all in exact bigint arithmetic.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

const splitREString = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

/** Upstream's parse errors. */
export const quantityErrors = {
  formatWrong: `quantities must match the regular expression '${splitREString}'`,
  numeric: 'unable to parse numeric part of quantity',
  suffix: "unable to parse quantity's suffix",
} as const;

const decimalSuffixes: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const binarySuffixes: ReadonlyMap<string, number> = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
const decimalSuffixOf: ReadonlyMap<number, string> = new Map([...decimalSuffixes].map(([s, e]) => [e, s]));
const binarySuffixOf: ReadonlyMap<number, string> = new Map([['', 0] as const, ...binarySuffixes].map(([s, e]) => [e, s]));

const int64Max = 2n ** 63n - 1n;
const int64Min = -(2n ** 63n);
const nanoScale = -9;

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const abs = (n: bigint): bigint => (n < 0n ? -n : n);

/** Rounds num / den away from zero (den > 0). */
function divAwayFromZero(num: bigint, den: bigint): bigint {
  const q = num / den;
  return num % den === 0n ? q : num < 0n ? q - 1n : q + 1n;
}

export class Quantity {
  /**
   * The value is mantissa × 10^exponent. `cached` is the input string when upstream keeps it
   * (it was already in canonical form); String() then returns it as it was.
   */
  private constructor(
    private readonly mantissa: bigint,
    private readonly exponent: number,
    readonly format: QuantityFormat,
    private readonly cached?: string,
  ) {}

  /** @internal construction for this module */
  static of(mantissa: bigint, exponent: number, format: QuantityFormat, cached?: string): Quantity {
    return new Quantity(mantissa, exponent, format, cached);
  }

  isZero(): boolean {
    return this.mantissa === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.mantissa === 0n ? 0 : this.mantissa < 0n ? -1 : 1;
  }

  cmp(other: Quantity): -1 | 0 | 1 {
    const sa = this.sign();
    const sb = other.sign();
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    // Different orders of magnitude decide without aligning the exponents (which may be huge).
    const ma = abs(this.mantissa).toString().length + this.exponent;
    const mb = abs(other.mantissa).toString().length + other.exponent;
    if (ma !== mb) return (ma < mb) === (sa > 0) ? -1 : 1;
    const e = Math.min(this.exponent, other.exponent);
    const a = this.mantissa * pow10(this.exponent - e);
    const b = other.mantissa * pow10(other.exponent - e);
    return a === b ? 0 : a < b ? -1 : 1;
  }

  equal(other: Quantity): boolean {
    return this.cmp(other) === 0;
  }

  /**
   * The value at 10^scale, rounded away from zero (ScaledValue): scaledValue(-3) is MilliValue.
   * Values far beyond int64 (where upstream overflows) saturate at ±(2^63-1).
   */
  scaledValue(scale: number): bigint {
    if (this.mantissa === 0n) return 0n;
    if (this.exponent - scale > 40) return this.mantissa > 0n ? int64Max : -int64Max;
    if (this.exponent >= scale) return this.mantissa * pow10(this.exponent - scale);
    if (scale - this.exponent > abs(this.mantissa).toString().length + 1) return this.mantissa > 0n ? 1n : -1n;
    return divAwayFromZero(this.mantissa, pow10(scale - this.exponent));
  }

  /** Value(): the value rounded up to an integer. */
  value(): bigint {
    return this.scaledValue(0);
  }

  /** MilliValue(): the value in thousandths, rounded up. */
  milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /** AsApproximateFloat64. */
  asApproximateFloat64(): number {
    return Number(this.mantissa) * 10 ** this.exponent;
  }

  /** The sum; a zero receiver takes the other's format (Add). */
  add(other: Quantity): Quantity {
    const e = Math.min(this.exponent, other.exponent);
    const m = this.mantissa * pow10(this.exponent - e) + other.mantissa * pow10(other.exponent - e);
    return new Quantity(m, e, this.isZero() ? other.format : this.format);
  }

  /** The difference; a zero receiver takes the other's format (Sub). */
  sub(other: Quantity): Quantity {
    return this.add(other.neg()).withFormat(this.isZero() ? other.format : this.format);
  }

  neg(): Quantity {
    return new Quantity(-this.mantissa, this.exponent, this.format);
  }

  /** The same value with another format (what setting q.Format does). */
  withFormat(format: QuantityFormat): Quantity {
    return new Quantity(this.mantissa, this.exponent, format);
  }

  /** Upstream's String(): the cached input if canonical, else the canonical form. */
  toString(): string {
    if (this.cached !== undefined) return this.cached;
    return this.canonical();
  }

  /** How the quantity serializes to JSON (a string). */
  toJSON(): string {
    return this.toString();
  }

  /** CanonicalizeBytes. */
  private canonical(): string {
    if (this.mantissa === 0n) return '0';
    let format = this.format;
    let integer: bigint | undefined;
    if (format === 'BinarySI') {
      if (this.cmp(quantityOfInt(-1024n)) > 0 && this.cmp(quantityOfInt(1024n)) < 0) {
        format = 'DecimalSI';
      } else if (this.exponent >= 0) {
        integer = this.mantissa * pow10(this.exponent);
      } else if (this.mantissa % pow10(-this.exponent) === 0n) {
        integer = this.mantissa / pow10(-this.exponent);
      } else {
        format = 'DecimalSI';
      }
    }
    if (format === 'BinarySI' && integer !== undefined) {
      let times = 0;
      let n = integer;
      while (abs(n) >= 1024n && n % 1024n === 0n && times < 6) {
        n /= 1024n;
        times++;
      }
      return `${n}${binarySuffixOf.get(times * 10) ?? ''}`;
    }
    // Move factors of ten into the exponent, then bring the exponent down to a multiple of 3.
    let n = this.mantissa;
    let e = this.exponent;
    while (abs(n) >= 10n && n % 10n === 0n) {
      n /= 10n;
      e++;
    }
    const r = ((e % 3) + 3) % 3;
    n *= pow10(r);
    e -= r;
    if (format === 'DecimalSI') {
      const suffix = decimalSuffixOf.get(e);
      if (suffix !== undefined) return `${n}${suffix}`;
      // Beyond "E" there is no suffix: write the exponent rather than drop it.
    }
    return e === 0 ? `${n}` : `${n}e${e}`;
  }
}

function quantityOfInt(v: bigint): Quantity {
  return Quantity.of(v, 0, 'DecimalSI');
}

/** resource.NewQuantity(value, format). */
export function newQuantity(value: bigint | number, format: QuantityFormat): Quantity {
  return Quantity.of(BigInt(value), 0, format);
}

/** resource.NewMilliQuantity(value, format). */
export function newMilliQuantity(value: bigint | number, format: QuantityFormat): Quantity {
  return Quantity.of(BigInt(value), -3, format);
}

/** resource.NewScaledQuantity(value, scale): value × 10^scale, DecimalSI. */
export function newScaledQuantity(value: bigint | number, scale: number): Quantity {
  return Quantity.of(BigInt(value), scale, 'DecimalSI');
}

interface Scanned {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** parseQuantityString: upstream's scanner. */
function parseQuantityString(str: string): Scanned {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') {
      positive = false;
      pos++;
    } else if (str[0] === '+') {
      pos++;
    }
  }
  // strip leading zeros
  for (;;) {
    if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
    if (str[pos] !== '0') break;
    pos++;
  }
  // the numerator
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
  let num = str.slice(pos, i);
  pos = i;
  if (num.length === 0) num = '0';
  // the denominator
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    if (i >= end) return { positive, value: str, num, denom: str.slice(pos), suffix: '' };
    denom = str.slice(pos, i);
    pos = i;
  }
  const value = str.slice(0, pos);
  // the suffix: letters, an optional sign, digits
  const suffixStart = pos;
  i = pos;
  while (i < end && 'eEinumkKMGTP'.includes(str[i] ?? '')) i++;
  if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = i;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  throw new Error(quantityErrors.formatWrong);
}

/** The suffix's base, exponent and format (suffixHandler.interpret), or undefined. */
function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  const dec = decimalSuffixes.get(suffix);
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = binarySuffixes.get(suffix);
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'E' || suffix[0] === 'e')) {
    const rest = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(rest)) return undefined;
    const parsed = BigInt(rest);
    if (parsed < int64Min || parsed > int64Max) return undefined;
    // Upstream keeps the exponent in an int32.
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

/**
 * resource.ParseQuantity. Throws an Error with upstream's message ("quantities must match the
 * regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", "unable to parse
 * quantity's suffix", ...).
 */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new Error(quantityErrors.formatWrong);
  if (str === '0') return Quantity.of(0n, 0, 'DecimalSI', str);

  const { positive, num, denom, suffix } = parseQuantityString(str);
  const interpreted = interpretSuffix(suffix);
  if (interpreted === undefined) throw new Error(quantityErrors.suffix);
  const { base, exponent } = interpreted;
  let format = interpreted.format;

  // The fast path: the value fits an int64 at nano precision or coarser.
  let precision: number;
  let scale: number;
  let multiplier = 1n;
  if (format === 'BinarySI') {
    scale = 0;
    if (exponent >= 0 && denom.length === 0) {
      multiplier = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= nanoScale) {
      const shifted = num + denom;
      const value = BigInt(shifted);
      if (value > int64Max) throw new Error(quantityErrors.numeric);
      const product = value * multiplier;
      if (product <= int64Max) {
        const result = positive ? product : -product;
        let canonicalInput: boolean;
        if (format === 'BinarySI') canonicalInput = exponent % 10 === 0 && (value & 7n) !== 0n;
        else canonicalInput = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        return Quantity.of(result, scale, format, canonicalInput ? str : undefined);
      }
    }
  }

  // The slow path: exact decimal arithmetic, rounded up to nano, capped at 2^63-1.
  let digits = BigInt(num + denom);
  let exp10 = -denom.length;
  if (base === 10) exp10 += exponent;
  else digits *= 1n << BigInt(exponent);
  if (digits !== 0n) {
    const digitCount = digits.toString().length;
    if (exp10 + digitCount > 20) {
      // Certainly above the cap; avoid building huge powers of ten.
      digits = int64Max;
      exp10 = 0;
    } else if (exp10 < nanoScale) {
      if (exp10 + digitCount < nanoScale - 2) {
        digits = 1n;
      } else {
        const den = pow10(nanoScale - exp10);
        digits = divAwayFromZero(digits, den);
      }
      exp10 = nanoScale;
    }
    const e = Math.min(exp10, 0);
    if (digits * pow10(exp10 - e) > int64Max * pow10(-e)) {
      digits = int64Max;
      exp10 = 0;
    }
  }
  if (format === 'BinarySI' && digits !== 0n && exp10 < 0 && digits < pow10(-exp10)) {
    // Below one: avoids rounding and confusion.
    format = 'DecimalSI';
  }
  return Quantity.of(positive ? digits : -digits, exp10, format);
}

/** A Quantity as it arrives in JSON: a string (trimmed) or a number; throws like parseQuantity. */
export function quantityFromJSON(value: unknown): Quantity {
  if (value === null) return Quantity.of(0n, 0, 'DecimalSI');
  if (typeof value === 'number') return parseQuantity(String(value));
  if (typeof value === 'string') return parseQuantity(value.trim());
  throw new Error(quantityErrors.formatWrong);
}
