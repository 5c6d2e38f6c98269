// ResourceQuota admission, after k8s.io/apiserver/pkg/admission/plugin/resourcequota (v1.32): a create (or, for
// services and persistent volume claims, an update) in a namespace is checked against every ResourceQuota there
// that limits what it uses. The request is refused (403) when the quota's constraints are not met or it would go
// over status.hard; otherwise the quotas' status.used go up by what it uses, and those quotas must be written
// (compare-and-swap on their resourceVersion) before the object is stored.
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject, StoredObject } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import { matchingScopes, quotaMatches, quotaScopeSelectors, statusHardNames, type QuotaEvaluator, type QuotaOperation } from '../../quota/evaluator.js';
import { evaluatorFor } from '../../quota/quota-registry.js';
import {
  addLists,
  lessThanOrEqual,
  listsEqual,
  maskList,
  negativeNames,
  prettyPrintList,
  prettyPrintNames,
  removeZeros,
  resourceListFromJSON,
  resourceListToJSON,
  subtractListsNonNegative,
  type ResourceList,
} from '../../quota/resource-list.js';

/** The ResourceQuota objects of a namespace (from the watch cache or storage). */
export type QuotaLookup = (namespace: string) => Promise<readonly ResourceQuota[]>;

/**
 * Writes one quota's status (PUT .../resourcequotas/NAME/status) only if its metadata.resourceVersion is still
 * current; throws (an ApiError 409 Conflict) otherwise.
 */
export type QuotaStatusWriter = (updated: ResourceQuota) => Promise<void>;

export interface QuotaRequest {
  op: QuotaOperation;
  r: ResourceInfo;
  obj: KubeObject;
  /** The stored object an UPDATE replaces. */
  old?: KubeObject | undefined;
  /** The subresource the request is for ("" or undefined for the main resource). */
  subresource?: string | undefined;
  /** The clock pods' deletion grace periods are measured against. */
  now?: Date | undefined;
}

function forbidden(req: QuotaRequest, why: string): ApiError {
  return ApiError.forbidden({ group: req.r.group, name: req.r.resource }, req.obj.metadata?.name ?? '', why);
}

/** The evaluator that applies to this request, or undefined when quota has nothing to say (Validate and Evaluate). */
function evaluatorForRequest(req: QuotaRequest): QuotaEvaluator | undefined {
  if ((req.subresource ?? '') !== '') return undefined;
  if (!req.r.namespaced || (req.obj.metadata?.namespace ?? '') === '') return undefined;
  const e = evaluatorFor(req.r.group, req.r.resource);
  if (e === undefined || !e.handles(req.op)) return undefined;
  return e;
}

function hasUsageStats(q: ResourceQuota, interesting: readonly string[]): boolean {
  const used = q.status?.used ?? {};
  return interesting.every((name) => q.status?.hard?.[name] === undefined || used[name] !== undefined);
}

function withUsed(q: ResourceQuota, used: ResourceList): ResourceQuota {
  return { ...q, status: { ...(q.status ?? {}), used: resourceListToJSON(used) } };
}

/**
 * CheckRequest: the quotas (all of them, in order) with status.used as they would be if the request succeeded;
 * throws ApiError forbidden with upstream's messages when it may not. Pure.
 */
