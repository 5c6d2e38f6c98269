// `k8ts token create`: a bootstrap token (kubeadm's and k3s's ID.SECRET, a Secret bootstrap-token-ID in kube-system)
// that agents can join with until it expires, printed in the K10<CA hash>::ID.SECRET form `k8ts agent --token` takes.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readKubeconfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { parseGoDuration } from '../machinery/go-duration.js';
import { caBundleHash, formatJoinToken } from '../pki/join-token.js';
import { defaultDataDir } from './server-command.js';

export const tokenUsage = `Usage: k8ts token create [flags]

Creates a bootstrap token agents can join with (k8ts agent --token TOKEN), and prints it. The server's own token
is in its DATA_DIR/token.

Flags:
  -d, --data-dir DIR        the server's data dir (default /var/lib/k8ts as root, ~/.k8ts otherwise)
      --ttl D               how long the token is valid, e.g. 2h; 0 never expires (default 24h)
      --description TEXT    a note kept with the token
`;

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)] ?? 'a';
  return s;
}

/** The Secret of a bootstrap token, as kubeadm writes it. */
export function bootstrapTokenSecret(id: string, secret: string, expiration: string | undefined, description: string | undefined): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    stringData: {
      'token-id': id,
      'token-secret': secret,
      ...(expiration !== undefined ? { expiration } : {}),
      ...(description !== undefined ? { description } : {}),
      'usage-bootstrap-authentication': 'true',
      'usage-bootstrap-signing': 'true',
      'auth-extra-groups': 'system:bootstrappers:k8ts:default-node-token',
    },
  };
}

export async function runToken(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, 'data-dir': { type: 'string', short: 'd' }, ttl: { type: 'string', default: '24h' }, description: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help === true || positionals.length === 0) {
    process.stdout.write(tokenUsage);
    if (values.help !== true) process.exitCode = 1;
    return;
  }
  if (positionals[0] !== 'create' || positionals.length > 1) throw new Error(`unknown token command ${JSON.stringify(positionals.join(' '))}: only "create"`);
  let ttlMs = 0;
  if (values.ttl !== '0') {
    try {
      ttlMs = parseGoDuration(values.ttl);
    } catch {
      ttlMs = -1;
    }
    if (!(ttlMs > 0)) throw new Error(`invalid --ttl ${values.ttl}: a duration such as 24h, or 0`);
  }
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  let config;
  try {
    config = readKubeconfig(kubeconfig);
  } catch {
    throw new Error(`no admin kubeconfig at ${kubeconfig}: run this on a server, with its --data-dir`);
  }
  const caPem = readFileSync(join(dataDir, 'tls', 'server-ca.crt'), 'utf8');
  const id = randomString(6);
  const secret = randomString(16);
  const expiration = ttlMs > 0 ? new Date(Date.now() + ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
  const client = new RestClient(config);
  try {
    await client.request('POST', '/api/v1/namespaces/kube-system/secrets', bootstrapTokenSecret(id, secret, expiration, values.description));
  } finally {
    client.close();
  }
  process.stdout.write(`${formatJoinToken({ caHash: caBundleHash(caPem), user: '', password: `${id}.${secret}` })}\n`);
}
