import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredObject } from '../../api/object.js';
import { ApiError } from '../../machinery/errors.js';
import { admitDefaultTolerationSeconds, admitPriority, admitServiceAccount, defaultPriorityClasses, type Lookup } from './pod-admission.js';

type Rec = Record<string, unknown>;

function pod(spec: Rec = {}, annotations?: Record<string, string>): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', ...(annotations === undefined ? {} : { annotations }) },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
  };
}

const specOf = (p: StoredObject): Rec => p['spec'] as Rec;
const containers = (p: StoredObject, field = 'containers'): Rec[] => specOf(p)[field] as Rec[];
const volumes = (p: StoredObject): Rec[] => (specOf(p)['volumes'] as Rec[] | undefined) ?? [];

function accounts(list: Record<string, Rec>): Lookup {
  return async (namespace, name) => {
    const a = list[`${namespace}/${name}`];
    return a === undefined ? undefined : { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace }, ...a };
  };
}

const withDefault = accounts({ 'ns/default': {}, 'ns/builder': {}, 'ns/quiet': { automountServiceAccountToken: false } });

describe('admitServiceAccount', () => {
  test('a pod without an account runs as default, in both fields', async () => {
    const p = pod();
    await admitServiceAccount(p, withDefault);
    assert.equal(specOf(p)['serviceAccountName'], 'default');
    assert.equal(specOf(p)['serviceAccount'], 'default');
  });

  test('the deprecated serviceAccount field is honoured', async () => {
    const p = pod({ serviceAccount: 'builder' });
    await admitServiceAccount(p, withDefault);
    assert.equal(specOf(p)['serviceAccountName'], 'builder');
  });

  test('the token volume is upstream\'s projected kube-api-access volume', async () => {
    const p = pod();
    await admitServiceAccount(p, withDefault);
    const vs = volumes(p);
    assert.equal(vs.length, 1);
    assert.match(String(vs[0]?.['name']), /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(vs[0]?.['projected'], {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
  });

  test('every container and init container mounts the token read-only at the service account path', async () => {
    const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/data' }] }, { name: 'b', image: 'y' }] });
    await admitServiceAccount(p, withDefault);
    const vol = String(volumes(p)[0]?.['name']);
    const mount = { name: vol, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };
    assert.deepEqual(containers(p, 'initContainers')[0]?.['volumeMounts'], [mount]);
    assert.deepEqual(containers(p)[0]?.['volumeMounts'], [{ name: 'data', mountPath: '/data' }, mount]);
    assert.deepEqual(containers(p)[1]?.['volumeMounts'], [mount]);
  });

  test('a container that mounts something at the token path keeps it', async () => {
    const own = { name: 'mine', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };
    const p = pod({ containers: [{ name: 'a', image: 'x', volumeMounts: [own] }] });
    await admitServiceAccount(p, withDefault);
    assert.deepEqual(containers(p)[0]?.['volumeMounts'], [own]);
    assert.deepEqual(volumes(p), []);
  });

  test('automountServiceAccountToken false on the pod means no token', async () => {
    const p = pod({ automountServiceAccountToken: false });
    await admitServiceAccount(p, withDefault);
    assert.deepEqual(volumes(p), []);
    assert.equal(containers(p)[0]?.['volumeMounts'], undefined);
  });

  test('automountServiceAccountToken false on the account means no token, unless the pod asks for one', async () => {
    const quiet = pod({ serviceAccountName: 'quiet' });
    await admitServiceAccount(quiet, withDefault);
    assert.deepEqual(volumes(quiet), []);
    const asks = pod({ serviceAccountName: 'quiet', automountServiceAccountToken: true });
    await admitServiceAccount(asks, withDefault);
    assert.equal(volumes(asks).length, 1);
  });

  test('an existing kube-api-access volume is reused, not duplicated', async () => {
    const p = pod({ volumes: [{ name: 'kube-api-access-abcde', projected: { sources: [] } }] });
    await admitServiceAccount(p, withDefault);
    assert.deepEqual(volumes(p).map((v) => v['name']), ['kube-api-access-abcde']);
    assert.equal((containers(p)[0]?.['volumeMounts'] as Rec[])[0]?.['name'], 'kube-api-access-abcde');
  });

  test('a missing service account is 403 with upstream\'s message', async () => {
    await assert.rejects(admitServiceAccount(pod({ serviceAccountName: 'ghost' }), withDefault), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 403);
      assert.equal(e.message, 'pods "p" is forbidden: error looking up service account ns/ghost: serviceaccount "ghost" not found');
      return true;
    });
  });

  test('a missing default account is waited for briefly, then refused', async () => {
    const started = Date.now();
    await assert.rejects(admitServiceAccount(pod(), accounts({})), (e: unknown) => e instanceof ApiError && e.message === 'pods "p" is forbidden: error looking up service account ns/default: serviceaccount "default" not found');
    assert.ok(Date.now() - started >= 1000, 'waited for the service account controller');
  });

  test('a default account created meanwhile is found', async () => {
    let calls = 0;
    const late: Lookup = async (namespace, name) => (++calls < 3 ? undefined : { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace, name } });
    const p = pod();
    await admitServiceAccount(p, late);
    assert.equal(volumes(p).length, 1);
  });

  test('mirror pods get no service account token', async () => {
    const p = pod({}, { 'kubernetes.io/config.mirror': 'abc' });
    await admitServiceAccount(p, accounts({}));
    assert.deepEqual(volumes(p), []);
  });
});

