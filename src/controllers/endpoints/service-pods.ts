// Which pods a Service selects and which Services a pod belongs to (upstream's GetPodServiceMemberships and the
// pod-lister query of syncService), over informer caches.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Informer } from '../../client/informer.js';
import { LabelSelector } from '../../machinery/label-selector.js';

/** The Service's selector, or undefined for a Service without one (its endpoints are managed by someone else). */
export function serviceSelector(svc: Service): LabelSelector | undefined {
  const sel = svc.spec?.selector;
  if (sel === undefined || sel === null || Object.keys(sel).length === 0) return undefined;
  return LabelSelector.fromSet(sel);
}

/** The pods of `namespace` the selector matches. */
export function selectedPods(pods: Informer, namespace: string, selector: LabelSelector): Pod[] {
  return (pods.listNamespace(namespace) as Pod[]).filter((p) => selector.matches(p.metadata?.labels));
}

/** The keys (namespace/name) of the Services with a selector that matches the pod. */
export function podServiceKeys(services: Informer, pod: Pod): string[] {
  const ns = pod.metadata?.namespace ?? '';
  const keys: string[] = [];
  for (const svc of services.list() as Service[]) {
    if (svc.metadata?.namespace !== ns) continue;
    const sel = serviceSelector(svc);
    if (sel !== undefined && sel.matches(pod.metadata?.labels)) keys.push(`${ns}/${svc.metadata?.name ?? ''}`);
  }
  return keys;
}

/** Enqueues the Services of a pod before and after a change (upstream's GetServicesToUpdateOnPodChange, simplified). */
export function servicesOnPodChange(services: Informer, oldPod: Pod, newPod: Pod): Set<string> {
  if (oldPod.metadata?.resourceVersion !== undefined && oldPod.metadata.resourceVersion === newPod.metadata?.resourceVersion) return new Set();
  return new Set([...podServiceKeys(services, oldPod), ...podServiceKeys(services, newPod)]);
}
