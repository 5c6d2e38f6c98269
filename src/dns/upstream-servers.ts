// The upstream resolvers of the cluster DNS: the nameserver lines of a resolv.conf file (as CoreDNS's
// `forward . /etc/resolv.conf`), port 53.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface UpstreamServer {
  readonly host: string;
  readonly port: number;
}

/** The nameservers of resolv.conf text, in order; lines that are no address are skipped. */
export function parseResolvConfNameservers(text: string): UpstreamServer[] {
  const out: UpstreamServer[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)$/.exec(line);
    if (m === null) continue;
    const host = (m[1] ?? '').split('%')[0] ?? '';
    if (isIP(host) === 0) continue;
    out.push({ host, port: 53 });
  }
  return out;
}

/**
 * The nameservers of a resolv.conf file, without the DNS server's own address (a resolver that points at the cluster
 * DNS would forward its queries to itself in a loop). A file that cannot be read gives none.
 */
export function readUpstreamServers(path: string, self?: UpstreamServer): { servers: UpstreamServer[]; error?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e: unknown) {
    return { servers: [], error: e instanceof Error ? e.message : String(e) };
  }
  const all = parseResolvConfNameservers(text);
  if (self === undefined) return { servers: all };
  const wildcard = self.host === '0.0.0.0' || self.host === '::';
  const loops = (s: UpstreamServer): boolean => s.port === self.port && (s.host === self.host || (wildcard && (s.host.startsWith('127.') || s.host === '::1')));
  return { servers: all.filter((s) => !loops(s)) };
}
