// The root CA certificate publisher: a `kube-root-ca.crt` ConfigMap with the cluster CA in every namespace.
import { isRecord } from '../../api/object.js';
import { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';

const name = 'kube-root-ca.crt';
const description =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export function startRootCACertPublisher(client: RestClient, caPem: string): { stop(): void } {
  const namespaces = new Informer(client, '/api/v1/namespaces');
  const maps = new Informer(client, '/api/v1/configmaps', { fieldSelector: `metadata.name=${name}` });
  const reconcile = async (ns: string): Promise<ReconcileResult> => {
    const n = namespaces.get(ns);
    if (n === undefined) return;
    const status = isRecord(n['status']) ? n['status'] : {};
    if (status['phase'] !== 'Active') return;
    const cm = maps.get(`${ns}/${name}`);
    const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/configmaps`;
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, annotations: { 'kubernetes.io/description': description } }, data: { 'ca.crt': caPem } };
    try {
      if (cm === undefined) await client.request('POST', path, body);
      else {
        const data = isRecord(cm['data']) ? cm['data'] : {};
        if (data['ca.crt'] !== caPem) await client.request('PUT', `${path}/${name}`, { ...body, metadata: { ...body.metadata, resourceVersion: cm.metadata?.resourceVersion } });
      }
    } catch (e: unknown) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 403 || e.code === 404)) return;
      throw e;
    }
  };
  const controller = new Controller('root-ca-cert-publisher', reconcile, 2);
  namespaces.addHandlers({ add: (o) => controller.queue.add(o.metadata?.name ?? ''), update: (_o, n) => controller.queue.add(n.metadata?.name ?? '') });
  maps.addHandlers({ update: (_o, n) => controller.queue.add(n.metadata?.namespace ?? ''), delete: (o) => controller.queue.add(o.metadata?.namespace ?? '') });
  namespaces.start();
  maps.start();
  controller.run();
  return {
    stop: () => {
      namespaces.stop();
      maps.stop();
      controller.stop();
    },
  };
}
