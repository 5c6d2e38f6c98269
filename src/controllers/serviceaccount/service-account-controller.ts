// The service account controller: every active namespace has a `default` ServiceAccount.
import { isRecord } from '../../api/object.js';
import { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';

export function startServiceAccountController(client: RestClient): { stop(): void } {
  const namespaces = new Informer(client, '/api/v1/namespaces');
  const accounts = new Informer(client, '/api/v1/serviceaccounts', { fieldSelector: 'metadata.name=default' });
  const reconcile = async (ns: string): Promise<ReconcileResult> => {
    const n = namespaces.get(ns);
    if (n === undefined) return;
    const status = isRecord(n['status']) ? n['status'] : {};
    if (status['phase'] !== 'Active') return;
    if (accounts.get(`${ns}/default`) !== undefined) return;
    try {
      await client.request('POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    } catch (e: unknown) {
      // Already there (the cache was behind) or the namespace is going away: nothing to do.
      if (e instanceof ApiError && (e.code === 409 || e.code === 403 || e.code === 404)) return;
      throw e;
    }
  };
  const controller = new Controller('serviceaccount', reconcile, 2);
  namespaces.addHandlers({ add: (o) => controller.queue.add(o.metadata?.name ?? ''), update: (_o, n) => controller.queue.add(n.metadata?.name ?? '') });
  accounts.addHandlers({ delete: (o) => controller.queue.add(o.metadata?.namespace ?? '') });
  namespaces.start();
  accounts.start();
  controller.run();
  return {
    stop: () => {
      namespaces.stop();
      accounts.stop();
      controller.stop();
    },
  };
}
