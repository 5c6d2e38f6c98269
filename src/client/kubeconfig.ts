// Kubeconfig files: writing the admin kubeconfig and reading one for our own clients.
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { isRecord } from '../api/object.js';

export interface ClientConfig {
  readonly server: string;
  readonly caPem: string;
  readonly certPem?: string;
  readonly keyPem?: string;
  readonly token?: string;
  /** Plain HTTP over this Unix socket instead of HTTPS to `server` (the API server's in-process loopback). */
  readonly socketPath?: string;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: unknown): string | undefined => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : undefined);

export function renderKubeconfig(c: ClientConfig, name = 'default'): string {
  const user: Record<string, string> = {};
  if (c.certPem !== undefined) user['client-certificate-data'] = b64(c.certPem);
  if (c.keyPem !== undefined) user['client-key-data'] = b64(c.keyPem);
  if (c.token !== undefined) user['token'] = c.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ cluster: { 'certificate-authority-data': b64(c.caPem), server: c.server }, name }],
    contexts: [{ context: { cluster: name, user: name }, name }],
    'current-context': name,
    preferences: {},
    users: [{ name, user }],
  });
}

/** Reads the current context of a kubeconfig with inline data (what k8ts writes). */
export function readKubeconfig(path: string): ClientConfig {
  const doc: unknown = parse(readFileSync(path, 'utf8'));
  if (!isRecord(doc)) throw new Error(`${path}: not a kubeconfig`);
  const current = doc['current-context'];
  const find = (list: unknown, name: unknown): Record<string, unknown> => {
    const arr = Array.isArray(list) ? list : [];
    const item = arr.find((x) => isRecord(x) && x['name'] === name);
    return isRecord(item) ? item : {};
  };
  const ctx = find(doc['contexts'], current)['context'];
  const ctxRec = isRecord(ctx) ? ctx : {};
  const cluster = find(doc['clusters'], ctxRec['cluster'])['cluster'];
  const user = find(doc['users'], ctxRec['user'])['user'];
  const cl = isRecord(cluster) ? cluster : {};
  const us = isRecord(user) ? user : {};
  if (typeof cl['server'] !== 'string') throw new Error(`${path}: no server for context ${String(current)}`);
  return {
    server: cl['server'],
    caPem: unb64(cl['certificate-authority-data']) ?? '',
    certPem: unb64(us['client-certificate-data']),
    keyPem: unb64(us['client-key-data']),
    token: typeof us['token'] === 'string' ? us['token'] : undefined,
  };
}
