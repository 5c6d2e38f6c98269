// The EndpointSlice controller (upstream's pkg/controller/endpointslice, "endpointslice-controller"): for every
// Service with a selector, discovery.k8s.io/v1 EndpointSlices `<service>-xxxxx` owned by the Service that list its
// pods with ready/serving/terminating conditions, at most 100 endpoints a slice, changed with minimal churn.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { Informer, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { EventRecorder } from '../events/event-recorder.js';
import { selectedPods, serviceSelector, servicesOnPodChange, podServiceKeys } from '../endpoints/service-pods.js';
import { formatRFC3339Nano, lastChangeTriggerTimeAnnotation, TriggerTimeTracker } from '../endpoints/trigger-time-tracker.js';
import { isNamespaceTerminating } from '../podcontrol/pod-control.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { EndpointSliceTracker } from './endpoint-slice-tracker.js';
import { defaultMaxEndpointsPerSlice, endpointSliceControllerName, labelManagedBy, labelServiceName, planEndpointSlices } from './slice-reconciler.js';

/** Upstream's ConcurrentServiceEndpointSyncs. */
export const endpointSliceWorkers = 5;
/** Upstream's endpointSliceChangeMinSyncDelay: a slice changed by someone else queues its Service after this. */
const sliceChangeDelayMs = 1000;

export interface EndpointSliceControllerOptions {
  maxEndpointsPerSlice?: number;
}

export interface EndpointSliceControllerHandle {
  stop(): void;
  /** Resolves once the Service, pod, node and EndpointSlice informers have listed. */
  waitForSync(): Promise<void>;
}

const slicesPath = (ns: string, name = ''): string => `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/endpointslices${name === '' ? '' : `/${encodeURIComponent(name)}`}`;

/** Informer objects of the EndpointSlice collection (its type requires addressType and endpoints). */
const asSlice = (o: Obj): EndpointSlice => o as unknown as EndpointSlice;

function addTriggerTime(slice: EndpointSlice, triggerTime: number): EndpointSlice {
  const annotations = { ...(slice.metadata?.annotations ?? {}) };
  if (triggerTime !== 0) annotations[lastChangeTriggerTimeAnnotation] = formatRFC3339Nano(triggerTime);
  else delete annotations[lastChangeTriggerTimeAnnotation];
  return { ...slice, metadata: { ...slice.metadata, annotations } };
}

