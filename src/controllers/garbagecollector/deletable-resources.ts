// Discovery for the garbage collector: the resources to watch (upstream's GetDeletableResources over the preferred
// versions: verbs delete, list and watch; events ignored) and a REST mapping from an ownerReference's
// apiVersion and kind, in any served version, to its collection path.
import { isRecord } from '../../api/object.js';
import type { RestClient } from '../../client/rest-client.js';

export interface ApiResourceMapping {
  /** "v1" or "group/version". */
  readonly groupVersion: string;
  readonly kind: string;
  readonly resource: string;
  readonly namespaced: boolean;
}

export interface DeletableResources {
  /** The preferred version of every deletable, listable and watchable resource, events aside. */
  readonly watched: ApiResourceMapping[];
  /** apiVersion + "/" + kind -> mapping, for every served version. */
  readonly byKind: Map<string, ApiResourceMapping>;
}

/** Upstream's default ignored resources: events are never owners or dependents the collector acts on. */
const ignored = new Set(['/events', 'events.k8s.io/events']);
/**
 * Groups that only re-serve another group's objects (extensions/v1beta1 workloads are apps/v1 ones, kept here for
 * old manifests; upstream 1.32 no longer serves them): watching them too would see every object twice.
 */
const aliasGroups = new Set(['extensions']);

export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** The path of one object, or of the collection when `name` is omitted. */
export function objectPath(m: ApiResourceMapping, namespace: string, name?: string): string {
  const base = m.groupVersion.includes('/') ? `/apis/${m.groupVersion}` : `/api/${m.groupVersion}`;
  const ns = m.namespaced && namespace !== '' ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${m.resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

async function resourcesOf(client: RestClient, groupVersion: string): Promise<{ mapping: ApiResourceMapping; verbs: string[] }[]> {
  const path = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
  const list = await client.request('GET', path);
  const out: { mapping: ApiResourceMapping; verbs: string[] }[] = [];
  for (const r of Array.isArray(list['resources']) ? list['resources'] : []) {
    if (!isRecord(r) || typeof r['name'] !== 'string' || r['name'].includes('/') || typeof r['kind'] !== 'string') continue;
    out.push({ mapping: { groupVersion, kind: r['kind'], resource: r['name'], namespaced: r['namespaced'] === true }, verbs: strings(r['verbs']) });
  }
  return out;
}

export async function discoverDeletableResources(client: RestClient): Promise<DeletableResources> {
  const versions: { groupVersion: string; preferred: boolean }[] = [];
  const core = await client.request('GET', '/api');
  for (const v of strings(core['versions'])) versions.push({ groupVersion: v, preferred: v === 'v1' });
  const groups = await client.request('GET', '/apis');
  for (const g of Array.isArray(groups['groups']) ? groups['groups'] : []) {
    if (!isRecord(g)) continue;
    const preferred = isRecord(g['preferredVersion']) ? g['preferredVersion']['groupVersion'] : undefined;
    for (const v of Array.isArray(g['versions']) ? g['versions'] : []) {
      if (isRecord(v) && typeof v['groupVersion'] === 'string') versions.push({ groupVersion: v['groupVersion'], preferred: v['groupVersion'] === preferred });
    }
  }
  const watched: ApiResourceMapping[] = [];
  const byKind = new Map<string, ApiResourceMapping>();
  const lists = await Promise.all(versions.map(async (v) => ({ v, resources: await resourcesOf(client, v.groupVersion) })));
  for (const { v, resources } of lists) {
    for (const { mapping, verbs } of resources) {
      byKind.set(kindKey(mapping.groupVersion, mapping.kind), mapping);
      const group = mapping.groupVersion.includes('/') ? mapping.groupVersion.split('/')[0] ?? '' : '';
      if (!v.preferred || ignored.has(`${group}/${mapping.resource}`) || aliasGroups.has(group)) continue;
      if (['delete', 'list', 'watch'].every((verb) => verbs.includes(verb))) watched.push(mapping);
    }
  }
  return { watched, byKind };
}
