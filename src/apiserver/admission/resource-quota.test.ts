import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { StoredObject } from '../../api/object.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import { admitResourceQuota, checkResourceQuota, ResourceQuotaAdmission } from './resource-quota.js';

const res = (group: string, version: string, resource: string): ResourceInfo => {
  const r = findResource(group, version, resource);
  if (r === undefined) throw new Error(`no ${resource}`);
  return r;
};
const pods = res('', 'v1', 'pods');
const services = res('', 'v1', 'services');
const configmaps = res('', 'v1', 'configmaps');
const deployments = res('apps', 'v1', 'deployments');
const events = res('', 'v1', 'events');

function quota(name: string, hard: Record<string, string>, used: Record<string, string> | undefined, spec: Partial<ResourceQuota['spec']> = {}): ResourceQuota {
  return { metadata: { name, namespace: 'ns', resourceVersion: '7' }, spec: { hard, ...spec }, status: { hard, ...(used ? { used } : {}) } };
}

function pod(name: string, resources: { requests?: Record<string, string>; limits?: Record<string, string> } = {}, extra: Record<string, unknown> = {}): StoredObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { containers: [{ name, image: 'nginx', resources }], ...extra } };
}

function forbiddenMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e: unknown) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 403);
    assert.equal(e.reason, 'Forbidden');
    return e.message;
  }
  assert.fail('expected a Forbidden error');
}

