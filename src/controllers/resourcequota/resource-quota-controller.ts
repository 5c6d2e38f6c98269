// The resource quota controller (pkg/controller/resourcequota): keeps every ResourceQuota's status.hard equal to
// spec.hard and status.used equal to what its namespace uses, writing the status only when it changed. A quota is
// recalculated when it is created or its spec.hard changes, every resync period (5 minutes, as
// --resource-quota-sync-period), and promptly when something it counts changes: the quota monitor watches the
// resources quotas name (started as quotas come to name them) and, as upstream's replenishment, recalculates the
// namespace's quotas on a delete or on an update that changes usage (a pod reaching a terminal phase, a service
// changing type, a claim's allocated storage). It does so on a create too: admission charges creates upstream, and
// recounting after the object is stored also repairs a recalculation that ran between the charge and the store.
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { ResourceInfo } from '../../api/resources.js';
import { Informer, objectKey, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { calculateUsage } from '../../quota/calculate-usage.js';
import { statusHardNames, type QuotaEvaluator } from '../../quota/evaluator.js';
import { evaluatorsMatching } from '../../quota/quota-registry.js';
import { listsEqual, resourceListFromJSON } from '../../quota/resource-list.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { collectionPath, quotableResources } from './quotable-resources.js';
import { syncQuotaStatus } from './quota-status.js';
import { updateChangesUsage } from './update-changes-usage.js';

export const resourceQuotaControllerName = 'resourcequota-controller';

export interface ResourceQuotaControllerOptions {
  /** --resource-quota-sync-period: how often every quota is recalculated (upstream: 5 minutes). */
  resyncPeriodMs?: number;
  /** --concurrent-resource-quota-syncs (upstream: 5). */
  workers?: number;
  /** How long a recalculation waits for a newly watched resource to list before it retries. */
  monitorSyncTimeoutMs?: number;
}

export interface ResourceQuotaControllerHandle {
  stop(): void;
  waitForSync(): Promise<void>;
}

const grKey = (group: string, resource: string): string => `${resource}.${group}`;

export function startResourceQuotaController(client: RestClient, opts: ResourceQuotaControllerOptions = {}): ResourceQuotaControllerHandle {
  const resyncPeriodMs = opts.resyncPeriodMs ?? 5 * 60_000;
  const monitorSyncTimeoutMs = opts.monitorSyncTimeoutMs ?? 30_000;
  const quotas = new Informer(client, '/api/v1/resourcequotas');
  const quotable = quotableResources();
  const quotableByKey = new Map<string, ResourceInfo>(quotable.map((r) => [grKey(r.group, r.resource), r]));
  /** The quota monitor: one informer per resource some quota counts. */
  const monitors = new Map<string, Informer>();
  let stopped = false;

  const quotasIn = (ns: string): ResourceQuota[] => quotas.listNamespace(ns) as ResourceQuota[];

  /** replenishQuota: recalculate the namespace's quotas that count this resource. */
  const replenish = (evaluator: QuotaEvaluator, ns: string): void => {
    for (const q of quotasIn(ns)) {
      if (evaluator.matchingResources(statusHardNames(q)).length > 0) controller.queue.add(objectKey(q as Obj));
    }
  };

  const monitorFor = (evaluator: QuotaEvaluator): Informer | undefined => {
    const k = grKey(evaluator.group, evaluator.resource);
    const existing = monitors.get(k);
    if (existing !== undefined || stopped) return existing;
    const r = quotableByKey.get(k);
    if (r === undefined) return undefined;
    const inf = new Informer(client, collectionPath(r));
    const ns = (o: Obj): string => o.metadata?.namespace ?? '';
    inf.addHandlers({
      add: (o) => replenish(evaluator, ns(o)),
      update: (o, n) => {
        if (updateChangesUsage(r.group, r.resource, o, n, new Date())) replenish(evaluator, ns(n));
      },
      delete: (o) => replenish(evaluator, ns(o)),
    });
    monitors.set(k, inf);
    inf.start();
    return inf;
  };

  const waitSynced = async (inf: Informer, what: string): Promise<void> => {
    if (inf.hasSynced()) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} not yet synced`)), monitorSyncTimeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([inf.waitForSync(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const reconcile = async (key: string): Promise<ReconcileResult> => {
    const q = quotas.get(key) as ResourceQuota | undefined;
    if (q === undefined) return;
    const hardNames = Object.keys(q.spec?.hard ?? {});
    const evaluators = evaluatorsMatching(hardNames, quotable);
    const watched: QuotaEvaluator[] = [];
    for (const e of evaluators) {
      const inf = monitorFor(e);
      if (inf === undefined) continue;
      // A resource that does not list yet is left out (its previous usage is kept) and the quota retried.
      await waitSynced(inf, collectionPath(quotableByKey.get(grKey(e.group, e.resource)) as ResourceInfo)).then(
        () => watched.push(e),
        () => undefined,
      );
    }
    const ns = q.metadata?.namespace ?? '';
    const list = (group: string, resource: string): Obj[] => {
      const inf = monitors.get(grKey(group, resource));
      if (inf === undefined || !inf.hasSynced()) throw new Error(`${resource}${group === '' ? '' : `.${group}`} not yet synced`);
      return inf.listNamespace(ns);
    };
    const { used, errors } = calculateUsage(q, hardNames, watched, list, new Date());
    const missing = evaluators.filter((e) => !watched.includes(e));
    const { status, dirty } = syncQuotaStatus(q, used);
    if (dirty) {
      const body: ResourceQuota = { ...q, apiVersion: 'v1', kind: 'ResourceQuota', status };
      try {
        await client.request('PUT', `/api/v1/namespaces/${encodeURIComponent(ns)}/resourcequotas/${encodeURIComponent(q.metadata?.name ?? '')}/status`, body);
      } catch (e: unknown) {
        // Deleted meanwhile: nothing to keep current.
        if (e instanceof ApiError && e.code === 404) return;
        throw e;
      }
    }
    if (errors.length > 0 || missing.length > 0) {
      throw new Error(errors.length > 0 ? errors.join('; ') : `not yet synced: ${missing.map((e) => grKey(e.group, e.resource)).join(', ')}`);
    }
  };

  const controller = new Controller('resourcequota', reconcile, opts.workers ?? 5);
  quotas.addHandlers({
    add: (o) => controller.queue.add(objectKey(o)),
    update: (o, n) => {
      // Status updates are this controller's (and admission's) own: only a changed spec.hard asks for a recalculation.
      const hard = (x: Obj): unknown => (x as ResourceQuota).spec?.hard;
      if (listsEqual(resourceListFromJSON(hard(o)), resourceListFromJSON(hard(n)))) return;
      controller.queue.add(objectKey(n));
    },
  });
  quotas.start();

  const resync = setInterval(() => {
    for (const q of quotas.list()) controller.queue.add(objectKey(q));
  }, resyncPeriodMs);
  resync.unref();

  const synced = quotas.waitForSync();
  void synced.then(() => {
    if (!stopped) controller.run();
  });

  return {
    stop: () => {
      stopped = true;
      clearInterval(resync);
      quotas.stop();
      for (const inf of monitors.values()) inf.stop();
      monitors.clear();
      controller.stop();
    },
    waitForSync: () => synced,
  };
}
