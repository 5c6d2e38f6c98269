// A few thousand malformed requests straight over HTTPS (admin client certificate): every answer is a
// Kubernetes Status with a 4xx code, the server stays up, and no object is half written or wrongly created.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, http2Request, K8tsServer, namespaceYaml, openHttp2Session, parseObject, type HttpResult } from './support/server.js';

let s: K8tsServer;
let agent: Agent;

before(async () => {
  s = await K8tsServer.start();
  const c = s.adminCredentials();
  agent = new Agent({ keepAlive: true, maxSockets: 8, ca: c.caPem, cert: c.certPem, key: c.keyPem });
});

after(async () => {
  agent?.destroy();
  await s?.destroy();
});

const NS = 'fuzz';
const TARGET = 'fuzz-target';

/** A small seeded PRNG (mulberry32) so that a failing run can be replayed with the same seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = Number(process.env['K8TS_FUZZ_SEED'] ?? Date.now() % 1_000_000);
const rand = rng(seed);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => {
  const x = xs[int(xs.length)];
  if (x === undefined) throw new Error('pick from an empty list');
  return x;
};
let serial = 0;
const fresh = (): string => `fuzz-${(serial++).toString(36)}`;

interface FuzzRequest {
  category: string;
  method: string;
  path: string;
  body?: Buffer | string;
  contentType?: string;
}

type Obj = Record<string, unknown>;

const collections: { path: string; make: (name: string) => Obj }[] = [
  { path: `/api/v1/namespaces/${NS}/configmaps`, make: (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } }) },
  { path: `/api/v1/namespaces/${NS}/secrets`, make: (name) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { a: '1' } }) },
  { path: `/api/v1/namespaces/${NS}/pods`, make: (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }) },
  { path: `/api/v1/namespaces/${NS}/services`, make: (name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], selector: { app: 'x' } } }) },
  {
    path: `/apis/apps/v1/namespaces/${NS}/deployments`,
    make: (name) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }),
  },
  {
    path: `/apis/extensions/v1beta1/namespaces/${NS}/replicasets`,
    make: (name) => ({ apiVersion: 'extensions/v1beta1', kind: 'ReplicaSet', metadata: { name }, spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }),
  },
  {
    path: `/apis/batch/v1/namespaces/${NS}/jobs`,
    make: (name) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }),
  },
  { path: '/api/v1/namespaces', make: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }) },
];

const badNames = ['Upper', 'under_score', 'a'.repeat(254), '-lead', 'trail-', 'sp ace', 'dot..dot', 'sl/ash', '%2F', '.', '..', 'ünï', 'tab\t', 'new\nline', '', 'a:b', 'x@y', '*'];
const badLabelKeys = ['bad key', '-x', 'x-', 'a/b/c', '/x', `${'a'.repeat(64)}`, 'example.com/', 'UPPER.com/x', 'k!'];
const badLabelValues = ['has space', '-lead', 'trail-', 'a'.repeat(64), 'x/y', 'ü', 'a:b'];
// (An empty kind or apiVersion is not wrong: upstream fills both in from the URL.)
const kinds = ['Pod', 'ConfigMap', 'Service', 'Secret', 'Deployment', 'Namespace', 'Foo', 'pod', 'configmap', 'PodList', 'Status'];
const apiVersions = ['v2', 'apps/v9', 'nope/v1', 'v1beta1', 'extensions/v1', '/', 'v1/v1', 'batch/v1'];
// Wrong JSON types in fields the kind has (a field it does not have is dropped with a warning, as upstream does).
const typeConfusions: ((o: Obj) => void)[] = [
  (o) => (o['metadata'] = 'string'),
  (o) => (o['metadata'] = [1, 2, 3]),
  (o) => (o['metadata'] = { name: 5 }),
  (o) => ((o['metadata'] as Obj)['labels'] = ['a', 'b']),
  (o) => ((o['metadata'] as Obj)['labels'] = { a: 1 }),
  (o) => ((o['metadata'] as Obj)['annotations'] = { a: { b: 'c' } }),
  (o) => ((o['metadata'] as Obj)['finalizers'] = 'x'),
  (o) => ((o['metadata'] as Obj)['creationTimestamp'] = 'yesterday'),
  (o) => ('spec' in o || o['kind'] === 'Namespace' ? (o['spec'] = 5) : (o['data'] = 5)),
  (o) => ('spec' in o || o['kind'] === 'Namespace' ? (o['spec'] = 'text') : (o['data'] = 'text')),
  (o) => ('data' in o || 'stringData' in o ? (o['data'] = { a: 1 }) : (o['metadata'] = { name: ['x'] })),
  (o) => ('data' in o || 'stringData' in o ? (o['data'] = [1]) : (o['metadata'] = { name: { x: 1 } })),
  (o) => ((o['metadata'] as Obj)['resourceVersion'] = 5),
  (o) => ((o['metadata'] as Obj)['generation'] = 'one'),
  (o) => ((o['metadata'] as Obj)['ownerReferences'] = { a: 1 }),
  (o) => (o['kind'] = 5),
  (o) => (o['apiVersion'] = { v: 1 }),
];

function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
}

function randomText(n: number): string {
  const alphabet = '{}[]":,.-_ \n\tabcxyz0123456789\\/\'!#&*|>?%@`~';
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[int(alphabet.length)];
  return out;
}

function deepNest(depth: number, open: string, close: string, leaf: string): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

function generate(): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  const add = (n: number, f: () => FuzzRequest): void => {
    for (let i = 0; i < n; i++) out.push(f());
  };
  // Bodies that are not JSON at all.
  add(400, () => {
    const c = pick(collections);
    const put = rand() < 0.3;
    return { category: 'random bytes', method: put ? 'PUT' : 'POST', path: put ? `${c.path}/${fresh()}` : c.path, body: randomBytes(1 + int(600)), contentType: pick(['application/json', 'application/yaml', 'application/json; charset=utf-8']) };
  });
  add(200, () => ({ category: 'random text', method: 'POST', path: pick(collections).path, body: randomText(1 + int(300)), contentType: pick(['application/json', 'application/yaml']) }));
  // Truncated JSON of valid objects.
  add(400, () => {
    const c = pick(collections);
    const text = JSON.stringify(c.make(fresh()));
    return { category: 'truncated JSON', method: 'POST', path: c.path, body: text.slice(0, 1 + int(text.length - 1)), contentType: 'application/json' };
  });
  // A kind or apiVersion that does not match the URL.
  add(250, () => {
    const c = pick(collections);
    const o = c.make(fresh());
    if (rand() < 0.5) {
      let k = pick(kinds);
      while (k === o['kind']) k = pick(kinds);
      o['kind'] = k;
    } else {
      let v = pick(apiVersions);
      while (v === o['apiVersion']) v = pick(apiVersions);
      o['apiVersion'] = v;
    }
    return { category: 'wrong kind', method: 'POST', path: c.path, body: JSON.stringify(o), contentType: 'application/json' };
  });
  // Fields of the wrong JSON type.
  add(250, () => {
    const c = pick(collections);
    const o = c.make(fresh());
    pick(typeConfusions)(o);
    return { category: 'type confusion', method: 'POST', path: c.path, body: JSON.stringify(o), contentType: 'application/json' };
  });
  // Bodies over 3 MiB.
  add(12, () => {
    const c = pick(collections);
    const o = c.make(fresh());
    (o['metadata'] as Obj)['annotations'] = { big: 'x'.repeat(3 * 1024 * 1024 + 1 + int(1024 * 1024)) };
    return { category: 'huge body', method: 'POST', path: c.path, body: JSON.stringify(o), contentType: 'application/json' };
  });
  // Deep nesting, in a typed field and in an unknown one.
  add(30, () => {
    const c = pick(collections);
    const o = c.make(fresh());
    const depth = pick([10_001, 20_000, 100_000]);
    const nested = rand() < 0.5 ? deepNest(depth, '[', ']', '1') : deepNest(depth, '{"a":', '}', '1');
    const text = JSON.stringify(o);
    const body = rand() < 0.5 ? text.replace(/^\{/, `{"deep":${nested},`) : text.replace('"metadata":{', `"metadata":{"labels":${nested},`);
    return { category: 'deep nesting', method: 'POST', path: c.path, body, contentType: 'application/json' };
  });
  add(20, () => {
    const depth = pick([10_001, 50_000]);
    return { category: 'deep nesting yaml', method: 'POST', path: pick(collections).path, body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${fresh()}\ndeep: ${'['.repeat(depth)}${']'.repeat(depth)}\n`, contentType: 'application/yaml' };
  });
  // Bad names and labels.
  add(250, () => {
    const c = pick(collections);
    const o = c.make(pick(badNames));
    return { category: 'bad name', method: 'POST', path: c.path, body: JSON.stringify(o), contentType: 'application/json' };
  });
  add(40, () => {
    const c = pick(collections);
    const o = c.make('x');
    (o['metadata'] as Obj) = { generateName: pick(['Upper-', 'a_b-', 'x'.repeat(300), 'sl/ash-']) };
    return { category: 'bad generateName', method: 'POST', path: c.path, body: JSON.stringify(o), contentType: 'application/json' };
  });
  add(200, () => {
    const c = pick(collections);
    const o = c.make(fresh());
    const labels = rand() < 0.5 ? { [pick(badLabelKeys)]: 'ok' } : { ok: pick(badLabelValues) };
    (o['metadata'] as Obj)['labels'] = labels;
    return { category: 'bad label', method: 'POST', path: c.path, body: JSON.stringify(o), contentType: 'application/json' };
  });
  // Objects that parse but fail validation.
  const invalid: (() => { path: string; obj: Obj })[] = [
    () => ({ path: `/api/v1/namespaces/${NS}/pods`, obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: fresh() }, spec: { containers: [] } } }),
    () => ({ path: `/api/v1/namespaces/${NS}/pods`, obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: fresh() }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 70000 }] }] } } }),
    () => ({ path: `/api/v1/namespaces/${NS}/pods`, obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: fresh() }, spec: { restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'nginx' }] } } }),
    () => ({ path: `/api/v1/namespaces/${NS}/pods`, obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: fresh() }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: 'lots' } } }] } } }),
    () => ({ path: `/api/v1/namespaces/${NS}/services`, obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: fresh() }, spec: { ports: [{ port: 0 }] } } }),
    () => ({ path: `/api/v1/namespaces/${NS}/services`, obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: fresh() }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] } } }),
    () => ({ path: `/api/v1/namespaces/${NS}/services`, obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: fresh() }, spec: { clusterIP: '1.2.3.4', ports: [{ port: 80 }] } } }),
    () => ({ path: `/apis/apps/v1/namespaces/${NS}/deployments`, obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: fresh() }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } }),
    () => ({ path: `/apis/apps/v1/namespaces/${NS}/deployments`, obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: fresh() }, spec: { replicas: -1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } }),
    () => ({ path: `/apis/apps/v1/namespaces/${NS}/deployments`, obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: fresh() }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'c' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } }),
    () => ({ path: `/api/v1/namespaces/${NS}/configmaps`, obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: fresh() }, data: { 'bad key!': 'x' } } }),
    () => ({ path: `/api/v1/namespaces/${NS}/configmaps`, obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: fresh(), namespace: 'other' } } }),
    () => ({ path: `/api/v1/namespaces/${NS}/secrets`, obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name: fresh() }, data: { a: 'not base64!!' } } }),
    () => ({ path: `/api/v1/namespaces/does-not-exist/configmaps`, obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: fresh() } } }),
  ];
  add(300, () => {
    const { path, obj } = pick(invalid)();
    return { category: 'invalid object', method: 'POST', path, body: JSON.stringify(obj), contentType: 'application/json' };
  });
  // Strict field validation.
  add(60, () => {
    const c = pick(collections);
    const o = c.make(fresh());
    o['bogus'] = int(100);
    const dup = JSON.stringify(o).replace('"metadata":{', '"metadata":{"name":"dup-name",');
    return rand() < 0.5
      ? { category: 'strict unknown field', method: 'POST', path: `${c.path}?fieldValidation=Strict`, body: JSON.stringify(o), contentType: 'application/json' }
      : { category: 'strict duplicate field', method: 'POST', path: `${c.path}?fieldValidation=Strict`, body: dup, contentType: 'application/json' };
  });
  // Bad patches of an existing object (which must stay as it is).
  const target = `/api/v1/namespaces/${NS}/configmaps/${TARGET}`;
  const patches: [string, string][] = [
    ['application/json-patch+json', '{}'],
    ['application/json-patch+json', '[{"op":"bogus","path":"/data/a"}]'],
    ['application/json-patch+json', '[{"op":"remove","path":"/data/nonexistent"}]'],
    ['application/json-patch+json', '[{"op":"replace","path":"/metadata/name","value":"other"}]'],
    ['application/json-patch+json', '[{"op":"add","path":"/data","value":5}]'],
    ['application/json-patch+json', '[{"op":"test","path":"/data/a","value":"nope"},{"op":"add","path":"/data/b","value":"x"}]'],
    ['application/json-patch+json', '[{"op":"add","path":"/metadata/labels","value":{"bad key":"x"}}]'],
    ['application/json-patch+json', '[{"op":"move","from":"/nope","path":"/data/c"}]'],
    ['application/json-patch+json', '[1,2,3]'],
    ['application/json-patch+json', 'not json'],
    ['application/merge-patch+json', 'not json'],
    ['application/merge-patch+json', '{"data":5}'],
    ['application/merge-patch+json', '{"data":{"a":5}}'],
    ['application/merge-patch+json', '{"metadata":{"name":"other"}}'],
    ['application/merge-patch+json', '{"metadata":{"labels":{"bad key":"x"}}}'],
    ['application/merge-patch+json', '{"metadata":{"resourceVersion":"1"},"data":{"b":"x"}}'],
    ['application/merge-patch+json', '{"metadata":{"uid":"00000000-0000-0000-0000-000000000000"},"data":{"b":"x"}}'],
    ['application/merge-patch+json', '{"kind":"Secret"}'],
    ['application/merge-patch+json', '{"apiVersion":"v2"}'],
    ['application/strategic-merge-patch+json', '{"$patch":"bogus"}'],
    ['application/strategic-merge-patch+json', '{"data":{"a":{"b":1}}}'],
    ['application/strategic-merge-patch+json', '{"metadata":{"namespace":"other"}}'],
    ['application/strategic-merge-patch+json', '{"metadata":{"finalizers":"x"}}'],
    ['application/strategic-merge-patch+json', '[]'],
    ['application/strategic-merge-patch+json', '{"metadata":{"labels":{"ok":"bad value!"}}}'],
    ['application/apply-patch+yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fuzz-target\ndata:\n  b: x\n'],
  ];
  add(300, () => {
    const [ct, body] = pick(patches);
    return { category: 'bad patch', method: 'PATCH', path: target, body, contentType: ct };
  });
  add(60, () => ({ category: 'patch of a missing object', method: 'PATCH', path: `/api/v1/namespaces/${NS}/configmaps/${fresh()}`, body: '{"data":{"a":"1"}}', contentType: 'application/merge-patch+json' }));
  add(60, () => ({ category: 'update without matching name', method: 'PUT', path: target, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: pick(['other', 'Bad_Name', '']), resourceVersion: '1' } }), contentType: 'application/json' }));
  add(40, () => ({ category: 'stale update', method: 'PUT', path: target, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: TARGET, resourceVersion: String(1 + int(5)) }, data: { a: 'stale' } }), contentType: 'application/json' }));
  // Content types we do not speak.
  add(150, () => {
    const c = pick(collections);
    return { category: 'wrong content type', method: pick(['POST', 'PUT']), path: c.path, body: JSON.stringify(c.make(fresh())), contentType: pick(['text/plain', 'application/xml', 'image/png', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/cbor', 'text/html', 'application/jsonx', 'json']) };
  });
  add(60, () => ({ category: 'wrong patch content type', method: 'PATCH', path: target, body: '{"data":{"b":"x"}}', contentType: pick(['application/json', 'text/plain', 'application/yaml', 'application/merge-patch+yaml', 'application/xml']) }));
  // Bad selectors and query parameters.
  const listPaths = collections.map((c) => c.path);
    // ('a notin ()' is valid upstream: '()' parses as the set {""}.)
  const badLabelSelectors = ['a=b=c', '!!', 'a in (', 'a in b', '=x', 'a,,b', '(a)', 'a==b==c', 'key!', 'a=b,', 'a in (b,c', 'bad key=x', 'a=has space'];
  const badFieldSelectors = ['foo=bar', 'a', 'metadata.name', '=x', 'spec.nope=1', 'metadata.labels=x', 'status.phase'];
  add(200, () => ({ category: 'bad label selector', method: 'GET', path: `${pick(listPaths)}?labelSelector=${encodeURIComponent(pick(badLabelSelectors))}${rand() < 0.3 ? '&watch=1&timeoutSeconds=1' : ''}` }));
  add(150, () => ({ category: 'bad field selector', method: 'GET', path: `${pick(listPaths.filter((p) => p.includes('/pods') || p.includes('/configmaps') || p.includes('/secrets')))}?fieldSelector=${encodeURIComponent(pick(badFieldSelectors))}` }));
  const badQueries = [
    'limit=abc',
    'limit=1.5',
    'timeoutSeconds=abc',
    'timeoutSeconds=-x',
    'resourceVersion=abc',
    'resourceVersion=abc&watch=1&timeoutSeconds=2',
    'resourceVersionMatch=Bogus',
    'resourceVersionMatch=Exact',
    'resourceVersionMatch=NotOlderThan',
    'continue=garbage',
    'continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MCwic3RhcnQiOiJhIn0=',
    'sendInitialEvents=true',
    'watch=1&sendInitialEvents=true&timeoutSeconds=2',
    'watch=1&sendInitialEvents=true&resourceVersionMatch=Exact&resourceVersion=1&timeoutSeconds=2',
    'watch=1&resourceVersionMatch=NotOlderThan&resourceVersion=1&timeoutSeconds=2',
  ];
  add(200, () => ({ category: 'bad list query', method: 'GET', path: `${pick(listPaths)}?${pick(badQueries)}` }));
  add(120, () => {
    const c = pick(collections.filter((x) => x.path !== '/api/v1/namespaces'));
    const q = pick(['dryRun=Bogus', 'dryRun=All&dryRun=Bogus', 'fieldValidation=Bogus', 'fieldManager=' + 'x'.repeat(200), 'fieldManager=%01bad']);
    return { category: 'bad write query', method: 'POST', path: `${c.path}?${q}`, body: JSON.stringify(c.make(fresh())), contentType: 'application/json' };
  });
  add(60, () => ({ category: 'bad delete options', method: 'DELETE', path: `/api/v1/namespaces/${NS}/configmaps/${TARGET}?${pick(['propagationPolicy=Bogus', 'gracePeriodSeconds=abc', 'dryRun=Bogus'])}` }));
  add(60, () => ({ category: 'bad delete body', method: 'DELETE', path: `/api/v1/namespaces/${NS}/configmaps/${TARGET}`, body: pick(['{"propagationPolicy":"Bogus"}', '{"preconditions":{"uid":"nope"}}', '{"preconditions":{"resourceVersion":"1"}}', 'not json', '{"kind":"Pod"}', '{"gracePeriodSeconds":"x"}']), contentType: 'application/json' }));
  // Paths and methods that do not exist.
  add(200, () => {
    // ('..' is left out: upstream's mux answers unclean paths with a redirect.)
    const segs = ['api', 'apis', 'v1', 'v2', 'namespaces', NS, 'pods', 'nope', '%00', 'x'.repeat(200), 'apps', 'proxy', 'status', 'scale', '%ZZ', '', '.x', '~'];
    let path = '';
    for (let i = 0, n = 1 + int(7); i < n; i++) path += `/${pick(segs)}`;
    return { category: 'bad path', method: pick(['GET', 'POST', 'PUT', 'PATCH']), path: path.startsWith('/api') ? `${path}/nope-${int(1000)}` : `/api/v1/nope${path}`, body: '{}', contentType: 'application/json' };
  });
  add(60, () => ({ category: 'method not allowed', method: pick(['PUT', 'PATCH']), path: pick(listPaths), body: '{}', contentType: 'application/merge-patch+json' }));
  add(40, () => ({ category: 'post to a named object', method: 'POST', path: target, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: TARGET } }), contentType: 'application/json' }));
  add(40, () => ({ category: 'bad subresource', method: pick(['GET', 'PUT']), path: `${target}/${pick(['status', 'scale', 'nope', 'binding'])}`, body: '{}', contentType: 'application/json' }));
  // Shuffle so that categories interleave.
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(i + 1);
    const a = out[i];
    const b = out[j];
    if (a !== undefined && b !== undefined) {
      out[i] = b;
      out[j] = a;
    }
  }
  return out;
}

/**
 * The documented exceptions: requests that upstream answers with a 500 because the error is not a Status error
 * inside the apiserver (k8ts may answer them with that 500 or with a 4xx).
 */
