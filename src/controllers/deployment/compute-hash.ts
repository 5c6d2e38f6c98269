// controller.ComputeHash of upstream's controller_utils.go: the pod-template-hash of a template, fnv32a over a
// deep hash of the template plus the collision count, encoded with rand.SafeEncodeString.
//
// Deviation: upstream's deep hash prints the Go struct with spew; here the template is written as canonical JSON
// (object keys sorted, recursively). The value is stable for equal templates and changes when the template
// changes, but it is not upstream's value bit for bit.

/** The alphabet of rand.SafeEncodeString: no vowels, no 0/1/3 (no bad words, no look-alikes). */
const safeAlphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: every byte of `s` mapped into the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += safeAlphanums[b % safeAlphanums.length];
  return out;
}

/** JSON with object keys sorted at every level, so that equal values print equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** 32-bit FNV-1a over bytes, continuing from `hash`. */
export function fnv32a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** ComputeHash: the template's hash, with the collision count (as 4 little-endian bytes) mixed in when set. */
export function computeHash(template: unknown, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(canonicalJson(template), 'utf8'));
  if (collisionCount !== undefined) {
    const buf = Buffer.alloc(4);
    buf.writeUInt32LE(collisionCount >>> 0);
    h = fnv32a(buf, h);
  }
  return safeEncodeString(String(h));
}
