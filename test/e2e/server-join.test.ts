// Joining a cluster: the join token (DATA_DIR/token) binds agents to the server's CA by its hash and admits them to
// /v1-k8ts/node-join, which issues a node's credentials; `k8ts token create` makes bootstrap tokens that join too;
// `k8ts agent` refuses a server whose CA is not the token's and says so; and a second server on the same etcd with
// the first's --token shares its CA, so that one kubeconfig works against both. `k8ts agent --virtual N` joins as
// N virtual nodes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { K8tsServer, k8tsBin, repoRoot, waitFor } from './support/server.js';

const run = promisify(execFile);

let etcd: { endpoint: string; stop(): Promise<void> };
let a: K8tsServer;
let b: K8tsServer | undefined;

before(async () => {
  const { startEtcd } = (await import(join(repoRoot, 'dist', 'src', 'storage', 'etcd', 'etcd-test-server.js'))) as { startEtcd: () => Promise<typeof etcd> };
  etcd = await startEtcd();
  a = await K8tsServer.start({ datastoreEndpoint: etcd.endpoint });
});

after(async () => {
  await b?.destroy();
  await a?.destroy();
  await etcd?.stop();
});

function token(s: K8tsServer): string {
  return readFileSync(join(s.dataDir, 'token'), 'utf8').trim();
}

