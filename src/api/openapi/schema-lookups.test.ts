// Lookups on the generated definitions (needs the build step: node scripts/gen-openapi.mjs).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PatchMeta } from '../../machinery/patch-meta.js';
import { findResource, openApiResources, type ResourceInfo } from '../resources.js';
import { patchMetaFor, schemaFor, unknownFields, unknownFieldsForKind } from './index.js';

const resource = (group: string, version: string, name: string): ResourceInfo => {
  const r = findResource(group, version, name);
  assert.ok(r, `${group}/${version}/${name} is served`);
  return r;
};
const pods = resource('', 'v1', 'pods');
const deployments = resource('apps', 'v1', 'deployments');

function at(meta: PatchMeta, ...path: string[]): PatchMeta {
  let m = meta;
  for (const name of path) {
    const f = m.field(name);
    assert.ok(f?.value, `field ${name} has meta`);
    m = f.value;
  }
  return m;
}

describe('schemaFor', () => {
  test('has a definition with its group-version-kind for every served resource but the aggregated ones', () => {
    for (const r of openApiResources) {
      const s = schemaFor(r);
      assert.ok(s?.properties, `${r.group}/${r.version} ${r.kind} has a schema`);
      assert.ok(
        s['x-kubernetes-group-version-kind']?.some((g) => g.group === r.group && g.version === r.version && g.kind === r.kind),
        `${r.group}/${r.version} ${r.kind} carries its GVK`,
      );
    }
  });
});

describe('patchMetaFor', () => {
  const pod = patchMetaFor(pods);
  const container = at(pod, 'spec', 'containers');

  test('merges containers by name', () => {
    assert.deepEqual(at(pod, 'spec').field('containers')?.strategies, ['merge']);
    assert.equal(at(pod, 'spec').field('containers')?.mergeKey, 'name');
    assert.equal(at(pod, 'spec').field('initContainers')?.mergeKey, 'name');
  });

  test('merges env by name, ports by containerPort and volumeMounts by mountPath', () => {
    assert.equal(container.field('env')?.mergeKey, 'name');
    assert.equal(container.field('ports')?.mergeKey, 'containerPort');
    assert.equal(container.field('volumeMounts')?.mergeKey, 'mountPath');
  });

  test('merges volumes by name and retains their keys', () => {
    const volumes = at(pod, 'spec').field('volumes');
    assert.deepEqual(volumes?.strategies, ['merge', 'retainKeys']);
    assert.equal(volumes?.mergeKey, 'name');
  });

  test('merges ownerReferences by uid and finalizers as a set', () => {
    const metadata = at(pod, 'metadata');
    assert.equal(metadata.field('ownerReferences')?.mergeKey, 'uid');
    assert.deepEqual(metadata.field('finalizers')?.strategies, ['merge']);
    assert.equal(metadata.field('finalizers')?.mergeKey, undefined);
  });

  test('replaces lists that have no strategy, such as args and tolerations', () => {
    assert.deepEqual(container.field('args')?.strategies, []);
    assert.deepEqual(at(pod, 'spec').field('tolerations')?.strategies, []);
  });

  test('retains the keys of a deployment strategy and reaches the pod template', () => {
    const spec = at(patchMetaFor(deployments), 'spec');
    assert.deepEqual(spec.field('strategy')?.strategies, ['retainKeys']);
    assert.equal(at(spec, 'template', 'spec').field('containers')?.mergeKey, 'name');
    assert.equal(at(patchMetaFor(resource('extensions', 'v1beta1', 'deployments')), 'spec', 'template', 'spec').field('containers')?.mergeKey, 'name');
  });

  test('merges conditions by type in status', () => {
    assert.equal(at(pod, 'status').field('conditions')?.mergeKey, 'type');
    assert.equal(at(patchMetaFor(deployments), 'status').field('conditions')?.mergeKey, 'type');
  });

  test('gives map values (labels) their meta and answers undefined for fields the type lacks', () => {
    assert.deepEqual(at(pod, 'metadata').field('labels')?.strategies, []);
    assert.equal(pod.field('nosuchfield'), undefined);
    assert.equal(container.field('imagee'), undefined);
  });
});

describe('unknownFields', () => {
  test('reports nothing for a valid pod, status included', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { app: 'x' }, annotations: { a: 'b' }, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' }] },
      spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } }, env: [{ name: 'A', value: 'b' }] }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    assert.deepEqual(unknownFields(pod, pods), []);
  });

  test('prints paths as strict decoding does: dots between fields and [i] for list items', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }, { name: 'd', imagee: 'i', ports: [{ containerPort: 1, hostPortt: 2 }] }] } };
    assert.deepEqual(unknownFields(pod, pods), ['spec.containers[1].imagee', 'spec.containers[1].ports[0].hostPortt']);
  });

  test('reports unknown metadata fields and top-level fields, in document order', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', foo: 1, metadata: { name: 'p', bar: 2 }, spec: { containers: [] } };
    assert.deepEqual(unknownFields(pod, pods), ['foo', 'metadata.bar']);
  });

  test('does not look inside free-form values or maps of strings', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', managedFields: [{ fieldsV1: { 'f:data': {} } }] }, data: { anything: 'x' } };
    assert.deepEqual(unknownFields(cm, resource('', 'v1', 'configmaps')), []);
  });

  test('checks kinds that are not resources of their own, such as Scale', () => {
    assert.deepEqual(unknownFieldsForKind({ apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { replicas: 1, replica: 2 } }, 'autoscaling', 'v1', 'Scale'), ['spec.replica']);
  });
});
