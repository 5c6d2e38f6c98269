// What upstream's bootstrap controller keeps in place: the system namespaces and the `kubernetes` service
// with endpoints pointing at this API server.
import type { StoredObject } from '../api/object.js';
import { ApiError } from '../machinery/errors.js';
import { nthAddress } from './admission/service-allocator.js';
import { defaultPriorityClasses } from './admission/pod-admission.js';
import type { ApiServer } from './server.js';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e: unknown) {
    if (!(e instanceof ApiError && e.code === 409)) throw e;
  }
}

export async function bootstrapCluster(server: ApiServer, advertiseAddress: string, port: number): Promise<void> {
  const reg = server.registry;
  const namespaces = reg.store('', 'namespaces');
  for (const name of systemNamespaces) {
    if ((await namespaces.tryGet('', name)) === undefined) {
      await ensure(() => namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, spec: { finalizers: ['kubernetes'] } }));
    }
  }
  const priorityClasses = reg.store('scheduling.k8s.io', 'priorityclasses');
  for (const pc of defaultPriorityClasses) {
    if ((await priorityClasses.tryGet('', pc.name)) === undefined) {
      await ensure(() => priorityClasses.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: pc.name }, value: pc.value, description: pc.description, preemptionPolicy: 'PreemptLowerPriority' }));
    }
  }
  const services = reg.store('', 'services');
  if ((await services.tryGet('default', 'kubernetes')) === undefined) {
    const svc: StoredObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        type: 'ClusterIP',
        clusterIP: nthAddress(server.serviceCidr, 1),
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
        sessionAffinity: 'None',
      },
    };
    await ensure(() => services.create(svc));
  }
  // Endpoints may not hold loopback addresses (upstream's validation): a server bound to loopback only has none.
  if (advertiseAddress.startsWith('127.') || advertiseAddress === '::1') return;
  const endpoints = reg.store('', 'endpoints');
  const subsets = [{ addresses: [{ ip: advertiseAddress }], ports: [{ name: 'https', port, protocol: 'TCP' }] }];
  await endpoints.guaranteedUpdate(
    'default',
    'kubernetes',
    (cur) => {
      const ep: StoredObject = cur ?? { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default' } };
      ep.metadata.labels = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };
      ep['subsets'] = subsets;
      return ep;
    },
    { allowCreate: true },
  );
}
