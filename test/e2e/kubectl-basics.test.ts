// The real kubectl (1.32) against `k8ts server`: the tutorial manifests and the everyday commands, with
// upstream's output, exit codes and error messages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { at, K8tsServer, namespaceYaml, parseObject, seedDir, writeTemp } from './support/server.js';

let s: K8tsServer;

before(async () => {
  s = await K8tsServer.start();
});

after(async () => {
  await s?.destroy();
});

function ensureNamespace(name: string): void {
  s.k(['apply', '-f', '-'], { input: namespaceYaml(name) });
}

function getJson(args: string[]): Record<string, unknown> {
  return parseObject(s.k(['get', ...args, '-o', 'json']));
}

/** The lines of a table, with runs of spaces collapsed to one, AGE cells blanked. */
function rows(table: string): string[] {
  return table
    .trimEnd()
    .split('\n')
    .map((l) => l.trim().replace(/\s{2,}/g, ' | ').replace(/\b\d+(s|m|h|d)(\d+(s|m))?\b/g, '<age>'));
}

function lastApplied(obj: unknown): string {
  const ann = at(obj, 'metadata.annotations');
  const v: unknown = typeof ann === 'object' && ann !== null ? Object.entries(ann).find(([k]) => k === 'kubectl.kubernetes.io/last-applied-configuration')?.[1] : undefined;
  return typeof v === 'string' ? v : '';
}

