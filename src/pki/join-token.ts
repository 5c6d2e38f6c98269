// The join token of a server, in k3s's "secure" format: K10<sha256 of the CA bundle>::<user>:<password>. The hash
// lets an agent check the server's CA before it trusts the server with anything (it fetches /cacerts without
// verification and compares); the password is what the server checks. The server keeps its token in DATA_DIR/token.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface JoinToken {
  /** Hex SHA-256 of the CA bundle's bytes as /cacerts serves them; empty for a bare password. */
  readonly caHash: string;
  readonly user: string;
  readonly password: string;
}

/** Hex SHA-256 of the CA bundle's bytes (what `curl -k https://SERVER/cacerts | sha256sum` prints). */
export function caBundleHash(caPem: string): string {
  return createHash('sha256').update(caPem).digest('hex');
}

export function formatJoinToken(t: JoinToken): string {
  return t.user === '' ? `K10${t.caHash}::${t.password}` : `K10${t.caHash}::${t.user}:${t.password}`;
}

/**
 * Parses a token: the secure format, or a bare password (then no CA hash: the agent cannot check the server, and
 * says so). Throws with a message naming what is wrong.
 */
export function parseJoinToken(text: string): JoinToken {
  const token = text.trim();
  if (token === '') throw new Error('the token is empty');
  if (!token.startsWith('K10')) {
    if (/\s|:/.test(token)) throw new Error('the token holds blanks or colons: copy it again from DATA_DIR/token of the server');
    return { caHash: '', user: 'server', password: token };
  }
  // A bootstrap token (ID.SECRET) stands after the hash alone.
  const boot = /^K10([0-9a-f]{64})::([a-z0-9]{6}\.[a-z0-9]{16})$/.exec(token);
  if (boot !== null) return { caHash: boot[1] ?? '', user: '', password: boot[2] ?? '' };
  const m = /^K10([0-9a-f]{64})::([^:\s]+):(\S+)$/.exec(token);
  if (m === null) throw new Error('the token is not in the K10<CA hash>::<user>:<password> format: copy it again from DATA_DIR/token of the server');
  return { caHash: m[1] ?? '', user: m[2] ?? '', password: m[3] ?? '' };
}

export function tokenPath(dataDir: string): string {
  return join(dataDir, 'token');
}

/** The password a server's --token gives (the token of another server, or a bare password). */
export function serverPasswordOf(flag: string): string {
  return parseJoinToken(flag).password;
}

/**
 * The server's token: the given password (--token), else DATA_DIR/token's when it exists (its password is kept even when the CA changed, and the hash is
 * brought up to date), else a new one with a random password. Written with mode 0600.
 */
export function ensureServerToken(dataDir: string, caPem: string, given?: string): JoinToken {
  const path = tokenPath(dataDir);
  let password = given ?? '';
  if (password === '' && existsSync(path)) {
    try {
      password = parseJoinToken(readFileSync(path, 'utf8')).password;
    } catch {
      password = '';
    }
  }
  if (password === '') password = randomBytes(16).toString('hex');
  const token: JoinToken = { caHash: caBundleHash(caPem), user: 'server', password };
  const text = `${formatJoinToken(token)}\n`;
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text, { mode: 0o600 });
  return token;
}

/** The password of DATA_DIR/token, when the file exists and reads as a token. */
export function readServerPassword(dataDir: string): string | undefined {
  try {
    return parseJoinToken(readFileSync(tokenPath(dataDir), 'utf8')).password;
  } catch {
    return undefined;
  }
}
