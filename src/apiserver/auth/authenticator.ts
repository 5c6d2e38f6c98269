// Authentication: client certificates signed by the cluster CA (CN = user, O = groups) and bearer tokens
// from a static token file in upstream's CSV format (token,user,uid,"group1,group2").
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import type { Req } from '../http.js';

export interface UserInfo {
  readonly name: string;
  readonly uid: string;
  readonly groups: readonly string[];
}

export type Authenticator = (req: Req) => UserInfo | undefined;

/** Parses upstream's --token-auth-file CSV; malformed lines are errors naming the line. */
export function parseTokenFile(text: string, source = 'token file'): Map<string, UserInfo> {
  const out = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const fields: string[] = [];
    let cur = '';
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) {
        fields.push(cur);
        cur = '';
      } else cur += ch;
    }
    fields.push(cur);
    if (fields.length < 3) throw new Error(`${source}, line ${i + 1}: token file must have at least 3 columns (token, user name, user uid), found ${fields.length}`);
    const [token = '', name = '', uid = '', groups = ''] = fields.map((f) => f.trim());
    if (token === '') {
      // Upstream skips such a record with a warning.
      process.stderr.write(`${JSON.stringify({ level: 'warn', msg: 'empty token skipped', file: source, line: i + 1 })}\n`);
      return;
    }
    if (name === '') throw new Error(`${source}, line ${i + 1}: user name is empty`);
    out.set(token, { name, uid, groups: groups === '' ? [] : groups.split(',').map((g) => g.trim()) });
  });
  return out;
}

export function loadTokenFile(path: string): Map<string, UserInfo> {
  return parseTokenFile(readFileSync(path, 'utf8'), path);
}

function tlsSocketOf(req: Req): TLSSocket | undefined {
  if ('stream' in req && req.stream !== undefined) {
    const s = req.stream.session?.socket as TLSSocket | undefined;
    return s;
  }
  return req.socket as TLSSocket;
}

const certUsers = new WeakMap<object, UserInfo | null>();

function fromCertificate(req: Req): UserInfo | undefined {
  const sock = tlsSocketOf(req);
  if (sock === undefined || typeof sock.getPeerCertificate !== 'function') return undefined;
  const cached = certUsers.get(sock);
  if (cached !== undefined) return cached ?? undefined;
  let user: UserInfo | null = null;
  if (sock.authorized) {
    const cert = sock.getPeerCertificate();
    const cn = cert.subject?.CN;
    const o = cert.subject?.O;
    const name = Array.isArray(cn) ? (cn[0] ?? '') : (cn ?? '');
    const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
    if (name !== '') user = { name, uid: '', groups: [...groups, 'system:authenticated'] };
  }
  certUsers.set(sock, user);
  return user ?? undefined;
}

export function createAuthenticator(tokens: () => Map<string, UserInfo>): Authenticator {
  return (req: Req) => {
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && /^bearer /i.test(auth)) {
      const token = auth.slice(7).trim();
      const u = tokens().get(token);
      if (u !== undefined) return { ...u, groups: [...u.groups, 'system:authenticated'] };
      return undefined;
    }
    return fromCertificate(req);
  };
}

/** Authorization decision point; every authenticated user may do everything until the authorization issue. */
export type Authorizer = (user: UserInfo, verb: string, attrs: { group: string; resource: string; namespace: string; name: string; subresource: string; path: string }) => { allowed: boolean; reason: string };

export const alwaysAllow: Authorizer = () => ({ allowed: true, reason: '' });
