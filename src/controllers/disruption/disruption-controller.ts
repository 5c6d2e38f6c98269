// The disruption controller (upstream's pkg/controller/disruption, "disruption-controller"): for every policy/v1
// PodDisruptionBudget, the status the eviction subresource decides on — how many of the selected pods are healthy,
// how many must be, how many pods are expected, how many disruptions that allows — plus the DisruptionAllowed
// condition, and the expiry of status.disruptedPods entries. It also turns stale DisruptionTarget pod conditions False.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { log } from '../../cli/log.js';
import { Informer, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { EventRecorder } from '../events/event-recorder.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { scaleControllerFinder, workloadFinders, type PodControllerFinder } from './controller-finders.js';
import { getExpectedPodCount, type ExpectedPodCount } from './expected-pod-count.js';
import { goLabelSelectorString } from './go-label-selector-string.js';
import { buildDisruptedPodMap, computePdbStatus, countHealthyPods, failSafePdb } from './pdb-status.js';
import { podDisruptionBudgetsForPod, podsForPdb } from './pod-disruption-budgets-for-pod.js';
import { clearedDisruptionTarget, staleDisruptionConditionWait, stalePodDisruptionTimeoutMs } from './stale-disruption-condition.js';

export interface DisruptionControllerOptions {
  /** The clock (ms since the epoch); tests move it. */
  now?: () => number;
  /** How long a DisruptionTarget condition may stay True on a pod that is not being deleted (2 minutes). */
  stalePodDisruptionTimeoutMs?: number;
}

export interface DisruptionControllerHandle {
  stop(): void;
  /** Resolves once the pod, budget and workload informers have listed. */
  waitForSync(): Promise<void>;
}

const pdbPath = (ns: string, name: string): string => `/apis/policy/v1/namespaces/${encodeURIComponent(ns)}/poddisruptionbudgets/${encodeURIComponent(name)}/status`;
const podStatusPath = (ns: string, name: string): string => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/status`;

const asPod = (p: Pod): Pod => ({ ...p, apiVersion: 'v1', kind: 'Pod' });
const asPdb = (p: PodDisruptionBudget): PodDisruptionBudget => ({ ...p, apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' });
const keyOf = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function startDisruptionController(client: RestClient, opts: DisruptionControllerOptions = {}): DisruptionControllerHandle {
  const now = opts.now ?? Date.now;
  const staleTimeoutMs = opts.stalePodDisruptionTimeoutMs ?? stalePodDisruptionTimeoutMs;
  const pods = new Informer(client, '/api/v1/pods');
  const pdbs = new Informer(client, '/apis/policy/v1/poddisruptionbudgets');
  const rcs = new Informer(client, '/api/v1/replicationcontrollers');
  const rss = new Informer(client, '/apis/apps/v1/replicasets');
  const deployments = new Informer(client, '/apis/apps/v1/deployments');
  const statefulSets = new Informer(client, '/apis/apps/v1/statefulsets');
  const informers = [pods, pdbs, rcs, rss, deployments, statefulSets];
  // Upstream's disruption controller records as "controllermanager".
  const recorder = new EventRecorder(client, { component: 'controllermanager' });
  const finders: PodControllerFinder[] = [
    ...workloadFinders({ replicationControllers: rcs, replicaSets: rss, deployments, statefulSets }),
    scaleControllerFinder(client),
  ];
  const controller = new Controller('disruption', (key) => sync(key));
  const staleController = new Controller('stale-pod-disruption', (key) => syncStalePodDisruption(key));

  const writeStatus = async (pdb: PodDisruptionBudget): Promise<void> => {
    await client.request('PUT', pdbPath(pdb.metadata?.namespace ?? '', pdb.metadata?.name ?? ''), asPdb(pdb));
  };

  const trySync = async (pdb: PodDisruptionBudget): Promise<ReconcileResult> => {
    let selected: Pod[];
    try {
      selected = podsForPdb(pdb, pods.listNamespace(pdb.metadata?.namespace ?? '') as Pod[]);
    } catch (e: unknown) {
      recorder.event(asPdb(pdb), 'Warning', 'NoPods', 'Failed to get pods: %v', messageOf(e));
      throw e;
    }
    if (selected.length === 0) recorder.event(asPdb(pdb), 'Normal', 'NoPods', 'No matching pods found');

    let expected: ExpectedPodCount;
    try {
      expected = await getExpectedPodCount(pdb, selected, finders);
    } catch (e: unknown) {
      recorder.event(asPdb(pdb), 'Warning', 'CalculateExpectedPodCountFailed', 'Failed to calculate the number of expected pods: %v', messageOf(e));
      throw e;
    }
    if (expected.unmanagedPods.length > 0) {
      log.info('found unmanaged pods associated with this PDB', { controller: 'disruption', pdb: keyOf(pdb), pods: expected.unmanagedPods });
      recorder.event(
        asPdb(pdb),
        'Warning',
        'UnmanagedPods',
        'Pods selected by this PodDisruptionBudget (selector: %v) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
        goLabelSelectorString(pdb.spec?.selector),
      );
    }

    const currentTime = now();
    const disrupted = buildDisruptedPodMap(selected, pdb, currentTime);
    for (const pod of disrupted.notDeleted) {
      log.info('pod was expected to be deleted but it was not, updating PDB', { controller: 'disruption', pod: keyOf(pod), pdb: keyOf(pdb) });
      // Upstream prints the budget's namespace twice here.
      recorder.event(asPod(pod), 'Warning', 'NotDeleted', "Pod was expected by PDB %s/%s to be deleted but it wasn't", pdb.metadata?.namespace ?? '', pdb.metadata?.namespace ?? '');
    }
    const currentHealthy = countHealthyPods(selected, disrupted.disruptedPods, currentTime);
    const next = computePdbStatus(pdb, { currentHealthy, desiredHealthy: expected.desiredHealthy, expectedCount: expected.expectedCount, disruptedPods: disrupted.disruptedPods }, currentTime);
    if (next !== undefined) await writeStatus(next);
    if (disrupted.recheckAtMs !== undefined) return { requeueAfterMs: Math.max(0, disrupted.recheckAtMs - currentTime) };
    return undefined;
  };

  const sync = async (key: string): Promise<ReconcileResult> => {
    const pdb = pdbs.get(key) as PodDisruptionBudget | undefined;
    if (pdb === undefined) return undefined;
    try {
      return await trySync(pdb);
    } catch (e: unknown) {
      // A conflict is retried as is; anything else first sets disruptionsAllowed to 0.
      if (e instanceof ApiError && e.code === 409) throw e;
      log.warn('failed to sync PDB', { controller: 'disruption', pdb: key, err: messageOf(e) });
      await writeStatus(failSafePdb(pdb, e instanceof Error ? e : new Error(String(e)), now()));
      return undefined;
    }
  };

  const syncStalePodDisruption = async (key: string): Promise<ReconcileResult> => {
    const pod = pods.get(key) as Pod | undefined;
    if (pod === undefined) return undefined;
    const wait = staleDisruptionConditionWait(pod, now(), staleTimeoutMs);
    if (wait === undefined) return undefined;
    if (wait > 0) return { requeueAfterMs: wait };
    const next = clearedDisruptionTarget(pod, now());
    if (next === undefined) return undefined;
    await client.request('PUT', podStatusPath(pod.metadata?.namespace ?? '', pod.metadata?.name ?? ''), asPod(next));
    log.info('reset stale DisruptionTarget condition to False', { controller: 'disruption', pod: key });
    return undefined;
  };

  /** getPdbForPod: the first budget covering the pod; a pod covered by several gets a warning event. */
  const pdbForPod = (pod: Pod): PodDisruptionBudget | undefined => {
    const matching = podDisruptionBudgetsForPod(pod, pdbs.list() as PodDisruptionBudget[]);
    const first = matching[0];
    if (first === undefined) return undefined;
    if (matching.length > 1) {
      recorder.event(asPod(pod), 'Warning', 'MultiplePodDisruptionBudgets', 'Pod %q/%q matches multiple PodDisruptionBudgets.  Chose %q arbitrarily.', pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', first.metadata?.name ?? '');
    }
    return first;
  };

  const onPod = (o: Obj, checkStale: boolean): void => {
    const pod = o as Pod;
    const pdb = pdbForPod(pod);
    if (pdb !== undefined) controller.queue.add(keyOf(pdb));
    if (!checkStale) return;
    const wait = staleDisruptionConditionWait(pod, now(), staleTimeoutMs);
    if (wait !== undefined) staleController.queue.addAfter(keyOf(pod), wait);
  };

  const enqueuePdb = (o: Obj): void => controller.queue.add(keyOf(o));
  pdbs.addHandlers({ add: enqueuePdb, update: (_o, n) => enqueuePdb(n), delete: enqueuePdb });
  pods.addHandlers({ add: (p) => onPod(p, true), update: (_o, n) => onPod(n, true), delete: (p) => onPod(p, false) });

  for (const inf of informers) inf.start();
  const synced = Promise.all(informers.map((i) => i.waitForSync())).then(() => undefined);
  void synced.then(() => {
    controller.run();
    staleController.run();
  });
  return {
    stop: () => {
      for (const inf of informers) inf.stop();
      controller.stop();
      staleController.stop();
      recorder.stop();
    },
    waitForSync: () => synced,
  };
}
