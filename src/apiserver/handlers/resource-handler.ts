// Resource requests: get, list, watch, create, update, patch, delete, deletecollection and the status,
// scale, binding, eviction and finalize subresources — upstream's endpoints/handlers for our registry.
import { patchMetaFor, typeErrorForKind } from '../../api/openapi/index.js';
import { toStorageVersion } from '../../api/conversion/index.js';
import { isRecord, type KubeObject, type StoredObject } from '../../api/object.js';
import { findResource, storageResourceOf, type ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import { applyJsonPatch } from '../../machinery/json-patch.js';
import { applyMergePatch } from '../../machinery/merge-patch.js';
import { applyStrategicMergePatch } from '../../machinery/strategic-merge-patch.js';
import { negotiate, readBody, send, warningHeader, type Encoding, type Req, type Res } from '../http.js';
import type { ResourceRequestInfo } from '../request-info.js';
import type { Registry } from '../registry/registry.js';
import type { DeleteOptions, ResourceStore } from '../registry/resource-store.js';
import { nowTimestamp } from '../registry/resource-store.js';
import { checkObject, decodeObject, fieldValidationOf, mergePatchIsClean, parseBody, strategicMergePatchIsClean } from './decode.js';
import { listBody, objectBody, toServed } from './output.js';
import { parseSelection } from './selectors.js';
import { validateListOptions, validateWriteOptions } from './options.js';
import { serveWatch } from './watch.js';
import { componentStatuses } from './component-statuses.js';
import { scaleOf, applyScale } from './scale.js';
import { cloneJson } from '../../api/conversion/json-record.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { evictPodWithBudgets } from '../eviction/evict-pod-with-budgets.js';
import { propagateDryRun } from '../eviction/propagate-dry-run.js';
import { servePodLog } from './pod-log.js';
import { serveNodeProxy } from './node-proxy.js';
import { metricsGroup, serveMetrics } from '../metrics-api/metrics-api.js';

export interface HandlerContext {
  readonly registry: Registry;
  /** Warnings to send as `Warning: 299 - "..."` headers. */
  readonly warnings: string[];
}

const notFoundStatus = (): ApiError => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

function dryRunOf(q: URLSearchParams): boolean {
  const all = q.getAll('dryRun');
  for (const v of all) {
    if (v !== 'All') throw ApiError.badRequest(`Invalid dryRun value: ${v}, valid values are: All`);
  }
  return all.length > 0;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw ApiError.badRequest(`invalid ${name}: ${v}`);
  return Number(v);
}

function warningHeaders(ctx: HandlerContext, r: ResourceInfo): Record<string, string[]> {
  const list = [...ctx.warnings];
  if (r.deprecated !== undefined) list.unshift(r.deprecated);
  if (list.length === 0) return {};
  return { warning: list.map((w) => warningHeader(w)) };
}

/** Set the URL's namespace on a decoded object, rejecting a different one as upstream does. */
function bindNamespace(obj: KubeObject, r: ResourceInfo, namespace: string): void {
  const meta = obj.metadata ?? {};
  obj.metadata = meta;
  if (!r.namespaced) return;
  if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
    throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  meta.namespace = namespace;
}

function storageObject(obj: KubeObject, r: ResourceInfo): StoredObject {
  const out = r.group === r.storage.group && r.version === r.storage.version ? obj : toStorageVersion(obj, r);
  out.metadata ??= {};
  return out as StoredObject;
}

/**
 * Errors name the resource as the request did (replicasets.extensions), while the store names its storage group
 * (replicasets.apps): re-qualify them for resources served from another group's storage.
 */
function requalify(e: unknown, r: ResourceInfo): unknown {
  if (!(e instanceof ApiError) || r.group === r.storage.group || e.details?.group !== (r.storage.group || undefined)) return e;
  if (e.details?.kind !== r.storage.resource) return e;
  const from = `${r.storage.resource}.${r.storage.group}`;
  const to = r.group === '' ? r.resource : `${r.resource}.${r.group}`;
  return new ApiError(e.code, e.reason, e.message.replace(from, to), { ...e.details, group: r.group || undefined, kind: r.resource });
}

export async function handleResource(req: Req, res: Res, info: ResourceRequestInfo, query: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const r = findResource(info.group, info.version, info.resource);
  if (r === undefined) throw notFoundStatus();
  // Namespaces are cluster-scoped objects even though their request info names them as the namespace too.
  const scoped = !r.namespaced && info.resource === 'namespaces' ? { ...info, namespace: '' } : info;
  try {
    await serveResource(req, res, scoped, query, ctx, r);
  } catch (e: unknown) {
    throw requalify(e, r);
  }
}

async function serveResource(req: Req, res: Res, info: ResourceRequestInfo, query: URLSearchParams, ctx: HandlerContext, r: ResourceInfo): Promise<void> {
  const allowAs = info.subresource === '' && (info.verb === 'get' || info.verb === 'list' || info.verb === 'watch');
  const enc = negotiate(req.headers.accept, allowAs);
  if (!r.namespaced && info.namespace !== '') throw notFoundStatus();
  if (r.namespaced && info.namespace === '' && info.verb !== 'list' && info.verb !== 'watch' && info.verb !== 'deletecollection') {
    throw notFoundStatus();
  }
  if (info.subresource !== '' && !r.subresources.includes(info.subresource as never)) throw notFoundStatus();

  if (r.virtual === true) {
    if (r.resource === 'componentstatuses') return componentStatuses(res, info, enc, query, ctx);
    if (r.group === metricsGroup) return serveMetrics(res, info, enc, query, ctx, r);
    if (r.resource === 'bindings' && info.verb === 'create') return bindPod(req, res, info, query, ctx, info.namespace, '');
    throw ApiError.methodNotSupported({ group: r.group, name: r.resource }, info.verb);
  }
  const verbAllowed = (v: string): boolean => (r.verbs as readonly string[]).includes(v);
  const store = ctx.registry.storeFor(r);

  switch (info.subresource) {
    case '':
      break;
    case 'status':
      return subresourceStatus(req, res, info, query, ctx, r, store, enc);
    case 'scale':
      return subresourceScale(req, res, info, query, ctx, r, store);
    case 'binding':
      if (info.verb !== 'create') throw ApiError.methodNotSupported({ group: r.group, name: `${r.resource}/binding` }, info.verb);
      return bindPod(req, res, info, query, ctx, info.namespace, info.name);
    case 'eviction':
      if (info.verb !== 'create') throw ApiError.methodNotSupported({ group: r.group, name: `${r.resource}/eviction` }, info.verb);
      return evictPod(req, res, info, query, ctx, store);
    case 'log':
      if (info.verb !== 'get') throw ApiError.methodNotSupported({ group: r.group, name: `${r.resource}/log` }, info.verb);
      return servePodLog(req, res, info, query, ctx);
    case 'exec':
    case 'attach':
    case 'portforward':
      // Served on the upgrade path (pod-stream.ts); a request that does not ask to upgrade is refused as upstream's
      // UpgradeAwareHandler refuses it.
      throw ApiError.badRequest('Upgrade request required');
    case 'proxy':
      if (r.resource === 'nodes') return serveNodeProxy(req, res, info, query, ctx);
      throw new ApiError(503, 'ServiceUnavailable', `${r.resource}/proxy needs the service proxy, which k8ts does not run yet`);
    case 'finalize':
      if (info.verb !== 'update') throw ApiError.methodNotSupported({ group: r.group, name: `${r.resource}/finalize` }, info.verb);
      return finalizeNamespace(req, res, info, query, ctx, r, store);
    default:
      throw new ApiError(503, 'ServiceUnavailable', `${r.resource}/${info.subresource} is served by the node agent, which is not running on this server`);
  }

  if (!verbAllowed(info.verb)) throw ApiError.methodNotSupported({ group: r.group, name: r.resource }, info.verb);
  switch (info.verb) {
    case 'get': {
      const obj = await store.get(info.namespace, info.name);
      send(res, 200, objectBody(r, obj, enc, query), enc, warningHeaders(ctx, r));
      return;
    }
    case 'list': {
      validateListOptions(query, false);
      const selection = parseSelection(query, r);
      const page = await store.list(info.namespace, {
        selection,
        limit: intParam(query, 'limit'),
        continue: query.get('continue') ?? undefined,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
      });
      send(res, 200, listBody(r, page.items, page, enc, query), enc, warningHeaders(ctx, r));
      return;
    }
    case 'watch':
      validateListOptions(query, true);
      return serveWatch(req, res, r, store, info.namespace, info.name, query, enc, warningHeaders(ctx, r));
    case 'create': {
      validateWriteOptions(query, 'CreateOptions');
      const dryRun = dryRunOf(query);
      const fv = fieldValidationOf(query);
      const body = await readBody(req);
      const { obj, warnings } = decodeObject(body, req.headers['content-type'], r, fv);
      ctx.warnings.push(...warnings);
      if (info.name !== '') throw ApiError.methodNotSupported({ group: r.group, name: r.resource }, 'create');
      bindNamespace(obj, r, info.namespace);
      const meta = obj.metadata ?? {};
      if ((meta.name === undefined || meta.name === '') && (meta.generateName === undefined || meta.generateName === '')) {
        throw ApiError.invalid({ group: r.group, name: r.kind }, '', [{ type: 'FieldValueRequired', field: 'metadata.name', badValue: '', detail: 'name or generateName is required' }]);
      }
      const created = await store.create(storageObject(obj, r), { dryRun });
      send(res, 201, objectBody(r, created, { kind: enc.kind }, query), enc, warningHeaders(ctx, r));
      return;
    }
    case 'update': {
      validateWriteOptions(query, 'UpdateOptions');
      const dryRun = dryRunOf(query);
      const fv = fieldValidationOf(query);
      const body = await readBody(req);
      const { obj, warnings } = decodeObject(body, req.headers['content-type'], r, fv);
      ctx.warnings.push(...warnings);
      bindNamespace(obj, r, info.namespace);
      const meta = obj.metadata ?? {};
      if (meta.name !== info.name) {
        throw ApiError.badRequest(`the name of the object (${meta.name ?? ''}) does not match the name on the URL (${info.name})`);
      }
      const incoming = storageObject(obj, r);
      const { object, created } = await store.guaranteedUpdate(info.namespace, info.name, () => cloneJson(incoming) as StoredObject, {
        dryRun,
        allowCreate: store.r && allowCreate(r),
      });
      send(res, created ? 201 : 200, objectBody(r, object, { kind: enc.kind }, query), enc, warningHeaders(ctx, r));
      return;
    }
    case 'patch': {
      const object = await patchObject(req, info, query, ctx, r, store, '');
      send(res, 200, objectBody(r, object, { kind: enc.kind }, query), enc, warningHeaders(ctx, r));
      return;
    }
    case 'delete': {
      const opts = { ...(await deleteOptionsOf(req, query)), requestGroupVersion: { group: r.group, version: r.version } };
      const { object, deleted } = await store.delete(info.namespace, info.name, opts);
      const { returnObject } = store.deleteResult(object, deleted);
      // Upstream answers 202 Accepted only to an explicit orphanDependents=false that did not delete at once.
      const status = !deleted && opts.orphanDependents === false ? 202 : 200;
      if (returnObject) send(res, status, toServed(object, r), { kind: enc.kind }, warningHeaders(ctx, r));
      else
        send(res, status, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: object.metadata.name, ...(r.group !== '' ? { group: r.group } : {}), kind: r.resource, uid: object.metadata.uid } }, { kind: enc.kind }, warningHeaders(ctx, r));
      return;
    }
    case 'deletecollection': {
      const opts = { ...(await deleteOptionsOf(req, query)), requestGroupVersion: { group: r.group, version: r.version } };
      const selection = parseSelection(query, r);
      const page = await store.list(info.namespace, { selection });
      const deleted: StoredObject[] = [];
      for (const item of page.items) {
        try {
          const out = await store.delete(item.metadata.namespace ?? '', item.metadata.name ?? '', opts);
          deleted.push(out.object);
        } catch (e: unknown) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
      send(res, 200, listBody(r, deleted, { resourceVersion: page.resourceVersion }, { kind: enc.kind }, query), { kind: enc.kind }, warningHeaders(ctx, r));
      return;
    }
    default:
      throw ApiError.methodNotSupported({ group: r.group, name: r.resource }, info.verb);
  }
}

