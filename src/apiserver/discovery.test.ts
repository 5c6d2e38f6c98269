import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { groupVersions, resources } from '../api/resources.js';
import { aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from './discovery.js';

interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

interface ResourceList {
  kind: string;
  apiVersion: string;
  groupVersion: string;
  resources: ApiResource[];
}

interface GroupKind {
  group: string;
  version: string;
  kind: string;
}

interface AggregatedResource {
  resource: string;
  responseKind: GroupKind;
  scope: string;
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: { subresource: string; responseKind: GroupKind; verbs: string[] }[];
}

interface AggregatedList {
  kind: string;
  apiVersion: string;
  metadata: Record<string, unknown>;
  items: { metadata: Record<string, unknown>; versions: { version: string; resources: AggregatedResource[]; freshness: string }[] }[];
}

function list(group: string, version: string): ResourceList {
  const l = apiResourceList(group, version);
  assert.ok(l !== undefined, `${group}/${version} is served`);
  return l as ResourceList;
}

function entry(l: ResourceList, name: string): ApiResource {
  const e = l.resources.find((r) => r.name === name);
  assert.ok(e, `${name} is listed in ${l.groupVersion}`);
  return e;
}

describe('legacy discovery', () => {
  test('/api lists v1 with the server address for every client', () => {
    assert.deepEqual(apiVersions('10.0.0.1:6443'), { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }] });
  });

  test('the core group list is an APIResourceList for groupVersion v1', () => {
    const l = list('', 'v1');
    assert.equal(l.kind, 'APIResourceList');
    assert.equal(l.apiVersion, 'v1');
    assert.equal(l.groupVersion, 'v1');
  });

  test('pods are namespaced with short name po, category all and every verb', () => {
    const p = entry(list('', 'v1'), 'pods');
    assert.equal(p.singularName, 'pod');
    assert.equal(p.namespaced, true);
    assert.equal(p.kind, 'Pod');
    assert.deepEqual(p.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(p.shortNames, ['po']);
    assert.deepEqual(p.categories, ['all']);
    assert.match(p.storageVersionHash ?? '', /^[A-Za-z0-9+/]{11}=$/);
  });

  test('namespaces cannot be deleted as a collection', () => {
    assert.ok(!entry(list('', 'v1'), 'namespaces').verbs.includes('deletecollection'));
  });

  test('subresources have an empty singular name, their kind and verbs', () => {
    const l = list('', 'v1');
    assert.deepEqual(entry(l, 'pods/status'), { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    assert.deepEqual(entry(l, 'pods/binding'), { name: 'pods/binding', singularName: '', namespaced: true, kind: 'Binding', verbs: ['create'] });
    assert.deepEqual(entry(l, 'pods/eviction'), { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    assert.deepEqual(entry(l, 'pods/log'), { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    assert.deepEqual(entry(l, 'pods/exec'), { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] });
    assert.deepEqual(entry(l, 'nodes/proxy'), { name: 'nodes/proxy', singularName: '', namespaced: false, kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] });
    assert.deepEqual(entry(l, 'namespaces/finalize'), { name: 'namespaces/finalize', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['update'] });
    assert.deepEqual(entry(l, 'replicationcontrollers/scale'), {
      name: 'replicationcontrollers/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'],
    });
  });

  test('scale subresources of apps are autoscaling/v1 Scale', () => {
    const l = list('apps', 'v1');
    for (const r of ['deployments', 'replicasets', 'statefulsets']) {
      const s = entry(l, `${r}/scale`);
      assert.deepEqual([s.group, s.version, s.kind], ['autoscaling', 'v1', 'Scale'], r);
    }
  });

  test('virtual resources have no storage version hash and only their verbs', () => {
    const l = list('', 'v1');
    assert.deepEqual(entry(l, 'bindings'), { name: 'bindings', singularName: 'binding', namespaced: true, kind: 'Binding', verbs: ['create'] });
    assert.deepEqual(entry(l, 'componentstatuses'), { name: 'componentstatuses', singularName: 'componentstatus', namespaced: false, kind: 'ComponentStatus', verbs: ['get', 'list'], shortNames: ['cs'] });
  });

  test('every served resource and subresource has a kind and at least one verb', () => {
    for (const g of groupVersions) {
      for (const v of g.versions) {
        for (const r of list(g.group, v).resources) {
          assert.ok(r.kind !== '', `${g.group}/${v} ${r.name} has a kind`);
          assert.ok(r.verbs.length > 0, `${g.group}/${v} ${r.name} has verbs`);
        }
      }
    }
  });

  test('the short names kubectl users type resolve to exactly one resource', () => {
    const short = new Map<string, string[]>();
    for (const g of groupVersions) {
      for (const r of list(g.group, g.versions[0] ?? '').resources) for (const s of r.shortNames ?? []) short.set(s, [...(short.get(s) ?? []), `${g.group}/${r.name}`]);
    }
    for (const [s, want] of [['po', '/pods'], ['rc', '/replicationcontrollers'], ['rs', 'apps/replicasets'], ['deploy', 'apps/deployments'], ['svc', '/services'], ['cm', '/configmaps'], ['ns', '/namespaces']] as const) {
      assert.deepEqual(short.get(s), [want], s);
    }
  });

  test('an unknown group version has no resource list', () => {
    assert.equal(apiResourceList('apps', 'v1beta9'), undefined);
    assert.equal(apiResourceList('example.com', 'v1'), undefined);
  });

  test('the group list has no core group and puts the preferred version first', () => {
    const gl = apiGroupList() as { kind: string; groups: { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion: { groupVersion: string; version: string } }[] };
    assert.equal(gl.kind, 'APIGroupList');
    assert.ok(gl.groups.every((g) => g.name !== ''));
    const autoscaling = gl.groups.find((g) => g.name === 'autoscaling');
    assert.deepEqual(autoscaling?.preferredVersion, { groupVersion: 'autoscaling/v2', version: 'v2' });
    assert.deepEqual(autoscaling?.versions.map((v) => v.version), ['v2', 'v1']);
  });

  test('a group document is an APIGroup; the core group and unknown groups have none', () => {
    assert.deepEqual(apiGroupDoc('apps'), { kind: 'APIGroup', apiVersion: 'v1', name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
    assert.equal(apiGroupDoc(''), undefined);
    assert.equal(apiGroupDoc('example.com'), undefined);
  });
});

describe('aggregated discovery', () => {
  test('the core group document has one item without a name, version v1', () => {
    const d = aggregatedDiscovery(true, 'v2') as AggregatedList;
    assert.equal(d.kind, 'APIGroupDiscoveryList');
    assert.equal(d.apiVersion, 'apidiscovery.k8s.io/v2');
    assert.deepEqual(d.metadata, {});
    assert.equal(d.items.length, 1);
    assert.deepEqual(d.items[0]?.metadata, { creationTimestamp: null });
    assert.deepEqual(d.items[0]?.versions.map((v) => [v.version, v.freshness]), [['v1', 'Current']]);
  });

  test('the /apis document names every group and no core group', () => {
    const d = aggregatedDiscovery(false, 'v2beta1') as AggregatedList;
    assert.equal(d.apiVersion, 'apidiscovery.k8s.io/v2beta1');
    const names = d.items.map((i) => i.metadata['name']);
    assert.ok(names.includes('apps') && names.includes('batch') && names.includes('rbac.authorization.k8s.io'));
    assert.ok(!names.includes(''));
    assert.ok(d.items.every((i) => i.metadata['creationTimestamp'] === null));
  });

  test('every resource has verbs, a scope, a response kind, and its subresources have kinds and verbs', () => {
    for (const legacy of [true, false]) {
      const d = aggregatedDiscovery(legacy, 'v2') as AggregatedList;
      for (const item of d.items) {
        for (const v of item.versions) {
          for (const r of v.resources) {
            assert.ok(r.verbs.length > 0, `${r.resource} has verbs`);
            assert.ok(r.scope === 'Namespaced' || r.scope === 'Cluster', `${r.resource} has a scope`);
            assert.ok(r.responseKind.kind !== '' && r.responseKind.version !== '', `${r.resource} has a response kind`);
            for (const s of r.subresources ?? []) {
              assert.ok(s.verbs.length > 0, `${r.resource}/${s.subresource} has verbs`);
              assert.ok(s.responseKind.kind !== '', `${r.resource}/${s.subresource} has a kind`);
            }
          }
        }
      }
    }
  });

  test('the aggregated and legacy documents list the same resources', () => {
    const d = aggregatedDiscovery(false, 'v2') as AggregatedList;
    for (const item of d.items) {
      for (const v of item.versions) {
        const group = String(item.metadata['name']);
        const legacyNames = list(group, v.version).resources.filter((r) => !r.name.includes('/')).map((r) => r.name).sort();
        assert.deepEqual(v.resources.map((r) => r.resource).sort(), legacyNames, `${group}/${v.version}`);
      }
    }
    assert.equal(resources.length > 40, true);
  });

  test('deployments carry the scale subresource as autoscaling/v1 Scale', () => {
    const d = aggregatedDiscovery(false, 'v2') as AggregatedList;
    const apps = d.items.find((i) => i.metadata['name'] === 'apps');
    const dep = apps?.versions[0]?.resources.find((r) => r.resource === 'deployments');
    assert.deepEqual(dep?.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.deepEqual(dep?.subresources?.find((s) => s.subresource === 'scale'), { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
    assert.equal(dep?.scope, 'Namespaced');
    assert.equal(dep?.singularResource, 'deployment');
  });
});

describe('wantsAggregated', () => {
  test('kubectl 1.30+ asks for v2 first and gets v2', () => {
    const kubectl = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    assert.equal(wantsAggregated(kubectl), 'v2');
  });

  test('an older client that asks only for v2beta1 gets v2beta1', () => {
    assert.equal(wantsAggregated('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1');
  });

  test('plain JSON or no Accept header means the legacy documents', () => {
    assert.equal(wantsAggregated('application/json'), undefined);
    assert.equal(wantsAggregated(undefined), undefined);
    assert.equal(wantsAggregated('application/json, */*'), undefined);
  });

  test('a protobuf aggregated range is skipped for the JSON one after it', () => {
    assert.equal(wantsAggregated('application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'), 'v2');
  });
});
