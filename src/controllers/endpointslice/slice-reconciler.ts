// The pure part of upstream's endpointslice Reconciler (staging/src/k8s.io/endpointslice/reconciler.go): which
// EndpointSlices to create, update and delete so that a Service's pods are published with as little churn as
// possible: endpoints stay in the slice they are in, changed slices are filled up first, leftovers go into the
// unchanged slice they fit best, and only then into new slices; a Service without endpoints keeps one placeholder.
import { isDeepStrictEqual } from 'node:util';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isPodReady } from '../podcontrol/active-pods.js';
import { findPort } from '../endpoints/find-port.js';
import { isIPv6, isServiceIPSet, podIPs, shouldPodBeInEndpoints, shouldSetHostname } from '../endpoints/pod-endpoints.js';
import { endpointsEqualBeyondHash, EndpointSet, portMapKey } from './endpoint-set.js';

export type AddressType = 'IPv4' | 'IPv6';

export const labelServiceName = 'kubernetes.io/service-name';
export const labelManagedBy = 'endpointslice.kubernetes.io/managed-by';
export const headlessServiceLabel = 'service.kubernetes.io/headless';
export const zoneLabel = 'topology.kubernetes.io/zone';
/** The managed-by value of the EndpointSlice controller. */
export const endpointSliceControllerName = 'endpointslice-controller.k8s.io';
/** Upstream's default --max-endpoints-per-slice. */
export const defaultMaxEndpointsPerSlice = 100;

export interface ReconcileOptions {
  maxEndpointsPerSlice: number;
  controllerName: string;
}

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Problems that should make the sync retry (pods on unknown nodes), after the plan has been carried out. */
  errors: string[];
}

/** ownedBy: a v1 Service ownerReference with the Service's UID. */
export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((o) => o.uid === svc.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

/** getAddressTypesForService: from spec.ipFamilies, else the ClusterIP's family, else (headless) both. */
export function addressTypesForService(svc: Service): Set<AddressType> {
  const types = new Set<AddressType>();
  for (const f of svc.spec?.ipFamilies ?? []) if (f === 'IPv4' || f === 'IPv6') types.add(f);
  if (types.size > 0) return types;
  if (isServiceIPSet(svc)) return new Set([isIPv6(svc.spec?.clusterIP ?? '') ? 'IPv6' : 'IPv4']);
  return new Set(['IPv4', 'IPv6']);
}

const isReservedLabel = (k: string): boolean => k === labelServiceName || k === labelManagedBy || k === headlessServiceLabel;

/** setEndpointSliceLabels: the Service's labels plus the reserved ones; `changed` when the Service's labels differ. */
export function endpointSliceLabels(slice: EndpointSlice, svc: Service, controllerName: string): { labels: Record<string, string>; changed: boolean } {
  const epLabels: Record<string, string> = {};
  const svcLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice.metadata?.labels ?? {})) if (!isReservedLabel(k)) epLabels[k] = v;
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (!isReservedLabel(k)) svcLabels[k] = v;
  const changed = !isDeepStrictEqual(epLabels, { ...svcLabels });
  if (!isServiceIPSet(svc)) svcLabels[headlessServiceLabel] = '';
  svcLabels[labelServiceName] = svc.metadata?.name ?? '';
  svcLabels[labelManagedBy] = controllerName;
  return { labels: svcLabels, changed };
}

/** newEndpointSlice: named by generateName `<service>-`, owned by the Service, with no endpoints yet. */
export function newEndpointSlice(svc: Service, ports: EndpointPort[], addressType: AddressType, controllerName: string): EndpointSlice {
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      labels: {},
      generateName: `${svc.metadata?.name ?? ''}-`,
      namespace: svc.metadata?.namespace ?? '',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    ports,
    addressType,
    endpoints: [],
  };
  return { ...slice, metadata: { ...slice.metadata, labels: endpointSliceLabels(slice, svc, controllerName).labels } };
}

/** getEndpointPorts: the Service's ports resolved for the pod (unresolvable ones left out). */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  if ((svc.spec?.ports ?? []).length === 0 && svc.spec?.clusterIP === 'None') return out;
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    out.push(sp.appProtocol === undefined ? ep : { ...ep, appProtocol: sp.appProtocol });
  }
  return out;
}

