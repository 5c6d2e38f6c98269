// Every resource k8ts serves: names, scope, verbs, subresources and where it is stored.
// Discovery, routing, the registry and the printers all read this one table.

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export const allVerbs: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const noCollectionDelete: readonly Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export type Subresource = 'status' | 'scale' | 'binding' | 'eviction' | 'log' | 'exec' | 'attach' | 'portforward' | 'proxy' | 'ephemeralcontainers' | 'finalize';

export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Plural lower-case resource name, as in the URL. */
  readonly resource: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly Verb[];
  readonly subresources: readonly Subresource[];
  /** Objects of this resource are stored in this group/version (the storage version) under /registry/<storageResource>. */
  readonly storage: { readonly group: string; readonly version: string; readonly resource: string };
  /** Served only for old manifests: responses carry a deprecation Warning header with this text. */
  readonly deprecated?: string;
  /** Not stored: a virtual list (componentstatuses) or create-only (bindings). */
  readonly virtual?: boolean;
  /**
   * Served in place of an aggregated API server (metrics.k8s.io, metrics-server's): there are no kubernetes-types
   * declarations for its kinds, so the generated OpenAPI documents leave it out.
   */
  readonly aggregated?: boolean;
}

interface Spec {
  kind: string;
  resource?: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: readonly Verb[];
  subresources?: Subresource[];
  storage?: { group: string; version: string; resource: string };
  deprecated?: string;
  virtual?: boolean;
  /** The discovery singularName when it is not the lower-case kind ("" for metrics-server's resources). */
  singular?: string;
  aggregated?: boolean;
}

