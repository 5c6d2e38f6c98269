// The disruption controller's podControllerFinders: from a pod's controllerRef to the workload that controls it and
// its desired scale. ReplicationControllers, Deployments (through their ReplicaSets), ReplicaSets and StatefulSets are
// read from informer caches; anything else through its scale subresource, as upstream's getScaleController.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { getControllerOf } from '../podcontrol/controller-ref-manager.js';

export interface ControllerAndScale {
  uid: string;
  scale: number;
}

/** Maps a controllerRef (in a namespace) to its controller and scale; undefined when this finder does not know it. */
export type PodControllerFinder = (ref: OwnerReference, namespace: string) => Promise<ControllerAndScale | undefined>;

/** What the cache-backed finders read: objects by namespace/name (an Informer fits). */
export interface ObjectLookup {
  get(key: string): unknown;
}

export interface WorkloadLookups {
  replicationControllers: ObjectLookup;
  replicaSets: ObjectLookup;
  deployments: ObjectLookup;
  statefulSets: ObjectLookup;
}

interface Workload {
  metadata?: { uid?: string; ownerReferences?: OwnerReference[] };
  spec?: { replicas?: number };
}

/** schema.ParseGroupVersion. */
export function parseGroupVersion(gv: string): { group: string; version: string } {
  if (gv === '' || gv === '/') return { group: '', version: '' };
  const parts = gv.split('/');
  if (parts.length === 1) return { group: '', version: gv };
  if (parts.length === 2) return { group: parts[0] ?? '', version: parts[1] ?? '' };
  throw new Error(`unexpected GroupVersion string: ${gv}`);
}

/** verifyGroupKind: the ref is of this kind in one of these groups (throws for an unparsable apiVersion). */
export function verifyGroupKind(ref: OwnerReference, kind: string, groups: readonly string[]): boolean {
  const { group } = parseGroupVersion(ref.apiVersion);
  if (ref.kind !== kind) return false;
  return groups.includes(group);
}

function lookup(l: ObjectLookup, namespace: string, name: string): Workload | undefined {
  return l.get(`${namespace}/${name}`) as Workload | undefined;
}

const replicasOf = (w: Workload): number => w.spec?.replicas ?? 1;

/** getPodReplicationController, getPodDeployment, getPodReplicaSet and getPodStatefulSet, in upstream's order. */
export function workloadFinders(l: WorkloadLookups): PodControllerFinder[] {
  const rcFinder: PodControllerFinder = async (ref, ns) => {
    if (!verifyGroupKind(ref, 'ReplicationController', [''])) return undefined;
    const rc = lookup(l.replicationControllers, ns, ref.name);
    if (rc === undefined || rc.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: replicasOf(rc) };
  };
  const deploymentFinder: PodControllerFinder = async (ref, ns) => {
    if (!verifyGroupKind(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined;
    const rs = lookup(l.replicaSets, ns, ref.name);
    if (rs === undefined || rs.metadata?.uid !== ref.uid) return undefined;
    const dref = getControllerOf(rs);
    if (dref === undefined) return undefined;
    if (!verifyGroupKind(dref, 'Deployment', ['apps', 'extensions'])) return undefined;
    const d = lookup(l.deployments, ns, dref.name);
    if (d === undefined || d.metadata?.uid !== dref.uid) return undefined;
    return { uid: dref.uid, scale: replicasOf(d) };
  };
  const rsFinder: PodControllerFinder = async (ref, ns) => {
    if (!verifyGroupKind(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined;
    const rs = lookup(l.replicaSets, ns, ref.name);
    if (rs === undefined || rs.metadata?.uid !== ref.uid) return undefined;
    // A ReplicaSet controlled by a Deployment counts through the Deployment (or not at all).
    if (getControllerOf(rs)?.kind === 'Deployment') return undefined;
    return { uid: ref.uid, scale: replicasOf(rs) };
  };
  const ssFinder: PodControllerFinder = async (ref, ns) => {
    if (!verifyGroupKind(ref, 'StatefulSet', ['apps'])) return undefined;
    const ss = lookup(l.statefulSets, ns, ref.name);
    if (ss === undefined || ss.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: replicasOf(ss) };
  };
  return [rcFinder, deploymentFinder, rsFinder, ssFinder];
}

interface APIResource {
  name: string;
  kind: string;
  group?: string;
  version?: string;
}

/** The scale API versions client-go's scale client understands (ScaleConverter.ScaleVersions). */
const scaleVersions: readonly string[] = ['autoscaling/v1', 'extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2'];

/**
 * getScaleController: any other controller through its scale subresource, resolving the kind with discovery. A
 * controller that does not exist is not this finder's (undefined); a kind the server does not serve, or one without a
 * scale subresource, is an error.
 */
export function scaleControllerFinder(client: RestClient): PodControllerFinder {
  return async (ref, ns) => {
    const gv = parseGroupVersion(ref.apiVersion);
    const gvPath = gv.group === '' ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;
    const searched = gv.group === '' ? gv.version : `${gv.group}/${gv.version}`;
    const noMatch = new Error(`no matches for kind ${JSON.stringify(ref.kind)} in version ${JSON.stringify(searched)}`);
    if (gv.version === '') throw new Error(`no matches for kind ${JSON.stringify(ref.kind)} in group ${JSON.stringify(gv.group)}`);
    let list: { resources?: APIResource[] };
    try {
      list = await client.request<{ resources?: APIResource[] }>('GET', gvPath);
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 404) throw noMatch;
      throw e;
    }
    const resources = list.resources ?? [];
    const resource = resources.find((r) => r.kind === ref.kind && !r.name.includes('/'));
    if (resource === undefined) throw noMatch;
    const gr = gv.group === '' ? resource.name : `${resource.name}.${gv.group}`;
    let scale: { metadata?: { uid?: string }; spec?: { replicas?: number } };
    try {
      scale = await client.request('GET', `${gvPath}/namespaces/${encodeURIComponent(ns)}/${resource.name}/${encodeURIComponent(ref.name)}/scale`);
    } catch (e: unknown) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
      // Either the object does not exist or its resource has no scale subresource: discovery tells which.
      const implementsScale = resources.some((r) => r.name === `${resource.name}/scale` && r.kind === 'Scale' && scaleVersions.includes(r.group === undefined || r.group === '' ? (r.version ?? '') : `${r.group}/${r.version ?? ''}`));
      if (!implementsScale) throw new Error(`${gr} does not implement the scale subresource`);
      return undefined;
    }
    if (scale.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: scale.spec?.replicas ?? 0 };
  };
}
