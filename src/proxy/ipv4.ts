// IPv4 addresses and CIDRs as numbers, for the few checks the proxy makes itself.

export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m === null) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

/** Whether the CIDR (a.b.c.d/n) holds the address; false when either does not parse. */
export function cidrContainsIp(cidr: string, ip: string): boolean {
  const [base, prefixText] = cidr.split('/');
  const b = parseIPv4(base ?? '');
  const a = parseIPv4(ip);
  const prefix = Number(prefixText);
  if (b === undefined || a === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(a / size) === Math.floor(b / size);
}
