// What a request asks for, parsed from its path and method as upstream's RequestInfoFactory does.

export type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'proxy';

export interface ResourceRequestInfo {
  readonly isResourceRequest: true;
  readonly verb: RequestVerb;
  readonly apiPrefix: 'api' | 'apis';
  readonly group: string;
  readonly version: string;
  readonly namespace: string;
  readonly resource: string;
  readonly name: string;
  readonly subresource: string;
  /** Path segments after the subresource (nodes/proxy/…, pods/proxy/…). */
  readonly rest: readonly string[];
}

export interface NonResourceRequestInfo {
  readonly isResourceRequest: false;
  readonly verb: string;
  readonly path: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

const namespaceSubresources = new Set(['status', 'finalize']);

/** Upstream's query conversion of booleans (runtime.Convert_Slice_string_To_bool): anything but "false" and "0" is true. */
export function isTrue(v: string | null): boolean {
  if (v === null) return false;
  const l = v.toLowerCase();
  return l !== 'false' && l !== '0';
}

export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const nonResource = (): NonResourceRequestInfo => ({ isResourceRequest: false, verb: method.toLowerCase(), path: pathname });
  const parts = pathname.split('/').filter((p, i, all) => p !== '' || (i > 0 && i < all.length - 1));
  if (parts.length === 0) return nonResource();
  const prefix = parts[0];
  let cur: string[];
  let group = '';
  let version: string;
  if (prefix === 'api') {
    if (parts.length < 3) return nonResource();
    version = parts[1] ?? '';
    cur = parts.slice(2);
  } else if (prefix === 'apis') {
    if (parts.length < 4) return nonResource();
    group = parts[1] ?? '';
    version = parts[2] ?? '';
    cur = parts.slice(3);
  } else {
    return nonResource();
  }
  let watchPrefix = false;
  if (cur[0] === 'watch') {
    watchPrefix = true;
    cur = cur.slice(1);
  }
  let namespace = '';
  if (cur[0] === 'namespaces' && cur.length > 1) {
    namespace = cur[1] ?? '';
    if (cur.length > 2 && !namespaceSubresources.has(cur[2] ?? '')) cur = cur.slice(2);
  }
  const resource = cur[0] ?? '';
  const name = cur[1] ?? '';
  const subresource = cur[2] ?? '';
  const rest = cur.slice(3);
  let verb: RequestVerb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = watchPrefix || isTrue(query.get('watch')) ? 'watch' : name === '' ? 'list' : 'get';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name === '' ? 'deletecollection' : 'delete';
      break;
    default:
      verb = 'proxy';
  }
  // A namespace itself: /api/v1/namespaces/NAME (upstream reports NAME as both the namespace and the name).
  if (resource === 'namespaces' && namespace !== '' && cur[0] === 'namespaces') {
    return { isResourceRequest: true, verb, apiPrefix: prefix, group, version, namespace, resource, name: namespace, subresource: cur[2] ?? '', rest: cur.slice(3) };
  }
  return { isResourceRequest: true, verb, apiPrefix: prefix, group, version, namespace, resource, name, subresource, rest };
}
