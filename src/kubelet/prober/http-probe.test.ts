import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import type { Container } from 'kubernetes-types/core/v1.js';
import { createCA, issueCertificate } from '../../pki/pki.js';
import { canonicalHeaderKey, httpProbe, newHttpProbeRequest, probeUserAgent } from './http-probe.js';
import { closedPort, startHttpServer, type LocalHttpServer } from './test-servers.js';

const container: Container = { name: 'app', ports: [{ name: 'http', containerPort: 8080 }] };

describe('newHttpProbeRequest', () => {
  test('the host defaults to the pod IP and a named port resolves to the container port', () => {
    const req = newHttpProbeRequest({ port: 'http', path: '/healthz' }, container, '10.0.0.7');
    assert.equal(req.url, 'http://10.0.0.7:8080/healthz');
    assert.deepEqual(req.headers.get('User-Agent'), [probeUserAgent]);
    assert.deepEqual(req.headers.get('Accept'), ['*/*']);
  });

  test('scheme, host, headers and an IPv6 host are used as given, header names canonical', () => {
    const req = newHttpProbeRequest({ scheme: 'HTTPS', host: 'fd00::1', port: 443, path: 'ready?x=1', httpHeaders: [{ name: 'x-custom', value: 'a' }, { name: 'X-Custom', value: 'b' }, { name: 'user-agent', value: 'mine' }, { name: 'Accept', value: '' }, { name: 'host', value: 'example.test' }] }, container, '10.0.0.7');
    assert.equal(req.url, 'https://[fd00::1]:443/ready?x=1');
    assert.deepEqual(req.headers.get('X-Custom'), ['a', 'b']);
    assert.deepEqual(req.headers.get('User-Agent'), ['mine']);
    assert.equal(req.headers.has('Accept'), false);
    assert.equal(req.host, 'example.test');
  });

  test('an empty path adds no slash to the URL', () => {
    assert.equal(newHttpProbeRequest({ port: 80 }, container, '10.0.0.7').url, 'http://10.0.0.7:80');
  });

  test('a port name the container does not have fails as upstream words it', () => {
    assert.throws(() => newHttpProbeRequest({ port: 'metrics' }, container, '10.0.0.7'), { message: 'strconv.Atoi: parsing "metrics": invalid syntax' });
    assert.throws(() => newHttpProbeRequest({ port: 70000 }, container, '10.0.0.7'), { message: 'invalid port number: 70000' });
  });

  test('header names are canonicalized as Go does', () => {
    assert.equal(canonicalHeaderKey('x-forwarded-for'), 'X-Forwarded-For');
    assert.equal(canonicalHeaderKey('ACCEPT'), 'Accept');
    assert.equal(canonicalHeaderKey('bad header'), 'bad header');
  });
});

describe('httpProbe against local servers', () => {
  let server: LocalHttpServer;
  before(async () => {
    server = await startHttpServer((req, res) => {
      const url = req.url ?? '/';
      if (url === '/ok') res.end('fine');
      else if (url === '/fail') { res.statusCode = 500; res.end('broken'); }
      else if (url === '/big') res.end('x'.repeat(20 * 1024));
      else if (url === '/hop') { res.statusCode = 302; res.setHeader('Location', '/ok'); res.end(); }
      else if (url === '/away') { res.statusCode = 301; res.setHeader('Location', `http://localhost:${server.port}/ok`); res.end('moved away'); }
      else if (url.startsWith('/loop')) { res.statusCode = 302; res.setHeader('Location', `/loop${url.length}`); res.end(); }
      else if (url === '/hang') { /* never answers */ }
      else if (url === '/created') { res.statusCode = 204; res.end(); }
      else { res.statusCode = 404; res.end(); }
    });
  });
  after(() => server.close());
  const base = (): string => `http://127.0.0.1:${server.port}`;
  const probe = (path: string, timeout = 1, headers: [string, string][] = []) => {
    const req = newHttpProbeRequest({ port: server.port, path, httpHeaders: headers.map(([name, value]) => ({ name, value })) }, container, '127.0.0.1');
    return httpProbe(req, timeout);
  };

  test('a 200 is a success whose output is the body, sent with the kubelet headers', async () => {
    const before = server.requests.length;
    assert.deepEqual(await probe('/ok', 1, [['X-Probe', 'yes']]), { result: 'success', output: 'fine' });
    const req = server.requests[before];
    assert.equal(req?.headers['user-agent'], 'kube-probe/1.32');
    assert.equal(req?.headers.accept, '*/*');
    assert.equal(req?.headers['x-probe'], 'yes');
    assert.equal(req?.headers.host, `127.0.0.1:${server.port}`);
  });

  test('any 2xx is a success', async () => {
    assert.equal((await probe('/created')).result, 'success');
  });

  test('a 500 is a failure with upstream message', async () => {
    assert.deepEqual(await probe('/fail'), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  });

  test('a custom Host header is sent as the Host', async () => {
    const before = server.requests.length;
    await probe('/ok', 1, [['Host', 'svc.example']]);
    assert.equal(server.requests[before]?.headers.host, 'svc.example');
  });

  test('the body is read up to 10 KiB', async () => {
    const out = await probe('/big');
    assert.equal(out.result, 'success');
    assert.equal(out.output.length, 10 * 1024);
  });

  test('a redirect to the same host is followed', async () => {
    assert.deepEqual(await probe('/hop'), { result: 'success', output: 'fine' });
  });

  test('a redirect to another host ends the probe with a warning that carries the body', async () => {
    assert.deepEqual(await probe('/away'), { result: 'warning', output: 'Probe terminated redirects, Response body: moved away' });
  });

  test('a redirect loop stops after 10 requests', async () => {
    const before = server.requests.length;
    const out = await probe('/loop');
    assert.equal(out.result, 'failure');
    assert.match(out.output, /^Get "\/loop\d+": stopped after 10 redirects$/);
    assert.equal(server.requests.length - before, 10);
  });

  test('a server that does not answer within the timeout fails as Go words it', async () => {
    const out = await probe('/hang', 0.2);
    assert.deepEqual(out, { result: 'failure', output: `Get "${base()}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
  });

  test('a refused connection fails with the dial error', async () => {
    const port = await closedPort();
    const out = await httpProbe(newHttpProbeRequest({ port, path: '/healthz' }, container, '127.0.0.1'), 1);
    assert.deepEqual(out, { result: 'failure', output: `Get "http://127.0.0.1:${port}/healthz": dial tcp 127.0.0.1:${port}: connect: connection refused` });
  });
});

describe('httpProbe over HTTPS', () => {
  let server: LocalHttpServer;
  before(async () => {
    const ca = await createCA('probe-test-ca');
    const leaf = await issueCertificate(ca, { commonName: 'somewhere-else', dnsNames: ['somewhere-else.test'], server: true });
    server = await startHttpServer((_req, res) => res.end('secure'), (h) => createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, h));
  });
  after(() => server.close());

  test('an unverifiable certificate is accepted', async () => {
    const req = newHttpProbeRequest({ scheme: 'HTTPS', port: server.port, path: '/' }, container, '127.0.0.1');
    assert.deepEqual(await httpProbe(req, 1), { result: 'success', output: 'secure' });
  });
});
