// What the registry does to an object of a kind on create, update and status update, beyond defaulting
// and validation: upstream's per-kind PrepareForCreate/PrepareForUpdate, in one table.
import type { StoredObject } from '../../api/object.js';
import { isRecord } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';
import { prepareJobForCreate } from '../../api/defaults/groups/index.js';
import { parseQuantity, type Quantity } from '../../machinery/quantity.js';

/** Kinds whose strategies set metadata.generation = 1 on create and bump it when the spec changes. */
const generationKinds = new Set([
  '/ReplicationController',
  '/PersistentVolumeClaim',
  'apps/Deployment',
  'apps/ReplicaSet',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'batch/Job',
  'batch/CronJob',
  'discovery.k8s.io/EndpointSlice',
  'policy/PodDisruptionBudget',
  'networking.k8s.io/Ingress',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/NetworkPolicy',
  'autoscaling/HorizontalPodAutoscaler',
]);

/** Resources whose delete returns the deleted object (upstream's ReturnDeletedObject) instead of a Status. */
const returnsDeletedObject = new Set(['/pods', '/services', '/namespaces', '/nodes']);

/** Resources whose PUT creates a missing object (upstream's AllowCreateOnUpdate). */
const createOnUpdate = new Set(['/endpoints', 'coordination.k8s.io/leases', 'discovery.k8s.io/endpointslices', '/events']);

const kindKey = (r: ResourceInfo): string => `${r.group}/${r.kind}`;
const resourceKey = (r: ResourceInfo): string => `${r.group}/${r.resource}`;

export function hasStatusSubresource(r: ResourceInfo): boolean {
  return r.subresources.includes('status');
}

export function usesGeneration(r: ResourceInfo): boolean {
  return generationKinds.has(kindKey(r));
}

export function deleteReturnsObject(r: ResourceInfo): boolean {
  return returnsDeletedObject.has(resourceKey(r));
}

export function allowCreateOnUpdate(r: ResourceInfo): boolean {
  return createOnUpdate.has(resourceKey(r));
}

/** Everything but metadata and status: what "the spec changed" compares. */
export function specPart(obj: StoredObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') out[k] = v;
  }
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };

