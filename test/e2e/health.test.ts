// Health, version and metrics endpoints, and who may call what: client certificates, --token-file tokens,
// and 401 for everything else (the health endpoints stay open).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { connect } from 'node:http2';
import { join } from 'node:path';
import { at, k8tsBin, K8tsServer, parseObject, writeTemp } from './support/server.js';

const token = 'e2e-health-token-0123456789';
let s: K8tsServer;
let startMs = 0;

before(async () => {
  const tokenFile = writeTemp('tokens.csv', `${token},alice,1001,"system:masters,developers"\nother-token,bob,1002\n`);
  const t0 = Date.now();
  s = await K8tsServer.start({ extraArgs: ['--token-file', tokenFile] });
  startMs = Date.now() - t0;
});

after(async () => {
  await s?.destroy();
});

const unauthorized = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

describe('health endpoints', () => {
  test('the first start is ready (/readyz 200) within 2 seconds', () => {
    assert.ok(startMs < 2000, `took ${startMs} ms`);
  });

  test('a restart on the same data dir is ready within 2 seconds', async () => {
    await s.stop();
    const t0 = Date.now();
    await s.startProcess();
    const ms = Date.now() - t0;
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  for (const path of ['/livez', '/healthz', '/readyz']) {
    test(`${path} answers ok without credentials`, async () => {
      const r = await s.request('GET', path, { auth: 'none' });
      assert.equal(r.status, 200);
      assert.equal(r.body, 'ok');
      assert.match(String(r.headers['content-type']), /^text\/plain/);
    });
  }

  test('/readyz?verbose lists each check and ends with "readyz check passed"', async () => {
    const r = await s.request('GET', '/readyz?verbose', { auth: 'none' });
    assert.equal(r.status, 200);
    const lines = r.body.trimEnd().split('\n');
    assert.equal(lines.at(-1), 'readyz check passed');
    assert.ok(lines.includes('[+]ping ok'), r.body);
    assert.ok(lines.includes('[+]etcd ok'), r.body);
    for (const l of lines.slice(0, -1)) assert.match(l, /^\[\+\][a-z0-9/-]+ ok$/);
  });

  test('/livez?verbose ends with "livez check passed", and a single check can be asked for', async () => {
    const r = await s.request('GET', '/livez?verbose', { auth: 'none' });
    assert.equal(r.status, 200);
    assert.equal(r.body.trimEnd().split('\n').at(-1), 'livez check passed');
    const one = await s.request('GET', '/readyz/ping', { auth: 'none' });
    assert.equal(one.status, 200);
    assert.equal(one.body, 'ok');
  });

  test('/version reports v1.32.0-k8ts.N', async () => {
    const r = await s.request('GET', '/version');
    assert.equal(r.status, 200);
    const v = parseObject(r.body);
    assert.match(String(v['gitVersion']), /^v1\.32\.0-k8ts\.\d+$/);
    assert.equal(v['major'], '1');
    assert.equal(v['minor'], '32');
    for (const k of ['gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform']) assert.equal(typeof v[k], 'string', k);
  });

  test('/metrics has apiserver_request_total and apiserver_request_duration_seconds by verb, resource and code', async () => {
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/pods')).status, 200);
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/pods/nope')).status, 404);
    const r = await s.request('GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    assert.match(r.body, /^# TYPE apiserver_request_total counter$/m);
    assert.match(r.body, /^# TYPE apiserver_request_duration_seconds histogram$/m);
    const total = r.body.split('\n').filter((l) => l.startsWith('apiserver_request_total{'));
    const has = (lines: string[], labels: string[]): boolean => lines.some((l) => labels.every((x) => l.includes(x)));
    assert.ok(has(total, ['verb="LIST"', 'resource="pods"', 'code="200"']), total.join('\n'));
    assert.ok(has(total, ['verb="GET"', 'resource="pods"', 'code="404"']), total.join('\n'));
    const buckets = r.body.split('\n').filter((l) => l.startsWith('apiserver_request_duration_seconds_bucket{'));
    assert.ok(has(buckets, ['verb="LIST"', 'resource="pods"', 'le="+Inf"']), buckets.slice(0, 20).join('\n'));
    assert.match(r.body, /^apiserver_request_duration_seconds_count\{[^}]*verb="LIST"[^}]*\} \d+$/m);
    assert.match(r.body, /^apiserver_request_duration_seconds_sum\{[^}]*\} [0-9.e+-]+$/m);
  });
});

describe('authentication', () => {
  test('a resource request without credentials gets a 401 Status', async () => {
    const r = await s.request('GET', '/api/v1/namespaces/default/pods', { auth: 'none' });
    assert.equal(r.status, 401);
    assert.deepEqual(parseObject(r.body), unauthorized);
    const d = await s.request('GET', '/api', { auth: 'none' });
    assert.equal(d.status, 401);
  });

  test('an unknown bearer token gets a 401 Status', async () => {
    const r = await s.request('GET', '/api/v1/namespaces', { auth: { token: 'not-a-token' } });
    assert.equal(r.status, 401);
    assert.deepEqual(parseObject(r.body), unauthorized);
  });

  test('a token from --token-file authenticates', async () => {
    const r = await s.request('GET', '/api/v1/namespaces', { auth: { token } });
    assert.equal(r.status, 200);
    assert.equal(parseObject(r.body)['kind'], 'NamespaceList');
    const created = await s.request('POST', '/api/v1/namespaces/default/configmaps', { auth: { token }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'by-token' } }) });
    assert.equal(created.status, 201, created.body);
  });

  test('kubectl with a token-only kubeconfig works', () => {
    const ca = s.adminCredentials().caPem;
    const kubeconfig = writeTemp(
      'token.kubeconfig',
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${s.url}\n    certificate-authority-data: ${Buffer.from(ca).toString('base64')}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: ${token}\n`,
    );
    const r = s.kubectl(['get', 'configmap', 'by-token', '-o', 'name'], { env: { KUBECONFIG: kubeconfig } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap/by-token\n');
    const pods = s.kubectl(['get', 'pods', '-n', 'kube-system'], { env: { KUBECONFIG: kubeconfig } });
    assert.equal(pods.code, 0, pods.stderr);
  });

  test('kubectl with a wrong token gets "You must be logged in to the server (Unauthorized)"', () => {
    const ca = s.adminCredentials().caPem;
    const kubeconfig = writeTemp(
      'bad.kubeconfig',
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${s.url}\n    certificate-authority-data: ${Buffer.from(ca).toString('base64')}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: wrong\n`,
    );
    const r = s.kubectl(['get', 'pods'], { env: { KUBECONFIG: kubeconfig } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
  });

  test('a client certificate from another CA gets 401', async (t) => {
    const dir = join(writeTemp('x', ''), '..');
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=system:masters/CN=mallory', '-days', '1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { encoding: 'utf8' });
    if (gen.status !== 0) {
      t.skip('openssl is not available');
      return;
    }
    const { Agent } = await import('node:https');
    const agent = new Agent({ ca: s.adminCredentials().caPem, cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')) });
    let status = 0;
    let body = '';
    try {
      const r = await s.request('GET', '/api/v1/namespaces', { agent, auth: 'admin' });
      status = r.status;
      body = r.body;
    } catch (e: unknown) {
      // A TLS-level refusal is acceptable too, but upstream answers 401.
      assert.fail(`TLS refused the foreign certificate instead of answering 401: ${e instanceof Error ? e.message : String(e)}`);
    }
    assert.equal(status, 401);
    assert.deepEqual(parseObject(body), unauthorized);
  });

  test('the admin client certificate is in group system:masters and works over HTTP/2', async () => {
    const c = s.adminCredentials();
    const session = connect(s.url, { ca: c.caPem, cert: c.certPem, key: c.keyPem, servername: 'localhost' });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = session.request({ ':path': '/api/v1/namespaces/kube-system', ':method': 'GET' });
        let data = '';
        let status = 0;
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('data', (d: Buffer) => (data += d.toString()));
        req.on('end', () => (status === 200 ? resolve(data) : reject(new Error(`HTTP/2 status ${status}: ${data}`))));
        req.on('error', reject);
        req.end();
      });
      assert.equal(at(parseObject(body), 'metadata.name'), 'kube-system');
    } finally {
      session.close();
    }
  });
});

