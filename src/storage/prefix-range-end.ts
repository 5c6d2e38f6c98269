// The exclusive upper bound of the keys that start with a prefix, as etcd's clientv3.GetPrefixRangeEnd computes it:
// the prefix with its last character incremented. Keys are compared by code point (UTF-8 byte order).

/** The smallest key greater than every key with this prefix; null when there is none (the empty prefix). */
export function prefixRangeEnd(prefix: string): string | null {
  const chars = Array.from(prefix);
  while (chars.length > 0) {
    const last = chars.pop() as string;
    const code = last.codePointAt(0) as number;
    if (code < 0x10ffff) {
      chars.push(String.fromCodePoint(code === 0xd7ff ? 0xe000 : code + 1));
      return chars.join('');
    }
  }
  return null;
}