describe('ResourceQuota admission', () => {
  test('a pod within quota raises status.used of the quotas that limit it', () => {
    const q = quota('compute-resources', { pods: '4', 'requests.cpu': '1', 'requests.memory': '1Gi' }, { pods: '1', 'requests.cpu': '250m', 'requests.memory': '0' });
    const out = checkResourceQuota([q], { op: 'CREATE', r: pods, obj: pod('nginx', { requests: { cpu: '250m', memory: '512Mi' } }) });
    assert.deepEqual(out[0]?.status?.used, { pods: '2', 'requests.cpu': '500m', 'requests.memory': '512Mi' });
    assert.equal(out[0]?.metadata?.resourceVersion, '7');
  });

  test('a pod over quota is refused with upstream exceeded-quota message', () => {
    const q = quota('compute-resources', { pods: '4' }, { pods: '4' });
    assert.equal(
      forbiddenMessage(() => checkResourceQuota([q], { op: 'CREATE', r: pods, obj: pod('nginx') })),
      'pods "nginx" is forbidden: exceeded quota: compute-resources, requested: pods=1, used: pods=4, limited: pods=4',
    );
  });

  test('every exceeded resource is named, sorted', () => {
    const q = quota('compute', { pods: '10', 'requests.cpu': '1', 'requests.memory': '1Gi' }, { pods: '1', 'requests.cpu': '900m', 'requests.memory': '1Gi' });
    assert.equal(
      forbiddenMessage(() => checkResourceQuota([q], { op: 'CREATE', r: pods, obj: pod('big', { requests: { cpu: '200m', memory: '1Mi' } }) })),
      'pods "big" is forbidden: exceeded quota: compute, requested: requests.cpu=200m,requests.memory=1Mi, used: requests.cpu=900m,requests.memory=1Gi, limited: requests.cpu=1,requests.memory=1Gi',
    );
  });

  test('a quota on cpu or memory limits requires every container to state them', () => {
    const q = quota('compute-resources', { 'limits.cpu': '2', 'limits.memory': '2Gi' }, { 'limits.cpu': '0', 'limits.memory': '0' });
    assert.equal(
      forbiddenMessage(() => checkResourceQuota([q], { op: 'CREATE', r: pods, obj: pod('nginx', { requests: { cpu: '100m' } }) })),
      'pods "nginx" is forbidden: failed quota: compute-resources: must specify limits.cpu for: nginx; limits.memory for: nginx',
    );
  });

  test('a quota whose usage is not yet known refuses what it limits', () => {
    const q = quota('fresh', { pods: '4', configmaps: '2' }, undefined);
    assert.equal(forbiddenMessage(() => checkResourceQuota([q], { op: 'CREATE', r: pods, obj: pod('p') })), 'pods "p" is forbidden: status unknown for quota: fresh, resources: pods');
  });

  test('a quota without status.hard (not yet seen by the controller) matches nothing', () => {
    const q: ResourceQuota = { metadata: { name: 'new', namespace: 'ns' }, spec: { hard: { pods: '0' } } };
    const out = checkResourceQuota([q], { op: 'CREATE', r: pods, obj: pod('p') });
    assert.deepEqual(out, [q]);
  });

  test('scoped quotas only charge pods in their scopes', () => {
    const be = quota('besteffort', { pods: '1' }, { pods: '1' }, { scopes: ['BestEffort'] });
    const nbe = quota('notbesteffort', { pods: '5' }, { pods: '0' }, { scopes: ['NotBestEffort'] });
    const out = checkResourceQuota([be, nbe], { op: 'CREATE', r: pods, obj: pod('burst', { requests: { cpu: '1' } }) });
    assert.deepEqual(out[0], be);
    assert.deepEqual(out[1]?.status?.used, { pods: '1' });
    assert.match(forbiddenMessage(() => checkResourceQuota([be, nbe], { op: 'CREATE', r: pods, obj: pod('be') })), /exceeded quota: besteffort/);
  });

  test('a priority-class scope selector picks pods by their priorityClassName', () => {
    const high = quota('high', { pods: '1' }, { pods: '1' }, { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } });
    assert.match(forbiddenMessage(() => checkResourceQuota([high], { op: 'CREATE', r: pods, obj: pod('h', {}, { priorityClassName: 'high' }) })), /exceeded quota: high/);
    assert.deepEqual(checkResourceQuota([high], { op: 'CREATE', r: pods, obj: pod('l', {}, { priorityClassName: 'low' }) }), [high]);
  });

  test('object counts use count/<resource>.<group> and the legacy names', () => {
    const q = quota('objects', { configmaps: '2', 'count/deployments.apps': '1' }, { configmaps: '1', 'count/deployments.apps': '1' });
    const cm: StoredObject = { metadata: { name: 'cm', namespace: 'ns' } };
    assert.deepEqual(checkResourceQuota([q], { op: 'CREATE', r: configmaps, obj: cm })[0]?.status?.used, { configmaps: '2', 'count/deployments.apps': '1' });
    const d: StoredObject = { metadata: { name: 'web', namespace: 'ns' } };
    assert.equal(
      forbiddenMessage(() => checkResourceQuota([q], { op: 'CREATE', r: deployments, obj: d })),
      'deployments.apps "web" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    );
  });

  test('updating a service charges only the difference, changing the type to NodePort', () => {
    const q = quota('svc', { 'services.nodeports': '1', services: '5' }, { 'services.nodeports': '0', services: '1' });
    const old: StoredObject = { metadata: { name: 's', namespace: 'ns', resourceVersion: '3' }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } };
    const next: StoredObject = { metadata: { name: 's', namespace: 'ns', resourceVersion: '3' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } };
    assert.deepEqual(checkResourceQuota([q], { op: 'UPDATE', r: services, obj: next, old })[0]?.status?.used, { 'services.nodeports': '1', services: '1' });
    const two: StoredObject = { ...next, spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 81 }] } };
    assert.equal(
      forbiddenMessage(() => checkResourceQuota([q], { op: 'UPDATE', r: services, obj: two, old })),
      'services "s" is forbidden: exceeded quota: svc, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1',
    );
  });

  test('pod updates, deletes, subresources and events are not checked', async () => {
    const q = quota('all', { pods: '0', 'count/events': '0' }, { pods: '0', 'count/events': '0' });
    const lookup = async () => [q];
    assert.deepEqual(await admitResourceQuota('UPDATE', pods, pod('p'), pod('p'), lookup), []);
    assert.deepEqual(await admitResourceQuota('DELETE', pods, pod('p'), pod('p'), lookup), []);
    assert.deepEqual(await admitResourceQuota('CREATE', pods, pod('p'), undefined, lookup, { subresource: 'status' }), []);
    assert.deepEqual(await admitResourceQuota('CREATE', events, { metadata: { name: 'e', namespace: 'ns' } }, undefined, lookup), []);
  });

  test('admitResourceQuota returns just the quotas to write', async () => {
    const a = quota('a', { pods: '4' }, { pods: '0' });
    const b = quota('b', { configmaps: '4' }, { configmaps: '0' });
    const out = await admitResourceQuota('CREATE', pods, pod('p'), undefined, async (ns) => (ns === 'ns' ? [a, b] : []));
    assert.deepEqual(out.map((q) => [q.metadata?.name, q.status?.used]), [['a', { pods: '1' }]]);
  });
});