describe('certificates and the CLI', () => {
  test('the serving certificate covers 127.0.0.1, localhost, the hostname, kubernetes.default.svc and the first service IP', async () => {
    const ca = s.adminCredentials().caPem;
    const san = await new Promise<string>((resolve, reject) => {
      const sock = tlsConnect({ host: '127.0.0.1', port: s.port, ca, servername: 'localhost' }, () => {
        const cert = sock.getPeerCertificate();
        sock.end();
        resolve(cert.subjectaltname ?? '');
      });
      sock.on('error', reject);
    });
    for (const name of ['IP Address:127.0.0.1', 'DNS:localhost', `DNS:${hostname()}`, 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', 'IP Address:10.254.0.1']) {
      assert.ok(san.split(', ').includes(name), `${name} missing from ${san}`);
    }
  });

  test('the admin client certificate is signed by the cluster CA and is in O=system:masters', () => {
    const c = s.adminCredentials();
    const cert = new X509Certificate(c.certPem);
    const ca = new X509Certificate(c.caPem);
    assert.ok(cert.verify(ca.publicKey));
    assert.ok(cert.checkIssued(ca));
    assert.match(cert.subject, /^O=system:masters$/m);
    assert.equal(cert.ca, false);
    assert.equal(ca.ca, true);
  });

  test('the kubeconfig is written with mode 0600 and pointing at the server', () => {
    assert.equal(statSync(s.kubeconfig).mode & 0o777, 0o600);
    assert.equal(s.adminCredentials().server, s.url);
  });

  test('k8ts kubeconfig --data-dir prints the admin kubeconfig, and k8ts version prints the version', () => {
    const r = spawnSync(process.execPath, [k8tsBin, 'kubeconfig', '--data-dir', s.dataDir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(s.kubeconfig, 'utf8'));
    const v = spawnSync(process.execPath, [k8tsBin, 'version'], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /v1\.32\.0-k8ts\.\d+/);
  });
});
