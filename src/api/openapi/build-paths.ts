// Swagger 2.0 paths for the served resources, shaped like upstream's: one operation per verb with
// an operationId, x-kubernetes-action and x-kubernetes-group-version-kind, and the query
// parameters each verb accepts (fieldValidation on POST/PUT/PATCH, which kubectl looks for).
import type { ResourceInfo, Subresource } from '../resources.js';
import { definitionNameOf, packageOfModule } from './build-definitions.js';
import { definitionsPrefix, type GroupVersionKindExtension, type JsonSchema } from './json-schema.js';

export interface SwaggerParameter {
  name: string;
  in: 'path' | 'query' | 'body';
  description: string;
  required?: boolean;
  type?: string;
  uniqueItems?: boolean;
  schema?: JsonSchema;
}

export interface SwaggerResponse {
  description: string;
  schema?: JsonSchema;
}

export interface SwaggerOperation {
  description: string;
  consumes: string[];
  produces: string[];
  schemes: string[];
  tags: string[];
  operationId: string;
  parameters?: SwaggerParameter[];
  responses: Record<string, SwaggerResponse>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind'?: GroupVersionKindExtension;
}

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch';
export const httpMethods: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

export type SwaggerPathItem = { [M in HttpMethod]?: SwaggerOperation } & { parameters?: SwaggerParameter[] };

