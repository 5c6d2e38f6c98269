// An in-memory API for the node agent's unit tests: a RestClient whose requests go to a map of objects by path, with
// resourceVersion conflicts on PUT, AlreadyExists on POST, NotFound on GET, lists of nodes and leases, and JSON merge patches (conditions merged
// by type, as the strategic merge patch of a Node's status does). Records every request.
import type { ClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { ApiError } from '../machinery/errors.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Json = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (k === 'conditions' && Array.isArray(v) && Array.isArray(out[k])) {
      const list = [...(out[k] as Json[])];
      for (const c of v as Json[]) {
        const i = list.findIndex((x) => x['type'] === c['type']);
        if (i >= 0) list[i] = { ...list[i], ...c };
        else list.push(c);
      }
      out[k] = list;
    } else out[k] = merge(out[k], v);
  }
  return out;
}

const config: ClientConfig = { server: 'https://127.0.0.1:1', caPem: '' };

export class FakeApiClient extends RestClient {
  readonly objects = new Map<string, Json>();
  readonly requests: { method: string; path: string; body?: unknown }[] = [];
  private rv = 0;
  private uid = 0;

  constructor() {
    super(config);
  }

  /** Stores an object as another writer would (a new resourceVersion). */
  put(path: string, obj: Json): Json {
    const meta = isObj(obj['metadata']) ? obj['metadata'] : {};
    const stored = { ...obj, metadata: { ...meta, resourceVersion: String(++this.rv), uid: typeof meta['uid'] === 'string' ? meta['uid'] : `uid-${++this.uid}` } };
    this.objects.set(path, stored);
    return stored;
  }

  override async request<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
    this.requests.push({ method, path, body });
    await Promise.resolve();
    const clone = <X>(x: X): X => JSON.parse(JSON.stringify(x)) as X;
    const name = (b: unknown): string => (isObj(b) && isObj(b['metadata']) && typeof b['metadata']['name'] === 'string' ? b['metadata']['name'] : '');
    const resource = { group: '', name: path.split('/').at(-2) ?? '' };
    switch (method) {
      case 'GET': {
        const o = this.objects.get(path);
        if (o !== undefined) return clone(o) as T;
        if (path === '/api/v1/nodes' || path.endsWith('/leases')) {
          const items = [...this.objects].filter(([k]) => k.startsWith(`${path}/`) && !k.slice(path.length + 1).includes('/')).map(([, v]) => v);
          return clone({ items }) as T;
        }
        throw ApiError.notFound(resource, path.split('/').at(-1) ?? '');
      }
      case 'POST': {
        const p = `${path}/${name(body)}`;
        if (this.objects.has(p)) throw ApiError.alreadyExists({ group: '', name: path.split('/').at(-1) ?? '' }, name(body));
        return clone(this.put(p, clone(body as Json))) as T;
      }
      case 'PUT': {
        const o = this.objects.get(path);
        if (o === undefined) throw ApiError.notFound(resource, path.split('/').at(-1) ?? '');
        const want = isObj(body) && isObj(body['metadata']) ? body['metadata']['resourceVersion'] : undefined;
        const have = isObj(o['metadata']) ? o['metadata']['resourceVersion'] : undefined;
        if (want !== have) throw new ApiError(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version and try again');
        return clone(this.put(path, { ...clone(body as Json), metadata: { ...(o['metadata'] as Json), ...((body as Json)['metadata'] as Json) } })) as T;
      }
      case 'PATCH': {
        const target = path.endsWith('/status') ? path.slice(0, -'/status'.length) : path;
        const o = this.objects.get(target);
        if (o === undefined) throw ApiError.notFound(resource, target.split('/').at(-1) ?? '');
        return clone(this.put(target, merge(o, body) as Json)) as T;
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported`);
    }
  }
}