export function checkResourceQuota(quotas: readonly ResourceQuota[], req: QuotaRequest): ResourceQuota[] {
  const evaluator = evaluatorForRequest(req);
  if (evaluator === undefined) return [...quotas];
  const now = req.now ?? new Date();
  const input = req.obj;

  const interesting: number[] = [];
  for (let i = 0; i < quotas.length; i++) {
    const q = quotas[i];
    if (q === undefined) continue;
    try {
      matchingScopes(evaluator, input, quotaScopeSelectors(q));
    } catch (e: unknown) {
      throw ApiError.internal(`error matching scopes of quota ${q.metadata?.name ?? ''}, err: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!quotaMatches(evaluator, q, input)) continue;
    const restricted = evaluator.matchingResources(statusHardNames(q));
    const failed = evaluator.constraints(restricted, input);
    if (failed !== undefined) throw forbidden(req, `failed quota: ${q.metadata?.name ?? ''}: ${failed}`);
    if (!hasUsageStats(q, restricted)) {
      throw forbidden(req, `status unknown for quota: ${q.metadata?.name ?? ''}, resources: ${prettyPrintNames(restricted)}`);
    }
    interesting.push(i);
  }

  const inputUsage = evaluator.usage(input, now);
  const negative = negativeNames(inputUsage);
  if (negative.length > 0) throw forbidden(req, `quota usage is negative for resource(s): ${prettyPrintNames(negative)}`);

  const delta = new Map<number, ResourceList>(interesting.map((i) => [i, inputUsage]));
  if (req.op === 'UPDATE') {
    const prev = req.old;
    if (prev === undefined) throw forbidden(req, 'unable to get previous usage since prior version of object was not found');
    // Charge the difference unless this is a create-on-update (no resourceVersion yet): then the whole usage.
    if ((prev.metadata?.resourceVersion ?? '') !== '') {
      const deltaUsage = subtractListsNonNegative(inputUsage, evaluator.usage(prev, now));
      for (const i of interesting) {
        const q = quotas[i];
        if (q !== undefined && quotaMatches(evaluator, q, prev)) delta.set(i, deltaUsage);
      }
    }
  }
  for (const [i, d] of [...delta]) {
    const nonZero = removeZeros(d);
    if (nonZero.size === 0) delta.delete(i);
    else delta.set(i, nonZero);
  }
  if (interesting.length === 0 || delta.size === 0) return [...quotas];

  const out = [...quotas];
  for (const i of interesting) {
    const q = quotas[i];
    const d = delta.get(i);
    if (q === undefined || d === undefined) continue;
    const hard = resourceListFromJSON(q.status?.hard);
    const used = resourceListFromJSON(q.status?.used);
    const requested = maskList(d, hard.keys());
    const newUsage = addLists(used, requested);
    const { allowed, exceeded } = lessThanOrEqual(maskList(newUsage, requested.keys()), hard);
    if (!allowed) {
      throw forbidden(
        req,
        `exceeded quota: ${q.metadata?.name ?? ''}, requested: ${prettyPrintList(maskList(requested, exceeded))}, used: ${prettyPrintList(maskList(used, exceeded))}, limited: ${prettyPrintList(maskList(hard, exceeded))}`,
      );
    }
    out[i] = withUsed(q, newUsage);
  }
  return out;
}

/** The quotas whose status.used differ between `before` and `after` (same order and length), as in `after`. */
export function changedQuotas(before: readonly ResourceQuota[], after: readonly ResourceQuota[]): ResourceQuota[] {
  const out: ResourceQuota[] = [];
  for (let i = 0; i < after.length; i++) {
    const a = after[i];
    const b = before[i];
    if (a === undefined) continue;
    if (b === undefined || !listsEqual(resourceListFromJSON(b.status?.used), resourceListFromJSON(a.status?.used))) out.push(a);
  }
  return out;
}

/**
 * Looks up the namespace's quotas and checks the request: the quotas to write (with the new status.used and their
 * resourceVersion unchanged, for the compare-and-swap), or [] when none changes; throws ApiError forbidden.
 */
export async function admitResourceQuota(op: QuotaOperation, r: ResourceInfo, obj: StoredObject, old: StoredObject | undefined, lookup: QuotaLookup, opts: { subresource?: string; now?: Date } = {}): Promise<ResourceQuota[]> {
  const req: QuotaRequest = { op, r, obj, old, subresource: opts.subresource, now: opts.now };
  if (evaluatorForRequest(req) === undefined) return [];
  const quotas = await lookup(obj.metadata.namespace ?? '');
  if (quotas.length === 0) return [];
  return changedQuotas(quotas, checkResourceQuota(quotas, req));
}

/**
 * The whole plugin: checks a request and writes the quotas it charges, as upstream's quotaEvaluator does. Requests of
 * one namespace are evaluated one at a time; a write that loses its compare-and-swap is retried (up to 3 times)
 * against the freshly looked-up quotas that failed, and the last error is thrown when retries run out. A dry run is
 * checked but writes nothing.
 */
export class ResourceQuotaAdmission {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly lookup: QuotaLookup,
    private readonly write: QuotaStatusWriter,
  ) {}

  async admit(op: QuotaOperation, r: ResourceInfo, obj: StoredObject, old: StoredObject | undefined, opts: { dryRun?: boolean; subresource?: string; now?: Date } = {}): Promise<void> {
    const req: QuotaRequest = { op, r, obj, old, subresource: opts.subresource, now: opts.now };
    if (evaluatorForRequest(req) === undefined) return;
    const ns = obj.metadata.namespace ?? '';
    await this.withLock(ns, async () => {
      const quotas = await this.lookup(ns);
      if (quotas.length === 0) return;
      await this.checkQuotas(quotas, req, opts.dryRun === true, 3);
    });
  }

  private async checkQuotas(quotas: readonly ResourceQuota[], req: QuotaRequest, dryRun: boolean, retries: number): Promise<void> {
    const changed = changedQuotas(quotas, checkResourceQuota(quotas, req));
    if (dryRun || changed.length === 0) return;
    const failed: ResourceQuota[] = [];
    let lastErr: unknown;
    for (const q of changed) {
      try {
        await this.write(q);
      } catch (e: unknown) {
        failed.push(q);
        lastErr = e;
      }
    }
    if (failed.length === 0) return;
    if (retries <= 0) throw lastErr;
    const names = new Set(failed.map((q) => q.metadata?.name));
    let fresh: readonly ResourceQuota[];
    try {
      fresh = await this.lookup(req.obj.metadata?.namespace ?? '');
    } catch {
      throw lastErr;
    }
    await this.checkQuotas(
      fresh.filter((q) => names.has(q.metadata?.name)),
      req,
      dryRun,
      retries - 1,
    );
  }

  private async withLock<T>(ns: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(ns) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(ns, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(ns) === tail) this.locks.delete(ns);
    }
  }
}
