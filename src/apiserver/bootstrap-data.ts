// The servers' shared secrets in the datastore (k3s's bootstrap data): the cluster CA and the shared client
// certificates, encrypted with a key derived from the join token's password, under /bootstrap/<hash of the
// password>. The first server on a datastore saves them; a server that starts later on the same datastore with the
// same --token restores them into its DATA_DIR/tls before its PKI is made, so that every server, node and client
// trusts one CA. A server with another password sees no bootstrap data and cannot join the cluster's trust.
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyExistsError, type Storage } from '../storage/storage.js';

/** The files of DATA_DIR/tls every server shares (each server keeps its own serving certificate). */
export const sharedTlsFiles = ['server-ca.crt', 'server-ca.key', 'client-admin.crt', 'client-admin.key', 'client-kube-apiserver.crt', 'client-kube-apiserver.key'] as const;

export function bootstrapKey(password: string): string {
  return `/bootstrap/${createHash('sha256').update(password).digest('hex').slice(0, 12)}`;
}

interface Sealed {
  v: 1;
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

export function seal(plain: string, password: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(password, salt, 32);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  const sealed: Sealed = { v: 1, salt: salt.toString('base64'), iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
  return JSON.stringify(sealed);
}

export function unseal(text: string, password: string): string {
  const s = JSON.parse(text) as Partial<Sealed>;
  if (s.v !== 1 || typeof s.salt !== 'string' || typeof s.iv !== 'string' || typeof s.tag !== 'string' || typeof s.data !== 'string') throw new Error('the bootstrap data in the datastore is not in a known format');
  const key = scryptSync(password, Buffer.from(s.salt, 'base64'), 32);
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'));
  d.setAuthTag(Buffer.from(s.tag, 'base64'));
  try {
    return Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new Error('the bootstrap data in the datastore cannot be decrypted with this token');
  }
}

/**
 * Restores the shared files from the datastore into DATA_DIR/tls when another server saved them. False when there
 * are none yet (this is the first server). A data dir that holds another CA is refused: it belongs to another
 * cluster.
 */
export async function restoreBootstrapData(storage: Storage, dataDir: string, password: string): Promise<boolean> {
  const { kv } = await storage.get(bootstrapKey(password));
  if (kv === null) {
    // Another server's data under another password: this one would make a second CA that nobody else trusts.
    const { count } = await storage.count('/bootstrap/');
    if (count > 0) {
      throw new Error('bootstrap data already found in the datastore, encrypted with a different token: start this server with --token set to the first server\'s token (its DATA_DIR/token)');
    }
    return false;
  }
  const files = JSON.parse(unseal(kv.value, password)) as Record<string, string>;
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caFile = join(dir, 'server-ca.crt');
  if (existsSync(caFile) && files['server-ca.crt'] !== undefined && readFileSync(caFile, 'utf8') !== files['server-ca.crt']) {
    throw new Error(`${caFile} holds another CA than the cluster's on this datastore: this data dir belongs to another cluster (use a fresh --data-dir)`);
  }
  for (const name of sharedTlsFiles) {
    const content = files[name];
    if (content === undefined) continue;
    const path = join(dir, name);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) writeFileSync(path, content, { mode: name.endsWith('.key') ? 0o600 : 0o644 });
  }
  return true;
}

/** Saves the shared files, unless a server saved them first (then they are left as they are). */
export async function saveBootstrapData(storage: Storage, dataDir: string, password: string): Promise<void> {
  const dir = join(dataDir, 'tls');
  const files: Record<string, string> = {};
  for (const name of sharedTlsFiles) {
    const path = join(dir, name);
    if (existsSync(path)) files[name] = readFileSync(path, 'utf8');
  }
  try {
    await storage.create(bootstrapKey(password), seal(JSON.stringify(files), password));
  } catch (e: unknown) {
    if (e instanceof KeyExistsError) return;
    throw e;
  }
}