function join_(s: K8tsServer, password: string, body: unknown): Promise<{ status: number; body: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: s.port,
        path: '/v1-k8ts/node-join',
        method: 'POST',
        ca: readFileSync(join(s.dataDir, 'tls', 'server-ca.crt'), 'utf8'),
        headers: { authorization: `Basic ${Buffer.from(`node:${password}`).toString('base64')}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function agentFails(args: string[]): Promise<string> {
  try {
    await run(process.execPath, [k8tsBin, 'agent', ...args], { timeout: 30_000 });
  } catch (e: unknown) {
    return e !== null && typeof e === 'object' && 'stderr' in e ? String(e.stderr) : String(e);
  }
  throw new Error('the agent did not fail');
}

describe('joining a server', () => {
  test('the token names the CA the server serves at /cacerts, by its SHA-256', async () => {
    const t = token(a);
    assert.match(t, /^K10[0-9a-f]{64}::server:[0-9a-f]{32}$/);
    const res = await a.request('GET', '/cacerts', { auth: 'none' });
    assert.equal(res.status, 200);
    const { createHash } = await import('node:crypto');
    assert.equal(`K10${createHash('sha256').update(res.body).digest('hex')}`, t.slice(0, 67));
  });

  test('the join endpoint issues a node client certificate and a serving certificate for the node\'s addresses', async () => {
    const password = token(a).split(':').pop() ?? '';
    const res = await join_(a, password, { nodeName: 'worker-1', addresses: ['10.9.8.7'], dnsNames: ['worker-1.example'] });
    assert.equal(res.status, 200, res.body);
    const answer = JSON.parse(res.body) as { client: { certPem: string }; serving: { certPem: string }; settings: Record<string, string> };
    const client = new X509Certificate(answer.client.certPem);
    assert.match(client.subject, /CN=system:node:worker-1/);
    assert.match(client.subject, /O=system:nodes/);
    const serving = new X509Certificate(answer.serving.certPem);
    assert.match(serving.subjectAltName ?? '', /IP Address:10\.9\.8\.7/);
    assert.match(serving.subjectAltName ?? '', /DNS:worker-1\.example/);
    assert.deepEqual(answer.settings, { clusterCidr: '10.240.0.0/16', serviceCidr: '10.254.0.0/16', clusterDns: '10.254.0.10', clusterDomain: 'cluster.local', flannelBackend: 'vxlan' });
  });

  test('a wrong password is a 401 Status and a bad request a 400 that names the field', async () => {
    const wrong = await join_(a, 'nope', { nodeName: 'worker-1', addresses: ['10.9.8.7'] });
    assert.equal(wrong.status, 401);
    assert.equal((JSON.parse(wrong.body) as { message: string }).message, 'the join token is not valid on this server');
    const password = token(a).split(':').pop() ?? '';
    const bad = await join_(a, password, { nodeName: 'Worker_1', addresses: ['10.9.8.7'] });
    assert.equal(bad.status, 400);
    assert.match((JSON.parse(bad.body) as { message: string }).message, /^nodeName: Invalid value: "Worker_1"/);
  });

  test('k8ts token create makes a bootstrap token Secret that joins', async () => {
    const { stdout } = await run(process.execPath, [k8tsBin, 'token', 'create', '--data-dir', a.dataDir, '--ttl', '1h']);
    const m = /^K10([0-9a-f]{64})::([a-z0-9]{6})\.([a-z0-9]{16})\n$/.exec(stdout);
    assert.ok(m, stdout);
    assert.equal(`K10${m[1]}`, token(a).slice(0, 67));
    const secret = JSON.parse(a.k(['get', 'secret', `bootstrap-token-${m[2]}`, '-n', 'kube-system', '-o', 'json'])) as { type: string };
    assert.equal(secret.type, 'bootstrap.kubernetes.io/token');
    const res = await join_(a, `${m[2]}.${m[3]}`, { nodeName: 'worker-2', addresses: ['10.9.8.6'] });
    assert.equal(res.status, 200, res.body);
    a.k(['delete', 'secret', `bootstrap-token-${m[2]}`, '-n', 'kube-system']);
    assert.equal((await join_(a, `${m[2]}.${m[3]}`, { nodeName: 'worker-2', addresses: ['10.9.8.6'] })).status, 401);
  });

  test('k8ts agent refuses a server whose CA is not the token\'s, and a token the server refuses', async () => {
    const t = token(a);
    const otherHash = `K10${'0'.repeat(64)}${t.slice(67)}`;
    const common = ['--server', a.url, '--data-dir', join(a.dataDir, 'agent-test'), '--node-name', 'worker-x', '--node-ip', '127.0.0.1'];
    assert.match(await agentFails([...common, '--token', otherHash]), /the CA of the server at 127\.0\.0\.1:\d+ does not match the token/);
    assert.match(await agentFails([...common, '--token', `${t.slice(0, 67)}::server:wrongpassword`]), /the server at 127\.0\.0\.1:\d+ refused the token: the join token is not valid on this server/);
    assert.match(await agentFails([...common, '--token', 'K10abc::x']), /not in the K10<CA hash>::<user>:<password> format/);
  });

  test('k8ts agent --virtual N joins with the token and registers N virtual nodes that run pods', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-vagent-'));
    const agent = spawn(process.execPath, [k8tsBin, 'agent', '--server', a.url, '--token', token(a), '--data-dir', dir, '--node-name', 'vagent', '--node-ip', '127.0.0.1', '--virtual', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    agent.stderr.on('data', (d: Buffer) => (log += d.toString()));
    try {
      const ready = (name: string): boolean => {
        const r = a.kubectl(['get', 'node', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.metadata.labels.type}']);
        return r.code === 0 && r.stdout === 'True virtual';
      };
      await waitFor('both virtual nodes Ready', () => ready('vagent-virtual-0') && ready('vagent-virtual-1'), 30_000);
      a.k(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-vagent', namespace: 'default' }, spec: { nodeName: 'vagent-virtual-1', containers: [{ name: 'c', image: 'nginx' }] } }) });
      await waitFor('the pod Running', () => a.kubectl(['get', 'pod', 'on-vagent', '-o', 'jsonpath={.status.phase}']).stdout === 'Running', 30_000);
    } finally {
      agent.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => agent.once('exit', resolve));
      assert.equal(code, 0, log);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a second server on the same etcd without the first\'s token is refused with what to do', async () => {
    await assert.rejects(K8tsServer.start({ datastoreEndpoint: etcd.endpoint }), /bootstrap data already found in the datastore, encrypted with a different token: start this server with --token/);
  });

  test('a second server on the same etcd with the first\'s token shares its CA and admin identity', async () => {
    b = await K8tsServer.start({ datastoreEndpoint: etcd.endpoint, extraArgs: ['--token', token(a)] });
    assert.equal(readFileSync(join(b.dataDir, 'tls', 'server-ca.crt'), 'utf8'), readFileSync(join(a.dataDir, 'tls', 'server-ca.crt'), 'utf8'));
    assert.equal(token(b), token(a));
    // a's kubeconfig, pointed at b, is trusted and authenticated there.
    const r = a.kubectl(['--server', b.url, 'get', 'namespaces', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /namespace\/kube-system/);
  });
});
