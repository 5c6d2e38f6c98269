// The ServiceLB controller (k3s's built-in service load balancer, simplified): every Service of type LoadBalancer
// without a loadBalancerClass gets status.loadBalancer.ingress with the addresses of the nodes that serve it
// (load-balancer-status.ts); each node's service proxy then answers on NODE_IP:port as it does for any load
// balancer VIP. Events as k3s's: UpdatedLoadBalancer, and UnAvailableLoadBalancer when no node is available.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import { Informer, objectKey, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { EventRecorder } from '../events/event-recorder.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { runWithInformers, type RunningController } from '../runtime/run-with-informers.js';
import { desiredIngress, ingressEqual, ingressToString, isServiceLbService } from './load-balancer-status.js';

export const serviceLbControllerName = 'service-lb-controller';

const labelServiceName = 'kubernetes.io/service-name';

export function startServiceLbController(client: RestClient): RunningController {
  const services = new Informer(client, '/api/v1/services');
  const nodes = new Informer(client, '/api/v1/nodes');
  const slices = new Informer(client, '/apis/discovery.k8s.io/v1/endpointslices');
  const recorder = new EventRecorder(client, { component: serviceLbControllerName });

  const reconcile = async (key: string): Promise<ReconcileResult> => {
    const svc = services.get(key) as Service | undefined;
    if (svc === undefined) return;
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const svcSlices = slices.listNamespace(ns).map((s) => s as unknown as EndpointSlice).filter((s) => s.metadata?.labels?.[labelServiceName] === name);
    const all = services.list().map((s) => s as unknown as Service);
    const want = desiredIngress(svc, nodes.list().map((n) => n as unknown as Node), svcSlices, all);
    if (want === undefined) return;
    const have = svc.status?.loadBalancer?.ingress ?? [];
    if (ingressEqual(have, want)) return;
    const body: Service = { ...svc, status: { ...svc.status, loadBalancer: want.length > 0 ? { ingress: want } : {} } };
    try {
      await client.request('PUT', `/api/v1/namespaces/${encodeURIComponent(ns)}/services/${encodeURIComponent(name)}/status`, body);
    } catch (e: unknown) {
      // A newer version in the cache brings this key back; a deleted service needs nothing.
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) return;
      throw e;
    }
    if (!isServiceLbService(svc)) return;
    if (want.length === 0) recorder.event(svc, 'Warning', 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
    else recorder.event(svc, 'Normal', 'UpdatedLoadBalancer', 'Updated LoadBalancer with new IPs: %v -> %v', ingressToString(have), ingressToString(want));
  };

  const controller = new Controller('servicelb', reconcile, 2);
  const enqueue = (o: Obj): void => controller.queue.add(objectKey(o));
  const enqueueLoadBalancers = (): void => {
    for (const s of services.list()) if ((s as unknown as Service).spec?.type === 'LoadBalancer') enqueue(s);
  };
  services.addHandlers({
    add: enqueue,
    update: (_o, n) => {
      enqueue(n);
      // A service giving up ports or its type frees them for another one waiting on them.
      enqueueLoadBalancers();
    },
    delete: () => enqueueLoadBalancers(),
  });
  nodes.addHandlers({ add: enqueueLoadBalancers, update: enqueueLoadBalancers, delete: enqueueLoadBalancers });
  const onSlice = (o: Obj): void => {
    const svc = (o as unknown as EndpointSlice).metadata?.labels?.[labelServiceName];
    if (svc !== undefined) controller.queue.add(`${o.metadata?.namespace ?? ''}/${svc}`);
  };
  slices.addHandlers({ add: onSlice, update: (_o, n) => onSlice(n), delete: onSlice });
  return runWithInformers(controller, [services, nodes, slices], recorder);
}
