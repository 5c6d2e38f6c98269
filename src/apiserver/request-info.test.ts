import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isTrue, parseRequestInfo, type RequestInfo } from './request-info.js';

function info(method: string, url: string): RequestInfo {
  const u = new URL(url, 'https://k8ts.invalid');
  return parseRequestInfo(method, u.pathname, u.searchParams);
}

interface Want {
  verb: string;
  prefix: 'api' | 'apis';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

// Upstream's TestGetAPIRequestInfo cases (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo_test.go),
// except the special /proxy/ verb prefix k8ts does not serve and the namespace-object case listed apart below.
const cases: [string, string, Want][] = [
  ['GET', '/api/v1/namespaces', { verb: 'list', prefix: 'api', group: '', version: 'v1', namespace: '', resource: 'namespaces', subresource: '', name: '' }],
  ['GET', '/api/v1/namespaces/other/pods', { verb: 'list', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: '' }],
  ['GET', '/api/v1/namespaces/other/pods/foo', { verb: 'get', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: 'foo' }],
  ['HEAD', '/api/v1/namespaces/other/pods/foo', { verb: 'get', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: 'foo' }],
  ['GET', '/api/v1/pods', { verb: 'list', prefix: 'api', group: '', version: 'v1', namespace: '', resource: 'pods', subresource: '', name: '' }],
  ['HEAD', '/api/v1/pods', { verb: 'list', prefix: 'api', group: '', version: 'v1', namespace: '', resource: 'pods', subresource: '', name: '' }],
  ['GET', '/api/v1/watch/pods', { verb: 'watch', prefix: 'api', group: '', version: 'v1', namespace: '', resource: 'pods', subresource: '', name: '' }],
  ['GET', '/api/v1/pods?watch=true', { verb: 'watch', prefix: 'api', group: '', version: 'v1', namespace: '', resource: 'pods', subresource: '', name: '' }],
  ['GET', '/api/v1/pods?watch=false', { verb: 'list', prefix: 'api', group: '', version: 'v1', namespace: '', resource: 'pods', subresource: '', name: '' }],
  ['GET', '/api/v1/watch/namespaces/other/pods', { verb: 'watch', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: '' }],
  ['GET', '/api/v1/namespaces/other/pods?watch=1', { verb: 'watch', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: '' }],
  ['GET', '/api/v1/namespaces/other/pods?watch=0', { verb: 'list', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: '' }],
  ['GET', '/api/v1/namespaces/other/pods/foo/status', { verb: 'get', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: 'status', name: 'foo' }],
  ['GET', '/api/v1/namespaces/other/pods/foo/proxy/subpath', { verb: 'get', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: 'proxy', name: 'foo' }],
  ['PATCH', '/api/v1/namespaces/other/pods/foo', { verb: 'patch', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: 'foo' }],
  ['DELETE', '/api/v1/namespaces/other/pods/foo', { verb: 'delete', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: 'foo' }],
  ['POST', '/api/v1/namespaces/other/pods', { verb: 'create', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: '' }],
  ['DELETE', '/api/v1/nodes', { verb: 'deletecollection', prefix: 'api', group: '', version: 'v1', namespace: '', resource: 'nodes', subresource: '', name: '' }],
  ['DELETE', '/api/v1/namespaces', { verb: 'deletecollection', prefix: 'api', group: '', version: 'v1', namespace: '', resource: 'namespaces', subresource: '', name: '' }],
  ['DELETE', '/api/v1/namespaces/other/pods', { verb: 'deletecollection', prefix: 'api', group: '', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: '' }],
  ['DELETE', '/apis/extensions/v1/namespaces/other/pods', { verb: 'deletecollection', prefix: 'apis', group: 'extensions', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: '' }],
  ['POST', '/apis/extensions/v1/namespaces/other/pods', { verb: 'create', prefix: 'apis', group: 'extensions', version: 'v1', namespace: 'other', resource: 'pods', subresource: '', name: '' }],
  ['POST', '/apis/extensions/v1beta3/namespaces/other/pods', { verb: 'create', prefix: 'apis', group: 'extensions', version: 'v1beta3', namespace: 'other', resource: 'pods', subresource: '', name: '' }],
  ['GET', '/apis/apps/v1/deployments', { verb: 'list', prefix: 'apis', group: 'apps', version: 'v1', namespace: '', resource: 'deployments', subresource: '', name: '' }],
  ['GET', '/apis/apps/v1/watch/namespaces/ns/deployments', { verb: 'watch', prefix: 'apis', group: 'apps', version: 'v1', namespace: 'ns', resource: 'deployments', subresource: '', name: '' }],
  ['PUT', '/apis/apps/v1/namespaces/ns/deployments/web/scale', { verb: 'update', prefix: 'apis', group: 'apps', version: 'v1', namespace: 'ns', resource: 'deployments', subresource: 'scale', name: 'web' }],
  ['GET', '/api/v1/namespaces/ns/pods/name/status', { verb: 'get', prefix: 'api', group: '', version: 'v1', namespace: 'ns', resource: 'pods', subresource: 'status', name: 'name' }],
];

function pick(i: RequestInfo): Want | { nonResource: string } {
  if (!i.isResourceRequest) return { nonResource: i.path };
  return { verb: i.verb, prefix: i.apiPrefix, group: i.group, version: i.version, namespace: i.namespace, resource: i.resource, subresource: i.subresource, name: i.name };
}

describe('parseRequestInfo', () => {
  for (const [method, url, want] of cases) {
    test(`${method} ${url} is ${want.verb} of ${want.resource}${want.subresource === '' ? '' : `/${want.subresource}`}`, () => {
      assert.deepEqual(pick(info(method, url)), want);
    });
  }

  test('the python client watch=True and a bare watch=t are watches', () => {
    assert.equal(info('GET', '/api/v1/pods?watch=True').isResourceRequest && info('GET', '/api/v1/pods?watch=True').verb, 'watch');
    assert.equal(info('GET', '/api/v1/pods?watch=TRUE').isResourceRequest && info('GET', '/api/v1/pods?watch=TRUE').verb, 'watch');
    assert.equal(info('GET', '/api/v1/pods?watch=t').isResourceRequest && info('GET', '/api/v1/pods?watch=t').verb, 'watch');
  });

  test('watch=False and watch=FALSE list', () => {
    for (const v of ['False', 'FALSE', '0']) {
      const i = info('GET', `/api/v1/pods?watch=${v}`);
      assert.equal(i.isResourceRequest && i.verb, 'list', v);
    }
  });

  // Upstream decodes ListOptions.watch with Convert_Slice_string_To_bool: only "0" and "false" (any case) are false;
  // any other value, the empty string included, is true.
  test('an empty or non-boolean watch value is a watch, as upstream decodes it', () => {
    for (const v of ['', 'yes', 'on']) {
      const i = info('GET', `/api/v1/pods?watch=${v}`);
      assert.equal(i.isResourceRequest && i.verb, 'watch', `watch=${v}`);
    }
  });

  test('a namespace subresource (finalize, status) stays on the namespace', () => {
    const brief = (i: RequestInfo) => (i.isResourceRequest ? { verb: i.verb, resource: i.resource, subresource: i.subresource, name: i.name } : undefined);
    assert.deepEqual(brief(info('PUT', '/api/v1/namespaces/other/finalize')), { verb: 'update', resource: 'namespaces', subresource: 'finalize', name: 'other' });
    assert.deepEqual(brief(info('PUT', '/api/v1/namespaces/other/status')), { verb: 'update', resource: 'namespaces', subresource: 'status', name: 'other' });
    assert.deepEqual(brief(info('GET', '/api/v1/namespaces/other')), { verb: 'get', resource: 'namespaces', subresource: '', name: 'other' });
    assert.deepEqual(brief(info('PATCH', '/api/v1/namespaces/new-namespace')), { verb: 'patch', resource: 'namespaces', subresource: '', name: 'new-namespace' });
  });

  // Upstream sets RequestInfo.Namespace to the namespace's own name for /api/v1/namespaces/NAME[/status|/finalize]
  // (that is what RBAC sees); k8ts leaves it empty so that the handler finds the cluster-scoped object.
  test('the namespace of a namespace request is the namespace itself, as upstream reports it', () => {
    for (const [method, path] of [['GET', '/api/v1/namespaces/other'], ['PUT', '/api/v1/namespaces/other/finalize'], ['PUT', '/api/v1/namespaces/other/status']] as const) {
      const i = info(method, path);
      assert.equal(i.isResourceRequest && i.namespace, 'other', path);
    }
  });

  test('a trailing slash does not change the request', () => {
    assert.deepEqual(pick(info('GET', '/api/v1/namespaces/other/pods/')), pick(info('GET', '/api/v1/namespaces/other/pods')));
  });

  test('paths after a subresource are kept as the rest', () => {
    const i = info('GET', '/api/v1/nodes/n1/proxy/stats/summary');
    assert.ok(i.isResourceRequest);
    assert.equal(i.subresource, 'proxy');
    assert.deepEqual(i.rest, ['stats', 'summary']);
  });

  // Upstream's TestGetNonAPIRequestInfo and the error cases of TestGetAPIRequestInfo.
  const nonResource = ['/', '', '/api', '/api/v1', '/api/version/', '/apis', '/apis/apps', '/apis/apps/v1', '/apis/group/version/', '/apis/extensions/v1beta1/', '/badprefix/version/resource', '/apis/version/resource', '/not-api/version/resource', '/healthz', '/version', '/openapi/v2', '/metrics'];
  for (const path of nonResource) {
    test(`${JSON.stringify(path)} is a non-resource request`, () => {
      const i = parseRequestInfo('GET', path, new URLSearchParams());
      assert.equal(i.isResourceRequest, false);
      assert.equal(i.verb, 'get');
      assert.equal(!i.isResourceRequest && i.path, path);
    });
  }

  const resourcePaths = ['/api/version/resource', '/apis/group/version/resource/name/subresource', '/api/version/resource/name/subresource', '/apis/batch/v1/job', '/apis/batch/v1/job/foo', '/apis/batch/v1/job/foo/scale'];
  for (const path of resourcePaths) {
    test(`${path} is a resource request`, () => {
      assert.equal(parseRequestInfo('GET', path, new URLSearchParams()).isResourceRequest, true);
    });
  }

  test('a non-resource request keeps the lower-cased method as its verb', () => {
    assert.deepEqual(parseRequestInfo('POST', '/healthz', new URLSearchParams()), { isResourceRequest: false, verb: 'post', path: '/healthz' });
  });
});

describe('isTrue', () => {
  test('accepts the strconv.ParseBool spellings of true', () => {
    for (const v of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(isTrue(v), true, v);
  });
  test('rejects false spellings and absence', () => {
    for (const v of ['0', 'false', 'False', 'FALSE', null]) assert.equal(isTrue(v), false, String(v));
  });
});
