// Network errors worded as Go's net package words them, because probe outputs are what users read in events:
// `dial tcp 127.0.0.1:80: connect: connection refused`, `dial tcp 10.0.0.1:80: i/o timeout`.
import { isIP } from 'node:net';

/** net.JoinHostPort: IPv6 literals in brackets. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

interface NodeNetError {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
  message?: string;
}

const errnoText: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'broken pipe',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

const asNetError = (e: unknown): NodeNetError => (e !== null && typeof e === 'object' ? (e as NodeNetError) : { message: String(e) });

/**
 * The error of dialing `addr` (host:port as asked for) as Go prints an *net.OpError from Dial:
 * `dial tcp ADDR: connect: connection refused`; a failed name lookup reads `dial tcp: lookup HOST: no such host`.
 */
export function goDialError(addr: string, e: unknown): string {
  const err = asNetError(e);
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.syscall === 'getaddrinfo') {
    const host = err.hostname ?? addr.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    return `dial tcp: lookup ${host}: ${err.code === 'EAI_AGAIN' ? 'Temporary failure in name resolution' : 'no such host'}`;
  }
  // Go names the address it dialed (the resolved IP when a name was given).
  const target = err.address !== undefined && isIP(err.address) !== 0 && err.port !== undefined ? joinHostPort(err.address, err.port) : addr;
  const text = err.code !== undefined ? errnoText[err.code] : undefined;
  if (text !== undefined) return `dial tcp ${target}: connect: ${text}`;
  return `dial tcp ${target}: ${err.message ?? String(e)}`;
}

/** An error after the connection was made (reading the response), as Go words it. */
export function goReadError(e: unknown, local?: string, remote?: string): string {
  const err = asNetError(e);
  if (err.code === 'ECONNRESET') return local !== undefined && remote !== undefined ? `read tcp ${local}->${remote}: read: connection reset by peer` : 'read: connection reset by peer';
  if (err.message === 'socket hang up' || err.code === 'HPE_INVALID_EOF_STATE') return 'EOF';
  const text = err.code !== undefined ? errnoText[err.code] : undefined;
  return text ?? err.message ?? String(e);
}

/** time.Duration.String() for a duration in milliseconds: 1s, 500ms, 1m30s, 1h0m0s. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const totalSeconds = ms / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds - h * 3600) / 60);
  const s = totalSeconds - h * 3600 - m * 60;
  const sText = `${Number.isInteger(s) ? s : Number(s.toFixed(3))}s`;
  if (h > 0) return `${h}h${m}m${sText}`;
  if (m > 0) return `${m}m${sText}`;
  return sText;
}

/** Go's %q for a string (strconv.Quote): JSON's escaping matches it for printable text. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
