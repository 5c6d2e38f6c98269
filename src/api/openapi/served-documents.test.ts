// The served documents (needs the build step: node scripts/gen-openapi.mjs).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRecord } from '../object.js';
import { openApiResources } from '../resources.js';
import { decodeSwaggerProtobuf } from './encode-v2-protobuf.js';
import { openapiV2Json, openapiV2Protobuf, openapiV3Document, openapiV3Hash, openapiV3Index } from './index.js';
import { v3PathOf } from './build-documents.js';

type Json = Record<string, unknown>;

/** openapi-v2.proto in the source tree: the nearest ancestor of this (compiled) file that has it. */
function protoSourcePath(): string {
  for (let d = dirname(fileURLToPath(import.meta.url)); dirname(d) !== d; d = dirname(d)) {
    const p = join(d, 'src', 'api', 'openapi', 'openapi-v2.proto');
    if (existsSync(p)) return p;
  }
  throw new Error('openapi-v2.proto not found above the test');
}
const obj = (v: unknown): Json => (isRecord(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function v3Doc(path: string): Json {
  const data = openapiV3Document(path);
  assert.ok(data, `${path} is served`);
  return JSON.parse(data.toString('utf8')) as Json;
}

/** What kubectl's QueryParamVerifierV3 (supportsQueryParamV3) decides for a GVK. */
function supportsFieldValidation(doc: Json, group: string, version: string, kind: string): boolean {
  for (const item of Object.values(obj(doc['paths']))) {
    const patch = obj(obj(item)['patch']);
    const gvk = obj(patch['x-kubernetes-group-version-kind']);
    if (gvk['group'] !== group || gvk['version'] !== version || gvk['kind'] !== kind) continue;
    return arr(patch['parameters']).some((p) => obj(p)['name'] === 'fieldValidation' && obj(p)['in'] === 'query');
  }
  return false;
}

describe('openapiV3Index', () => {
  test('lists every served group version but the aggregated ones with a hash of its document', () => {
    const paths = obj(obj(openapiV3Index())['paths']);
    for (const r of openApiResources) {
      const path = v3PathOf(r.group, r.version);
      const url = obj(paths[path])['serverRelativeURL'];
      assert.equal(typeof url, 'string', path);
      const hash = createHash('sha512').update(openapiV3Document(path)!).digest('hex').toUpperCase();
      assert.equal(url, `/openapi/v3/${path}?hash=${hash}`);
      assert.equal(openapiV3Hash(path), hash);
    }
  });
});

describe('openapiV3Document', () => {
  test('answers undefined for a group version that is not served', () => {
    assert.equal(openapiV3Document('apis/nope.example.com/v1'), undefined);
  });

  test('accepts the path with a leading slash', () => {
    assert.ok(openapiV3Document('/apis/apps/v1'));
  });

  test("passes kubectl's field validation check for every served patchable kind", () => {
    for (const r of openApiResources.filter((x) => x.verbs.includes('patch'))) {
      assert.ok(supportsFieldValidation(v3Doc(v3PathOf(r.group, r.version)), r.group, r.version, r.kind), `${r.group}/${r.version} ${r.kind}`);
    }
  });

  test('declares fieldValidation on every PATCH operation', () => {
    for (const path of Object.keys(obj(obj(openapiV3Index())['paths']))) {
      for (const [p, item] of Object.entries(obj(v3Doc(path)['paths']))) {
        const patch = obj(item)['patch'];
        if (patch === undefined || obj(patch)['x-kubernetes-action'] !== 'patch') continue;
        assert.ok(arr(obj(patch)['parameters']).some((x) => obj(x)['name'] === 'fieldValidation'), p);
      }
    }
  });

  test('contains every schema its operations and schemas refer to', () => {
    for (const path of Object.keys(obj(obj(openapiV3Index())['paths']))) {
      const text = openapiV3Document(path)!.toString('utf8');
      const schemas = obj(obj(JSON.parse(text).components)['schemas']);
      for (const m of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) assert.ok(schemas[m[1]!], `${path} has ${m[1]}`);
      assert.ok(!text.includes('#/definitions/'), `${path} has only v3 refs`);
    }
  });

  test('wraps described references in allOf, as upstream does', () => {
    const pod = obj(obj(obj(v3Doc('api/v1')['components'])['schemas'])['io.k8s.api.core.v1.Pod']);
    assert.deepEqual(obj(obj(pod['properties'])['spec'])['allOf'], [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
  });
});

describe('openapiV2Json', () => {
  const doc = JSON.parse(openapiV2Json().toString('utf8')) as Json;

  test('is swagger 2.0 with the definitions of the served kinds', () => {
    assert.equal(doc['swagger'], '2.0');
    const defs = obj(doc['definitions']);
    assert.ok(defs['io.k8s.api.core.v1.Pod']);
    assert.ok(defs['io.k8s.api.apps.v1.Deployment']);
    assert.deepEqual(obj(defs['io.k8s.apimachinery.pkg.api.resource.Quantity'])['type'], 'string');
  });

  test('declares fieldValidation on every POST, PUT and PATCH of an object', () => {
    let checked = 0;
    for (const [p, item] of Object.entries(obj(doc['paths']))) {
      for (const m of ['post', 'put', 'patch']) {
        const o = obj(obj(item)[m]);
        if (!['post', 'put', 'patch'].includes(String(o['x-kubernetes-action']))) continue;
        checked++;
        assert.ok(arr(o['parameters']).some((x) => obj(x)['name'] === 'fieldValidation' && obj(x)['in'] === 'query'), `${m} ${p}`);
      }
    }
    assert.ok(checked > 100);
  });

  test('has upstream-shaped paths for pods', () => {
    const paths = obj(doc['paths']);
    assert.equal(obj(obj(paths['/api/v1/namespaces/{namespace}/pods'])['get'])['operationId'], 'listCoreV1NamespacedPod');
    assert.equal(obj(obj(paths['/api/v1/namespaces/{namespace}/pods/{name}/status'])['patch'])['operationId'], 'patchCoreV1NamespacedPodStatus');
    assert.equal(obj(obj(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'])['put'])['operationId'], 'replaceAppsV1NamespacedDeploymentScale');
    assert.ok(paths['/api/v1/pods']);
    assert.ok(paths['/api/v1/watch/namespaces/{namespace}/pods/{name}']);
  });
});

describe('openapiV2Protobuf', () => {
  const proto = readFileSync(protoSourcePath(), 'utf8');

  test('decodes to the same document, with extensions as YAML', () => {
    const doc = decodeSwaggerProtobuf(openapiV2Protobuf(), proto);
    assert.equal(doc['swagger'], '2.0');
    const defs = arr(obj(doc['definitions'])['additional_properties']).map(obj);
    const pod = obj(defs.find((d) => d['name'] === 'io.k8s.api.core.v1.Pod')?.['value']);
    const gvk = arr(pod['vendor_extension']).map(obj).find((e) => e['name'] === 'x-kubernetes-group-version-kind');
    assert.deepEqual(JSON.parse(String(obj(gvk?.['value'])['yaml'])), [{ group: '', kind: 'Pod', version: 'v1' }]);
    const json = obj(JSON.parse(openapiV2Json().toString('utf8'))['definitions']);
    assert.equal(defs.length, Object.keys(json).length);
  });
});