function upstreamAnswers500(req: FuzzRequest, message: string): boolean {
  // strategicpatch's ErrBadPatchType is not mapped by interpretStrategicMergePatchError.
  if (req.contentType === 'application/strategic-merge-patch+json' && message.startsWith('unknown patch type: ')) return true;
  // A DELETE body of another kind fails in the DeleteOptions decoder with a not-registered error.
  if (req.method === 'DELETE' && /^no kind "[A-Za-z]+" is registered for version "meta\.k8s\.io\/v1"/.test(message)) return true;
  return false;
}

function checkStatus(req: FuzzRequest, res: HttpResult): string | undefined {
  const describeReq = `[${req.category}] ${req.method} ${req.path.slice(0, 160)} (${req.contentType ?? 'no body'}, ${req.body?.length ?? 0} bytes)`;
  const documented500 = res.status === 500 && upstreamAnswers500(req, String(at(safeParse(res.body), 'message') ?? ''));
  if ((res.status < 400 || res.status >= 500) && !documented500) return `${describeReq} -> ${res.status}: ${res.body.slice(0, 300)}`;
  let st: Obj;
  try {
    st = parseObject(res.body);
  } catch (e: unknown) {
    return `${describeReq} -> ${res.status} with a body that is not a Status: ${res.body.slice(0, 200)}`;
  }
  if (st['kind'] !== 'Status' || st['apiVersion'] !== 'v1' || st['status'] !== 'Failure' || st['code'] !== res.status || typeof st['message'] !== 'string' || (typeof st['reason'] !== 'string' && !documented500)) {
    return `${describeReq} -> ${res.status} with a malformed Status: ${res.body.slice(0, 300)}`;
  }
  if (!String(res.headers['content-type']).startsWith('application/json')) return `${describeReq} -> Content-Type ${String(res.headers['content-type'])}`;
  return undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e: unknown) {
    return undefined;
  }
}