export function startEndpointSliceController(client: RestClient, opts: EndpointSliceControllerOptions = {}): EndpointSliceControllerHandle {
  const maxEndpointsPerSlice = opts.maxEndpointsPerSlice ?? defaultMaxEndpointsPerSlice;
  const services = new Informer(client, '/api/v1/services');
  const pods = new Informer(client, '/api/v1/pods');
  const nodes = new Informer(client, '/api/v1/nodes');
  const slices = new Informer(client, '/apis/discovery.k8s.io/v1/endpointslices');
  const recorder = new EventRecorder(client, { component: 'endpoint-slice-controller' });
  const triggerTimes = new TriggerTimeTracker();
  const tracker = new EndpointSliceTracker();
  const controller = new Controller('endpointslice', (key) => sync(key), endpointSliceWorkers);
  const managed = (s: EndpointSlice): boolean => s.metadata?.labels?.[labelManagedBy] === endpointSliceControllerName;

  const sync = async (key: string): Promise<ReconcileResult> => {
    const slash = key.indexOf('/');
    const ns = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const svc = services.get(key) as Service | undefined;
    if (svc === undefined) {
      // The garbage collector deletes the slices of a deleted Service through their ownerReferences.
      triggerTimes.deleteService(ns, name);
      tracker.deleteService(ns, name);
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    const selector = serviceSelector(svc);
    if (selector === undefined) return;

    const matching = selectedPods(pods, ns, selector);
    const existing = slices.list().map(asSlice).filter(
      (s) => s.metadata?.namespace === ns && s.metadata.labels?.[labelServiceName] === name && managed(s) && s.metadata.deletionTimestamp === undefined,
    );
    if (tracker.staleSlices(ns, name, existing)) throw new Error('EndpointSlice informer cache is out of date');
    const triggerTime = triggerTimes.compute(ns, svc, matching);
    const plan = planEndpointSlices(svc, matching, existing, (n) => nodes.get(n) as Node | undefined, { maxEndpointsPerSlice, controllerName: endpointSliceControllerName });

    const errors: string[] = [...plan.errors];
    // No new slices for a Service being deleted: the garbage collector would race with them.
    if (svc.metadata?.deletionTimestamp === undefined) {
      for (const s of plan.create) {
        try {
          tracker.update(await client.request<EndpointSlice>('POST', slicesPath(ns), addTriggerTime(s, triggerTime)));
        } catch (e: unknown) {
          if (isNamespaceTerminating(e)) return;
          errors.push(`failed to create EndpointSlice for Service ${ns}/${name}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    for (const s of plan.update) {
      try {
        tracker.update(await client.request<EndpointSlice>('PUT', slicesPath(ns, s.metadata?.name ?? ''), addTriggerTime(s, triggerTime)));
      } catch (e: unknown) {
        errors.push(`failed to update ${s.metadata?.name ?? ''} EndpointSlice for Service ${ns}/${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const s of plan.delete) {
      try {
        await client.request('DELETE', slicesPath(ns, s.metadata?.name ?? ''));
        tracker.expectDeletion(s);
      } catch (e: unknown) {
        if (e instanceof ApiError && e.code === 404) continue;
        errors.push(`failed to delete ${s.metadata?.name ?? ''} EndpointSlice for Service ${ns}/${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (errors.length > 0) {
      const msg = errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`;
      recorder.event({ apiVersion: 'v1', kind: 'Service', metadata: svc.metadata ?? {} }, 'Warning', 'FailedToUpdateEndpointSlices', 'Error updating Endpoint Slices for Service %s/%s: %v', ns, name, msg);
      throw new Error(msg);
    }
  };

  const enqueue = (o: Obj): void => controller.queue.add(`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
  const enqueueForSlice = (s: EndpointSlice): void => {
    const svcName = s.metadata?.labels?.[labelServiceName];
    if (svcName === undefined || svcName === '') return;
    controller.queue.addAfter(`${s.metadata?.namespace ?? ''}/${svcName}`, sliceChangeDelayMs);
  };
  services.addHandlers({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
  pods.addHandlers({
    add: (p) => podServiceKeys(services, p as Pod).forEach((k) => controller.queue.add(k)),
    update: (o, n) => servicesOnPodChange(services, o as Pod, n as Pod).forEach((k) => controller.queue.add(k)),
    delete: (p) => podServiceKeys(services, p as Pod).forEach((k) => controller.queue.add(k)),
  });
  slices.addHandlers({
    add: (o) => {
      const s = asSlice(o);
      if (managed(s) && tracker.shouldSync(s)) enqueueForSlice(s);
    },
    update: (o, n) => {
      const prev = asSlice(o);
      const s = asSlice(n);
      if (prev.metadata?.labels?.[labelServiceName] !== s.metadata?.labels?.[labelServiceName]) {
        enqueueForSlice(s);
        enqueueForSlice(prev);
        return;
      }
      if (managed(prev) !== managed(s) || (managed(s) && tracker.shouldSync(s))) enqueueForSlice(s);
    },
    delete: (o) => {
      const s = asSlice(o);
      if (managed(s) && tracker.has(s) && !tracker.handleDeletion(s)) enqueueForSlice(s);
    },
  });

  services.start();
  pods.start();
  nodes.start();
  slices.start();
  const synced = Promise.all([services.waitForSync(), pods.waitForSync(), nodes.waitForSync(), slices.waitForSync()]).then(() => undefined);
  void synced.then(() => controller.run());
  return {
    stop: () => {
      services.stop();
      pods.stop();
      nodes.stop();
      slices.stop();
      controller.stop();
      recorder.stop();
    },
    waitForSync: () => synced,
  };
}