function allowCreate(r: ResourceInfo): boolean {
  const sr = storageResourceOf(r);
  return (sr.group === '' && (sr.resource === 'endpoints' || sr.resource === 'events')) || sr.group === 'coordination.k8s.io' || sr.group === 'discovery.k8s.io';
}

async function deleteOptionsOf(req: Req, query: URLSearchParams): Promise<DeleteOptions> {
  const opts: DeleteOptions = {};
  const body = await readBody(req);
  if (body.length > 0) {
    const { value } = parseBody(body, req.headers['content-type'], ['application/json', 'application/yaml']);
    if (!isRecord(value)) throw ApiError.badRequest(`json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type v1.DeleteOptions`);
    if (value['kind'] !== undefined && value['kind'] !== 'DeleteOptions') {
      throw ApiError.badRequest(`no kind ${JSON.stringify(value['kind'])} is registered for version "v1" in scheme "k8s.io/apimachinery/pkg/apis/meta/internalversion/scheme/register.go:28"`);
    }
    const typeError = typeErrorForKind(value, 'meta.k8s.io', 'v1', 'DeleteOptions');
    if (typeError !== undefined) throw ApiError.badRequest(typeError);
    if (typeof value['gracePeriodSeconds'] === 'number') opts.gracePeriodSeconds = value['gracePeriodSeconds'];
    if (typeof value['orphanDependents'] === 'boolean') opts.orphanDependents = value['orphanDependents'];
    const pp = value['propagationPolicy'];
    if (pp === 'Orphan' || pp === 'Background' || pp === 'Foreground') opts.propagationPolicy = pp;
    else if (pp !== undefined && pp !== null) throw ApiError.badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(pp)}: supported values: "Foreground", "Background", "Orphan", "nil"`);
    const pre = value['preconditions'];
    if (isRecord(pre)) {
      opts.preconditions = {};
      if (typeof pre['uid'] === 'string') opts.preconditions.uid = pre['uid'];
      if (typeof pre['resourceVersion'] === 'string') opts.preconditions.resourceVersion = pre['resourceVersion'];
    }
    const dr = value['dryRun'];
    if (Array.isArray(dr) && dr.length > 0) {
      if (!dr.every((d) => d === 'All')) throw ApiError.badRequest(`Invalid dryRun value: ${String(dr.find((d) => d !== 'All'))}, valid values are: All`);
      opts.dryRun = true;
    }
  }
  const g = intParam(query, 'gracePeriodSeconds');
  if (g !== undefined) opts.gracePeriodSeconds = g;
  const pp = query.get('propagationPolicy');
  if (pp !== null) {
    if (pp !== 'Orphan' && pp !== 'Background' && pp !== 'Foreground') throw ApiError.badRequest(`propagationPolicy: Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan", "nil"`);
    opts.propagationPolicy = pp;
  }
  const od = query.get('orphanDependents');
  if (od !== null) {
    if (od !== 'true' && od !== 'false') throw ApiError.badRequest(`strconv.ParseBool: parsing ${JSON.stringify(od)}: invalid syntax`);
    opts.orphanDependents = od === 'true';
  }
  // Upstream's ValidateDeleteOptions.
  if (opts.orphanDependents !== undefined && opts.propagationPolicy !== undefined) {
    throw ApiError.badRequest(`propagationPolicy: Invalid value: ${JSON.stringify(opts.propagationPolicy)}: orphanDependents and deletionPropagation cannot be both set`);
  }
  if (dryRunOf(query)) opts.dryRun = true;
  return opts;
}