const podYaml = (name: string, labels: Record<string, string>, image = 'nginx'): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels:\n${Object.entries(labels)
    .map(([k, v]) => `    ${k}: "${v}"\n`)
    .join('')}spec:\n  containers:\n  - name: c\n    image: ${image}\n`;

// What `kubectl apply -f FILE` prints for each seed manifest, and the objects it must leave behind.
const seedExpectations: Record<string, { printed: string[]; objects: string[][] }> = {
  'bad-statefulset.yaml': { printed: ['service/mongo', 'statefulset.apps/mongo'], objects: [['service', 'mongo'], ['statefulset', 'mongo']] },
  'kuard-pod.yaml': { printed: ['pod/kuard'], objects: [['pod', 'kuard']] },
  'kuard-rs.yaml': { printed: ['replicaset.extensions/kuard'], objects: [['replicaset', 'kuard']] },
  'nginx-deployments.yaml': { printed: ['deployment.extensions/nginx'], objects: [['deployment', 'nginx']] },
  'nginx-pvc.yaml': { printed: ['persistentvolumeclaim/nginx-pvc'], objects: [['persistentvolumeclaim', 'nginx-pvc']] },
  'nginx-rc-pvc.yaml': { printed: ['replicationcontroller/nginx'], objects: [['replicationcontroller', 'nginx']] },
  'pod.yaml': { printed: ['pod/nginx'], objects: [['pod', 'nginx']] },
  'replication.yaml': { printed: ['replicationcontroller/nginx'], objects: [['replicationcontroller', 'nginx']] },
  'service.yaml': { printed: ['service/nginx-service'], objects: [['service', 'nginx-service']] },
};

const nsFor = (verb: string, file: string): string => `${verb}-${file.replace(/\.yaml$/, '').replace(/[^a-z0-9]+/g, '-')}`;

describe('the seed manifests', () => {
  test('every YAML file in the seed directory has an expectation here', () => {
    const files = readdirSync(seedDir).filter((f) => f.endsWith('.yaml'));
    assert.deepEqual(files.sort(), Object.keys(seedExpectations).sort());
  });

  for (const [file, want] of Object.entries(seedExpectations)) {
    test(`kubectl apply -f ${file} creates its objects, and a second apply leaves them unchanged`, () => {
      const ns = nsFor('apply', file);
      ensureNamespace(ns);
      const r = s.kubectl(['apply', '-n', ns, '-f', join(seedDir, file)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, want.printed.map((p) => `${p} created\n`).join(''));
      if (file === 'kuard-rs.yaml' || file === 'nginx-deployments.yaml') {
        const kind = file === 'kuard-rs.yaml' ? 'ReplicaSet' : 'Deployment';
        assert.match(r.stderr, new RegExp(`Warning: extensions/v1beta1 ${kind} is deprecated`));
        assert.match(r.stderr, new RegExp(`use apps/v1 ${kind}`));
      } else {
        assert.equal(r.stderr, '');
      }
      for (const [kind, name] of want.objects) {
        const o = getJson(['-n', ns, `${kind ?? ''}/${name ?? ''}`]);
        assert.equal(at(o, 'metadata.name'), name);
        assert.equal(at(o, 'metadata.namespace'), ns);
      }
      const rvs = want.objects.map(([kind, name]) => at(getJson(['-n', ns, `${kind ?? ''}/${name ?? ''}`]), 'metadata.resourceVersion'));
      const again = s.kubectl(['apply', '-n', ns, '-f', join(seedDir, file)]);
      assert.equal(again.code, 0, again.stderr);
      // The exported Deployment carries creationTimestamp: null, generation and selfLink, so kubectl sends a
      // (no-op) patch and says "configured", as it does upstream; the object itself must not change.
      const verb = file === 'nginx-deployments.yaml' ? 'configured' : 'unchanged';
      assert.equal(again.stdout, want.printed.map((p) => `${p} ${verb}\n`).join(''));
      assert.deepEqual(
        want.objects.map(([kind, name]) => at(getJson(['-n', ns, `${kind ?? ''}/${name ?? ''}`]), 'metadata.resourceVersion')),
        rvs,
      );
    });
  }

  for (const [file, want] of Object.entries(seedExpectations)) {
    if (file === 'service.yaml') continue; // its fixed nodePort is taken by the applied copy: tested below
    test(`kubectl create -f ${file} creates its objects`, () => {
      const ns = nsFor('create', file);
      ensureNamespace(ns);
      const r = s.kubectl(['create', '-n', ns, '-f', join(seedDir, file)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, want.printed.map((p) => `${p} created\n`).join(''));
      for (const [kind, name] of want.objects) assert.equal(at(getJson(['-n', ns, `${kind ?? ''}/${name ?? ''}`]), 'metadata.name'), name);
      const dup = s.kubectl(['create', '-n', ns, '-f', join(seedDir, file)]);
      assert.equal(dup.code, 1);
      const [kind, name] = want.objects[0] ?? [];
      const resource = kind === 'replicationcontroller' ? 'replicationcontrollers' : kind === 'persistentvolumeclaim' ? 'persistentvolumeclaims' : `${kind ?? ''}s`;
      const group = file === 'kuard-rs.yaml' || file === 'nginx-deployments.yaml' ? '.extensions' : '';
      assert.match(dup.stderr, new RegExp(`Error from server \\(AlreadyExists\\): error when creating "${join(seedDir, file).replace(/[.]/g, '\\.')}": ${resource}${group.replace('.', '\\.')} "${name ?? ''}" already exists`));
    });
  }

  test('kubectl create -f service.yaml in a second namespace is refused because nodePort 30080 is taken, and works once it is freed', () => {
    const ns = nsFor('create', 'service.yaml');
    ensureNamespace(ns);
    const file = join(seedDir, 'service.yaml');
    const r = s.kubectl(['create', '-n', ns, '-f', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'The Service "nginx-service" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    assert.equal(s.k(['delete', '-n', nsFor('apply', 'service.yaml'), 'service', 'nginx-service']), 'service "nginx-service" deleted\n');
    assert.equal(s.k(['create', '-n', ns, '-f', file]), 'service/nginx-service created\n');
  });

  test('the legacy ReplicaSet without a selector gets one from its template labels and is served as apps/v1 and extensions/v1beta1', () => {
    const ns = nsFor('apply', 'kuard-rs.yaml');
    const rs = getJson(['-n', ns, 'replicasets.apps', 'kuard']);
    assert.equal(rs['apiVersion'], 'apps/v1');
    assert.deepEqual(at(rs, 'spec.selector'), { matchLabels: { app: 'kuard', version: '2' } });
    assert.equal(at(rs, 'spec.replicas'), 1);
    const legacy = parseObject(s.k(['get', '-n', ns, 'replicasets.v1beta1.extensions', 'kuard', '-o', 'json']));
    assert.equal(legacy['apiVersion'], 'extensions/v1beta1');
    assert.deepEqual(at(legacy, 'spec.selector'), { matchLabels: { app: 'kuard', version: '2' } });
  });

  test('the exported legacy Deployment is stored with its spec and read back as apps/v1', () => {
    const ns = nsFor('apply', 'nginx-deployments.yaml');
    const d = getJson(['-n', ns, 'deployments.apps', 'nginx']);
    assert.equal(d['apiVersion'], 'apps/v1');
    assert.equal(at(d, 'spec.replicas'), 1);
    assert.equal(at(d, 'spec.template.spec.containers.0.image'), 'nginx:1.7.12');
    assert.deepEqual(at(d, 'spec.strategy'), { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } });
    assert.equal(at(d, 'metadata.selfLink'), undefined);
  });

  test('the LoadBalancer service keeps nodePort 30080 and gets a cluster IP from the service CIDR', () => {
    const svc = getJson(['-n', nsFor('create', 'service.yaml'), 'service', 'nginx-service']);
    assert.equal(at(svc, 'spec.type'), 'LoadBalancer');
    assert.equal(at(svc, 'spec.ports.0.nodePort'), 30080);
    assert.equal(at(svc, 'spec.ports.0.targetPort'), 80);
    assert.equal(at(svc, 'spec.ports.0.protocol'), 'TCP');
    assert.match(String(at(svc, 'spec.clusterIP')), /^10\.254\.\d+\.\d+$/);
    assert.equal(at(svc, 'spec.externalTrafficPolicy'), 'Cluster');
    assert.equal(at(svc, 'spec.sessionAffinity'), 'None');
  });

  test('nothing runs yet: the seed pods are stored Pending, unscheduled, with upstream defaults', () => {
    const pod = getJson(['-n', nsFor('apply', 'pod.yaml'), 'pod', 'nginx']);
    assert.equal(at(pod, 'status.phase'), 'Pending');
    assert.equal(at(pod, 'spec.nodeName'), undefined);
    assert.equal(at(pod, 'spec.restartPolicy'), 'Always');
    assert.equal(at(pod, 'spec.dnsPolicy'), 'ClusterFirst');
    assert.equal(at(pod, 'spec.schedulerName'), 'default-scheduler');
    assert.equal(at(pod, 'spec.terminationGracePeriodSeconds'), 30);
    assert.equal(at(pod, 'spec.containers.0.imagePullPolicy'), 'Always');
    assert.equal(at(pod, 'spec.containers.0.terminationMessagePath'), '/dev/termination-log');
    assert.equal(at(pod, 'spec.containers.0.ports.0.protocol'), 'TCP');
    assert.match(String(at(pod, 'metadata.uid')), /^[0-9a-f-]{36}$/);
    assert.match(String(at(pod, 'metadata.creationTimestamp')), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('a pod gets upstream admission defaults: priority 0, the default service account and the 300 s not-ready/unreachable tolerations', () => {
    const pod = getJson(['-n', nsFor('apply', 'kuard-pod.yaml'), 'pod', 'kuard']);
    assert.equal(at(pod, 'spec.priority'), 0);
    assert.equal(at(pod, 'spec.serviceAccountName'), 'default');
    assert.deepEqual(at(pod, 'spec.tolerations'), [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });
});

describe('kubectl get', () => {
  const ns = 'get-test';
  before(() => {
    ensureNamespace(ns);
    s.k(['apply', '-n', ns, '-f', join(seedDir, 'pod.yaml'), '-f', join(seedDir, 'kuard-pod.yaml'), '-f', join(seedDir, 'replication.yaml')]);
  });

  test('prints the pods table with upstream columns', () => {
    assert.deepEqual(rows(s.k(['get', 'pods', '-n', ns])), ['NAME | READY | STATUS | RESTARTS | AGE', 'kuard | 0/1 | Pending | 0 | <age>', 'nginx | 0/1 | Pending | 0 | <age>']);
  });

  test('-o wide adds IP, NODE, NOMINATED NODE and READINESS GATES', () => {
    assert.deepEqual(rows(s.k(['get', 'pods', '-n', ns, '-o', 'wide'])), [
      'NAME | READY | STATUS | RESTARTS | AGE | IP | NODE | NOMINATED NODE | READINESS GATES',
      'kuard | 0/1 | Pending | 0 | <age> | <none> | <none> | <none> | <none>',
      'nginx | 0/1 | Pending | 0 | <age> | <none> | <none> | <none> | <none>',
    ]);
  });

  test('prints replication controllers with DESIRED CURRENT READY, and their wide columns', () => {
    assert.deepEqual(rows(s.k(['get', 'rc', '-n', ns])), ['NAME | DESIRED | CURRENT | READY | AGE', 'nginx | 3 | 0 | 0 | <age>']);
    assert.deepEqual(rows(s.k(['get', 'rc', '-n', ns, '-o', 'wide'])), ['NAME | DESIRED | CURRENT | READY | AGE | CONTAINERS | IMAGES | SELECTOR', 'nginx | 3 | 0 | 0 | <age> | nginx | nginx | app=nginx']);
  });

  test('-o yaml prints the stored object as YAML', () => {
    const doc: unknown = parseYaml(s.k(['get', 'pod', 'nginx', '-n', ns, '-o', 'yaml']));
    assert.equal(at(doc, 'apiVersion'), 'v1');
    assert.equal(at(doc, 'kind'), 'Pod');
    assert.equal(at(doc, 'metadata.name'), 'nginx');
    assert.deepEqual(at(doc, 'metadata.labels'), { app: 'nginx' });
    assert.equal(at(doc, 'spec.containers.0.ports.0.containerPort'), 80);
    assert.match(lastApplied(doc), /^\{"apiVersion":"v1","kind":"Pod"/);
    assert.equal(typeof at(doc, 'metadata.resourceVersion'), 'string');
  });

  test('-o json of a list is a v1 List with the items', () => {
    const list = getJson(['pods', '-n', ns]);
    assert.equal(list['kind'], 'List');
    assert.equal(list['apiVersion'], 'v1');
    const items = list['items'];
    assert.ok(Array.isArray(items));
    assert.deepEqual(items.map((i: unknown) => at(i, 'metadata.name')), ['kuard', 'nginx']);
    assert.deepEqual(items.map((i: unknown) => at(i, 'kind')), ['Pod', 'Pod']);
  });

  test('-o name, -o jsonpath and -o custom-columns print what they are asked for', () => {
    assert.equal(s.k(['get', 'pods', '-n', ns, '-o', 'name']), 'pod/kuard\npod/nginx\n');
    assert.equal(s.k(['get', 'pods', '-n', ns, '-o', 'jsonpath={.items[*].metadata.name}']), 'kuard nginx');
    assert.equal(s.k(['get', 'pod', 'kuard', '-n', ns, '-o', 'jsonpath={.spec.containers[0].ports[0].name}:{.spec.containers[0].ports[0].containerPort}']), 'echo:8080');
    assert.deepEqual(rows(s.k(['get', 'pods', '-n', ns, '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image,NODE:.spec.nodeName'])), [
      'NAME | IMAGE | NODE',
      'kuard | gcr.io/kuar-demo/kuard-amd64:1 | <none>',
      'nginx | nginx | <none>',
    ]);
  });

  test('-l filters with equality and set-based selectors', () => {
    assert.equal(s.k(['get', 'pods', '-n', ns, '-l', 'app=nginx', '-o', 'name']), 'pod/nginx\n');
    assert.equal(s.k(['get', 'pods', '-n', ns, '-l', 'app in (nginx,kuard)', '-o', 'name']), 'pod/nginx\n');
    assert.equal(s.k(['get', 'pods', '-n', ns, '-l', '!app', '-o', 'name']), 'pod/kuard\n');
    assert.equal(s.k(['get', 'pods', '-n', ns, '-l', 'app!=nginx', '-o', 'name']), 'pod/kuard\n');
    const none = s.kubectl(['get', 'pods', '-n', ns, '-l', 'app=nothing']);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, '');
    assert.equal(none.stderr, `No resources found in ${ns} namespace.\n`);
  });

  test('--field-selector filters by name, phase and node, and an unknown field label gets upstream BadRequest', () => {
    assert.equal(s.k(['get', 'pods', '-n', ns, '--field-selector', 'metadata.name=kuard', '-o', 'name']), 'pod/kuard\n');
    assert.equal(s.k(['get', 'pods', '-n', ns, '--field-selector', 'status.phase=Pending,metadata.name!=kuard', '-o', 'name']), 'pod/nginx\n');
    assert.equal(s.k(['get', 'pods', '-n', ns, '--field-selector', 'spec.nodeName=', '-o', 'name']), 'pod/kuard\npod/nginx\n');
    assert.equal(s.kubectl(['get', 'pods', '-n', ns, '--field-selector', 'status.phase=Running']).stderr, `No resources found in ${ns} namespace.\n`);
    const bad = s.kubectl(['get', 'pods', '-n', ns, '--field-selector', 'foo=bar']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim(), 'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "foo=bar": field label not supported: foo');
  });

  test('-A lists across namespaces with a NAMESPACE column', () => {
    const out = rows(s.k(['get', 'pods', '-A']));
    assert.equal(out[0], 'NAMESPACE | NAME | READY | STATUS | RESTARTS | AGE');
    assert.ok(out.includes(`${ns} | kuard | 0/1 | Pending | 0 | <age>`), out.join('\n'));
    assert.ok(out.includes(`${ns} | nginx | 0/1 | Pending | 0 | <age>`), out.join('\n'));
    assert.ok(out.includes(`${nsFor('apply', 'pod.yaml')} | nginx | 0/1 | Pending | 0 | <age>`), out.join('\n'));
  });

  test('get all shows pods and replication controllers without warnings', () => {
    const r = s.kubectl(['get', 'all', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^pod\/kuard\s/m);
    assert.match(r.stdout, /^replicationcontroller\/nginx\s+3\s+0\s+0\s/m);
  });

  test('-w sees a label change and a delete, in order', async () => {
    const w = s.kubectlBackground(['get', 'pods', '-n', ns, '-w', '--output-watch-events']);
    try {
      await w.waitForOutput((o) => /^ADDED\s+nginx\s/m.test(o) && /^ADDED\s+kuard\s/m.test(o));
      s.k(['label', 'pod', 'kuard', '-n', ns, 'watched=yes']);
      await w.waitForOutput((o) => /^MODIFIED\s+kuard\s/m.test(o));
      assert.equal(s.k(['delete', 'pod', 'kuard', '-n', ns]), 'pod "kuard" deleted\n');
      await w.waitForOutput((o) => /^DELETED\s+kuard\s/m.test(o));
      const events = w.stdout
        .split('\n')
        .filter((l) => / kuard /.test(l))
        .map((l) => l.split(/\s+/)[0]);
      assert.deepEqual(events, ['ADDED', 'MODIFIED', 'DELETED']);
      assert.match(w.stdout, /^EVENT\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    } finally {
      await w.stop();
    }
  });

  test('-w --watch-only prints only the changes and stops at --request-timeout', async () => {
    const w = s.kubectlBackground(['get', 'pods', '-n', ns, '--watch-only', '--request-timeout=6s']);
    // The watch starts after kubectl's discovery: relabel until a change shows up.
    for (let i = 0; i < 10 && !/^nginx\s+0\/1\s+Pending\s/m.test(w.stdout); i++) {
      s.k(['label', 'pod', 'nginx', '-n', ns, `watched=n${i}`, '--overwrite']);
      await new Promise((r) => setTimeout(r, 400));
    }
    await w.waitForOutput((o) => /^nginx\s+0\/1\s+Pending\s/m.test(o));
    const code = await w.exited;
    assert.equal(code, 0, w.stderr);
    assert.doesNotMatch(w.stdout, /kuard/);
  });
});

describe('kubectl describe, label, annotate and patch', () => {
  const ns = 'mutate';
  before(() => {
    ensureNamespace(ns);
    s.k(['apply', '-n', ns, '-f', join(seedDir, 'pod.yaml'), '-f', join(seedDir, 'replication.yaml')]);
  });

  test('describe pod prints the upstream sections', () => {
    const out = s.k(['describe', 'pod', 'nginx', '-n', ns]);
    for (const re of [/^Name:\s+nginx$/m, new RegExp(`^Namespace:\\s+${ns}$`, 'm'), /^Node:\s+<none>$/m, /^Labels:\s+app=nginx$/m, /^Status:\s+Pending$/m, /^Containers:$/m, /^  nginx:$/m, /^    Image:\s+nginx$/m, /^    Port:\s+80\/TCP$/m, /^QoS Class:\s+BestEffort$/m, /^Events:\s+<none>$/m]) {
      assert.match(out, re);
    }
  });

  test('describe pod shows Priority and Service Account like upstream', () => {
    const out = s.k(['describe', 'pod', 'nginx', '-n', ns]);
    assert.match(out, /^Priority:\s+0$/m);
    assert.match(out, /^Service Account:\s+default$/m);
  });

  test('describe rc prints its selector, replicas and pod template', () => {
    const out = s.k(['describe', 'rc', 'nginx', '-n', ns]);
    assert.match(out, /^Name:\s+nginx$/m);
    assert.match(out, /^Selector:\s+app=nginx$/m);
    assert.match(out, /^Replicas:\s+0 current \/ 3 desired$/m);
    assert.match(out, /^Pods Status:\s+0 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
    assert.match(out, /^Pod Template:$/m);
  });

  test('label adds, refuses to overwrite without --overwrite, overwrites and removes', () => {
    assert.equal(s.k(['label', 'pod', 'nginx', '-n', ns, 'tier=web']), 'pod/nginx labeled\n');
    const r = s.kubectl(['label', 'pod', 'nginx', '-n', ns, 'tier=db']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), "error: 'tier' already has a value (web), and --overwrite is false");
    assert.equal(s.k(['label', 'pod', 'nginx', '-n', ns, 'tier=db', '--overwrite']), 'pod/nginx labeled\n');
    assert.equal(s.k(['get', 'pod', 'nginx', '-n', ns, '-o', 'jsonpath={.metadata.labels.tier}']), 'db');
    assert.equal(s.k(['label', 'pod', 'nginx', '-n', ns, 'tier-']), 'pod/nginx unlabeled\n');
    assert.deepEqual(at(getJson(['pod', 'nginx', '-n', ns]), 'metadata.labels'), { app: 'nginx' });
    const bad = s.kubectl(['label', 'pod', 'nginx', '-n', ns, 'bad=a b']);
    assert.equal(bad.code, 1);
  });

  test('annotate adds and removes an annotation', () => {
    assert.equal(s.k(['annotate', 'pod', 'nginx', '-n', ns, 'description=my frontend']), 'pod/nginx annotated\n');
    assert.equal(s.k(['get', 'pod', 'nginx', '-n', ns, '-o', 'jsonpath={.metadata.annotations.description}']), 'my frontend');
    assert.equal(s.k(['annotate', 'pod', 'nginx', '-n', ns, 'description-']), 'pod/nginx annotated\n');
    assert.equal(at(getJson(['pod', 'nginx', '-n', ns]), 'metadata.annotations.description'), undefined);
  });

  test('a strategic merge patch merges containers by name and keeps their other fields', () => {
    assert.equal(s.k(['patch', 'pod', 'nginx', '-n', ns, '-p', '{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}']), 'pod/nginx patched\n');
    const pod = getJson(['pod', 'nginx', '-n', ns]);
    assert.equal(at(pod, 'spec.containers.0.image'), 'nginx:1.25');
    assert.deepEqual(at(pod, 'spec.containers.0.ports'), [{ containerPort: 80, protocol: 'TCP' }]);
    assert.equal(s.k(['patch', 'pod', 'nginx', '-n', ns, '-p', '{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}']), 'pod/nginx patched (no change)\n');
  });

  test('a merge patch replaces lists whole', () => {
    assert.equal(s.k(['patch', 'rc', 'nginx', '-n', ns, '--type', 'merge', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"httpd"}]}}}}']), 'replicationcontroller/nginx patched\n');
    const rc = getJson(['rc', 'nginx', '-n', ns]);
    const containers = at(rc, 'spec.template.spec.containers');
    assert.ok(Array.isArray(containers));
    assert.equal(containers.length, 1);
    assert.equal(at(containers, '0.name'), 'web');
    assert.equal(at(containers, '0.ports'), undefined);
    assert.equal(at(containers, '0.imagePullPolicy'), 'Always');
  });

  test('a JSON patch applies its operations, and a failing test op is refused', () => {
    assert.equal(s.k(['patch', 'rc', 'nginx', '-n', ns, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":2},{"op":"add","path":"/metadata/labels","value":{"patched":"json"}}]']), 'replicationcontroller/nginx patched\n');
    const rc = getJson(['rc', 'nginx', '-n', ns]);
    assert.equal(at(rc, 'spec.replicas'), 2);
    assert.deepEqual(at(rc, 'metadata.labels'), { patched: 'json' });
    const r = s.kubectl(['patch', 'rc', 'nginx', '-n', ns, '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":7}]']);
    assert.equal(r.code, 1);
    // upstream answers a failed JSON patch operation with a generic 422 (NewGenericServerResponse), which kubectl prints so
    assert.equal(r.stderr, 'The request is invalid: the server rejected our request due to an error in our request\n');
  });

  test('patching a pod field that may not change is refused with upstream Forbidden message', () => {
    const r = s.kubectl(['patch', 'pod', 'nginx', '-n', ns, '--type', 'merge', '-p', '{"spec":{"restartPolicy":"Never"}}']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^The Pod "nginx" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/);
  });
});

describe('kubectl edit, scale, delete', () => {
  const ns = 'lifecycle';
  before(() => {
    ensureNamespace(ns);
    s.k(['apply', '-n', ns, '-f', join(seedDir, 'replication.yaml'), '-f', join(seedDir, 'nginx-deployments.yaml'), '-f', join(seedDir, 'kuard-rs.yaml')]);
  });

  test('edit with an EDITOR script changes replicas from 3 to 5', () => {
    const editor = writeTemp('editor.sh', '#!/bin/sh\nsed -i "s/replicas: 3/replicas: 5/" "$1"\n');
    chmodSync(editor, 0o755);
    const r = s.kubectl(['edit', 'rc', 'nginx', '-n', ns], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'replicationcontroller/nginx edited\n');
    assert.equal(at(getJson(['rc', 'nginx', '-n', ns]), 'spec.replicas'), 5);
    const again = s.kubectl(['edit', 'rc', 'nginx', '-n', ns], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stderr, 'Edit cancelled, no changes made.\n');
  });

  test('edit that makes the object invalid is refused with the upstream message', () => {
    const editor = writeTemp('editor.sh', '#!/bin/sh\nsed -i "s/replicas: 5/replicas: -1/" "$1"\n');
    chmodSync(editor, 0o755);
    const r = s.kubectl(['edit', 'rc', 'nginx', '-n', ns], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: replicationcontrollers "nginx" is invalid\nA copy of your changes has been stored to "[^"]+"\nerror: Edit cancelled, no valid changes were saved\.\n$/);
    assert.equal(at(getJson(['rc', 'nginx', '-n', ns]), 'spec.replicas'), 5);
  });

  test('scale works on replication controllers, deployments and replica sets through the scale subresource', () => {
    assert.equal(s.k(['scale', 'rc', 'nginx', '-n', ns, '--replicas=2']), 'replicationcontroller/nginx scaled\n');
    assert.equal(at(getJson(['rc', 'nginx', '-n', ns]), 'spec.replicas'), 2);
    const d = s.kubectl(['scale', 'deployment', 'nginx', '-n', ns, '--replicas=3']);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout, 'deployment.apps/nginx scaled\n');
    assert.equal(at(getJson(['deployments.apps', 'nginx', '-n', ns]), 'spec.replicas'), 3);
    assert.equal(s.k(['scale', 'replicasets.apps', 'kuard', '-n', ns, '--replicas=4']), 'replicaset.apps/kuard scaled\n');
    assert.equal(at(getJson(['replicasets.apps', 'kuard', '-n', ns]), 'spec.replicas'), 4);
    const scale = parseObject(s.k(['get', '--raw', `/api/v1/namespaces/${ns}/replicationcontrollers/nginx/scale`]));
    assert.equal(scale['kind'], 'Scale');
    assert.equal(scale['apiVersion'], 'autoscaling/v1');
    assert.equal(at(scale, 'spec.replicas'), 2);
    assert.equal(at(scale, 'status.selector'), 'app=nginx');
    const stale = s.kubectl(['scale', 'rc', 'nginx', '-n', ns, '--current-replicas=9', '--replicas=1']);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /Expected replicas to be 9, was 2/);
  });

  test('the short names deploy and rs work without a warning', () => {
    const r = s.kubectl(['get', 'deploy,rs', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^deployment\.apps\/nginx\s+0\/3\s+0\s+0\s/m);
    assert.match(r.stdout, /^replicaset\.apps\/kuard\s+4\s+0\s+0\s/m);
  });

  test('delete by name, by -f, by -l and with --all', () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) s.k(['apply', '-n', ns, '-f', '-'], { input: podYaml(`del-${n}`, { group: n < 'c' ? 'one' : 'two' }) });
    assert.equal(s.k(['delete', 'pod', 'del-a', '-n', ns]), 'pod "del-a" deleted\n');
    const file = writeTemp('pod.yaml', podYaml('del-b', { group: 'one' }));
    assert.equal(s.k(['delete', '-n', ns, '-f', file]), 'pod "del-b" deleted\n');
    assert.equal(s.k(['delete', 'pods', '-n', ns, '-l', 'group=two', '--field-selector', 'metadata.name!=del-e']), 'pod "del-c" deleted\npod "del-d" deleted\n');
    assert.equal(s.k(['delete', 'pods', '-n', ns, '--all']), 'pod "del-e" deleted\n');
    const left = s.kubectl(['get', 'pods', '-n', ns]);
    assert.equal(left.stderr, `No resources found in ${ns} namespace.\n`);
    const gone = s.kubectl(['delete', 'pod', 'del-a', '-n', ns]);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): pods "del-a" not found');
    assert.equal(s.k(['delete', 'rc', 'nginx', '-n', ns]), 'replicationcontroller "nginx" deleted\n');
    assert.equal(s.kubectl(['get', 'rc', 'nginx', '-n', ns]).stderr.trim(), 'Error from server (NotFound): replicationcontrollers "nginx" not found');
  });
});

describe('kubectl create configmap, create secret generic and run', () => {
  test('create configmap from the tutorial file and two literals has DATA 3', () => {
    const r = s.kubectl(['create', 'configmap', 'my-config', `--from-file=${join(seedDir, 'my-config.txt')}`, '--from-literal=extra-param=extra-value', '--from-literal=another-param=another-value']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap/my-config created\n');
    assert.ok(rows(s.k(['get', 'configmaps'])).includes('my-config | 3 | <age>'));
    const cm = getJson(['configmap', 'my-config']);
    assert.deepEqual(cm['data'], {
      'another-param': 'another-value',
      'extra-param': 'extra-value',
      'my-config.txt': readFileSync(join(seedDir, 'my-config.txt'), 'utf8'),
    });
    assert.match(s.k(['describe', 'configmap', 'my-config']), /^extra-param:\n----\nextra-value\n/m);
  });

  test('create secret generic stores base64 data of type Opaque', () => {
    const r = s.kubectl(['create', 'secret', 'generic', 'db-user-pass', '--from-literal=username=admin', '--from-literal=password=S!B*d$zDsb=']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'secret/db-user-pass created\n');
    assert.ok(rows(s.k(['get', 'secrets'])).includes('db-user-pass | Opaque | 2 | <age>'));
    const sec = getJson(['secret', 'db-user-pass']);
    assert.equal(sec['type'], 'Opaque');
    assert.equal(at(sec, 'data.username'), Buffer.from('admin').toString('base64'));
    assert.equal(at(sec, 'data.password'), Buffer.from('S!B*d$zDsb=').toString('base64'));
    assert.deepEqual(rows(s.k(['get', 'secrets', '--field-selector', 'type=Opaque', '-o', 'name'])), ['secret/db-user-pass']);
  });

  test('run creates a pod labelled run=NAME', () => {
    assert.equal(s.k(['run', 'web', '--image=nginx:1.25', '--port=80']), 'pod/web created\n');
    const pod = getJson(['pod', 'web']);
    assert.deepEqual(at(pod, 'metadata.labels'), { run: 'web' });
    assert.equal(at(pod, 'spec.containers.0.name'), 'web');
    assert.equal(at(pod, 'spec.containers.0.image'), 'nginx:1.25');
    assert.equal(at(pod, 'spec.containers.0.imagePullPolicy'), 'IfNotPresent');
    assert.equal(at(pod, 'spec.containers.0.ports.0.containerPort'), 80);
    const dry = parseObject(s.k(['run', 'dry', '--image=nginx', '--dry-run=server', '-o', 'json']));
    assert.equal(at(dry, 'metadata.name'), 'dry');
    assert.equal(s.kubectl(['get', 'pod', 'dry']).code, 1);
  });
});

describe('discovery and information commands', () => {
  test('explain pod.spec.containers prints the field and its subfields', () => {
    const out = s.k(['explain', 'pod.spec.containers']);
    assert.ok(out.startsWith('KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n\n\nDESCRIPTION:\n    List of containers belonging to the pod.'), out.slice(0, 300));
    assert.match(out, /^FIELDS:$/m);
    assert.match(out, /^ {2}image\t<string>$/m);
    assert.match(out, /^ {2}name\t<string> -required-$/m);
    assert.match(out, /^ {2}ports\t<\[\]ContainerPort>$/m);
    const leaf = s.k(['explain', 'deployment.spec.replicas']);
    assert.ok(leaf.startsWith('GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: replicas <integer>\n'), leaf.slice(0, 300));
  });

  test('api-resources lists the served kinds with their short names', () => {
    const out = s.k(['api-resources']);
    assert.match(out, /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/m);
    const expected: [string, string, string, string, string][] = [
      ['pods', 'po', 'v1', 'true', 'Pod'],
      ['replicationcontrollers', 'rc', 'v1', 'true', 'ReplicationController'],
      ['services', 'svc', 'v1', 'true', 'Service'],
      ['configmaps', 'cm', 'v1', 'true', 'ConfigMap'],
      ['namespaces', 'ns', 'v1', 'false', 'Namespace'],
      ['nodes', 'no', 'v1', 'false', 'Node'],
      ['componentstatuses', 'cs', 'v1', 'false', 'ComponentStatus'],
      ['persistentvolumeclaims', 'pvc', 'v1', 'true', 'PersistentVolumeClaim'],
      ['serviceaccounts', 'sa', 'v1', 'true', 'ServiceAccount'],
      ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment'],
      ['replicasets', 'rs', 'apps/v1', 'true', 'ReplicaSet'],
      ['statefulsets', 'sts', 'apps/v1', 'true', 'StatefulSet'],
      ['daemonsets', 'ds', 'apps/v1', 'true', 'DaemonSet'],
      ['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob'],
      ['ingresses', 'ing', 'networking.k8s.io/v1', 'true', 'Ingress'],
      ['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', 'true', 'HorizontalPodAutoscaler'],
      ['poddisruptionbudgets', 'pdb', 'policy/v1', 'true', 'PodDisruptionBudget'],
      ['storageclasses', 'sc', 'storage.k8s.io/v1', 'false', 'StorageClass'],
    ];
    for (const cols of expected) assert.match(out, new RegExp(`^${cols.map((c) => c.replace(/[./]/g, '\\$&')).join('\\s+')}$`, 'm'), cols.join(' '));
    assert.match(out, /^bindings\s+v1\s+true\s+Binding$/m);
    assert.match(out, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
    const named = s.k(['api-resources', '--api-group=apps', '-o', 'name']).split('\n').filter(Boolean);
    assert.deepEqual(named.sort(), ['controllerrevisions.apps', 'daemonsets.apps', 'deployments.apps', 'replicasets.apps', 'statefulsets.apps']);
  });

  test('api-versions lists the served group versions', () => {
    const out = s.k(['api-versions']).split('\n').filter(Boolean);
    for (const gv of ['v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'autoscaling/v2', 'networking.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1', 'storage.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1']) {
      assert.ok(out.includes(gv), `${gv} missing from ${out.join(' ')}`);
    }
    assert.deepEqual(out, [...out].sort());
  });

  test('version reports a v1.32.0-k8ts server', () => {
    const v = parseObject(s.k(['version', '-o', 'json']));
    assert.match(String(at(v, 'serverVersion.gitVersion')), /^v1\.32\.0-k8ts\.\d+$/);
    assert.equal(at(v, 'serverVersion.major'), '1');
    assert.equal(at(v, 'serverVersion.minor'), '32');
    assert.equal(at(v, 'serverVersion.platform'), 'linux/amd64');
    assert.match(s.k(['version']), /^Server Version: v1\.32\.0-k8ts\.\d+$/m);
  });

  test('get componentstatus prints the healthy components with the deprecation warning', () => {
    const r = s.kubectl(['get', 'componentstatus']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'Warning: v1 ComponentStatus is deprecated in v1.19+\n');
    const out = rows(r.stdout);
    assert.equal(out[0], 'NAME | STATUS | MESSAGE | ERROR');
    for (const c of ['scheduler', 'controller-manager', 'etcd-0']) assert.ok(out.includes(`${c} | Healthy | ok`), out.join('\n'));
  });
});

describe('kubectl diff and apply with the last-applied configuration', () => {
  const ns = 'apply-merge';
  const deploy = (labels: string, replicas: number, env: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
${labels}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
        env:
${env}
`;
  const v1 = deploy('    app: web\n    tier: frontend', 3, '        - name: A\n          value: "1"\n        - name: B\n          value: "2"');
  const v2 = deploy('    app: web', 4, '        - name: A\n          value: "1"');
  before(() => ensureNamespace(ns));

  test('diff exits 0 with no output when the live object matches the file', () => {
    const file = writeTemp('web.yaml', v1);
    assert.equal(s.k(['apply', '-n', ns, '-f', file]), 'deployment.apps/web created\n');
    const r = s.kubectl(['diff', '-n', ns, '-f', file]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
  });

  test('diff exits 1 and shows the change when the file differs', () => {
    const r = s.kubectl(['diff', '-n', ns, '-f', writeTemp('web.yaml', v2)]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^-  replicas: 3$/m);
    assert.match(r.stdout, /^\+  replicas: 4$/m);
    assert.match(r.stdout, /^-    tier: frontend$/m);
    assert.equal(at(getJson(['deployment', 'web', '-n', ns]), 'spec.replicas'), 3, 'diff must not change the object');
  });

  test('a second apply removes the fields dropped from the file and keeps fields set by others', () => {
    s.k(['label', 'deployment', 'web', '-n', ns, 'owner=ops']);
    assert.equal(s.k(['apply', '-n', ns, '-f', writeTemp('web.yaml', v2)]), 'deployment.apps/web configured\n');
    const d = getJson(['deployment', 'web', '-n', ns]);
    assert.deepEqual(at(d, 'metadata.labels'), { app: 'web', owner: 'ops' });
    assert.equal(at(d, 'spec.replicas'), 4);
    assert.deepEqual(at(d, 'spec.template.spec.containers.0.env'), [{ name: 'A', value: '1' }]);
    assert.equal(at(d, 'metadata.generation'), 2);
  });

  test('the last-applied-configuration annotation records the file as applied', () => {
    const last = parseObject(lastApplied(getJson(['deployment', 'web', '-n', ns])));
    assert.deepEqual(at(last, 'metadata.labels'), { app: 'web' });
    assert.equal(at(last, 'spec.replicas'), 4);
    assert.equal(s.k(['apply', 'view-last-applied', 'deployment/web', '-n', ns, '-o', 'json']).includes('"replicas": 4'), true);
  });
});