/** podToEndpoint: the pod's addresses of the type with its conditions, node, zone, hostname and reference. */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = pod.metadata?.deletionTimestamp !== undefined;
  // For compatibility, a terminating pod is never ready unless the Service publishes not-ready addresses.
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', ...(pod.metadata?.uid !== undefined ? { uid: pod.metadata.uid } : {}) },
  };
  const nodeName = pod.spec?.nodeName ?? '';
  const zone = node?.metadata?.labels?.[zoneLabel] ?? '';
  const hostname = shouldSetHostname(pod, svc) ? pod.spec?.hostname : undefined;
  return {
    ...ep,
    ...(nodeName !== '' ? { nodeName } : {}),
    ...(zone !== '' ? { zone } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
  };
}

/** Namespace, labels, address type, no endpoints and no ports: what upstream's placeholderSliceCompare checks. */
function isSamePlaceholder(a: EndpointSlice, b: EndpointSlice): boolean {
  return (
    a.metadata?.namespace === b.metadata?.namespace &&
    isDeepStrictEqual({ ...(a.metadata?.labels ?? {}) }, { ...(b.metadata?.labels ?? {}) }) &&
    a.addressType === b.addressType &&
    (a.endpoints ?? []).length === 0 &&
    (b.endpoints ?? []).length === 0 &&
    (a.ports ?? []).length === 0 &&
    (b.ports ?? []).length === 0
  );
}

/** getSliceToFill: the slice whose free room is closest to (and at least) `numEndpoints`. */
export function sliceToFill(slices: readonly EndpointSlice[], numEndpoints: number, maxEndpoints: number): EndpointSlice | undefined {
  let closestDiff = maxEndpoints;
  let closest: EndpointSlice | undefined;
  for (const s of slices) {
    const diff = maxEndpoints - (numEndpoints + (s.endpoints ?? []).length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = s;
      if (closestDiff === 0) return closest;
    }
  }
  return closest;
}

interface PortPlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

/** reconcileByPortMapping: the slices of one set of ports. `desired` is consumed. */
function reconcileByPortMapping(svc: Service, existing: readonly EndpointSlice[], desired: EndpointSet, ports: EndpointPort[], addressType: AddressType, opts: ReconcileOptions): PortPlan {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();
  const max = opts.maxEndpointsPerSlice;

  // 1. Drop endpoints no longer desired and refresh those that changed.
  for (const slice of existing) {
    const name = slice.metadata?.name ?? '';
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let endpointUpdated = false;
    for (const ep of slice.endpoints ?? []) {
      const got = desired.get(ep);
      if (got === undefined) continue;
      kept.push(got);
      if (!endpointsEqualBeyondHash(got, ep)) endpointUpdated = true;
      desired.delete(ep);
    }
    const { labels, changed } = endpointSliceLabels(slice, svc, opts.controllerName);
    if (endpointUpdated || (slice.endpoints ?? []).length !== kept.length) {
      if (kept.length === 0) {
        toDelete.add(name);
      } else {
        byName.set(name, { ...structuredClone(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels } });
        toUpdate.add(name);
      }
    } else if (changed) {
      byName.set(name, { ...structuredClone(slice), metadata: { ...structuredClone(slice.metadata), labels } });
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }

  // 2. Fill the slices being updated anyway, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n)).filter((s): s is EndpointSlice => s !== undefined);
    slices.sort((a, b) => (b.endpoints ?? []).length - (a.endpoints ?? []).length);
    for (const s of slices) {
      s.endpoints ??= [];
      while (desired.size > 0 && s.endpoints.length < max) {
        const ep = desired.popAny();
        if (ep !== undefined) s.endpoints.push(ep);
      }
    }
  }

  // 3. Fit what is left into the unchanged slice it fills best, else into new slices.
  const create: EndpointSlice[] = [];
  while (desired.size > 0) {
    let fill: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      const candidates = [...unchanged].map((n) => byName.get(n)).filter((s): s is EndpointSlice => s !== undefined);
      fill = sliceToFill(candidates, desired.size, max);
    }
    if (fill === undefined) {
      fill = newEndpointSlice(svc, ports, addressType, opts.controllerName);
    } else {
      fill = structuredClone(fill);
      byName.set(fill.metadata?.name ?? '', fill);
    }
    fill.endpoints ??= [];
    while (desired.size > 0 && fill.endpoints.length < max) {
      const ep = desired.popAny();
      if (ep !== undefined) fill.endpoints.push(ep);
    }
    const name = fill.metadata?.name ?? '';
    if (name !== '') {
      toUpdate.add(name);
      unchanged.delete(name);
    } else {
      create.push(fill);
    }
  }

  const pick = (names: Set<string>): EndpointSlice[] => [...names].map((n) => byName.get(n)).filter((s): s is EndpointSlice => s !== undefined);
  return { create, update: pick(toUpdate), delete: pick(toDelete) };
}