function priorityClass(name: string, value: number, extra: Rec = {}): StoredObject {
  return { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra };
}

describe('admitPriority', () => {
  const classes = [priorityClass('high', 1000, { preemptionPolicy: 'Never' }), ...defaultPriorityClasses.map((c) => priorityClass(c.name, c.value))];
  const get = async (name: string) => classes.find((c) => c.metadata.name === name);
  const none = async (): Promise<StoredObject[]> => [];

  test('a pod without a class gets priority 0 and PreemptLowerPriority', async () => {
    const p = pod();
    await admitPriority(p, get, none);
    assert.equal(specOf(p)['priority'], 0);
    assert.equal(specOf(p)['preemptionPolicy'], 'PreemptLowerPriority');
    assert.equal(specOf(p)['priorityClassName'], undefined);
  });

  test('a named class gives its value and preemption policy', async () => {
    const p = pod({ priorityClassName: 'high' });
    await admitPriority(p, get, none);
    assert.equal(specOf(p)['priority'], 1000);
    assert.equal(specOf(p)['preemptionPolicy'], 'Never');
  });

  test('the built-in system classes have upstream\'s values', async () => {
    const node = pod({ priorityClassName: 'system-node-critical' });
    await admitPriority(node, get, none);
    assert.equal(specOf(node)['priority'], 2000001000);
    const cluster = pod({ priorityClassName: 'system-cluster-critical' });
    await admitPriority(cluster, get, none);
    assert.equal(specOf(cluster)['priority'], 2000000000);
  });

  test('the global default class applies to pods without a class', async () => {
    const p = pod();
    await admitPriority(p, get, async () => [priorityClass('low', 10), priorityClass('normal', 100, { globalDefault: true })]);
    assert.equal(specOf(p)['priority'], 100);
    assert.equal(specOf(p)['priorityClassName'], 'normal');
  });

  test('an unknown class is 403 with upstream\'s message', async () => {
    await assert.rejects(admitPriority(pod({ priorityClassName: 'nope' }), get, none), (e: unknown) => e instanceof ApiError && e.code === 403 && e.message === 'pods "p" is forbidden: no PriorityClass with name nope was found');
  });

  test('a priority in the spec that differs from the class\'s is refused', async () => {
    await assert.rejects(
      admitPriority(pod({ priorityClassName: 'high', priority: 5 }), get, none),
      (e: unknown) => e instanceof ApiError && e.code === 403 && e.message === 'pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
    );
  });

  test('a priority equal to the class\'s is accepted', async () => {
    const p = pod({ priorityClassName: 'high', priority: 1000 });
    await admitPriority(p, get, none);
    assert.equal(specOf(p)['priority'], 1000);
  });
});

describe('admitDefaultTolerationSeconds', () => {
  const notReady = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const unreachable = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

  test('adds not-ready and unreachable tolerations for 300 seconds', () => {
    const p = pod();
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(specOf(p)['tolerations'], [notReady, unreachable]);
  });

  test('the server’s configured seconds are used when given', () => {
    const p = pod();
    admitDefaultTolerationSeconds(p, { notReady: 5, unreachable: 7 });
    assert.deepEqual(specOf(p)['tolerations'], [
      { ...notReady, tolerationSeconds: 5 },
      { ...unreachable, tolerationSeconds: 7 },
    ]);
  });

  test('running admission twice does not duplicate them', () => {
    const p = pod();
    admitDefaultTolerationSeconds(p);
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(specOf(p)['tolerations'], [notReady, unreachable]);
  });

  test('a pod\'s own toleration for a key is kept and not doubled', () => {
    const own = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 };
    const p = pod({ tolerations: [own] });
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(specOf(p)['tolerations'], [own, unreachable]);
  });

  test('a toleration of every taint needs no defaults', () => {
    const p = pod({ tolerations: [{ operator: 'Exists' }] });
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(specOf(p)['tolerations'], [{ operator: 'Exists' }]);
  });

  test('a toleration of the key for another effect does not count', () => {
    const other = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' };
    const p = pod({ tolerations: [other] });
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(specOf(p)['tolerations'], [other, notReady, unreachable]);
  });

  // Upstream: (toleration.Key == key || len(toleration.Key) == 0) && (effect NoExecute or empty).
  test('a toleration with an explicitly empty key covers both, as upstream checks', () => {
    const p = pod({ tolerations: [{ key: '', operator: 'Exists' }] });
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(specOf(p)['tolerations'], [{ key: '', operator: 'Exists' }]);
  });
});