/** Applies a JSON, merge or strategic merge patch to the current object (in the served version) and stores the result. */
async function patchObject(req: Req, info: ResourceRequestInfo, query: URLSearchParams, ctx: HandlerContext, r: ResourceInfo, store: ResourceStore, subresource: '' | 'status'): Promise<StoredObject> {
  validateWriteOptions(query, 'PatchOptions');
  const dryRun = dryRunOf(query);
  const fv = fieldValidationOf(query);
  const ct = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const accepted = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
  if (!accepted.includes(ct)) {
    if (ct === 'application/apply-patch+yaml') throw ApiError.unsupportedMediaType(accepted);
    throw ApiError.unsupportedMediaType(accepted);
  }
  const body = await readBody(req);
  const { value: patch } = parseBody(body, ct, accepted);
  // Decided once: conflict retries apply the same patch.
  const cleanPatch =
    isRecord(patch) &&
    ((ct === 'application/merge-patch+json' && mergePatchIsClean(patch, r)) || (ct === 'application/strategic-merge-patch+json' && strategicMergePatchIsClean(patch, r)));
  const { object } = await store.guaranteedUpdate(
    info.namespace,
    info.name,
    (current) => {
      if (current === undefined) throw ApiError.notFound(store.qualifiedResource, info.name);
      const served = toServed(current, r);
      let patched: unknown;
      switch (ct) {
        case 'application/json-patch+json':
          if (!Array.isArray(patch)) throw ApiError.badRequest(`json: cannot unmarshal ${typeof patch} into Go value of type jsonpatch.Patch`);
          patched = applyJsonPatch(served, patch);
          break;
        case 'application/merge-patch+json':
          if (!isRecord(patch)) throw ApiError.badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
          patched = applyMergePatch(served, patch);
          break;
        default:
          if (!isRecord(patch)) throw ApiError.badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
          patched = applyStrategicMergePatch(served, patch, patchMetaFor(r));
      }
      if (!isRecord(patched)) throw ApiError.badRequest('patch result is not an object');
      const { obj, warnings } = checkObject(patched, [], r, fv, r, cleanPatch);
      ctx.warnings.push(...warnings);
      const meta = obj.metadata ?? {};
      if (meta.name !== info.name) throw ApiError.badRequest(`the name of the object (${meta.name ?? ''}) does not match the name on the URL (${info.name})`);
      bindNamespace(obj, r, info.namespace);
      // A patch that does not carry a resourceVersion applies to whatever is current.
      const patchMeta = isRecord(patch) && isRecord(patch['metadata']) ? patch['metadata'] : undefined;
      const pinsRV = patchMeta !== undefined && typeof patchMeta['resourceVersion'] === 'string';
      const out = storageObject(obj, r);
      if (!pinsRV) delete out.metadata.resourceVersion;
      return out;
    },
    { dryRun, subresource },
  );
  return object;
}