export const objectMimeTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const watchMimeTypes = [...objectMimeTypes, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
export const patchMimeTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

const meta = packageOfModule('meta/v1');
const refTo = (name: string): JsonSchema => ({ $ref: `${definitionsPrefix}${name}` });

function query(name: string, type: string, description: string): SwaggerParameter {
  return { name, in: 'query', description, type, uniqueItems: true };
}

const p = {
  pretty: query('pretty', 'string', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: query('dryRun', 'string', 'When present, indicates that modifications should not be persisted. Valid value: All (process the request fully without persisting it).'),
  fieldManager: query('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: query(
    'fieldValidation',
    'string',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore (drop them silently), Warn (drop them and return a warning for each) and Strict (fail the request with a BadRequest error).',
  ),
  force: query('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Must be unset for non-apply patch requests.'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Zero means delete immediately.'),
  ignoreStoreReadError: query(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'boolean',
    'if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.',
  ),
  orphanDependents: query('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy. Should the dependent objects be orphaned.'),
  propagationPolicy: query('propagationPolicy', 'string', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
  continue: query('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  fieldSelector: query('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: query('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: query('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  resourceVersion: query('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from. Defaults to unset.'),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls. Defaults to unset.'),
  sendInitialEvents: query('sendInitialEvents', 'boolean', '`sendInitialEvents=true` may be set together with `watch=true`: the stream begins with synthetic ADDED events for the current state.'),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  watch: query('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
  container: query('container', 'string', 'The container for which to stream logs. Defaults to only container if there is one container in the pod.'),
  follow: query('follow', 'boolean', 'Follow the log stream of the pod. Defaults to false.'),
  previous: query('previous', 'boolean', 'Return previous terminated container logs. Defaults to false.'),
  tailLines: query('tailLines', 'integer', 'If set, the number of lines from the end of the logs to show.'),
  timestamps: query('timestamps', 'boolean', 'If true, add an RFC3339 timestamp at the beginning of every line of log output. Defaults to false.'),
  sinceSeconds: query('sinceSeconds', 'integer', 'A relative time in seconds before the current time from which to show logs.'),
  limitBytes: query('limitBytes', 'integer', 'If set, the number of bytes to read from the server before terminating the log output.'),
};

const pathParam = (name: string, description: string): SwaggerParameter => ({ name, in: 'path', description, required: true, type: 'string', uniqueItems: true });
const listParams = [p.allowWatchBookmarks, p.continue, p.fieldSelector, p.labelSelector, p.limit, p.resourceVersion, p.resourceVersionMatch, p.sendInitialEvents, p.timeoutSeconds, p.watch];
const writeParams = [p.dryRun, p.fieldManager, p.fieldValidation];
const deleteParams = [p.dryRun, p.gracePeriodSeconds, p.ignoreStoreReadError, p.orphanDependents, p.propagationPolicy];
const body = (schema: JsonSchema): SwaggerParameter => ({ name: 'body', in: 'body', description: '', required: true, schema });

function pascal(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/** "core_v1", "apps_v1", "rbacAuthorization_v1" */
export function tagOf(group: string, version: string): string {
  const parts = (group === '' ? 'core' : group.replace(/\.k8s\.io$/, '')).split('.');
  return `${parts.map((x, i) => (i === 0 ? x : pascal(x))).join('')}_${version}`;
}

/** "CoreV1", "AppsV1", "RbacAuthorizationV1" */
function opSuffixOf(group: string, version: string): string {
  const parts = (group === '' ? 'core' : group.replace(/\.k8s\.io$/, '')).split('.');
  return `${parts.map(pascal).join('')}${pascal(version)}`;
}

export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

interface OpSpec {
  verb: string;
  action: string;
  description: string;
  params: SwaggerParameter[];
  responses: Record<string, SwaggerResponse>;
  gvk?: GroupVersionKindExtension;
  consumes?: string[];
  produces?: string[];
}

function op(r: ResourceInfo, spec: OpSpec, what: string): SwaggerOperation {
  const o: SwaggerOperation = {
    description: spec.description,
    consumes: spec.consumes ?? ['*/*'],
    produces: spec.produces ?? objectMimeTypes,
    schemes: ['https'],
    tags: [tagOf(r.group, r.version)],
    operationId: `${spec.verb}${opSuffixOf(r.group, r.version)}${what}`,
    responses: { ...spec.responses, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': spec.action,
  };
  if (spec.params.length > 0) o.parameters = spec.params;
  if (spec.gvk) o['x-kubernetes-group-version-kind'] = spec.gvk;
  return o;
}

function ok(schema: JsonSchema, ...codes: string[]): Record<string, SwaggerResponse> {
  const out: Record<string, SwaggerResponse> = { '200': { description: 'OK', schema } };
  for (const c of codes) out[c] = { description: c === '201' ? 'Created' : 'Accepted', schema };
  return out;
}

function add(paths: Record<string, SwaggerPathItem>, path: string, method: HttpMethod, operation: SwaggerOperation, params: SwaggerParameter[]): void {
  const item = (paths[path] ??= {});
  item[method] = operation;
  item.parameters ??= params;
}

/** Adds the paths of one served resource (and its subresources) to `paths`. */
export function addResourcePaths(paths: Record<string, SwaggerPathItem>, r: ResourceInfo): void {
  const gvPath = groupVersionPath(r.group, r.version);
  const ns = r.namespaced ? '/namespaces/{namespace}' : '';
  const nsName = r.namespaced ? 'Namespaced' : '';
  const collection = `${gvPath}${ns}/${r.resource}`;
  const item = `${collection}/{name}`;
  const self: GroupVersionKindExtension = { group: r.group, kind: r.kind, version: r.version };
  const kindRef = refTo(definitionNameOf(r.group, r.version, r.kind));
  const listRef = refTo(definitionNameOf(r.group, r.version, `${r.kind}List`));
  const statusRef = refTo(`${meta}.Status`);
  const nsParams = r.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')] : [];
  const nameParam = pathParam('name', `name of the ${r.kind}`);
  const itemParams = [nameParam, ...nsParams, p.pretty];
  const has = (v: string): boolean => (r.verbs as readonly string[]).includes(v);
  const K = r.kind;

  if (has('list')) {
    add(paths, collection, 'get', op(r, { verb: 'list', action: 'list', description: `list or watch objects of kind ${K}`, params: listParams, responses: ok(listRef), gvk: self, produces: watchMimeTypes }, `${nsName}${K}`), [...nsParams, p.pretty]);
    if (r.namespaced) {
      add(paths, `${gvPath}/${r.resource}`, 'get', op(r, { verb: 'list', action: 'list', description: `list or watch objects of kind ${K}`, params: [], responses: ok(listRef), gvk: self, produces: watchMimeTypes }, `${K}ForAllNamespaces`), [...listParams, p.pretty]);
    }
  }
  if (has('create')) {
    add(paths, collection, 'post', op(r, { verb: 'create', action: 'post', description: `create ${article(K)} ${K}`, params: [body(kindRef), ...writeParams], responses: ok(kindRef, '201', '202'), gvk: self }, `${nsName}${K}`), [...nsParams, p.pretty]);
  }
  if (has('deletecollection')) {
    add(paths, collection, 'delete', op(r, { verb: 'delete', action: 'deletecollection', description: `delete collection of ${K}`, params: [body(refTo(`${meta}.DeleteOptions`)), ...listParams.filter((x) => x !== p.watch && x !== p.allowWatchBookmarks), ...deleteParams], responses: ok(statusRef), gvk: self }, `Collection${nsName}${K}`), [...nsParams, p.pretty]);
  }
  if (has('get')) add(paths, item, 'get', op(r, { verb: 'read', action: 'get', description: `read the specified ${K}`, params: [], responses: ok(kindRef), gvk: self }, `${nsName}${K}`), itemParams);
  if (has('update')) add(paths, item, 'put', op(r, { verb: 'replace', action: 'put', description: `replace the specified ${K}`, params: [body(kindRef), ...writeParams], responses: ok(kindRef, '201'), gvk: self }, `${nsName}${K}`), itemParams);
  if (has('patch')) add(paths, item, 'patch', patchOp(r, `${nsName}${K}`, `partially update the specified ${K}`, kindRef, self), itemParams);
  if (has('delete')) add(paths, item, 'delete', op(r, { verb: 'delete', action: 'delete', description: `delete ${article(K)} ${K}`, params: [body(refTo(`${meta}.DeleteOptions`)), ...deleteParams], responses: ok(kindRef, '202'), gvk: self }, `${nsName}${K}`), itemParams);
  if (has('watch')) {
    const watchRef = refTo(`${meta}.WatchEvent`);
    const w = (path: string, what: string, action: string, params: SwaggerParameter[]): void =>
      add(paths, path, 'get', op(r, { verb: 'watch', action, description: `watch changes to ${action === 'watch' ? 'an object' : 'a list'} of kind ${K}. deprecated: use the 'watch' parameter with a list operation instead.`, params: [], responses: ok(watchRef), gvk: self, produces: watchMimeTypes }, what), params);
    w(`${gvPath}/watch${ns}/${r.resource}`, `${nsName}${K}List`, 'watchlist', [...listParams, ...nsParams, p.pretty]);
    w(`${gvPath}/watch${ns}/${r.resource}/{name}`, `${nsName}${K}`, 'watch', [...listParams, nameParam, ...nsParams, p.pretty]);
    if (r.namespaced) w(`${gvPath}/watch/${r.resource}`, `${K}ListForAllNamespaces`, 'watchlist', [...listParams, p.pretty]);
  }
  for (const sub of r.subresources) addSubresourcePaths(paths, r, sub, `${item}/${sub}`, itemParams, nsName);
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? 'an' : 'a';
}

function patchOp(r: ResourceInfo, what: string, description: string, response: JsonSchema, gvk: GroupVersionKindExtension): SwaggerOperation {
  return op(r, { verb: 'patch', action: 'patch', description, params: [body(refTo(`${meta}.Patch`)), ...writeParams, p.force], responses: ok(response, '201'), gvk, consumes: patchMimeTypes }, what);
}

function addSubresourcePaths(paths: Record<string, SwaggerPathItem>, r: ResourceInfo, sub: Subresource, path: string, itemParams: SwaggerParameter[], nsName: string): void {
  const K = r.kind;
  const Sub = pascal(sub);
  const self: GroupVersionKindExtension = { group: r.group, kind: r.kind, version: r.version };
  const kindRef = refTo(definitionNameOf(r.group, r.version, r.kind));
  switch (sub) {
    case 'status':
    case 'ephemeralcontainers':
    case 'scale': {
      const gvk: GroupVersionKindExtension = sub === 'scale' ? { group: 'autoscaling', kind: 'Scale', version: 'v1' } : self;
      const schema = sub === 'scale' ? refTo(definitionNameOf('autoscaling', 'v1', 'Scale')) : kindRef;
      const what = `${nsName}${K}${sub === 'ephemeralcontainers' ? 'Ephemeralcontainers' : Sub}`;
      add(paths, path, 'get', op(r, { verb: 'read', action: 'get', description: `read ${sub} of the specified ${K}`, params: [], responses: ok(schema), gvk }, what), itemParams);
      add(paths, path, 'put', op(r, { verb: 'replace', action: 'put', description: `replace ${sub} of the specified ${K}`, params: [body(schema), ...writeParams], responses: ok(schema, '201'), gvk }, what), itemParams);
      add(paths, path, 'patch', patchOp(r, what, `partially update ${sub} of the specified ${K}`, schema, gvk), itemParams);
      return;
    }
    case 'finalize':
      add(paths, path, 'put', op(r, { verb: 'replace', action: 'put', description: `replace finalize of the specified ${K}`, params: [body(kindRef), ...writeParams], responses: ok(kindRef, '201'), gvk: self }, `${nsName}${K}Finalize`), itemParams);
      return;
    case 'binding': {
      const schema = refTo(definitionNameOf('', 'v1', 'Binding'));
      add(paths, path, 'post', op(r, { verb: 'create', action: 'post', description: `create binding of a ${K}`, params: [body(schema), ...writeParams], responses: ok(schema, '201', '202'), gvk: { group: '', kind: 'Binding', version: 'v1' } }, `${nsName}${K}Binding`), itemParams);
      return;
    }
    case 'eviction': {
      const schema = refTo(definitionNameOf('policy', 'v1', 'Eviction'));
      add(paths, path, 'post', op(r, { verb: 'create', action: 'post', description: `create eviction of a ${K}`, params: [body(schema), ...writeParams], responses: ok(schema, '201', '202'), gvk: { group: 'policy', kind: 'Eviction', version: 'v1' } }, `${nsName}${K}Eviction`), itemParams);
      return;
    }
    case 'log':
      add(paths, path, 'get', op(r, { verb: 'read', action: 'get', description: `read log of the specified ${K}`, params: [p.container, p.follow, p.limitBytes, p.previous, p.sinceSeconds, p.tailLines, p.timestamps], responses: ok({ type: 'string' }), produces: ['text/plain', ...objectMimeTypes] }, `${nsName}${K}Log`), itemParams);
      return;
    case 'exec':
    case 'attach':
    case 'portforward':
      for (const m of ['get', 'post'] as const) {
        add(paths, path, m, op(r, { verb: 'connect', action: 'connect', description: `connect ${m.toUpperCase()} requests to ${sub} of ${K}`, params: [], responses: ok({ type: 'string' }), produces: ['*/*'] }, `${pascal(m)}${nsName}${K}${Sub}`), itemParams);
      }
      return;
    case 'proxy':
      for (const [suffix, what] of [['', ''], ['/{path}', 'WithPath']] as const) {
        const params = suffix === '' ? itemParams : [...itemParams.slice(0, -1), pathParam('path', 'path to the resource'), itemParams[itemParams.length - 1]!];
        for (const m of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const) {
          add(paths, `${path}${suffix}`, m, op(r, { verb: 'connect', action: 'connect', description: `connect ${m.toUpperCase()} requests to proxy of ${K}`, params: [], responses: ok({ type: 'string' }), produces: ['*/*'] }, `${pascal(m)}${nsName}${K}Proxy${what}`), params);
        }
      }
      return;
  }
}

/** The operation listing a group version's resources (GET /api/v1/, /apis/apps/v1/). */
export function addGroupVersionRootPath(paths: Record<string, SwaggerPathItem>, group: string, version: string): void {
  paths[`${groupVersionPath(group, version)}/`] = {
    get: {
      description: 'get available resources',
      consumes: objectMimeTypes,
      produces: objectMimeTypes,
      schemes: ['https'],
      tags: [tagOf(group, version)],
      operationId: `get${opSuffixOf(group, version)}APIResources`,
      responses: { '200': { description: 'OK', schema: refTo(`${meta}.APIResourceList`) }, '401': { description: 'Unauthorized' } },
      'x-kubernetes-action': 'get',
    },
  };
}