describe('namespaces', () => {
  test('kubectl create namespace creates an Active namespace with its name label and the kubernetes finalizer', () => {
    const r = s.kubectl(['create', 'namespace', 'made-by-create']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'namespace/made-by-create created\n');
    const ns = getJson(['namespace', 'made-by-create']);
    assert.equal(at(ns, 'status.phase'), 'Active');
    assert.deepEqual(at(ns, 'spec.finalizers'), ['kubernetes']);
    assert.deepEqual(at(ns, 'metadata.labels'), { 'kubernetes.io/metadata.name': 'made-by-create' });
  });

  test('the four system namespaces exist', () => {
    const out = rows(s.k(['get', 'namespaces']));
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(out.includes(`${n} | Active | <age>`), out.join('\n'));
  });

  test('a deleted namespace is Terminating while content remains, refuses new content, then disappears', async () => {
    ensureNamespace('doomed');
    s.k(['apply', '-n', 'doomed', '-f', join(seedDir, 'kuard-pod.yaml')]);
    s.k(['apply', '-n', 'doomed', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hold\n  finalizers: [example.com/hold]\ndata:\n  a: "1"\n' });
    assert.equal(s.k(['delete', 'namespace', 'doomed', '--wait=false']), 'namespace "doomed" deleted\n');
    assert.ok(rows(s.k(['get', 'namespace', 'doomed'])).includes('doomed | Terminating | <age>'));
    const ns = getJson(['namespace', 'doomed']);
    assert.equal(at(ns, 'status.phase'), 'Terminating');
    assert.equal(typeof at(ns, 'metadata.deletionTimestamp'), 'string');
    const r = s.kubectl(['apply', '-n', 'doomed', '-f', join(seedDir, 'pod.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `Error from server (Forbidden): error when creating "${join(seedDir, 'pod.yaml')}": pods "nginx" is forbidden: unable to create new content in namespace doomed because it is being terminated`);
    // The namespace controller deletes the content; the ConfigMap waits for its finalizer.
    const deadline = Date.now() + 15_000;
    while (s.kubectl(['get', 'pod', 'kuard', '-n', 'doomed']).code === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
    assert.equal(s.kubectl(['get', 'pod', 'kuard', '-n', 'doomed']).code, 1, 'the pod in the namespace is deleted');
    assert.equal(typeof at(getJson(['configmap', 'hold', '-n', 'doomed']), 'metadata.deletionTimestamp'), 'string');
    assert.equal(s.k(['get', 'namespace', 'doomed', '-o', 'jsonpath={.status.phase}']), 'Terminating');
    s.k(['patch', 'configmap', 'hold', '-n', 'doomed', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    while (s.kubectl(['get', 'namespace', 'doomed']).code === 0 && Date.now() < deadline + 15_000) await new Promise((res) => setTimeout(res, 200));
    assert.equal(s.kubectl(['get', 'namespace', 'doomed']).stderr.trim(), 'Error from server (NotFound): namespaces "doomed" not found');
  });

  test('kubectl delete namespace waits until the namespace is gone', () => {
    ensureNamespace('short-lived');
    s.k(['apply', '-n', 'short-lived', '-f', join(seedDir, 'pod.yaml')]);
    assert.equal(s.k(['delete', 'namespace', 'short-lived', '--timeout=30s']), 'namespace "short-lived" deleted\n');
    assert.equal(s.kubectl(['get', 'namespace', 'short-lived']).code, 1);
  });

  test('creating into a missing namespace fails with NotFound', () => {
    const r = s.kubectl(['apply', '-n', 'nowhere', '-f', join(seedDir, 'pod.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `Error from server (NotFound): error when creating "${join(seedDir, 'pod.yaml')}": namespaces "nowhere" not found`);
  });
});

describe('more of what kubectl prints for the tutorial objects', () => {
  test('get svc, deploy, rs, sts and pvc print upstream columns for the seed objects', () => {
    assert.deepEqual(rows(s.k(['get', 'svc', '-n', nsFor('apply', 'bad-statefulset.yaml')])), ['NAME | TYPE | CLUSTER-IP | EXTERNAL-IP | PORT(S) | AGE', 'mongo | ClusterIP | None | <none> | 27017/TCP | <age>']);
    const svc = rows(s.k(['get', 'svc', '-n', nsFor('create', 'service.yaml')]));
    assert.equal(svc.length, 2);
    assert.match(svc[1] ?? '', /^nginx-service \| LoadBalancer \| 10\.254\.\d+\.\d+ \| <pending> \| 8080:30080\/TCP \| <age>$/);
    assert.deepEqual(rows(s.k(['get', 'deployments', '-n', nsFor('apply', 'nginx-deployments.yaml')])), ['NAME | READY | UP-TO-DATE | AVAILABLE | AGE', 'nginx | 0/1 | 0 | 0 | <age>']);
    assert.deepEqual(rows(s.k(['get', 'rs', '-n', nsFor('apply', 'kuard-rs.yaml')])), ['NAME | DESIRED | CURRENT | READY | AGE', 'kuard | 1 | 0 | 0 | <age>']);
    assert.deepEqual(rows(s.k(['get', 'statefulsets', '-n', nsFor('apply', 'bad-statefulset.yaml')])), ['NAME | READY | AGE', 'mongo | 0/1 | <age>']);
    assert.deepEqual(rows(s.k(['get', 'pvc', '-n', nsFor('apply', 'nginx-pvc.yaml')])), [
      'NAME | STATUS | VOLUME | CAPACITY | ACCESS MODES | STORAGECLASS | VOLUMEATTRIBUTESCLASS | AGE',
      'nginx-pvc | Pending | <unset> | <age>',
    ]);
  });

  test('get nodes on a cluster without nodes says so', () => {
    const r = s.kubectl(['get', 'nodes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'No resources found\n');
  });

  test('describe service and deployment print upstream fields', () => {
    const svc = s.k(['describe', 'svc', 'nginx-service', '-n', nsFor('create', 'service.yaml')]);
    for (const re of [/^Selector:\s+name=nginx$/m, /^Type:\s+LoadBalancer$/m, /^Port:\s+<unset>\s+8080\/TCP$/m, /^TargetPort:\s+80\/TCP$/m, /^NodePort:\s+<unset>\s+30080\/TCP$/m, /^Session Affinity:\s+None$/m, /^External Traffic Policy:\s+Cluster$/m]) assert.match(svc, re);
    const d = s.k(['describe', 'deployment', 'nginx', '-n', nsFor('apply', 'nginx-deployments.yaml')]);
    for (const re of [/^Selector:\s+run=nginx$/m, /^Replicas:\s+1 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m, /^StrategyType:\s+RollingUpdate$/m, /^RollingUpdateStrategy:\s+1 max unavailable, 1 max surge$/m, /^\s+Image:\s+nginx:1\.7\.12$/m]) assert.match(d, re);
  });

  test('apply --dry-run=server reports the create without storing it', () => {
    const ns = nsFor('apply', 'kuard-pod.yaml');
    assert.equal(s.k(['apply', '-n', ns, '--dry-run=server', '-f', join(seedDir, 'pod.yaml')]), 'pod/nginx created (server dry run)\n');
    assert.equal(s.kubectl(['get', 'pod', 'nginx', '-n', ns]).code, 1);
  });

  test('get -o yaml piped to replace -f - replaces the object', () => {
    const ns = nsFor('apply', 'pod.yaml');
    const yaml = s.k(['get', 'pod', 'nginx', '-n', ns, '-o', 'yaml']);
    assert.equal(s.k(['replace', '-f', '-'], { input: yaml }), 'pod/nginx replaced\n');
  });

  test('create -f with generateName gets a generated name', () => {
    const out = s.k(['create', '-n', 'get-test', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: web-\nspec:\n  containers:\n  - name: c\n    image: nginx\n' });
    assert.match(out, /^pod\/web-[a-z0-9]{5} created\n$/);
    s.k(['delete', out.trim().replace(/ created$/, ''), '-n', 'get-test']);
  });

  test('get --chunk-size pages through the list', () => {
    const ns = 'chunks';
    ensureNamespace(ns);
    for (const n of ['a', 'b', 'c']) s.k(['apply', '-n', ns, '-f', '-'], { input: podYaml(`chunk-${n}`, { x: 'y' }) });
    assert.equal(s.k(['get', 'pods', '-n', ns, '--chunk-size=1', '-o', 'name']), 'pod/chunk-a\npod/chunk-b\npod/chunk-c\n');
    assert.deepEqual(rows(s.k(['get', 'pods', '-n', ns, '--chunk-size=2'])).length, 4);
  });

  test('delete -f of a multi-document file deletes each object', () => {
    assert.equal(s.k(['delete', '-n', nsFor('create', 'bad-statefulset.yaml'), '-f', join(seedDir, 'bad-statefulset.yaml')]), 'service "mongo" deleted\nstatefulset.apps "mongo" deleted\n');
  });
});

describe('errors', () => {
  test('getting a missing pod prints upstream NotFound and exits 1', () => {
    const r = s.kubectl(['get', 'pod', 'nope']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'Error from server (NotFound): pods "nope" not found\n');
  });

  test('an invalid pod is refused with 422 and the upstream field errors', async () => {
    const r = s.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers: []\n' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'The Pod "bad" is invalid: spec.containers: Required value\n');
    const res = await s.request('POST', '/api/v1/namespaces/default/pods', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad' }, spec: { containers: [] } }) });
    assert.equal(res.status, 422);
    const st = parseObject(res.body);
    assert.deepEqual(st, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Pod "bad" is invalid: spec.containers: Required value',
      reason: 'Invalid',
      details: { name: 'bad', kind: 'Pod', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }] },
      code: 422,
    });
  });

  test('several invalid fields are listed one per line', () => {
    const r = s.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad2\nspec:\n  containers:\n  - name: Foo\n    image: ""\n' });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'The Pod "bad2" is invalid: \n' +
        `* spec.containers[0].name: Invalid value: "Foo": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n` +
        '* spec.containers[0].image: Required value\n',
    );
  });

  test('a bad object name is refused with the RFC 1123 subdomain message', () => {
    const r = s.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n' });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n`,
    );
  });

  test('a bad label value is refused with the upstream label message', () => {
    const r = s.kubectl(['create', '-f', '-'], { input: podYaml('badlabel', { app: 'has space' }) });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `The Pod "badlabel" is invalid: metadata.labels: Invalid value: "has space": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\n`,
    );
  });

  test('a replace with a stale resourceVersion gets upstream Conflict', () => {
    s.k(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: racy\ndata:\n  a: "1"\n' });
    const stale = getJson(['configmap', 'racy']);
    s.k(['label', 'configmap', 'racy', 'bumped=yes']);
    const r = s.kubectl(['replace', '-f', '-'], { input: JSON.stringify({ ...stale, data: { a: '2' } }) });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "racy": the object has been modified; please apply your changes to the latest version and try again\n');
    assert.equal(at(getJson(['configmap', 'racy']), 'data.a'), '1');
  });

  test('creating an object that exists gets upstream AlreadyExists', () => {
    const r = s.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: racy\n' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (AlreadyExists): error when creating "STDIN": configmaps "racy" already exists\n');
  });

  test('an unknown field is refused by kubectl apply with strict field validation', () => {
    const r = s.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\nbogus: 1\n' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown field "bogus"/);
    assert.equal(s.kubectl(['get', 'configmap', 'strict']).code, 1);
  });

  test('an unknown resource type gets the kubectl discovery error', () => {
    const r = s.kubectl(['get', 'widgets']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `error: the server doesn't have a resource type "widgets"\n`);
  });
});