async function subresourceStatus(req: Req, res: Res, info: ResourceRequestInfo, query: URLSearchParams, ctx: HandlerContext, r: ResourceInfo, store: ResourceStore, enc: Encoding): Promise<void> {
  switch (info.verb) {
    case 'get': {
      const obj = await store.get(info.namespace, info.name);
      send(res, 200, toServed(obj, r), { kind: enc.kind }, warningHeaders(ctx, r));
      return;
    }
    case 'update': {
      validateWriteOptions(query, 'UpdateOptions');
      const dryRun = dryRunOf(query);
      const body = await readBody(req);
      const { obj, warnings } = decodeObject(body, req.headers['content-type'], r, fieldValidationOf(query));
      ctx.warnings.push(...warnings);
      bindNamespace(obj, r, info.namespace);
      if ((obj.metadata ?? {}).name !== info.name) throw ApiError.badRequest(`the name of the object (${obj.metadata?.name ?? ''}) does not match the name on the URL (${info.name})`);
      const incoming = storageObject(obj, r);
      const { object } = await store.guaranteedUpdate(info.namespace, info.name, () => cloneJson(incoming) as StoredObject, { dryRun, subresource: 'status' });
      send(res, 200, toServed(object, r), { kind: enc.kind }, warningHeaders(ctx, r));
      return;
    }
    case 'patch': {
      const object = await patchObject(req, info, query, ctx, r, store, 'status');
      send(res, 200, toServed(object, r), { kind: enc.kind }, warningHeaders(ctx, r));
      return;
    }
    default:
      throw ApiError.methodNotSupported({ group: r.group, name: `${r.resource}/status` }, info.verb);
  }
}