function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('s') || lower.endsWith('x')) return `${lower}es`;
  if (lower.endsWith('y') && !/[aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

function group(group: string, version: string, specs: Spec[]): ResourceInfo[] {
  return specs.map((s) => {
    const resource = s.resource ?? pluralOf(s.kind);
    return {
      group,
      version,
      kind: s.kind,
      resource,
      singular: s.singular ?? s.kind.toLowerCase(),
      namespaced: s.namespaced ?? true,
      shortNames: s.shortNames ?? [],
      categories: s.categories ?? [],
      verbs: s.verbs ?? allVerbs,
      subresources: s.subresources ?? [],
      storage: s.storage ?? { group, version, resource },
      deprecated: s.deprecated,
      virtual: s.virtual,
      ...(s.aggregated === true ? { aggregated: true } : {}),
    };
  });
}

const legacy = (kind: string): string =>
  `extensions/v1beta1 ${kind} is deprecated and was removed upstream in v1.16; k8ts serves it for old manifests, use apps/v1 ${kind}`;

export const resources: readonly ResourceInfo[] = [
  ...group('', 'v1', [
    { kind: 'Binding', namespaced: true, verbs: ['create'], virtual: true },
    { kind: 'ComponentStatus', resource: 'componentstatuses', namespaced: false, shortNames: ['cs'], verbs: ['get', 'list'], virtual: true },
    { kind: 'ConfigMap', shortNames: ['cm'] },
    { kind: 'Endpoints', resource: 'endpoints', shortNames: ['ep'] },
    { kind: 'Event', shortNames: ['ev'] },
    { kind: 'LimitRange', shortNames: ['limits'] },
    { kind: 'Namespace', namespaced: false, shortNames: ['ns'], verbs: noCollectionDelete, subresources: ['status', 'finalize'] },
    { kind: 'Node', namespaced: false, shortNames: ['no'], subresources: ['status', 'proxy'] },
    { kind: 'PersistentVolumeClaim', shortNames: ['pvc'], subresources: ['status'] },
    { kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'], subresources: ['status'] },
    {
      kind: 'Pod',
      shortNames: ['po'],
      categories: ['all'],
      subresources: ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'status'],
    },
    { kind: 'PodTemplate' },
    { kind: 'ReplicationController', shortNames: ['rc'], categories: ['all'], subresources: ['scale', 'status'] },
    { kind: 'ResourceQuota', shortNames: ['quota'], subresources: ['status'] },
    { kind: 'Secret' },
    { kind: 'ServiceAccount', shortNames: ['sa'] },
    { kind: 'Service', shortNames: ['svc'], categories: ['all'], verbs: allVerbs, subresources: ['proxy', 'status'] },
  ]),
  ...group('apps', 'v1', [
    { kind: 'ControllerRevision' },
    { kind: 'DaemonSet', shortNames: ['ds'], categories: ['all'], subresources: ['status'] },
    { kind: 'Deployment', shortNames: ['deploy'], categories: ['all'], subresources: ['scale', 'status'] },
    { kind: 'ReplicaSet', shortNames: ['rs'], categories: ['all'], subresources: ['scale', 'status'] },
    { kind: 'StatefulSet', shortNames: ['sts'], categories: ['all'], subresources: ['scale', 'status'] },
  ]),
  ...group('extensions', 'v1beta1', [
    // No short names or categories: `deploy`, `rs`, `ds` and `all` must resolve to apps/v1 alone.
    { kind: 'DaemonSet', subresources: ['status'], storage: { group: 'apps', version: 'v1', resource: 'daemonsets' }, deprecated: legacy('DaemonSet') },
    { kind: 'Deployment', subresources: ['scale', 'status'], storage: { group: 'apps', version: 'v1', resource: 'deployments' }, deprecated: legacy('Deployment') },
    { kind: 'ReplicaSet', subresources: ['scale', 'status'], storage: { group: 'apps', version: 'v1', resource: 'replicasets' }, deprecated: legacy('ReplicaSet') },
  ]),
  ...group('autoscaling', 'v2', [{ kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }]),
  ...group('autoscaling', 'v1', [
    { kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], categories: ['all'], subresources: ['status'], storage: { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' } },
  ]),
  ...group('batch', 'v1', [
    { kind: 'CronJob', shortNames: ['cj'], categories: ['all'], subresources: ['status'] },
    { kind: 'Job', categories: ['all'], subresources: ['status'] },
  ]),
  ...group('coordination.k8s.io', 'v1', [{ kind: 'Lease' }]),
  ...group('discovery.k8s.io', 'v1', [{ kind: 'EndpointSlice' }]),
  ...group('events.k8s.io', 'v1', [{ kind: 'Event', shortNames: ['ev'], storage: { group: '', version: 'v1', resource: 'events' } }]),
  ...group('networking.k8s.io', 'v1', [
    { kind: 'IngressClass', namespaced: false },
    { kind: 'Ingress', shortNames: ['ing'], subresources: ['status'] },
    { kind: 'NetworkPolicy', resource: 'networkpolicies', shortNames: ['netpol'] },
  ]),
  ...group('policy', 'v1', [{ kind: 'PodDisruptionBudget', shortNames: ['pdb'], subresources: ['status'] }]),
  ...group('rbac.authorization.k8s.io', 'v1', [
    { kind: 'ClusterRoleBinding', namespaced: false },
    { kind: 'ClusterRole', namespaced: false },
    { kind: 'RoleBinding' },
    { kind: 'Role' },
  ]),
  ...group('scheduling.k8s.io', 'v1', [{ kind: 'PriorityClass', resource: 'priorityclasses', namespaced: false, shortNames: ['pc'] }]),
  ...group('storage.k8s.io', 'v1', [{ kind: 'StorageClass', namespaced: false, shortNames: ['sc'] }]),
  // metrics-server's resources (kinds NodeMetrics and PodMetrics, no singular names), built in as k3s ships them;
  // last, as the aggregator orders its APIService (group priority 100) after the built-in groups.
  ...group('metrics.k8s.io', 'v1beta1', [
    { kind: 'NodeMetrics', resource: 'nodes', singular: '', namespaced: false, verbs: ['get', 'list'], virtual: true, aggregated: true },
    { kind: 'PodMetrics', resource: 'pods', singular: '', verbs: ['get', 'list'], virtual: true, aggregated: true },
  ]),
];

/** The resources the generated OpenAPI documents describe (all but the aggregated ones). */
export const openApiResources: readonly ResourceInfo[] = resources.filter((r) => r.aggregated !== true);

/** Group versions in the order discovery lists them (preferred version first within a group). */
export const groupVersions: readonly { group: string; versions: readonly string[] }[] = (() => {
  const order = new Map<string, string[]>();
  for (const r of resources) {
    const vs = order.get(r.group) ?? [];
    if (!vs.includes(r.version)) vs.push(r.version);
    order.set(r.group, vs);
  }
  return [...order].map(([g, versions]) => ({ group: g, versions }));
})();

const byPath = new Map<string, ResourceInfo>(resources.map((r) => [`${r.group}/${r.version}/${r.resource}`, r]));

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return byPath.get(`${group}/${version}/${resource}`);
}

/** The resource served in the storage version for objects of `r` (itself when r is the storage version). */
export function storageResourceOf(r: ResourceInfo): ResourceInfo {
  return findResource(r.storage.group, r.storage.version, r.storage.resource) ?? r;
}

export function findByKind(group: string, version: string, kind: string): ResourceInfo | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.kind === kind && r.resource !== 'bindings');
}
