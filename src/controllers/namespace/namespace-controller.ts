// The namespace controller: a namespace being deleted has its contents deleted, and when nothing is left the
// `kubernetes` finalizer is removed through namespaces/NAME/finalize, which lets the API server delete it.
import { isRecord } from '../../api/object.js';
import { resources, type ResourceInfo } from '../../api/resources.js';
import { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';

/** The resources whose contents a namespace deletion removes: namespaced, stored, one served version each. */
function namespacedResources(): ResourceInfo[] {
  return resources.filter(
    (r) => r.namespaced && r.virtual !== true && r.group === r.storage.group && r.version === r.storage.version && r.verbs.includes('deletecollection'),
  );
}

function collectionPath(r: ResourceInfo, ns: string): string {
  const gv = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return `${gv}/namespaces/${encodeURIComponent(ns)}/${r.resource}`;
}

export function startNamespaceController(client: RestClient): { stop(): void } {
  const informer = new Informer(client, '/api/v1/namespaces');
  const reconcile = async (name: string): Promise<ReconcileResult> => {
    const ns = informer.get(name);
    if (ns === undefined) return;
    const meta: Record<string, unknown> = isRecord(ns['metadata']) ? ns['metadata'] : {};
    if (meta['deletionTimestamp'] === undefined) return;
    const spec = isRecord(ns['spec']) ? ns['spec'] : {};
    const finalizers = Array.isArray(spec['finalizers']) ? (spec['finalizers'] as string[]) : [];
    if (!finalizers.includes('kubernetes')) return;
    let remaining = 0;
    for (const r of namespacedResources()) {
      const path = collectionPath(r, name);
      // As upstream's namespaced content deleter: dependents go with their owners (no orphan finalizers to wait on).
      await client.request('DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
      const left = await client.request('GET', `${path}?limit=1`);
      if (Array.isArray(left['items']) && left['items'].length > 0) remaining++;
    }
    if (remaining > 0) return { requeueAfterMs: 1000 };
    await client.request('PUT', `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
      spec: { finalizers: finalizers.filter((f) => f !== 'kubernetes') },
    });
    return;
  };
  const controller = new Controller('namespace', reconcile, 2);
  informer.addHandlers({
    add: (o) => controller.queue.add(o.metadata?.name ?? ''),
    update: (_old, o) => controller.queue.add(o.metadata?.name ?? ''),
  });
  informer.start();
  controller.run();
  return {
    stop: () => {
      informer.stop();
      controller.stop();
    },
  };
}