async function subresourceScale(req: Req, res: Res, info: ResourceRequestInfo, query: URLSearchParams, ctx: HandlerContext, r: ResourceInfo, store: ResourceStore): Promise<void> {
  const enc = negotiate(req.headers.accept, false);
  switch (info.verb) {
    case 'get': {
      const obj = await store.get(info.namespace, info.name);
      send(res, 200, scaleOf(obj), enc, warningHeaders(ctx, r));
      return;
    }
    case 'update':
    case 'patch': {
      const dryRun = dryRunOf(query);
      const body = await readBody(req);
      const ct = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
      const { value } = parseBody(body, ct, ['application/json', 'application/yaml', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json']);
      const { object } = await store.guaranteedUpdate(
        info.namespace,
        info.name,
        (current) => {
          if (current === undefined) throw ApiError.notFound(store.qualifiedResource, info.name);
          const scale = scaleOf(current);
          let next: unknown;
          if (info.verb === 'update') next = value;
          else if (ct === 'application/json-patch+json') next = applyJsonPatch(scale, Array.isArray(value) ? value : []);
          else if (isRecord(value)) next = applyMergePatch(scale, value);
          else throw ApiError.badRequest('invalid patch');
          return applyScale(current, next, info.name, { group: r.group, name: r.resource });
        },
        { dryRun },
      );
      send(res, 200, scaleOf(object), enc, warningHeaders(ctx, r));
      return;
    }
    default:
      throw ApiError.methodNotSupported({ group: r.group, name: `${r.resource}/scale` }, info.verb);
  }
}

async function bindPod(req: Req, res: Res, info: ResourceRequestInfo, query: URLSearchParams, ctx: HandlerContext, namespace: string, podName: string): Promise<void> {
  const bindingR = findResource('', 'v1', 'bindings');
  const podR = findResource('', 'v1', 'pods');
  if (bindingR === undefined || podR === undefined) throw notFoundStatus();
  const dryRun = dryRunOf(query);
  const body = await readBody(req);
  const { obj } = decodeObject(body, req.headers['content-type'], bindingR, 'Ignore');
  const name = obj.metadata?.name ?? '';
  if (podName !== '' && name !== podName) throw ApiError.badRequest(`the name of the object (${name}) does not match the name on the URL (${podName})`);
  const target = isRecord(obj['target']) ? obj['target'] : {};
  const nodeName = typeof target['name'] === 'string' ? target['name'] : '';
  if (nodeName === '') {
    throw ApiError.invalid({ group: '', name: 'Binding' }, name, [{ type: 'FieldValueRequired', field: 'target.name', badValue: '', detail: '' }]);
  }
  const store = ctx.registry.storeFor(podR);
  await store.guaranteedUpdate(
    namespace,
    name,
    (pod) => {
      if (pod === undefined) throw ApiError.notFound(store.qualifiedResource, name);
      if (pod.metadata.deletionTimestamp !== undefined) throw ApiError.conflict(store.qualifiedResource, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      const spec = isRecord(pod['spec']) ? pod['spec'] : {};
      const existing = typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '';
      if (existing !== '') throw ApiError.conflict(store.qualifiedResource, name, `pod ${name} is already assigned to node "${existing}"`);
      spec['nodeName'] = nodeName;
      pod['spec'] = spec;
      const ann = obj.metadata?.annotations;
      if (ann !== undefined) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...ann };
      const status = isRecord(pod['status']) ? pod['status'] : {};
      const conditions = Array.isArray(status['conditions']) ? (status['conditions'] as Record<string, unknown>[]) : [];
      const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() };
      const i = conditions.findIndex((c) => c['type'] === 'PodScheduled');
      if (i >= 0) conditions[i] = { ...conditions[i], ...scheduled };
      else conditions.push(scheduled);
      status['conditions'] = conditions;
      pod['status'] = status;
      return pod;
    },
    { dryRun, subresource: 'binding' },
  );
  send(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

async function evictPod(req: Req, res: Res, info: ResourceRequestInfo, query: URLSearchParams, ctx: HandlerContext, store: ResourceStore): Promise<void> {
  const evictionR = { group: 'policy', version: 'v1', kind: 'Eviction' };
  const podR = findResource('', 'v1', 'pods');
  if (podR === undefined) throw notFoundStatus();
  const body = await readBody(req);
  const { obj } = decodeObject(body, req.headers['content-type'], podR, 'Ignore', evictionR);
  if ((obj.metadata?.name ?? '') !== info.name) throw ApiError.badRequest(`name in URL does not match name in Eviction object`);
  const del = isRecord(obj['deleteOptions']) ? obj['deleteOptions'] : {};
  const dryRunOpt = Array.isArray(del['dryRun']) ? del['dryRun'].filter((v): v is string => typeof v === 'string') : undefined;
  const dryRun = propagateDryRun(query.getAll('dryRun'), dryRunOpt).length > 0;
  const pre = isRecord(del['preconditions']) ? del['preconditions'] : undefined;
  const preconditions = pre === undefined ? undefined : {
    ...(typeof pre['uid'] === 'string' ? { uid: pre['uid'] } : {}),
    ...(typeof pre['resourceVersion'] === 'string' ? { resourceVersion: pre['resourceVersion'] } : {}),
  };
  const ns = info.namespace;
  const pdbStore = ctx.registry.store('policy', 'poddisruptionbudgets');
  const deleteOpts: DeleteOptions = {};
  if (typeof del['gracePeriodSeconds'] === 'number') deleteOpts.gracePeriodSeconds = del['gracePeriodSeconds'];
  // Upstream's EvictionREST: budgets are checked and charged (compare-and-swap on their status), the pod is marked
  // DisruptionTarget, then deleted.
  await evictPodWithBudgets(
    {
      getPod: async () => (await store.get(ns, info.name)) as unknown as Pod,
      listPdbs: async () => (await pdbStore.list(ns, { selection: {} })).items as unknown as PodDisruptionBudget[],
      getPdb: async (name) => (await pdbStore.get(ns, name)) as unknown as PodDisruptionBudget,
      updatePdbStatus: async (pdb) => {
        await pdbStore.guaranteedUpdate(ns, pdb.metadata?.name ?? '', () => pdb as unknown as StoredObject, { subresource: 'status' });
      },
      updatePodStatus: async (mutate) =>
        (await store.guaranteedUpdate(ns, info.name, (current) => {
          if (current === undefined) throw ApiError.notFound({ group: '', name: 'pods' }, info.name);
          return mutate(current as unknown as Pod) as unknown as StoredObject;
        }, { subresource: 'status' })).object as unknown as Pod,
      deletePod: async ({ preconditions: p, dryRun: d }) => {
        await store.delete(ns, info.name, { ...deleteOpts, ...(p !== undefined ? { preconditions: p } : {}), ...(d ? { dryRun: true } : {}) });
      },
    },
    { dryRun, ...(preconditions !== undefined ? { preconditions } : {}) },
  );
  send(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

async function finalizeNamespace(req: Req, res: Res, info: ResourceRequestInfo, query: URLSearchParams, ctx: HandlerContext, r: ResourceInfo, store: ResourceStore): Promise<void> {
  const body = await readBody(req);
  const { obj } = decodeObject(body, req.headers['content-type'], r, 'Ignore');
  const spec = isRecord(obj['spec']) ? obj['spec'] : {};
  const finalizers = Array.isArray(spec['finalizers']) ? spec['finalizers'] : [];
  const { object } = await store.guaranteedUpdate('', info.name, (ns) => {
    if (ns === undefined) throw ApiError.notFound(store.qualifiedResource, info.name);
    ns['spec'] = { ...(isRecord(ns['spec']) ? ns['spec'] : {}), finalizers };
    return ns;
  }, { dryRun: dryRunOf(query), subresource: 'finalize' });
  send(res, 200, toServed(object, r), { kind: 'json' }, warningHeaders(ctx, r));
}
