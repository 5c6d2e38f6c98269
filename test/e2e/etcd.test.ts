// The core scenarios on a real etcd (--datastore-endpoint): apply, get, patch, watch, delete, restart.
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { startEtcd, type EtcdTestServer } from '../../src/storage/etcd/etcd-test-server.js';
import { pythonWatcher } from './support/python-watch.js';
import { at, BackgroundProcess, K8tsServer, namespaceYaml, parseObject, seedDir, waitFor, writeTemp } from './support/server.js';

let etcd: EtcdTestServer;
let s: K8tsServer;

before(async () => {
  etcd = await startEtcd();
  s = await K8tsServer.start({ datastoreEndpoint: etcd.endpoint });
});

after(async () => {
  await s?.destroy();
  await etcd?.stop();
});

const ns = 'on-etcd';

describe('k8ts server on etcd', () => {
  test('the server reports etcd as its datastore and is ready', async () => {
    assert.match(s.log, /"datastore":"etcd"/);
    const r = await s.request('GET', '/readyz?verbose', { auth: 'none' });
    assert.equal(r.status, 200);
    assert.match(r.body, /^\[\+\]etcd ok$/m);
  });

  test('kubectl apply -f of the seed manifests stores every object', () => {
    s.k(['apply', '-f', '-'], { input: namespaceYaml(ns) });
    for (const [file, printed] of [
      ['pod.yaml', 'pod/nginx created\n'],
      ['kuard-pod.yaml', 'pod/kuard created\n'],
      ['replication.yaml', 'replicationcontroller/nginx created\n'],
      ['service.yaml', 'service/nginx-service created\n'],
      ['kuard-rs.yaml', 'replicaset.extensions/kuard created\n'],
      ['nginx-deployments.yaml', 'deployment.extensions/nginx created\n'],
      ['nginx-pvc.yaml', 'persistentvolumeclaim/nginx-pvc created\n'],
    ] as const) {
      assert.equal(s.k(['apply', '-n', ns, '-f', join(seedDir, file)]), printed, file);
    }
    assert.equal(s.k(['apply', '-n', ns, '-f', join(seedDir, 'pod.yaml')]), 'pod/nginx unchanged\n');
  });

  test('kubectl get prints the tables and lists by label and field', () => {
    assert.match(s.k(['get', 'pods', '-n', ns]), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nkuard\s+0\/1\s+Pending\s+0\s+\S+\nnginx\s+0\/1\s+Pending\s+0\s+\S+\n$/);
    assert.equal(s.k(['get', 'pods', '-n', ns, '-l', 'app=nginx', '-o', 'name']), 'pod/nginx\n');
    assert.equal(s.k(['get', 'pods', '-n', ns, '--field-selector', 'metadata.name=kuard', '-o', 'name']), 'pod/kuard\n');
    assert.match(s.k(['get', 'rc', '-n', ns]), /^nginx\s+3\s+0\s+0\s/m);
    assert.deepEqual(at(parseObject(s.k(['get', 'rs', 'kuard', '-n', ns, '-o', 'json'])), 'spec.selector.matchLabels'), { app: 'kuard', version: '2' });
  });

  test('pagination with limit and continue walks the whole list', async () => {
    for (let i = 0; i < 12; i++) {
      const r = await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `page-${String(i).padStart(2, '0')}`, labels: { page: 'yes' } } }) });
      assert.equal(r.status, 201, r.body);
    }
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = await s.request('GET', `/api/v1/namespaces/${ns}/configmaps?labelSelector=page%3Dyes&limit=5${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      assert.equal(r.status, 200, r.body);
      const list = parseObject(r.body);
      const items = list['items'];
      assert.ok(Array.isArray(items));
      names.push(...items.map((i: unknown) => String(at(i, 'metadata.name'))));
      cont = String(at(list, 'metadata.continue') ?? '');
      pages++;
    } while (cont !== '');
    assert.equal(pages, 3);
    assert.deepEqual(names, Array.from({ length: 12 }, (_, i) => `page-${String(i).padStart(2, '0')}`));
  });

  test('patch of all three types works', () => {
    assert.equal(s.k(['patch', 'pod', 'nginx', '-n', ns, '-p', '{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}']), 'pod/nginx patched\n');
    assert.equal(s.k(['patch', 'rc', 'nginx', '-n', ns, '--type', 'merge', '-p', '{"spec":{"replicas":2}}']), 'replicationcontroller/nginx patched\n');
    assert.equal(s.k(['patch', 'rc', 'nginx', '-n', ns, '--type', 'json', '-p', '[{"op":"add","path":"/metadata/labels","value":{"p":"json"}}]']), 'replicationcontroller/nginx patched\n');
    const pod = parseObject(s.k(['get', 'pod', 'nginx', '-n', ns, '-o', 'json']));
    assert.equal(at(pod, 'spec.containers.0.image'), 'nginx:1.25');
    assert.deepEqual(at(pod, 'spec.containers.0.ports'), [{ containerPort: 80, protocol: 'TCP' }]);
    const rc = parseObject(s.k(['get', 'rc', 'nginx', '-n', ns, '-o', 'json']));
    assert.equal(at(rc, 'spec.replicas'), 2);
    assert.deepEqual(at(rc, 'metadata.labels'), { p: 'json' });
    assert.equal(s.k(['scale', 'rc', 'nginx', '-n', ns, '--replicas=4']), 'replicationcontroller/nginx scaled\n');
  });

  test('kubectl get -w sees a label change and a delete in order', async () => {
    const w = s.kubectlBackground(['get', 'pods', '-n', ns, '-w', '--output-watch-events']);
    try {
      await w.waitForOutput((o) => /^ADDED\s+kuard\s/m.test(o));
      s.k(['label', 'pod', 'kuard', '-n', ns, 'watched=yes']);
      await w.waitForOutput((o) => /^MODIFIED\s+kuard\s/m.test(o));
      assert.equal(s.k(['delete', 'pod', 'kuard', '-n', ns]), 'pod "kuard" deleted\n');
      await w.waitForOutput((o) => /^DELETED\s+kuard\s/m.test(o));
      assert.deepEqual(
        w.stdout
          .split('\n')
          .filter((l) => / kuard /.test(l))
          .map((l) => l.split(/\s+/)[0]),
        ['ADDED', 'MODIFIED', 'DELETED'],
      );
    } finally {
      await w.stop();
    }
  });

  test('delete by -l and by -f, and a conflict on a stale resourceVersion', () => {
    assert.equal(s.k(['delete', 'configmaps', '-n', ns, '-l', 'page=yes']).split('\n').filter(Boolean).length, 12);
    assert.equal(s.k(['delete', '-n', ns, '-f', join(seedDir, 'nginx-pvc.yaml')]), 'persistentvolumeclaim "nginx-pvc" deleted\n');
    const stale = parseObject(s.k(['get', 'rc', 'nginx', '-n', ns, '-o', 'json']));
    s.k(['label', 'rc', 'nginx', '-n', ns, 'bump=1']);
    const r = s.kubectl(['replace', '-f', '-'], { input: JSON.stringify(stale) });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on replicationcontrollers "nginx": the object has been modified; please apply your changes to the latest version and try again\n');
  });

  test('after a restart everything is still there and resourceVersions keep increasing', async () => {
    const beforeRestart = parseObject(s.k(['get', 'pods,rc,svc,deploy,rs', '-n', ns, '-o', 'json']));
    const rv = Number(at(parseObject((await s.request('GET', '/api/v1/pods')).body), 'metadata.resourceVersion'));
    await s.restart();
    assert.deepEqual(parseObject(s.k(['get', 'pods,rc,svc,deploy,rs', '-n', ns, '-o', 'json'])), beforeRestart);
    s.k(['label', 'pod', 'nginx', '-n', ns, 'after=restart']);
    const newRv = Number(at(parseObject(s.k(['get', 'pod', 'nginx', '-n', ns, '-o', 'json'])), 'metadata.resourceVersion'));
    assert.ok(newRv > rv, `${newRv} <= ${rv}`);
  });

  test('a second k8ts with its own data dir on the same etcd sees the same objects', async () => {
    // It joins the first's trust with the first's token (the CA is shared through the datastore).
    const token = readFileSync(join(s.dataDir, 'token'), 'utf8').trim();
    const other = await K8tsServer.start({ datastoreEndpoint: etcd.endpoint, extraArgs: ['--token', token] });
    try {
      const mine = parseObject(s.k(['get', 'pods', '-n', ns, '-o', 'json']));
      const theirs = parseObject(other.k(['get', 'pods', '-n', ns, '-o', 'json']));
      assert.deepEqual(theirs, mine);
    } finally {
      await other.destroy();
    }
  });

  test('a watch from a compacted resourceVersion gets 410 Expired, and a python watch relists after it', async () => {
    const wns = 'compacted';
    s.k(['apply', '-f', '-'], { input: namespaceYaml(wns) });
    const mk = async (name: string): Promise<number> => {
      const r = await s.request('POST', `/api/v1/namespaces/${wns}/pods`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { step: '1' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }) });
      assert.equal(r.status, 201, r.body);
      return Number(at(parseObject(r.body), 'metadata.resourceVersion'));
    };
    const old = await mk('old');
    await mk('newer');
    const latest = await mk('third');
    // Compact etcd itself (its gRPC gateway) at the latest revision: k8ts' resourceVersions are etcd revisions, and a
    // watch from `old` needs the revisions after it, which are now gone.
    const c = await fetch(`${etcd.endpoint}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: String(latest), physical: true }) });
    assert.equal(c.status, 200, await c.text());
    // A restart empties any watch cache, so the old revision can only be served from the compacted store.
    await s.restart();

    // No timeoutSeconds: like upstream, the server must end the stream right after the 410 ERROR event.
    const t0 = Date.now();
    const r = await s.request('GET', `/api/v1/namespaces/${wns}/pods?watch=true&resourceVersion=${old}`, { timeoutMs: 5000 });
    assert.ok(Date.now() - t0 < 3000, 'the watch stream ended after the ERROR event');
    assert.equal(r.status, 200, r.body);
    const first = parseObject(r.body.trim().split('\n')[0] ?? '');
    assert.equal(first['type'], 'ERROR');
    assert.equal(at(first, 'object.kind'), 'Status');
    assert.equal(at(first, 'object.code'), 410);
    assert.equal(at(first, 'object.reason'), 'Expired');
    assert.match(String(at(first, 'object.message')), new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`));

    const script = writeTemp('watch.py', pythonWatcher);
    const py = new BackgroundProcess(spawn('/usr/bin/python3', [script, wns, String(old)], { env: { ...process.env, KUBECONFIG: s.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] }));
    try {
      await py.waitForOutput((o) => o.includes('"LIST"'), 20_000);
      assert.match(py.stdout, /\["GONE"\]\n\["LIST", \["newer", "old", "third"\], "\d+"\]/);
      const p = await s.request('PATCH', `/api/v1/namespaces/${wns}/pods/old`, { body: '{"metadata":{"labels":{"step":"2"}}}', headers: { 'content-type': 'application/merge-patch+json' } });
      assert.equal(p.status, 200, p.body);
      await waitFor('python sees the change after relisting', () => py.stdout.includes('["MODIFIED", "old", "2"'));
    } finally {
      await py.stop();
    }
  });

  test('a client-node informer whose resourceVersion was compacted away while the server was down relists and carries on', async () => {
    const ins = 'informer-410';
    s.k(['apply', '-f', '-'], { input: namespaceYaml(ins) });
    const kc = new KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const api = kc.makeApiClient(CoreV1Api);
    let lists = 0;
    const informer = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${ins}/pods`, () => {
      lists++;
      return api.listNamespacedPod({ namespace: ins });
    });
    const events: string[] = [];
    let stopped = false;
    informer.on('add', (p: V1Pod) => events.push(`add ${p.metadata?.name ?? '?'}`));
    informer.on('delete', (p: V1Pod) => events.push(`delete ${p.metadata?.name ?? '?'}`));
    informer.on('error', () => {
      if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 300);
    });
    await informer.start();
    const create = async (name: string): Promise<void> => {
      const r = await s.request('POST', `/api/v1/namespaces/${ins}/pods`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }) });
      assert.equal(r.status, 201, r.body);
    };
    try {
      await create('a');
      await waitFor('add a', () => events.includes('add a'));
      await s.stop();
      // While k8ts is down, move etcd's revision on (a key outside k8ts' prefix) and compact everything before it.
      let rev = 0;
      for (let i = 0; i < 3; i++) {
        const put = await fetch(`${etcd.endpoint}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/e2e-bump').toString('base64'), value: Buffer.from(String(i)).toString('base64') }) });
        rev = Number(at(await put.json(), 'header.revision'));
      }
      const c = await fetch(`${etcd.endpoint}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: String(rev), physical: true }) });
      assert.equal(c.status, 200);
      await s.startProcess();
      await create('b');
      await waitFor('the informer sees b after relisting', () => events.includes('add b') && informer.list(ins).length === 2, 30_000);
      assert.deepEqual(
        informer
          .list(ins)
          .map((p) => p.metadata?.name)
          .sort(),
        ['a', 'b'],
      );
      assert.deepEqual(events, ['add a', 'add b']);
      assert.equal(lists, 2, 'one list at the start and one relist after the 410');
    } finally {
      stopped = true;
      await informer.stop();
    }
  });

  test('kill -9 during a burst of creates loses no acknowledged write', async () => {
    const bns = 'etcd-burst';
    s.k(['apply', '-f', '-'], { input: namespaceYaml(bns) });
    const acked: string[] = [];
    let next = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      while (!killed && next < 2000) {
        const name = `cm-${next++}`;
        try {
          const r = await s.request('POST', `/api/v1/namespaces/${bns}/configmaps`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: name } }), timeoutMs: 10_000 });
          if (r.status === 201) acked.push(name);
        } catch (e: unknown) {
          // the kill cuts requests off: only acknowledged ones count
        }
      }
    };
    const killer = (async (): Promise<void> => {
      while (acked.length < 150) await new Promise((res) => setTimeout(res, 5));
      await s.stop(true);
      killed = true;
    })();
    await Promise.all([...Array.from({ length: 12 }, () => worker()), killer]);
    await s.startProcess();
    const items = parseObject(s.k(['get', 'configmaps', '-n', bns, '-o', 'json']))['items'];
    assert.ok(Array.isArray(items));
    const stored = new Set(items.map((i: unknown) => String(at(i, 'metadata.name'))));
    assert.deepEqual(acked.filter((n) => !stored.has(n)), []);
  });

  test('namespace deletion removes the content stored in etcd', async () => {
    assert.equal(s.k(['delete', 'namespace', ns, '--timeout=60s']), `namespace "${ns}" deleted\n`);
    const r = await s.request('GET', `/api/v1/namespaces/${ns}/pods`);
    assert.equal(r.status, 200);
    assert.deepEqual(parseObject(r.body)['items'], []);
    assert.equal(s.kubectl(['get', 'namespace', ns]).stderr.trim(), `Error from server (NotFound): namespaces "${ns}" not found`);
  });
});