/** Upstream's qos.GetPodQOS: summed positive cpu/memory requests and limits of all containers. */
export function podQOSClass(spec: unknown): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  if (!isRecord(spec)) return 'BestEffort';
  const containers = [...(Array.isArray(spec['containers']) ? spec['containers'] : []), ...(Array.isArray(spec['initContainers']) ? spec['initContainers'] : [])];
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const positive = (v: unknown): Quantity | undefined => {
    try {
      const q = typeof v === 'string' || typeof v === 'number' ? parseQuantity(String(v)) : undefined;
      return q !== undefined && q.sign() > 0 ? q : undefined;
    } catch {
      return undefined;
    }
  };
  for (const c of containers) {
    const res: Resources = isRecord(c) && isRecord(c['resources']) ? (c['resources'] as Resources) : {};
    for (const [name, v] of Object.entries(res.requests ?? {})) {
      const q = (name === 'cpu' || name === 'memory') && positive(v);
      if (q) requests.set(name, requests.get(name)?.add(q) ?? q);
    }
    const found = new Set<string>();
    for (const [name, v] of Object.entries(res.limits ?? {})) {
      const q = (name === 'cpu' || name === 'memory') && positive(v);
      if (q) {
        found.add(name);
        limits.set(name, limits.get(name)?.add(q) ?? q);
      }
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, q] of requests) {
      const l = limits.get(name);
      if (l === undefined || l.cmp(q) !== 0) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/**
 * Embedded ObjectMetas (pod templates, job templates, claim templates) serialize a zero creationTimestamp as
 * `null` upstream (metav1.Time has no omitempty); kubectl apply's three-way diff relies on seeing it.
 */
/** ObjectMeta's maps and lists are omitempty: an empty one is not stored or served (Go drops it when encoding). */
function omitEmptyMeta(meta: Record<string, unknown>): void {
  for (const key of ['labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields']) {
    const v = meta[key];
    if ((Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0)) delete meta[key];
  }
}

export function normalizeEmbeddedMeta(obj: StoredObject): void {
  omitEmptyMeta(obj.metadata as unknown as Record<string, unknown>);
  const touch = (tpl: unknown): void => {
    if (!isRecord(tpl)) return;
    const meta = isRecord(tpl['metadata']) ? tpl['metadata'] : {};
    if (!('creationTimestamp' in meta)) meta['creationTimestamp'] = null;
    tpl['metadata'] = meta;
  };
  const spec = isRecord(obj['spec']) ? obj['spec'] : undefined;
  if (obj['kind'] === 'PodTemplate') touch(obj['template']);
  if (spec === undefined) return;
  touch(spec['template']);
  if (isRecord(spec['jobTemplate'])) {
    touch(spec['jobTemplate']);
    const js = spec['jobTemplate']['spec'];
    if (isRecord(js)) touch(js['template']);
  }
  if (Array.isArray(spec['volumeClaimTemplates'])) for (const t of spec['volumeClaimTemplates']) touch(t);
}

/** Upstream PrepareForCreate: reset status, set generation. Mutates `obj` (a fresh decode of the request). */
export function prepareForCreate(obj: StoredObject, r: ResourceInfo): void {
  normalizeEmbeddedMeta(obj);
  if (hasStatusSubresource(r) && r.kind !== 'Node' && r.kind !== 'PersistentVolume' && r.kind !== 'PersistentVolumeClaim') {
    delete obj['status'];
  }
  if (usesGeneration(r)) obj.metadata.generation = 1;
  else delete obj.metadata.generation;
  switch (kindKey(r)) {
    case '/Pod':
      obj['status'] = { phase: 'Pending', qosClass: podQOSClass(obj['spec']) };
      break;
    case '/Namespace': {
      obj['status'] = { phase: 'Active' };
      // Upstream's namespace strategy: every namespace carries the `kubernetes` finalizer of the namespace controller.
      const spec = isRecord(obj['spec']) ? obj['spec'] : {};
      const finalizers = Array.isArray(spec['finalizers']) ? (spec['finalizers'] as unknown[]) : [];
      if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
      obj['spec'] = { ...spec, finalizers };
      break;
    }
    case '/PersistentVolume':
      obj['status'] = { phase: 'Pending' };
      break;
    case '/PersistentVolumeClaim':
      obj['status'] = { phase: 'Pending' };
      break;
    case '/Node':
    case '/Service':
      if (!isRecord(obj['status'])) obj['status'] = kindKey(r) === '/Service' ? { loadBalancer: {} } : {};
      break;
    case 'batch/Job':
      obj['status'] = {};
      prepareJobForCreate(obj, obj.metadata.uid ?? '');
      break;
    case 'apps/DaemonSet':
      obj['status'] = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), 'deprecated.daemonset.template.generation': '1' };
      break;
    case 'apps/Deployment':
    case 'batch/CronJob':
      obj['status'] = {};
      break;
    case '/ReplicationController':
    case 'apps/ReplicaSet':
      obj['status'] = { replicas: 0 };
      break;
    case 'apps/StatefulSet':
      obj['status'] = { replicas: 0, availableReplicas: 0 };
      break;
    default:
      break;
  }
}

/** Upstream PrepareForUpdate on the main resource: keep status (when it is a subresource), bump generation on spec change. */
export function prepareForUpdate(obj: StoredObject, old: StoredObject, r: ResourceInfo): void {
  normalizeEmbeddedMeta(obj);
  if (hasStatusSubresource(r)) {
    if (old['status'] === undefined) delete obj['status'];
    else obj['status'] = old['status'];
  }
  if (kindKey(r) === 'apps/DaemonSet') {
    // Upstream's daemonset strategy counts template changes in this annotation.
    const spec = isRecord(obj['spec']) ? obj['spec'] : {};
    const oldSpec = isRecord(old['spec']) ? old['spec'] : {};
    const prev = Number(old.metadata.annotations?.['deprecated.daemonset.template.generation'] ?? '1');
    const next = deepEqual(spec['template'], oldSpec['template']) ? prev : prev + 1;
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), 'deprecated.daemonset.template.generation': String(next) };
  }
  if (usesGeneration(r)) {
    const oldGen = old.metadata.generation ?? 1;
    obj.metadata.generation = deepEqual(specPart(obj), specPart(old)) ? oldGen : oldGen + 1;
  } else if (old.metadata.generation !== undefined) {
    obj.metadata.generation = old.metadata.generation;
  } else {
    delete obj.metadata.generation;
  }
}

/** Upstream's status strategies: a status write changes status (and labels/annotations), never the spec. */
export function prepareForStatusUpdate(obj: StoredObject, old: StoredObject): StoredObject {
  const out: StoredObject = { ...old, metadata: { ...old.metadata } };
  if (obj['status'] === undefined) delete out['status'];
  else out['status'] = obj['status'];
  const m = obj.metadata;
  if (m.labels !== undefined) out.metadata.labels = m.labels;
  else delete out.metadata.labels;
  if (m.annotations !== undefined) out.metadata.annotations = m.annotations;
  else delete out.metadata.annotations;
  out.metadata.resourceVersion = m.resourceVersion;
  return out;
}
