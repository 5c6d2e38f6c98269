// Discovery documents: legacy (/api, /apis, /apis/G, /apis/G/V) and aggregated (apidiscovery.k8s.io/v2),
// built once from the resource table.
import { createHash } from 'node:crypto';
import { groupVersions, resources, type ResourceInfo, type Subresource } from '../api/resources.js';

interface Kind {
  group: string;
  version: string;
  kind: string;
}

function subresourceInfo(r: ResourceInfo, s: Subresource): { kind: Kind; verbs: string[] } {
  const self: Kind = { group: r.group, version: r.version, kind: r.kind };
  switch (s) {
    case 'status':
      return { kind: self, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] };
    case 'eviction':
      return { kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] };
    case 'log':
      return { kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] };
    case 'exec':
      return { kind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] };
    case 'attach':
      return { kind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: ['create', 'get'] };
    case 'portforward':
      return { kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] };
    case 'proxy':
      return { kind: { group: '', version: 'v1', kind: `${r.kind}ProxyOptions` }, verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    case 'ephemeralcontainers':
      return { kind: self, verbs: ['get', 'patch', 'update'] };
    case 'finalize':
      return { kind: self, verbs: ['update'] };
  }
}

function storageVersionHash(r: ResourceInfo): string {
  return createHash('sha256').update(`${r.storage.group}/${r.storage.version}/${r.kind}`).digest('base64').slice(0, 11) + '=';
}

function gvString(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

export function apiResourceList(group: string, version: string): unknown | undefined {
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const out: unknown[] = [];
  for (const r of rs) {
    out.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...r.verbs],
      ...(r.shortNames.length > 0 ? { shortNames: [...r.shortNames] } : {}),
      ...(r.categories.length > 0 ? { categories: [...r.categories] } : {}),
      ...(r.virtual === true ? {} : { storageVersionHash: storageVersionHash(r) }),
    });
    for (const s of r.subresources) {
      const info = subresourceInfo(r, s);
      out.push({
        name: `${r.resource}/${s}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(info.kind.group !== r.group || info.kind.version !== r.version ? { group: info.kind.group, version: info.kind.version } : {}),
        kind: info.kind.kind,
        verbs: info.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gvString(group, version), resources: out };
}

export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string, versions: readonly string[]): unknown {
  const vs = versions.map((v) => ({ groupVersion: gvString(group, v), version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupVersions.filter((g) => g.group !== '').map((g) => apiGroup(g.group, g.versions)) };
}

export function apiGroupDoc(group: string): unknown | undefined {
  const g = groupVersions.find((x) => x.group === group && group !== '');
  if (g === undefined) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...(apiGroup(g.group, g.versions) as object) };
}

function discoveryResources(group: string, version: string): unknown[] {
  return resources
    .filter((r) => r.group === group && r.version === version)
    .map((r) => ({
      resource: r.resource,
      responseKind: { group: r.group, version: r.version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singular,
      verbs: [...r.verbs],
      ...(r.shortNames.length > 0 ? { shortNames: [...r.shortNames] } : {}),
      ...(r.categories.length > 0 ? { categories: [...r.categories] } : {}),
      ...(r.subresources.length > 0
        ? {
            subresources: r.subresources.map((s) => {
              const info = subresourceInfo(r, s);
              return { subresource: s, responseKind: info.kind, verbs: info.verbs };
            }),
          }
        : {}),
    }));
}

/** apidiscovery.k8s.io/v2 (or v2beta1) APIGroupDiscoveryList for /api (legacy core group) or /apis. */
export function aggregatedDiscovery(legacy: boolean, apiVersion: 'v2' | 'v2beta1'): unknown {
  const groups = groupVersions.filter((g) => (legacy ? g.group === '' : g.group !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${apiVersion}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: legacy ? { creationTimestamp: null } : { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({ version: v, resources: discoveryResources(g.group, v), freshness: 'Current' })),
    })),
  };
}

/** Which aggregated discovery version the Accept header asks for, if any. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (accept === undefined) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (!p.startsWith('application/json')) {
      continue;
    }
    if (p.includes('g=apidiscovery.k8s.io') && p.includes('as=APIGroupDiscoveryList')) {
      if (p.includes('v=v2beta1')) return 'v2beta1';
      if (p.includes('v=v2')) return 'v2';
      continue;
    }
    return undefined;
  }
  return undefined;
}
