// The Endpoints controller (upstream's pkg/controller/endpoint, "endpoints-controller"): for every Service with a
// selector, an Endpoints object of the same name whose subsets hold the matching pods' addresses, ready ones under
// addresses and the others under notReadyAddresses, per resolved target port.
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { Informer, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { EventRecorder } from '../events/event-recorder.js';
import { isNamespaceTerminating } from '../podcontrol/pod-control.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { capacityAnnotationSetCorrectly, computeEndpointSubsets, overCapacityAnnotation, truncateEndpoints } from './endpoint-subsets.js';
import { isServiceIPSet } from './pod-endpoints.js';
import { selectedPods, serviceSelector, servicesOnPodChange, podServiceKeys } from './service-pods.js';
import { formatRFC3339Nano, lastChangeTriggerTimeAnnotation, TriggerTimeTracker } from './trigger-time-tracker.js';
import { subsetsEqual, labelsEqual } from './endpoints-equal.js';

/** Upstream's ConcurrentEndpointSyncs. */
export const endpointsWorkers = 5;
export const headlessServiceLabel = 'service.kubernetes.io/headless';
/** Endpoints used as a leader-election lock are never touched. */
const leaderElectionAnnotation = 'control-plane.alpha.kubernetes.io/leader';

export interface EndpointsControllerHandle {
  stop(): void;
  /** Resolves once the Service, pod and Endpoints informers have listed. */
  waitForSync(): Promise<void>;
}

const path = (ns: string, name = ''): string => `/api/v1/namespaces/${encodeURIComponent(ns)}/endpoints${name === '' ? '' : `/${encodeURIComponent(name)}`}`;

export function startEndpointsController(client: RestClient): EndpointsControllerHandle {
  const services = new Informer(client, '/api/v1/services');
  const pods = new Informer(client, '/api/v1/pods');
  const endpoints = new Informer(client, '/api/v1/endpoints');
  const recorder = new EventRecorder(client, { component: 'endpoint-controller' });
  const triggerTimes = new TriggerTimeTracker();
  // The resourceVersion an Endpoints had before our last update of it: seeing it again means the cache is behind.
  const staleVersions = new Map<string, string>();
  const controller = new Controller('endpoints', (key) => sync(key), endpointsWorkers);

  const sync = async (key: string): Promise<ReconcileResult> => {
    const slash = key.indexOf('/');
    const ns = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const svc = services.get(key) as Service | undefined;
    if (svc === undefined) {
      // The Service is gone: so are its Endpoints.
      try {
        await client.request('DELETE', path(ns, name));
      } catch (e: unknown) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
      triggerTimes.deleteService(ns, name);
      staleVersions.delete(key);
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    const selector = serviceSelector(svc);
    // Services without a selector get their Endpoints out of band (the API server's `kubernetes`, users' own).
    if (selector === undefined) return;

    const matching = selectedPods(pods, ns, selector);
    const triggerTime = triggerTimes.compute(ns, svc, matching);
    const { subsets } = computeEndpointSubsets(svc, matching);

    const cached = endpoints.get(key) as Endpoints | undefined;
    const stale = staleVersions.get(key);
    if (cached !== undefined && stale !== undefined && cached.metadata?.resourceVersion === stale) {
      throw new Error(`endpoints informer cache is out of date, resource version ${stale} already processed for endpoints ${key}`);
    }
    const current: Endpoints = cached ?? { metadata: { name, ...(svc.metadata?.labels !== undefined ? { labels: svc.metadata.labels } : {}) } };
    const create = (current.metadata?.resourceVersion ?? '') === '';
    const compareLabels = { ...(current.metadata?.labels ?? {}) };
    delete compareLabels[headlessServiceLabel];
    if (!create && subsetsEqual(current.subsets ?? [], subsets) && labelsEqual(compareLabels, svc.metadata?.labels ?? {}) && capacityAnnotationSetCorrectly(current.metadata?.annotations, current.subsets)) return;

    const next: Endpoints = structuredClone(current);
    next.apiVersion = 'v1';
    next.kind = 'Endpoints';
    const meta = (next.metadata ??= {});
    if (subsets.length > 0) next.subsets = subsets;
    else delete next.subsets;
    const annotations = { ...(meta.annotations ?? {}) };
    if (triggerTime !== 0) annotations[lastChangeTriggerTimeAnnotation] = formatRFC3339Nano(triggerTime);
    else delete annotations[lastChangeTriggerTimeAnnotation];
    if (truncateEndpoints(next)) annotations[overCapacityAnnotation] = 'truncated';
    else delete annotations[overCapacityAnnotation];
    meta.annotations = annotations;
    const labels = { ...(svc.metadata?.labels ?? {}) };
    if (!isServiceIPSet(svc)) labels[headlessServiceLabel] = '';
    else delete labels[headlessServiceLabel];
    meta.labels = labels;

    let updated: Endpoints | undefined;
    try {
      if (create) await client.request('POST', path(ns), next);
      else updated = await client.request<Endpoints>('PUT', path(ns, name), next);
    } catch (e: unknown) {
      if (create && e instanceof ApiError && e.code === 403 && isNamespaceTerminating(e)) return;
      const msg = e instanceof Error ? e.message : String(e);
      const involved = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, ...(meta.uid !== undefined ? { uid: meta.uid } : {}), ...(meta.resourceVersion !== undefined ? { resourceVersion: meta.resourceVersion } : {}) } };
      if (create) recorder.event(involved, 'Warning', 'FailedToCreateEndpoint', 'Failed to create endpoint for service %v/%v: %v', ns, name, msg);
      else recorder.event(involved, 'Warning', 'FailedToUpdateEndpoint', 'Failed to update endpoint %v/%v: %v', ns, name, msg);
      throw e;
    }
    // An update that changed the resourceVersion makes the old one stale: seeing it again means the cache is behind.
    const oldVersion = current.metadata?.resourceVersion;
    if (updated !== undefined && oldVersion !== undefined && updated.metadata?.resourceVersion !== oldVersion) staleVersions.set(key, oldVersion);
  };

  const enqueue = (o: Obj): void => controller.queue.add(`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
  services.addHandlers({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
  pods.addHandlers({
    add: (p) => podServiceKeys(services, p as Pod).forEach((k) => controller.queue.add(k)),
    update: (o, n) => servicesOnPodChange(services, o as Pod, n as Pod).forEach((k) => controller.queue.add(k)),
    delete: (p) => podServiceKeys(services, p as Pod).forEach((k) => controller.queue.add(k)),
  });
  endpoints.addHandlers({ delete: enqueue });

  services.start();
  pods.start();
  endpoints.start();
  const synced = Promise.all([services.waitForSync(), pods.waitForSync(), endpoints.waitForSync()]).then(() => undefined);
  void synced.then(() => {
    // checkLeftoverEndpoints: Endpoints whose Service went away while the controller was down are looked at too.
    for (const ep of endpoints.list()) {
      const ann = (ep as Endpoints).metadata?.annotations ?? {};
      if (ann[leaderElectionAnnotation] !== undefined) continue;
      enqueue(ep);
    }
    controller.run();
  });
  return {
    stop: () => {
      services.stop();
      pods.stop();
      endpoints.stop();
      controller.stop();
      recorder.stop();
    },
    waitForSync: () => synced,
  };
}