describe('fuzzing the request paths', () => {
  let targetBefore: Obj = {};

  before(async () => {
    s.k(['apply', '-f', '-'], { input: namespaceYaml(NS) });
    const r = await s.request('POST', `/api/v1/namespaces/${NS}/configmaps`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: TARGET, labels: { keep: 'me' } }, data: { a: '1' } }) });
    assert.equal(r.status, 201, r.body);
    targetBefore = parseObject(r.body);
  });

  test(`a few thousand malformed requests each get a 4xx Status (seed ${seed}, set K8TS_FUZZ_SEED to replay)`, async () => {
    const requests = generate();
    assert.ok(requests.length >= 3000, `${requests.length} requests`);
    const violations: string[] = [];
    let next = 0;
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) {
        const req = requests[next++];
        if (req === undefined) break;
        const headers: Record<string, string> = {};
        if (req.contentType !== undefined) headers['content-type'] = req.contentType;
        try {
          const res = await s.request(req.method, req.path, { agent, body: req.body, headers, timeoutMs: 30_000 });
          const v = checkStatus(req, res);
          if (v !== undefined) violations.push(v);
        } catch (e: unknown) {
          violations.push(`[${req.category}] ${req.method} ${req.path.slice(0, 160)} -> no answer: ${e instanceof Error ? e.message : String(e)}`);
        }
        sent++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, () => worker()));
    assert.equal(sent, requests.length);
    const byCategory = new Map<string, number>();
    for (const v of violations) {
      const c = /^\[([^\]]+)\]/.exec(v)?.[1] ?? '?';
      byCategory.set(c, (byCategory.get(c) ?? 0) + 1);
    }
    const file = join(tmpdir(), `k8ts-fuzz-violations-${seed}.txt`);
    writeFileSync(file, violations.join('\n'));
    assert.ok(s.alive, `the server died:\n${s.log.slice(-3000)}`);
    assert.deepEqual(violations.slice(0, 25), [], `${violations.length} of ${requests.length} answers were wrong (all in ${file}); by category: ${JSON.stringify(Object.fromEntries(byCategory))}`);
  });

  test('the same kinds of malformed requests over HTTP/2 each get a 4xx Status', async () => {
    const requests = generate().slice(0, 800);
    const session = openHttp2Session(s);
    const violations: string[] = [];
    try {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < requests.length) {
          const req = requests[next++];
          if (req === undefined) break;
          const headers: Record<string, string> = {};
          if (req.contentType !== undefined) headers['content-type'] = req.contentType;
          try {
            const v = checkStatus(req, await http2Request(session, req.method, req.path, { body: req.body, headers }));
            if (v !== undefined) violations.push(v);
          } catch (e: unknown) {
            violations.push(`[${req.category}] ${req.method} ${req.path.slice(0, 160)} -> no answer: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, () => worker()));
    } finally {
      session.close();
    }
    const file = join(tmpdir(), `k8ts-fuzz-h2-violations-${seed}.txt`);
    writeFileSync(file, violations.join('\n'));
    assert.ok(s.alive, `the server died:\n${s.log.slice(-3000)}`);
    assert.deepEqual(violations.slice(0, 25), [], `${violations.length} of ${requests.length} HTTP/2 answers were wrong (all in ${file})`);
  });

  test('bodies over 3 MiB get a 413 Status over HTTP/1.1, and the client reads it instead of a broken pipe', async () => {
    const huge = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fuzz-huge', annotations: { a: 'x'.repeat(3 * 1024 * 1024 + 100_000) } } });
    for (let i = 0; i < 6; i++) {
      const r = await s.request('POST', `/api/v1/namespaces/${NS}/configmaps`, { agent, body: huge });
      assert.equal(r.status, 413, r.body.slice(0, 300));
      assert.equal(at(parseObject(r.body), 'reason'), 'RequestEntityTooLarge');
      assert.equal((await s.request('GET', `/api/v1/namespaces/${NS}/configmaps/${TARGET}`, { agent })).status, 200);
    }
  });

  test('bodies over 3 MiB get a 413 Status over HTTP/2 and the session stays usable', async () => {
    const huge = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fuzz-huge', annotations: { a: 'x'.repeat(3 * 1024 * 1024 + 100_000) } } });
    const session = openHttp2Session(s);
    try {
      for (let i = 0; i < 4; i++) {
        const r = await http2Request(session, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: huge, headers: { 'content-type': 'application/json' } });
        assert.equal(r.status, 413, r.body.slice(0, 300));
        const ok = await http2Request(session, 'GET', `/api/v1/namespaces/${NS}/configmaps/${TARGET}`);
        assert.equal(ok.status, 200, `request ${i}: ${ok.body.slice(0, 200)}`);
      }
    } finally {
      session.close();
    }
  });

  test('unknown fields with non-ASCII names get a Warning header over HTTP/1.1 without harming the server', async () => {
    for (const [i, field] of ['中文', 'é', 'a\u0000b', 'x\ny', '\u{1F600}'].entries()) {
      const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"unicode-warning-${i}"},${JSON.stringify(field)}:1}`;
      const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', { agent, body });
      assert.equal(r.status, 201, r.body);
      assert.match(String(r.headers['warning']), /^299 - "unknown field /);
      assert.ok(s.alive, `the server died:\n${s.log.slice(-3000)}`);
    }
  });

  test('the server is still up and ready afterwards', async () => {
    assert.ok(s.alive, `the server died:\n${s.log.slice(-3000)}`);
    const r = await s.request('GET', '/readyz', { auth: 'none' });
    assert.equal(r.status, 200);
    assert.equal(s.k(['get', 'namespace', NS, '-o', 'name']), `namespace/${NS}\n`);
  });

  test('no object was created or half written by the malformed requests', async () => {
    const leftovers: string[] = [];
    for (const c of collections) {
      const path = c.path === '/api/v1/namespaces' ? c.path : c.path.replace(`/namespaces/${NS}/`, '/');
      const r = await s.request('GET', path);
      assert.equal(r.status, 200, `${path}: ${r.body.slice(0, 200)}`);
      const items = parseObject(r.body)['items'];
      assert.ok(Array.isArray(items));
      for (const i of items) {
        const name = String(at(i, 'metadata.name'));
        if (name === TARGET) continue;
        if (name.startsWith('fuzz-') || String(at(i, 'metadata.namespace')) === NS) {
          if (name === 'kube-root-ca.crt' || (name === 'default' && path.endsWith('/serviceaccounts'))) continue;
          leftovers.push(`${path} ${String(at(i, 'metadata.namespace'))}/${name}`);
        }
      }
    }
    assert.deepEqual(leftovers, []);
  });

  test('the patched-at target is exactly as it was', async () => {
    const r = await s.request('GET', `/api/v1/namespaces/${NS}/configmaps/${TARGET}`);
    assert.equal(r.status, 200);
    assert.deepEqual(parseObject(r.body), targetBefore);
  });
});