describe('ResourceQuotaAdmission', () => {
  /** A store of quotas with compare-and-swap writes, as the registry does. */
  function store(initial: ResourceQuota[]) {
    const quotas = new Map(initial.map((q) => [q.metadata?.name ?? '', q]));
    let conflictsLeft = 0;
    return {
      quotas,
      failNextWrites(n: number) {
        conflictsLeft = n;
      },
      lookup: async () => [...quotas.values()],
      write: async (q: ResourceQuota) => {
        const name = q.metadata?.name ?? '';
        const cur = quotas.get(name);
        if (conflictsLeft > 0 || cur?.metadata?.resourceVersion !== q.metadata?.resourceVersion) {
          conflictsLeft--;
          // Someone else wrote it meanwhile.
          if (cur !== undefined) quotas.set(name, { ...cur, metadata: { ...cur.metadata, resourceVersion: String(Number(cur.metadata?.resourceVersion) + 1) } });
          throw ApiError.conflict({ group: '', name: 'resourcequotas' }, name, ApiError.optimisticLockMessage);
        }
        quotas.set(name, { ...q, metadata: { ...q.metadata, resourceVersion: String(Number(q.metadata?.resourceVersion) + 1) } });
      },
    };
  }

  test('concurrent creates in one namespace are charged one after another and stop at the limit', async () => {
    const s = store([quota('pods', { pods: '3' }, { pods: '0' })]);
    const admission = new ResourceQuotaAdmission(s.lookup, s.write);
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => admission.admit('CREATE', pods, pod(`p${i}`), undefined)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
    assert.deepEqual(s.quotas.get('pods')?.status?.used, { pods: '3' });
  });

  test('a lost compare-and-swap is retried against the fresh quota', async () => {
    const s = store([quota('pods', { pods: '3' }, { pods: '0' })]);
    s.failNextWrites(2);
    await new ResourceQuotaAdmission(s.lookup, s.write).admit('CREATE', pods, pod('p'), undefined);
    assert.deepEqual(s.quotas.get('pods')?.status?.used, { pods: '1' });
  });

  test('when retries run out the conflict is the answer', async () => {
    const s = store([quota('pods', { pods: '3' }, { pods: '0' })]);
    s.failNextWrites(10);
    await assert.rejects(new ResourceQuotaAdmission(s.lookup, s.write).admit('CREATE', pods, pod('p'), undefined), (e: unknown) => e instanceof ApiError && e.code === 409);
  });

  test('a dry run is checked but writes nothing', async () => {
    const s = store([quota('pods', { pods: '1' }, { pods: '1' })]);
    const admission = new ResourceQuotaAdmission(s.lookup, s.write);
    await assert.rejects(admission.admit('CREATE', pods, pod('p'), undefined, { dryRun: true }), /exceeded quota/);
    const t = store([quota('pods', { pods: '2' }, { pods: '1' })]);
    await new ResourceQuotaAdmission(t.lookup, t.write).admit('CREATE', pods, pod('p'), undefined, { dryRun: true });
    assert.deepEqual(t.quotas.get('pods')?.status?.used, { pods: '1' });
  });
});
