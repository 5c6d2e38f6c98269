// IP address helpers for DNS names: a canonical text form (for indexes), reverse (PTR) names and CoreDNS's dashed
// form (10-0-0-1, 2001-db8--1).
import { isIPv4, isIPv6 } from 'node:net';

/** The address in one canonical text form (IPv6 fully expanded, lowercase), or undefined when it is no address. */
export function canonicalIp(ip: string): string | undefined {
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return undefined;
  return ipv6Groups(ip)
    .map((g) => g.toString(16).padStart(4, '0'))
    .join(':');
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail becomes the last two). */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase().split('%')[0] ?? '';
  const lastColon = text.lastIndexOf(':');
  const end = text.slice(lastColon + 1);
  if (end.includes('.')) {
    const o = end.split('.').map(Number);
    const hi = (((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16);
    const lo = (((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16);
    text = `${text.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const gap = text.indexOf('::');
  if (gap < 0) return parse(text);
  const a = parse(text.slice(0, gap));
  const b = parse(text.slice(gap + 2));
  return [...a, ...new Array<number>(Math.max(0, 8 - a.length - b.length)).fill(0), ...b];
}

/** The address a reverse name (d.c.b.a.in-addr.arpa, or 32 nibbles .ip6.arpa) stands for, or undefined. */
export function addressFromReverse(name: string): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n.endsWith('.in-addr.arpa')) {
    const parts = n.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return undefined;
    const ip = parts.reverse().join('.');
    return isIPv4(ip) ? ip : undefined;
  }
  if (n.endsWith('.ip6.arpa')) {
    const nibbles = n.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((x) => /^[0-9a-f]$/.test(x))) return undefined;
    const hex = nibbles.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return groups.join(':');
  }
  return undefined;
}

/** Whether the name lies in a reverse zone (in-addr.arpa or ip6.arpa). */
export function isReverseName(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === 'in-addr.arpa' || n.endsWith('.in-addr.arpa') || n === 'ip6.arpa' || n.endsWith('.ip6.arpa');
}

/** CoreDNS's dashed form of an address: dots (IPv4) or colons (IPv6) replaced by dashes. */
export function dashedIp(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** The address of a dashed pod label, as CoreDNS reads it (three dashes and no `--`: IPv4), or undefined. */
export function ipFromDashed(label: string): string | undefined {
  const dashes = label.split('-').length - 1;
  const ip = dashes === 3 && !label.includes('--') ? label.replace(/-/g, '.') : label.replace(/-/g, ':');
  return isIPv4(ip) || isIPv6(ip) ? ip : undefined;
}