/**
 * Reconcile's planning: the slices to create, update and delete for `svc` given the pods its selector matches and
 * the slices it has (labelled with its name and managed by the controller, none being deleted). `nodeOf` looks a
 * node up in the cache.
 */
export function planEndpointSlices(svc: Service, pods: readonly Pod[], existing: readonly EndpointSlice[], nodeOf: (name: string) => Node | undefined, opts: ReconcileOptions): SlicePlan {
  const types = addressTypesForService(svc);
  const unsupported: EndpointSlice[] = [];
  const byType = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!types.has(s.addressType as AddressType)) {
      unsupported.push(s);
      continue;
    }
    const list = byType.get(s.addressType) ?? [];
    list.push(s);
    byType.set(s.addressType, list);
  }
  const plan: SlicePlan = { create: [], update: [], delete: [], errors: [] };
  const sortedPods = [...pods].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0));
  for (const addressType of types) {
    const r = reconcileByAddressType(svc, sortedPods, byType.get(addressType) ?? [], addressType, nodeOf, opts);
    plan.create.push(...r.create);
    plan.update.push(...r.update);
    plan.delete.push(...r.delete);
    plan.errors.push(...r.errors);
  }
  plan.delete.push(...unsupported);
  return plan;
}

function reconcileByAddressType(svc: Service, pods: readonly Pod[], existing: readonly EndpointSlice[], addressType: AddressType, nodeOf: (name: string) => Node | undefined, opts: ReconcileOptions): SlicePlan {
  const errors: string[] = [];
  let create: EndpointSlice[] = [];
  const update: EndpointSlice[] = [];
  const del: EndpointSlice[] = [];

  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) {
      del.push(s);
      continue;
    }
    const k = portMapKey(s.ports);
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
  }

  const desiredPorts = new Map<string, EndpointPort[]>();
  const desiredByPorts = new Map<string, EndpointSet>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    const k = portMapKey(ports);
    let set = desiredByPorts.get(k);
    if (set === undefined) {
      set = new EndpointSet();
      desiredByPorts.set(k, set);
      desiredPorts.set(k, ports);
    }
    const nodeName = pod.spec?.nodeName ?? '';
    const node = nodeOf(nodeName);
    if (node === undefined && svc.spec?.publishNotReadyAddresses !== true) {
      // The pod's node is gone: retry later, but publish the others meanwhile.
      errors.push(`skipping Pod ${pod.metadata?.name ?? ''} for Service ${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}: Node ${nodeName} Not Found`);
      continue;
    }
    const ep = podToEndpoint(pod, node, svc, addressType);
    if (ep.addresses.length > 0) set.insert(ep);
  }

  for (const [k, desired] of desiredByPorts) {
    const r = reconcileByPortMapping(svc, existingByPorts.get(k) ?? [], desired, desiredPorts.get(k) ?? [], addressType, opts);
    create.push(...r.create);
    update.push(...r.update);
    del.push(...r.delete);
  }
  for (const [k, slices] of existingByPorts) if (!desiredByPorts.has(k)) del.push(...slices);

  // A Service without any endpoints keeps one placeholder slice (not deleted and re-created each time).
  if (existing.length === del.length && create.length < 1) {
    const placeholder = newEndpointSlice(svc, [], addressType, opts.controllerName);
    const only = del[0];
    if (del.length === 1 && only !== undefined && isSamePlaceholder(only, placeholder)) del.length = 0;
    else create.push(placeholder);
  }

  // finalize: a slice to create takes the name of one to delete (same type, owned) and becomes an update.
  for (let i = 0; i < del.length; ) {
    const last = create[create.length - 1];
    if (last === undefined) break;
    const victim = del[i];
    if (victim !== undefined && victim.addressType === last.addressType && ownedBy(victim, svc)) {
      const { generateName: _g, ...meta } = last.metadata ?? {};
      update.push({ ...last, metadata: { ...meta, name: victim.metadata?.name ?? '' } });
      create = create.slice(0, -1);
      del.splice(i, 1);
    } else {
      i++;
    }
  }
  return { create, update, delete: del, errors };
}
