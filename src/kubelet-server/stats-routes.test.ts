import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { createCA, issueCertificate, type KeyPairPem } from '../pki/pki.js';
import type { StatsProvider } from '../kubelet/stats/stats-provider.js';
import type { Summary } from '../kubelet/stats/summary.js';
import { startKubeletServer, type KubeletServer } from './kubelet-server.js';

interface Answer {
  code: number;
  type: string;
  body: string;
}

describe('the kubelet server statistics routes', () => {
  let ca: KeyPairPem;
  let master: KeyPairPem;
  let stranger: KeyPairPem;
  let server: KubeletServer;
  const asked: boolean[] = [];
  let failing = false;
  const summary: Summary = {
    node: { nodeName: 'n1', startTime: '2026-01-01T00:00:00Z', cpu: { time: '2026-11-22T14:00:00Z', usageNanoCores: 7, usageCoreNanoSeconds: 1e9 } },
    pods: [{ podRef: { name: 'p', namespace: 'default', uid: 'u' }, startTime: '2026-11-22T13:00:00Z', containers: [] }],
  };
  const stats: StatsProvider = {
    summary: async (only = false) => {
      asked.push(only);
      if (failing) throw new Error('runtime down');
      return summary;
    },
    housekeep: async () => undefined,
    close: () => undefined,
  };

  const call = (method: string, path: string, who: KeyPairPem | undefined): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, method, path, ca: ca.certPem, ...(who !== undefined ? { cert: who.certPem, key: who.keyPem } : {}), agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
      });
      req.on('error', reject);
      req.end();
    });

  before(async () => {
    ca = await createCA('test-ca');
    const serving = await issueCertificate(ca, { commonName: 'system:node:n1', organizations: ['system:nodes'], ipAddresses: ['127.0.0.1'], server: true });
    master = await issueCertificate(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], client: true });
    stranger = await issueCertificate(ca, { commonName: 'jane', organizations: ['devs'], client: true });
    server = await startKubeletServer({
      address: '127.0.0.1',
      port: 0,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem },
      clientCaPem: ca.certPem,
      runtime: { containerStatus: async () => ({ info: {} }) },
      getPod: async () => undefined,
      stats,
    });
  });
  after(async () => {
    await server.close();
  });

  test('/stats/summary answers the Summary as JSON to the kubelet client, GET or POST', async () => {
    const a = await call('GET', '/stats/summary', master);
    assert.equal(a.code, 200);
    assert.equal(a.type, 'application/json');
    assert.deepEqual(JSON.parse(a.body), summary);
    assert.equal((await call('POST', '/stats/summary', master)).code, 200);
    assert.deepEqual(asked.slice(-2), [false, false]);
  });

  test('only_cpu_and_memory=true asks for CPU and memory only, and a non-boolean value is an internal error', async () => {
    await call('GET', '/stats/summary?only_cpu_and_memory=true', master);
    assert.equal(asked.at(-1), true);
    const bad = await call('GET', '/stats/summary?only_cpu_and_memory=yes', master);
    assert.equal(bad.code, 500);
    assert.equal(bad.body, 'Internal Error: parse form failed: strconv.ParseBool: parsing "yes": invalid syntax');
  });

  test('the routes need a client certificate and an allowed user, as /containerLogs does', async () => {
    assert.equal((await call('GET', '/stats/summary', undefined)).code, 401);
    const denied = await call('GET', '/stats/summary', stranger);
    assert.equal(denied.code, 403);
    assert.equal(denied.body, 'Forbidden (user=jane, verb=get, resource=nodes, subresource(s)=[stats])\n');
    assert.equal((await call('GET', '/metrics/resource', stranger)).body, 'Forbidden (user=jane, verb=get, resource=nodes, subresource(s)=[metrics])\n');
  });

  test('/metrics/resource is Prometheus text from the CPU and memory summary', async () => {
    const a = await call('GET', '/metrics/resource', master);
    assert.equal(a.code, 200);
    assert.equal(a.type, 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(asked.at(-1), true);
    assert.match(a.body, /^node_cpu_usage_seconds_total 1 \d+$/m);
    assert.match(a.body, /^resource_scrape_error 0$/m);
  });

  test('a failing summary is a 500 on /stats/summary and resource_scrape_error 1 on /metrics/resource', async () => {
    failing = true;
    try {
      const s = await call('GET', '/stats/summary', master);
      assert.equal(s.code, 500);
      assert.equal(s.body, 'Internal Error: runtime down');
      const m = await call('GET', '/metrics/resource', master);
      assert.equal(m.code, 200);
      assert.match(m.body, /^resource_scrape_error 1$/m);
    } finally {
      failing = false;
    }
  });

  test('a method other than GET or POST on /stats/summary is 405', async () => {
    assert.equal((await call('DELETE', '/stats/summary', master)).code, 405);
  });
});
