// EvictionREST.Create of upstream's eviction.go over injected storage operations: read the pod, delete it at once if
// budgets do not apply, else check its one PodDisruptionBudget, record the disruption in the budget's status
// (compare-and-swap, retried on conflicts) and delete the pod with a DisruptionTarget condition.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { ApiError } from '../../machinery/errors.js';
import { budgetStillProcessingError, canIgnorePDB, checkAndDecrement, checkEviction, shouldEnforceResourceVersion } from './check-eviction.js';
import { markDisruptionTarget, type Preconditions } from './mark-disruption-target.js';

/** The storage operations an eviction needs, for the pod's namespace. */
export interface EvictionStorage {
  /** The current pod (404 ApiError when there is none). */
  getPod(): Promise<Pod>;
  /** All PodDisruptionBudgets of the pod's namespace. */
  listPdbs(): Promise<PodDisruptionBudget[]>;
  getPdb(name: string): Promise<PodDisruptionBudget>;
  /**
   * UpdateStatus of the budget: a PUT of its status subresource that fails with a 409 ApiError when
   * metadata.resourceVersion is no longer current.
   */
  updatePdbStatus(pdb: PodDisruptionBudget): Promise<void>;
  /** A guaranteed update of the pod through its status subresource: `mutate` gets the latest pod and may throw. Returns the stored pod. */
  updatePodStatus(mutate: (latest: Pod) => Pod): Promise<Pod>;
  /** Deletes the pod with these options (409 ApiError when a precondition fails). */
  deletePod(opts: { preconditions?: Preconditions; dryRun: boolean }): Promise<void>;
}

export interface EvictionRequest {
  dryRun: boolean;
  /** deleteOptions.preconditions of the Eviction. */
  preconditions?: Preconditions;
}

export interface EvictionEnvironment {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** EvictionsRetry: 20 tries, 500 ms apart with 10% jitter. */
export const evictionRetrySteps = 20;
const evictionRetryMs = 500;

const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409;

async function retryOn<T>(shouldRetry: (e: unknown) => boolean, env: Required<EvictionEnvironment>, fn: () => Promise<T>): Promise<T> {
  for (let step = 1; ; step++) {
    try {
      return await fn();
    } catch (e: unknown) {
      // After the last try, the last retriable error is what the caller gets (retry.OnError).
      if (!shouldRetry(e) || step >= evictionRetrySteps) throw e;
    }
    await env.sleep(evictionRetryMs * (1 + Math.random() * 0.1));
  }
}

/** addConditionAndDeletePod: outside dry runs, mark the pod DisruptionTarget (checking the preconditions), then delete it. */
async function addConditionAndDeletePod(storage: EvictionStorage, preconditions: Preconditions | undefined, dryRun: boolean, now: () => number): Promise<void> {
  let pre = preconditions;
  if (!dryRun) {
    const updated = await storage.updatePodStatus((latest) => markDisruptionTarget(latest, pre, now()));
    // The update moved the pod's resourceVersion: a resourceVersion precondition now means the updated one.
    if (pre?.resourceVersion !== undefined) pre = { ...pre, resourceVersion: updated.metadata?.resourceVersion ?? '' };
  }
  await storage.deletePod({ ...(pre !== undefined ? { preconditions: pre } : {}), dryRun });
}

/**
 * Evicts the pod as the eviction subresource does, or throws the ApiError to respond with (429 when a budget does not
 * allow it, 500 for a pod with several budgets, 403 for a broken budget status, 409 after too many conflicts, or the
 * storage's own errors).
 */
export async function evictPodWithBudgets(storage: EvictionStorage, req: EvictionRequest, envIn: EvictionEnvironment = {}): Promise<void> {
  const env: Required<EvictionEnvironment> = { now: envIn.now ?? Date.now, sleep: envIn.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))) };
  const requestRv = req.preconditions?.resourceVersion;
  const clientPinnedRv = requestRv !== undefined;

  // Pods budgets do not apply to are deleted at once, retrying conflicts (unless the client pinned a resourceVersion).
  let pod: Pod | undefined;
  const deleted = await retryOn(clientPinnedRv ? () => false : isConflict, env, async () => {
    pod = await storage.getPod();
    if (!canIgnorePDB(pod)) return false;
    // Guard against the pod becoming Ready meanwhile, unless the client gave a resourceVersion of its own.
    const rv = pod.metadata?.resourceVersion;
    const pre: Preconditions | undefined = shouldEnforceResourceVersion(pod) && !clientPinnedRv && rv !== undefined ? { ...req.preconditions, resourceVersion: rv } : req.preconditions;
    await addConditionAndDeletePod(storage, pre, req.dryRun, env.now);
    return true;
  });
  if (deleted || pod === undefined) return;
  const target: Pod = pod;

  const decision = checkEviction(target, await storage.listPdbs(), env.now(), { dryRun: req.dryRun, ...(requestRv !== undefined ? { requestResourceVersion: requestRv } : {}) });
  let preconditions = req.preconditions;
  let guardedByPodVersion = false;
  let pdbName = '';
  switch (decision.outcome) {
    case 'refused':
      throw decision.error;
    case 'ignoreBudgets':
    case 'noBudget':
      break;
    case 'unhealthyPod':
      pdbName = decision.pdbName;
      guardedByPodVersion = true;
      preconditions = { ...req.preconditions, resourceVersion: decision.resourceVersion };
      break;
    case 'budget': {
      pdbName = decision.pdbName;
      let update = decision.pdbUpdate;
      let refresh = false;
      await retryOn(isConflict, env, async () => {
        if (refresh) {
          const fresh = await storage.getPdb(pdbName);
          const again = checkAndDecrement(fresh, target.metadata?.name ?? '', env.now(), req.dryRun);
          if (again instanceof ApiError) throw again;
          update = req.dryRun ? undefined : again;
        }
        refresh = true;
        if (update !== undefined) await storage.updatePdbStatus(update);
      });
      break;
    }
    default: {
      const never: never = decision;
      throw new Error(`unexpected eviction check ${JSON.stringify(never)}`);
    }
  }

  try {
    await addConditionAndDeletePod(storage, preconditions, req.dryRun, env.now);
  } catch (e: unknown) {
    // The pod changed (perhaps became Ready) since it was judged unhealthy: let the client try again.
    if (isConflict(e) && guardedByPodVersion && !clientPinnedRv) throw budgetStillProcessingError(pdbName);
    throw e;
  }
}
