// Stop and start `k8ts server` on the same data dir: the objects, their resourceVersions and the PKI survive,
// resourceVersions keep increasing, and kill -9 during a burst of creates loses no acknowledged write.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, K8tsServer, namespaceYaml, parseObject, seedDir } from './support/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-persist-'));
let s: K8tsServer;

before(async () => {
  s = await K8tsServer.start({ dataDir });
});

after(async () => {
  await s?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

async function listRv(path: string): Promise<number> {
  const r = await s.request('GET', path);
  assert.equal(r.status, 200, r.body);
  return Number(at(parseObject(r.body), 'metadata.resourceVersion'));
}

function snapshot(ns: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kind of ['pods', 'replicationcontrollers', 'services', 'configmaps', 'deployments.apps', 'replicasets.apps', 'persistentvolumeclaims']) {
    const list = parseObject(s.k(['get', kind, '-n', ns, '-o', 'json']));
    const items = list['items'];
    assert.ok(Array.isArray(items));
    for (const item of items) out[`${kind}/${String(at(item, 'metadata.name'))}`] = item;
  }
  return out;
}

describe('restart on the same data dir', () => {
  const ns = 'persist';
  let before: Record<string, unknown> = {};
  let rvBefore = 0;
  let kubeconfigBefore = '';

  test('objects written before a stop are all there after the start, byte for byte', async () => {
    s.k(['apply', '-f', '-'], { input: namespaceYaml(ns) });
    for (const f of ['pod.yaml', 'kuard-pod.yaml', 'replication.yaml', 'service.yaml', 'kuard-rs.yaml', 'nginx-deployments.yaml', 'nginx-pvc.yaml']) s.k(['apply', '-n', ns, '-f', join(seedDir, f)]);
    s.k(['apply', '-n', ns, '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n' });
    s.k(['label', 'pod', 'nginx', '-n', ns, 'step=one']);
    s.k(['delete', 'pod', 'kuard', '-n', ns]);
    before = snapshot(ns);
    for (const key of ['pods/nginx', 'replicationcontrollers/nginx', 'services/nginx-service', 'configmaps/settings', 'deployments.apps/nginx', 'replicasets.apps/kuard', 'persistentvolumeclaims/nginx-pvc']) {
      assert.ok(key in before, `${key} missing from ${Object.keys(before).join(' ')}`);
    }
    assert.ok(!('pods/kuard' in before));
    rvBefore = await listRv('/api/v1/configmaps');
    kubeconfigBefore = readFileSync(s.kubeconfig, 'utf8');

    await s.restart();

    assert.deepEqual(snapshot(ns), before);
    assert.equal(s.kubectl(['get', 'pod', 'kuard', '-n', ns]).code, 1, 'the deleted pod stays deleted');
    assert.ok(s.k(['get', 'namespaces', '-o', 'name']).includes(`namespace/${ns}\n`));
  });

  test('the CA, serving certificate and admin kubeconfig are reused', () => {
    assert.equal(readFileSync(s.kubeconfig, 'utf8'), kubeconfigBefore);
    assert.equal(s.k(['get', 'namespace', 'default', '-o', 'name']), 'namespace/default\n');
  });

  test('resourceVersions keep increasing after the restart', async () => {
    const rvAfterStart = await listRv('/api/v1/configmaps');
    assert.ok(rvAfterStart >= rvBefore, `${rvAfterStart} < ${rvBefore}`);
    s.k(['label', 'configmap', 'settings', '-n', ns, 'step=two']);
    const cm = parseObject(s.k(['get', 'configmap', 'settings', '-n', ns, '-o', 'json']));
    const rv = Number(at(cm, 'metadata.resourceVersion'));
    assert.ok(rv > rvBefore, `new write got resourceVersion ${rv}, not above ${rvBefore}`);
    const r = await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restart' } }) });
    assert.equal(r.status, 201, r.body);
    assert.ok(Number(at(parseObject(r.body), 'metadata.resourceVersion')) > rv);
  });

  test('a watch from a resourceVersion before the restart replays the changes made since', async () => {
    const r = await s.request('GET', `/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${rvBefore}&timeoutSeconds=1`);
    assert.equal(r.status, 200, r.body);
    const events = r.body
      .trim()
      .split('\n')
      .map((l) => parseObject(l))
      .filter((e) => ['settings', 'after-restart'].includes(String(at(e, 'object.metadata.name'))));
    assert.deepEqual(
      events.map((e) => `${String(e['type'])} ${String(at(e, 'object.metadata.name'))}`),
      ['MODIFIED settings', 'ADDED after-restart'],
    );
  });

  test('allocated cluster IPs and node ports stay allocated after the restart', () => {
    const svc = before[`services/nginx-service`];
    const ip = String(at(svc, 'spec.clusterIP'));
    s.k(['apply', '-f', '-'], { input: namespaceYaml('persist-2') });
    const r = s.kubectl(['apply', '-n', 'persist-2', '-f', join(seedDir, 'service.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'The Service "nginx-service" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    const taken = s.kubectl(['apply', '-n', 'persist-2', '-f', '-'], {
      input: `apiVersion: v1\nkind: Service\nmetadata:\n  name: same-ip\nspec:\n  clusterIP: ${ip}\n  ports:\n  - port: 80\n`,
    });
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, new RegExp(`spec\\.clusterIPs: Invalid value: \\[\\]string\\{"${ip.replace(/\./g, '\\.')}"\\}: failed to allocate IP ${ip.replace(/\./g, '\\.')}: provided IP is already allocated`));
  });
});

describe('kill -9 during a burst of writes', () => {
  test('every create that got a 201 before the kill is there after the restart', async () => {
    const ns = 'burst';
    s.k(['apply', '-f', '-'], { input: namespaceYaml(ns) });
    const acked: string[] = [];
    const failed: string[] = [];
    let next = 0;
    let killed = false;
    const total = 3000;
    const worker = async (): Promise<void> => {
      while (next < total && !killed) {
        const name = `cm-${String(next++).padStart(5, '0')}`;
        try {
          const r = await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
            body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { burst: 'yes' } }, data: { payload: name.repeat(20) } }),
            timeoutMs: 10_000,
          });
          if (r.status === 201) acked.push(name);
          else failed.push(`${name}: ${r.status}`);
        } catch (e: unknown) {
          failed.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    };
    const killer = (async (): Promise<void> => {
      while (acked.length < 300) await new Promise((r) => setTimeout(r, 5));
      await s.stop(true);
      killed = true;
    })();
    await Promise.all([...Array.from({ length: 16 }, () => worker()), killer]);
    assert.ok(acked.length >= 300, `only ${acked.length} acknowledged`);
    assert.ok(acked.length < total, 'the kill happened before the burst finished');

    await s.startProcess();
    const list = parseObject(s.k(['get', 'configmaps', '-n', ns, '-l', 'burst=yes', '-o', 'json']));
    const items = list['items'];
    assert.ok(Array.isArray(items));
    const stored = new Set(items.map((i: unknown) => String(at(i, 'metadata.name'))));
    const lost = acked.filter((n) => !stored.has(n));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged creates were lost`);
    for (const i of items) assert.equal(at(i, 'data.payload'), String(at(i, 'metadata.name')).repeat(20), 'no half-written object');
    const r = await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-kill' } }) });
    assert.equal(r.status, 201, r.body);
    const maxRv = Math.max(...items.map((i: unknown) => Number(at(i, 'metadata.resourceVersion'))));
    assert.ok(Number(at(parseObject(r.body), 'metadata.resourceVersion')) > maxRv);
  });

  test('every patch and delete that got a 200 before a kill -9 is there after the restart', async () => {
    const ns = 'burst';
    const names = Array.from({ length: 40 }, (_, i) => `cm-${String(i).padStart(5, '0')}`);
    const ackedPatch = new Map<string, number>();
    const ackedDelete = new Set<string>();
    // A delete cut off by the kill may still have committed: its object may be gone without a 200.
    const attemptedDelete = new Set<string>();
    let killed = false;
    let round = 0;
    const worker = async (w: number): Promise<void> => {
      while (!killed) {
        const i = round++;
        const name = names[(i * 7 + w) % names.length] ?? 'cm-00000';
        try {
          if (i % 25 === 24 && !ackedDelete.has(name)) {
            attemptedDelete.add(name);
            const r = await s.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/${name}`, { timeoutMs: 10_000 });
            if (r.status === 200) ackedDelete.add(name);
            continue;
          }
          const r = await s.request('PATCH', `/api/v1/namespaces/${ns}/configmaps/${name}`, {
            body: JSON.stringify({ metadata: { labels: { [`w${w}`]: String(i) } } }),
            headers: { 'content-type': 'application/merge-patch+json' },
            timeoutMs: 10_000,
          });
          if (r.status === 200) ackedPatch.set(`${name}/w${w}`, Math.max(ackedPatch.get(`${name}/w${w}`) ?? -1, i));
        } catch (e: unknown) {
          // cut off by the kill
        }
      }
    };
    const killer = (async (): Promise<void> => {
      while (ackedPatch.size < 100 || round < 600) await new Promise((r) => setTimeout(r, 5));
      await s.stop(true);
      killed = true;
    })();
    await Promise.all([...Array.from({ length: 8 }, (_, w) => worker(w)), killer]);
    await s.startProcess();
    const items = parseObject(s.k(['get', 'configmaps', '-n', ns, '-o', 'json']))['items'];
    assert.ok(Array.isArray(items));
    const byName = new Map(items.map((i: unknown) => [String(at(i, 'metadata.name')), i]));
    for (const d of ackedDelete) assert.equal(byName.has(d), false, `${d} was deleted (200) but is back`);
    const lost: string[] = [];
    for (const [key, value] of ackedPatch) {
      const [name, label] = key.split('/');
      if (name === undefined || label === undefined || ackedDelete.has(name)) continue;
      if (!byName.has(name) && attemptedDelete.has(name)) continue;
      const got = Number(at(byName.get(name), `metadata.labels.${label}`) ?? -1);
      if (got < value) lost.push(`${key}: acknowledged ${value}, stored ${got}`);
    }
    assert.deepEqual(lost, []);
  });
});
