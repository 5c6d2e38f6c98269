// The context NAME that `k8ts cluster create` merges into the user's kubeconfig (as kind and k3d do: a cluster, a
// user and a context all called NAME, made the current context) and that `k8ts cluster delete` takes out again.
// Everything else in the file is kept as it was.
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

export interface ContextCredentials {
  readonly server: string;
  /** base64, as in the kubeconfig. */
  readonly certificateAuthorityData: string;
  readonly clientCertificateData: string;
  readonly clientKeyData: string;
}

type Doc = Record<string, unknown>;
const isRecord = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The file kubectl writes to: the first of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const first = (env['KUBECONFIG'] ?? '').split(delimiter).find((p) => p !== '');
  return first ?? join(home, '.kube', 'config');
}

function parseDoc(text: string | undefined, where: string): Doc {
  if (text === undefined || text.trim() === '') return { apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], contexts: [], users: [] };
  const doc: unknown = parse(text);
  if (doc === null || doc === undefined) return { apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], contexts: [], users: [] };
  if (!isRecord(doc)) throw new Error(`${where}: not a kubeconfig (a YAML mapping is needed)`);
  return doc;
}

function withEntry(list: unknown, name: string, entry: Doc | undefined, where: string, field: string): Doc[] {
  if (list !== undefined && list !== null && !Array.isArray(list)) throw new Error(`${where}: ${field} must be a list`);
  const kept = ((list ?? []) as unknown[]).filter((x) => !(isRecord(x) && x['name'] === name)) as Doc[];
  return entry === undefined ? kept : [...kept, entry];
}

/** The kubeconfig text with the cluster, user and context `name` set (replacing any of that name) and current. */
export function mergeContext(text: string | undefined, name: string, c: ContextCredentials, where = 'kubeconfig'): string {
  const doc = parseDoc(text, where);
  doc['clusters'] = withEntry(doc['clusters'], name, { name, cluster: { 'certificate-authority-data': c.certificateAuthorityData, server: c.server } }, where, 'clusters');
  doc['users'] = withEntry(doc['users'], name, { name, user: { 'client-certificate-data': c.clientCertificateData, 'client-key-data': c.clientKeyData } }, where, 'users');
  doc['contexts'] = withEntry(doc['contexts'], name, { name, context: { cluster: name, user: name } }, where, 'contexts');
  doc['current-context'] = name;
  doc['apiVersion'] ??= 'v1';
  doc['kind'] ??= 'Config';
  return stringify(doc);
}

/** The kubeconfig text without the cluster, user and context `name`; the current context is cleared if it was it. */
export function removeContext(text: string, name: string, where = 'kubeconfig'): string {
  const doc = parseDoc(text, where);
  doc['clusters'] = withEntry(doc['clusters'], name, undefined, where, 'clusters');
  doc['users'] = withEntry(doc['users'], name, undefined, where, 'users');
  doc['contexts'] = withEntry(doc['contexts'], name, undefined, where, 'contexts');
  if (doc['current-context'] === name) doc['current-context'] = '';
  return stringify(doc);
}

/** The credentials of the current context of a kubeconfig k8ts wrote (inline data). */
export function currentCredentials(text: string, where: string): ContextCredentials {
  const doc = parseDoc(text, where);
  const find = (list: unknown, n: unknown): Doc => {
    const item = (Array.isArray(list) ? (list as unknown[]) : []).find((x) => isRecord(x) && x['name'] === n);
    return isRecord(item) ? item : {};
  };
  const ctx = find(doc['contexts'], doc['current-context'])['context'];
  const cluster = find(doc['clusters'], isRecord(ctx) ? ctx['cluster'] : undefined)['cluster'];
  const user = find(doc['users'], isRecord(ctx) ? ctx['user'] : undefined)['user'];
  const s = (o: unknown, k: string): string => {
    const v = isRecord(o) ? o[k] : undefined;
    if (typeof v !== 'string') throw new Error(`${where}: the current context has no ${k}`);
    return v;
  };
  return {
    server: s(cluster, 'server'),
    certificateAuthorityData: s(cluster, 'certificate-authority-data'),
    clientCertificateData: s(user, 'client-certificate-data'),
    clientKeyData: s(user, 'client-key-data'),
  };
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e: unknown) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.k8ts-tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Merges the context into the file at `path` (created if missing). */
export function mergeContextFile(path: string, name: string, c: ContextCredentials): void {
  writeAtomically(path, mergeContext(readOrUndefined(path), name, c, path));
}

/** Takes the context out of the file at `path`; a missing file is left missing. */
export function removeContextFile(path: string, name: string): void {
  const text = readOrUndefined(path);
  if (text === undefined) return;
  writeAtomically(path, removeContext(text, name, path));
}
