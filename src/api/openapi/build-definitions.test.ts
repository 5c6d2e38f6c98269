import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceInfo } from '../resources.js';
import { findResource } from '../resources.js';
import { buildDefinitions, definitionNameOf, reachableDefinitions, type RawModule } from './build-definitions.js';

const meta: RawModule = {
  module: 'meta/v1',
  exports: ['ObjectMeta', 'Time', 'OwnerReference'],
  imports: {},
  definitions: {
    ObjectMeta: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string', description: 'Name must be unique.' },
        generation: { type: 'number' },
        creationTimestamp: { $ref: '#/definitions/Time', description: 'When it was created.' },
        ownerReferences: { type: 'array', items: { $ref: '#/definitions/OwnerReference' } },
        finalizers: { type: 'array', items: { type: 'string' } },
      },
    },
    OwnerReference: { type: 'object', properties: { uid: { type: 'string' } }, required: ['uid'] },
    Time: { type: 'string', description: 'Time is a wrapper around time.Time.' },
  },
};

const core: RawModule = {
  module: 'core/v1',
  exports: ['Pod', 'PodSpec', 'Container', 'ContainerPort'],
  imports: { ObjectMeta: 'meta/v1' },
  definitions: {
    Pod: {
      type: 'object',
      description: 'Pod is a collection of containers.',
      properties: {
        apiVersion: { type: 'string', const: 'v1' },
        kind: { type: 'string', const: 'Pod', description: 'Kind is a string value representing the REST resource.' },
        metadata: { $ref: '#/definitions/ObjectMeta' },
        spec: { $ref: '#/definitions/PodSpec' },
      },
    },
    PodSpec: { type: 'object', properties: { containers: { type: 'array', items: { $ref: '#/definitions/Container' } } }, required: ['containers'] },
    Container: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        ports: { type: 'array', items: { $ref: '#/definitions/ContainerPort' } },
      },
    },
    ContainerPort: { type: 'object', properties: { containerPort: { type: 'number' }, hostPort: { type: ['number', 'string'] } } },
    // Emitted by the generator because core/v1 uses it; meta/v1's own definition wins.
    ObjectMeta: { type: 'object', properties: {} },
  },
};

const served: ResourceInfo[] = [findResource('', 'v1', 'pods')!];

describe('buildDefinitions', () => {
  const defs = buildDefinitions([core, meta], served);

  test('names definitions after upstream packages and rewrites refs to them', () => {
    assert.ok(defs['io.k8s.api.core.v1.Pod']);
    assert.ok(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']?.properties?.['name']);
    assert.equal(defs['io.k8s.api.core.v1.Pod']?.properties?.['metadata']?.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  });

  test('takes a definition only from the module that declares it', () => {
    assert.deepEqual(Object.keys(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']?.properties ?? {}), ['creationTimestamp', 'finalizers', 'generation', 'name', 'ownerReferences']);
  });

  test('writes numbers as int32 integers, and int64 for the fields Go declares int64', () => {
    assert.deepEqual(defs['io.k8s.api.core.v1.ContainerPort']?.properties?.['containerPort'], { type: 'integer', format: 'int32' });
    assert.deepEqual(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']?.properties?.['generation'], { type: 'integer', format: 'int64' });
  });

  test('turns number-or-string into a reference to IntOrString, a string with format int-or-string', () => {
    assert.equal(defs['io.k8s.api.core.v1.ContainerPort']?.properties?.['hostPort']?.$ref, '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
    assert.equal(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']?.format, 'int-or-string');
    assert.equal(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']?.type, 'string');
  });

  test('gives Time the date-time format', () => {
    assert.deepEqual(defs['io.k8s.apimachinery.pkg.apis.meta.v1.Time'], { description: 'Time is a wrapper around time.Time.', type: 'string', format: 'date-time' });
  });

  test('drops literal apiVersion values and fills their missing descriptions', () => {
    assert.deepEqual(defs['io.k8s.api.core.v1.Pod']?.properties?.['apiVersion'], { type: 'string' });
    assert.equal(defs['io.k8s.api.core.v1.Pod']?.properties?.['kind']?.description, 'Kind is a string value representing the REST resource.');
  });

  test('adds patch strategies, merge keys and list types from the extension table', () => {
    const containers = defs['io.k8s.api.core.v1.PodSpec']?.properties?.['containers'];
    assert.equal(containers?.['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(containers?.['x-kubernetes-patch-merge-key'], 'name');
    const ports = defs['io.k8s.api.core.v1.Container']?.properties?.['ports'];
    assert.equal(ports?.['x-kubernetes-patch-merge-key'], 'containerPort');
    assert.deepEqual(ports?.['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
    assert.equal(ports?.['x-kubernetes-list-type'], 'map');
    const owners = defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']?.properties?.['ownerReferences'];
    assert.equal(owners?.['x-kubernetes-patch-merge-key'], 'uid');
    assert.equal(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']?.properties?.['finalizers']?.['x-kubernetes-patch-strategy'], 'merge');
  });

  test('marks each served kind with x-kubernetes-group-version-kind', () => {
    assert.deepEqual(defs['io.k8s.api.core.v1.Pod']?.['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
    assert.equal(defs['io.k8s.api.core.v1.PodSpec']?.['x-kubernetes-group-version-kind'], undefined);
  });

  test('keeps required fields and leaves additionalProperties out of structs', () => {
    assert.deepEqual(defs['io.k8s.api.core.v1.PodSpec']?.required, ['containers']);
    assert.equal(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']?.additionalProperties, undefined);
  });

  test('fails loudly on a reference to a name the module does not know', () => {
    const broken: RawModule = { module: 'apps/v1', exports: ['X'], imports: {}, definitions: { X: { type: 'object', properties: { y: { $ref: '#/definitions/Y' } } } } };
    assert.throws(() => buildDefinitions([broken], []), /refers to Y/);
  });

  test('lists the definitions reachable from a kind', () => {
    assert.deepEqual(reachableDefinitions(defs, ['io.k8s.api.core.v1.PodSpec']), [
      'io.k8s.api.core.v1.Container',
      'io.k8s.api.core.v1.ContainerPort',
      'io.k8s.api.core.v1.PodSpec',
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    ]);
  });
});

describe('definitionNameOf', () => {
  test('maps group versions to upstream packages', () => {
    assert.equal(definitionNameOf('', 'v1', 'Pod'), 'io.k8s.api.core.v1.Pod');
    assert.equal(definitionNameOf('apps', 'v1', 'Deployment'), 'io.k8s.api.apps.v1.Deployment');
    assert.equal(definitionNameOf('rbac.authorization.k8s.io', 'v1', 'Role'), 'io.k8s.api.rbac.v1.Role');
    assert.equal(definitionNameOf('extensions', 'v1beta1', 'Deployment'), 'io.k8s.api.extensions.v1beta1.Deployment');
  });
});
