// The Job controller (upstream's pkg/controller/job, v1.32 semantics): runs pods from the template up to
// parallelism until completions succeed (NonIndexed, or Indexed with one pod per completion index), replaces failed
// pods after an exponential pod-failure backoff, fails the Job at backoffLimit or activeDeadlineSeconds (FailureTarget
// first, Failed once no pod is terminating), completes it through SuccessCriteriaMet then Complete, and suspends it.
//
// Counting finished pods exactly once: upstream holds every pod with the batch.kubernetes.io/job-tracking finalizer
// until it is counted. k8ts creates no finalizer; a pod is "uncounted" until it carries the annotation
// k8ts.io/job-counted. The protocol is upstream's: a finished pod's UID is first written to
// status.uncountedTerminatedPods, then the pod is annotated, then the UID moves into status.succeeded/failed. A pod
// that vanishes before it is annotated (deleted while running) is remembered from its delete event and counted the
// same way; only a controller restart in that window loses it.
import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { log } from '../../cli/log.js';
import { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { LabelSelector, labelSelectorFromObject, type LabelSelectorObject } from '../../machinery/label-selector.js';
import { EventRecorder } from '../events/event-recorder.js';
import { getPodsToDelete, isPodActive, isPodReady } from '../podcontrol/active-pods.js';
import { ControllerExpectations } from '../podcontrol/controller-expectations.js';
import { PodControllerRefManager, getControllerOf, recheckDeletionTimestamp } from '../podcontrol/controller-ref-manager.js';
import {
  FailedCreatePodReason,
  PodControl,
  SuccessfulCreatePodReason,
  errorMessage,
  getPodFromTemplate,
  isNamespaceTerminating,
  newControllerRef,
  type ControllerObject,
} from '../podcontrol/pod-control.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import {
  ensureJobConditionStatus,
  findCondition,
  isJobFinished,
  messageBackoffLimitExceeded,
  messageCompletionsReached,
  messageDeadlineExceeded,
  newCondition,
  reasonBackoffLimitExceeded,
  reasonCompletionsReached,
  reasonDeadlineExceeded,
} from './job-conditions.js';
import {
  firstPendingIndexes,
  formatIndexes,
  getCompletionIndex,
  hasIndex,
  indexedPodsForRemoval,
  jobCompletionIndexAnnotation,
  parseIndexes,
  podGenerateNameWithIndex,
  totalIndexes,
  unknownCompletionIndex,
  withIndexes,
  type OrderedIntervals,
} from './indexed-job-utils.js';
import { nextBackoffRecord, remainingBackoffMs, type BackoffRecord } from './pod-failure-backoff.js';
import { runWithInformers } from '../runtime/run-with-informers.js';

export const jobControllerName = 'job-controller';
/** The annotation that marks a finished pod as counted in the Job's status (k8ts's stand-in for the finalizer). */
export const jobCountedAnnotation = 'k8ts.io/job-counted';
export const jobCompletionIndexLabel = 'batch.kubernetes.io/job-completion-index';
/** MaxPodCreateDeletePerSync. */
export const maxPodCreateDeletePerSync = 500;
/** MaxUncountedPods. */
export const maxUncountedPods = 500;
const jobWorkers = 5;

export interface JobControllerHandle {
  stop(): void;
  waitForSync(): Promise<void>;
  readonly recorder: EventRecorder;
}

export interface JobControllerOptions {
  now?: () => number;
  /** The pod-failure backoff base (10 s) and cap (10 min), for tests. */
  podFailureBackoffMs?: { base: number; max: number };
}

function jobPath(ns: string, name: string): string {
  return `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}/jobs/${encodeURIComponent(name)}`;
}

function keyOf(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function isCounted(pod: Pod): boolean {
  return pod.metadata?.annotations?.[jobCountedAnnotation] !== undefined;
}

function isIndexed(job: Job): boolean {
  return job.spec?.completionMode === 'Indexed';
}

function jobSuspended(job: Job): boolean {
  return job.spec?.suspend === true;
}

/** onlyReplaceFailedPods: podReplacementPolicy Failed, which a podFailurePolicy implies. */
function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy !== undefined;
}

/** isPodFailed: Failed, or (unless only failed pods are replaced) being deleted without having succeeded. */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (job.spec?.podFailurePolicy !== undefined || onlyReplaceFailedPods(job)) return false;
  return pod.metadata?.deletionTimestamp !== undefined && pod.status?.phase !== 'Succeeded';
}

/** CountTerminatingPods: pods being deleted that have not reached a terminal phase. */
export function countTerminatingPods(pods: readonly Pod[]): number {
  return pods.filter((p) => p.metadata?.deletionTimestamp !== undefined && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
}

/** pastBackoffLimitOnFailure: container restarts of running pods reach the limit (restartPolicy OnFailure only). */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of p.status?.initContainerStatuses ?? []) restarts += s.restartCount ?? 0;
    for (const s of p.status?.containerStatuses ?? []) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** The number of pods a Job wants active (manageJob's wantActive). */
export function wantActivePods(job: Job, succeeded: number, active: number): number {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  if (completions === undefined || completions === null) return succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(completions - succeeded, parallelism));
}

/** addCompletionIndexEnvVariables: JOB_COMPLETION_INDEX from the annotation, in every container that lacks it. */
function withCompletionIndexEnv(template: PodTemplateSpec): PodTemplateSpec {
  const t = structuredClone(template);
  const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${jobCompletionIndexAnnotation}']` } } };
  const spec = t.spec;
  if (spec === undefined) return t;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const list = (c.env ?? []) as NonNullable<typeof c.env>;
    if (!list.some((e) => e.name === 'JOB_COMPLETION_INDEX')) (c as { env?: typeof c.env }).env = [...list, env];
  }
  return t;
}

interface VanishedPod {
  uid: string;
  succeeded: boolean;
  index: number;
  pod: Pod;
}

export function startJobController(client: RestClient, opts: JobControllerOptions = {}): JobControllerHandle {
  const now = opts.now ?? Date.now;
  const backoffBase = opts.podFailureBackoffMs?.base;
  const backoffMax = opts.podFailureBackoffMs?.max;
  const jobs = new Informer(client, '/apis/batch/v1/jobs');
  const pods = new Informer(client, '/api/v1/pods');
  const recorder = new EventRecorder(client, { component: jobControllerName });
  const podControl = new PodControl(client, recorder);
  const expectations = new ControllerExpectations(now);
  const controller = new Controller(jobControllerName, (key) => syncJob(key), jobWorkers);
  /** Backoff records per job key (podBackoffStore). */
  const backoffs = new Map<string, BackoffRecord>();
  /** Pods annotated as counted whose annotation the cache has not shown yet (finalizerExpectations). */
  const countedPending = new Map<string, Set<string>>();
  /** Pods of a job that disappeared before they were counted. */
  const vanished = new Map<string, Map<string, VanishedPod>>();
  /** The UIDs each job's status has recorded in uncountedTerminatedPods (so a vanished pod is not counted twice). */
  const recorded = new Map<string, Set<string>>();

  const owner = (job: Job): ControllerObject => {
    const m = job.metadata ?? {};
    const meta: ControllerObject['metadata'] = { name: m.name ?? '', namespace: m.namespace ?? '', uid: m.uid ?? '' };
    if (m.resourceVersion !== undefined) meta.resourceVersion = m.resourceVersion;
    if (m.deletionTimestamp !== undefined) meta.deletionTimestamp = m.deletionTimestamp;
    return { apiVersion: 'batch/v1', kind: 'Job', metadata: meta };
  };
  const podKey = (p: Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

  const resolveControllerRef = (ns: string, ref: OwnerReference): Job | undefined => {
    if (ref.kind !== 'Job') return undefined;
    const j = jobs.get(`${ns}/${ref.name}`) as Job | undefined;
    return j?.metadata?.uid === ref.uid ? j : undefined;
  };
  const selectorOf = (job: Job): LabelSelector | undefined => {
    try {
      return labelSelectorFromObject(job.spec?.selector as LabelSelectorObject | undefined);
    } catch {
      return undefined;
    }
  };

  // ---- pod events ----
  const onPodGone = (pod: Pod, final: boolean): void => {
    const ref = getControllerOf(pod);
    if (ref === undefined) return;
    const job = resolveControllerRef(pod.metadata?.namespace ?? '', ref);
    if (job === undefined) return;
    const key = keyOf(job);
    expectations.deletionObserved(key, podKey(pod));
    const uid = pod.metadata?.uid ?? '';
    if (final) {
      const pending = countedPending.get(key);
      if (pending?.delete(uid) !== true && !isCounted(pod) && !isJobFinished(job) && recorded.get(key)?.has(uid) !== true) {
        let m = vanished.get(key);
        if (m === undefined) vanished.set(key, (m = new Map()));
        m.set(uid, { uid, succeeded: pod.status?.phase === 'Succeeded', index: getCompletionIndex(pod.metadata?.annotations), pod });
      }
    }
    controller.queue.add(key);
  };
  const onPodAdd = (pod: Pod): void => {
    if (pod.metadata?.deletionTimestamp !== undefined) {
      onPodGone(pod, false);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref !== undefined) {
      const job = resolveControllerRef(pod.metadata?.namespace ?? '', ref);
      if (job === undefined) return;
      expectations.creationObserved(keyOf(job));
      controller.queue.add(keyOf(job));
      return;
    }
    for (const o of jobs.list()) {
      const j = o as Job;
      if (j.metadata?.namespace !== pod.metadata?.namespace) continue;
      const sel = selectorOf(j);
      if (sel !== undefined && !sel.isEmpty() && sel.matches(pod.metadata?.labels ?? {})) controller.queue.add(keyOf(j));
    }
  };
  const onPodUpdate = (oldPod: Pod, curPod: Pod): void => {
    if (oldPod.metadata?.resourceVersion === curPod.metadata?.resourceVersion) return;
    const ref = getControllerOf(curPod);
    const job = ref === undefined ? undefined : resolveControllerRef(curPod.metadata?.namespace ?? '', ref);
    if (job !== undefined && isCounted(curPod)) countedPending.get(keyOf(job))?.delete(curPod.metadata?.uid ?? '');
    if (curPod.metadata?.deletionTimestamp !== undefined) {
      onPodGone(curPod, false);
      return;
    }
    const oldRef = getControllerOf(oldPod);
    if (oldRef !== undefined && JSON.stringify(oldRef) !== JSON.stringify(ref ?? null)) {
      const old = resolveControllerRef(oldPod.metadata?.namespace ?? '', oldRef);
      if (old !== undefined) controller.queue.add(keyOf(old));
    }
    if (job !== undefined) {
      controller.queue.add(keyOf(job));
      return;
    }
    if (ref === undefined) onPodAdd(curPod);
  };
  pods.addHandlers({
    add: (o) => onPodAdd(o as Pod),
    update: (o, n) => onPodUpdate(o as Pod, n as Pod),
    delete: (o) => onPodGone(o as Pod, true),
  });
  jobs.addHandlers({
    add: (o) => controller.queue.add(keyOf(o as Job)),
    update: (o, n) => {
      const oldJob = o as Job;
      const curJob = n as Job;
      if (oldJob.metadata?.uid !== curJob.metadata?.uid) {
        expectations.deleteExpectations(keyOf(oldJob));
        backoffs.delete(keyOf(oldJob));
      }
      controller.queue.add(keyOf(curJob));
      // An active deadline changed: look again when it passes.
      const ads = curJob.spec?.activeDeadlineSeconds;
      const start = curJob.status?.startTime;
      if (ads !== undefined && ads !== oldJob.spec?.activeDeadlineSeconds && start !== undefined) {
        controller.queue.addAfter(keyOf(curJob), Date.parse(start) + ads * 1000 - now());
      }
    },
    delete: (o) => {
      const key = keyOf(o as Job);
      expectations.deleteExpectations(key);
      controller.queue.add(key);
    },
  });

  // ---- pod creation and deletion ----
  const createPod = async (job: Job, template: PodTemplateSpec, generateName: string | undefined): Promise<void> => {
    const ns = job.metadata?.namespace ?? '';
    const own = owner(job);
    if (generateName === undefined) {
      await podControl.createPods(ns, template, own, newControllerRef(own));
      return;
    }
    const pod = getPodFromTemplate(template, own, newControllerRef(own));
    (pod.metadata as { generateName?: string }).generateName = generateName;
    let created: Pod;
    try {
      created = await client.request<Pod>('POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, pod);
    } catch (e: unknown) {
      if (!isNamespaceTerminating(e)) recorder.event(own, 'Warning', FailedCreatePodReason, 'Error creating: %v', errorMessage(e));
      throw e;
    }
    recorder.event(own, 'Normal', SuccessfulCreatePodReason, 'Created pod: %v', created.metadata?.name ?? '');
  };

  /** deleteJobPods: returns the deleted count and the ready ones among them. */
  const deleteJobPods = async (job: Job, key: string, toDelete: readonly Pod[], withExpectations: boolean): Promise<{ deleted: number; deletedReady: number; error?: Error }> => {
    let deleted = 0;
    let deletedReady = 0;
    let error: Error | undefined;
    await Promise.all(
      toDelete.map(async (pod) => {
        try {
          await podControl.deletePod(job.metadata?.namespace ?? '', pod.metadata?.name ?? '', owner(job));
          deleted++;
          if (isPodReady(pod)) deletedReady++;
        } catch (e: unknown) {
          if (withExpectations) expectations.deletionObserved(key, podKey(pod));
          if (e instanceof ApiError && e.code === 404) {
            deleted++;
            if (isPodReady(pod)) deletedReady++;
            return;
          }
          error ??= e instanceof Error ? e : new Error(String(e));
        }
      }),
    );
    return error === undefined ? { deleted, deletedReady } : { deleted, deletedReady, error };
  };

  interface SyncCtx {
    job: Job;
    key: string;
    pods: Pod[];
    activePods: Pod[];
    vanished: VanishedPod[];
    ready: number;
    terminating: number;
    succeeded: number;
    failed: number;
    prevSucceededIndexes: OrderedIntervals;
    succeededIndexes: OrderedIntervals;
    finishedCondition: ReturnType<typeof newCondition> | undefined;
    newBackoff: BackoffRecord;
    uncountedSucceeded: Set<string>;
    uncountedFailed: Set<string>;
  }

  const isUncountedHeld = (ctx: { key: string }, pod: Pod): boolean => !isCounted(pod) && countedPending.get(ctx.key)?.has(pod.metadata?.uid ?? '') !== true;

  /** manageJob: creates or deletes pods toward wantActive; returns the new active count. */
  const manageJob = async (ctx: SyncCtx): Promise<{ active: number; error?: Error }> => {
    const { job, key } = ctx;
    let active = ctx.activePods.length;
    if (jobSuspended(job)) {
      expectations.expectDeletions(key, ctx.activePods.map(podKey));
      const r = await deleteJobPods(job, key, ctx.activePods, true);
      active -= r.deleted;
      ctx.terminating += r.deleted;
      ctx.ready -= r.deletedReady;
      return r.error === undefined ? { active } : { active, error: r.error };
    }
    const wantActive = wantActivePods(job, ctx.succeeded, active);
    const rmAtLeast = Math.max(0, active - wantActive);
    // activePodsForRemoval: pods with bad or duplicate indexes first, then the least valuable.
    let toDelete: Pod[] = [];
    if (isIndexed(job)) toDelete = indexedPodsForRemoval(ctx.activePods, ctx.succeededIndexes, job.spec?.completions ?? 0);
    if (toDelete.length < rmAtLeast) {
      const rest = ctx.activePods.filter((p) => !toDelete.includes(p));
      toDelete = [...toDelete, ...getPodsToDelete(rest, rest, rmAtLeast - toDelete.length, now())];
    }
    toDelete = toDelete.slice(0, maxPodCreateDeletePerSync);
    if (toDelete.length > 0) {
      expectations.expectDeletions(key, toDelete.map(podKey));
      log.info('too many pods running', { controller: jobControllerName, key, deleting: toDelete.length, need: wantActive });
      const r = await deleteJobPods(job, key, toDelete, true);
      active -= r.deleted;
      ctx.terminating += r.deleted;
      ctx.ready -= r.deletedReady;
      return r.error === undefined ? { active } : { active, error: r.error };
    }
    const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return { active };
    const remaining = remainingBackoffMs(ctx.newBackoff, now(), backoffBase, backoffMax);
    if (remaining > 0) {
      controller.queue.addAfter(key, remaining);
      return { active };
    }
    diff = Math.min(diff, maxPodCreateDeletePerSync);
    let indexes: number[] = [];
    if (isIndexed(job)) {
      indexes = firstPendingIndexes(ctx.activePods, ctx.succeededIndexes, diff, job.spec?.completions ?? 0);
      diff = indexes.length;
    }
    if (diff === 0) return { active };
    expectations.expectCreations(key, diff);
    log.info('too few pods running', { controller: jobControllerName, key, need: wantActive, creating: diff });
    active += diff;
    const template = isIndexed(job) ? withCompletionIndexEnv(job.spec?.template ?? {}) : (job.spec?.template ?? {});
    let created = 0;
    let error: Error | undefined;
    // Slow start: batches of 1, 2, 4, ... stop at the first failure.
    let i = 0;
    for (let batch = Math.min(diff, 1); i < diff && error === undefined; batch = Math.min(2 * batch, diff - i)) {
      const slice = Array.from({ length: batch }, (_, k) => i + k);
      i += batch;
      await Promise.all(
        slice.map(async (k) => {
          let t = template;
          let generateName: string | undefined;
          const ix = indexes[k];
          if (ix !== undefined) {
            t = structuredClone(template);
            const meta = (t.metadata ??= {}) as { annotations?: Record<string, string>; labels?: Record<string, string> };
            meta.annotations = { ...(meta.annotations ?? {}), [jobCompletionIndexAnnotation]: String(ix) };
            meta.labels = { ...(meta.labels ?? {}), [jobCompletionIndexLabel]: String(ix) };
            if (t.spec !== undefined) (t.spec as { hostname?: string }).hostname = `${job.metadata?.name ?? ''}-${ix}`;
            generateName = podGenerateNameWithIndex(job.metadata?.name ?? '', ix);
          }
          try {
            await createPod(job, t, generateName);
            created++;
          } catch (e: unknown) {
            if (isNamespaceTerminating(e)) return;
            error ??= e instanceof Error ? e : new Error(String(e));
          }
        }),
      );
    }
    // Creations that failed or never ran will not be observed.
    const missing = diff - created;
    for (let k = 0; k < missing; k++) expectations.creationObserved(key);
    active -= missing;
    return error === undefined ? { active } : { active, error };
  };

  const putStatus = async (job: Job): Promise<Job> => {
    const body = { ...job, apiVersion: 'batch/v1', kind: 'Job' };
    return client.request<Job>('PUT', `${jobPath(job.metadata?.namespace ?? '', job.metadata?.name ?? '')}/status`, body);
  };

  /** Annotates finished pods as counted; returns the UIDs now counted (annotated, or gone). */
  const markCounted = async (key: string, toMark: readonly Pod[]): Promise<{ done: Set<string>; error?: Error }> => {
    const done = new Set<string>();
    let error: Error | undefined;
    let pending = countedPending.get(key);
    if (pending === undefined) countedPending.set(key, (pending = new Set()));
    await Promise.all(
      toMark.map(async (pod) => {
        const uid = pod.metadata?.uid ?? '';
        pending.add(uid);
        try {
          await podControl.patchPod(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', { metadata: { uid, annotations: { [jobCountedAnnotation]: 'true' } } });
          done.add(uid);
        } catch (e: unknown) {
          pending.delete(uid);
          if (e instanceof ApiError && e.code === 404) {
            done.add(uid);
            return;
          }
          error ??= e instanceof Error ? e : new Error(String(e));
        }
      }),
    );
    return error === undefined ? { done } : { done, error };
  };

  /** cleanUncountedPodsWithoutFinalizers: UIDs no longer held move from the uncounted lists into the counters. */
  const cleanUncounted = (status: JobStatus, held: ReadonlySet<string>): boolean => {
    const u = (status.uncountedTerminatedPods ??= {});
    let updated = false;
    const succ = (u.succeeded ?? []).filter((uid) => held.has(uid));
    if (succ.length !== (u.succeeded ?? []).length) {
      status.succeeded = (status.succeeded ?? 0) + (u.succeeded ?? []).length - succ.length;
      updated = true;
    }
    const fail = (u.failed ?? []).filter((uid) => held.has(uid));
    if (fail.length !== (u.failed ?? []).length) {
      status.failed = (status.failed ?? 0) + (u.failed ?? []).length - fail.length;
      updated = true;
    }
    // Empty lists are left out, as Go's nil slices are.
    if (succ.length > 0) u.succeeded = succ;
    else delete u.succeeded;
    if (fail.length > 0) u.failed = fail;
    else delete u.failed;
    return updated;
  };

  /** trackJobStatusAndRemoveFinalizers, with the counted annotation in the finalizer's place. */
  const trackJobStatus = async (ctx: SyncCtx, needsFlushIn: boolean): Promise<void> => {
    let needsFlush = needsFlushIn;
    let job = ctx.job;
    const indexed = isIndexed(job);
    const completions = job.spec?.completions ?? 0;
    const held = new Set<string>();
    for (const p of ctx.pods) if (isUncountedHeld(ctx, p)) held.add(p.metadata?.uid ?? '');
    for (const v of ctx.vanished) held.add(v.uid);
    const status = (job.status ??= {});
    const uncounted = (status.uncountedTerminatedPods ??= {});
    // Vanished pods are no longer held once recorded as uncounted.
    const vanishedUids = new Set(ctx.vanished.map((v) => v.uid));
    const heldNow = new Set([...held].filter((uid) => !vanishedUids.has(uid) || !(uncounted.succeeded ?? []).concat(uncounted.failed ?? []).includes(uid)));
    if (cleanUncounted(status, heldNow)) needsFlush = true;
    const toMark: Pod[] = [];
    const newSucceededIndexes: number[] = [];
    let reachedMax = false;
    const candidates: { pod: Pod; vanished: boolean }[] = [...ctx.pods.map((pod) => ({ pod, vanished: false })), ...ctx.vanished.map((v) => ({ pod: v.pod, vanished: true }))];
    if (indexed) candidates.sort((a, b) => getCompletionIndex(a.pod.metadata?.annotations) - getCompletionIndex(b.pod.metadata?.annotations));
    const finishedFailing = ctx.finishedCondition !== undefined && ctx.finishedCondition.type !== 'SuccessCriteriaMet';
    for (const { pod, vanished: gone } of candidates) {
      const uid = pod.metadata?.uid ?? '';
      if (!gone && !isUncountedHeld(ctx, pod)) continue;
      const considerFailed = gone ? pod.status?.phase !== 'Succeeded' : isPodFailed(pod, job);
      const canCount = gone || job.metadata?.deletionTimestamp !== undefined || ctx.finishedCondition !== undefined || pod.status?.phase === 'Succeeded' || considerFailed;
      if (!canCount) continue;
      if (!gone) toMark.push(pod);
      const ix = getCompletionIndex(pod.metadata?.annotations);
      if (pod.status?.phase === 'Succeeded' && !ctx.uncountedFailed.has(uid)) {
        if (indexed) {
          if (ix !== unknownCompletionIndex && ix < completions && !hasIndex(ctx.prevSucceededIndexes, ix)) {
            newSucceededIndexes.push(ix);
            needsFlush = true;
          }
        } else if (!ctx.uncountedSucceeded.has(uid)) {
          needsFlush = true;
          (uncounted.succeeded ??= []).push(uid);
        }
      } else if (considerFailed || finishedFailing) {
        if (!ctx.uncountedFailed.has(uid) && (!indexed || (ix !== unknownCompletionIndex && ix < completions))) {
          needsFlush = true;
          (uncounted.failed ??= []).push(uid);
        }
      }
      if (newSucceededIndexes.length + (uncounted.succeeded ?? []).length + (uncounted.failed ?? []).length >= maxUncountedPods) {
        reachedMax = true;
        break;
      }
    }
    if (indexed) {
      ctx.succeededIndexes = withIndexes(ctx.succeededIndexes, newSucceededIndexes);
      const s = formatIndexes(ctx.succeededIndexes);
      if (s !== (status.completedIndexes ?? '')) needsFlush = true;
      status.succeeded = totalIndexes(ctx.succeededIndexes);
      status.completedIndexes = s;
    }
    let finished = ctx.finishedCondition;
    if (finished !== undefined && finished.type === 'FailureTarget') {
      status.conditions = [...(status.conditions ?? []), finished];
      needsFlush = true;
      finished = newCondition('Failed', 'True', finished.reason ?? '', finished.message ?? '', now());
    }
    if (finished !== undefined && finished.type === 'SuccessCriteriaMet') {
      if (findCondition(status.conditions, 'SuccessCriteriaMet')?.status !== 'True') {
        status.conditions = [...(status.conditions ?? []), finished];
        needsFlush = true;
      }
      finished = newCondition('Complete', 'True', finished.reason ?? '', finished.message ?? '', now());
    }
    // 1. Flush the new uncounted UIDs (and interim conditions).
    if (needsFlush) {
      job = await putStatus(job);
      backoffs.set(ctx.key, ctx.newBackoff);
      let rec = recorded.get(ctx.key);
      if (rec === undefined) recorded.set(ctx.key, (rec = new Set()));
      for (const uid of [...(uncounted.succeeded ?? []), ...(uncounted.failed ?? [])]) rec.add(uid);
      needsFlush = false;
    }
    const st = (job.status ??= {});
    // 2. Mark the pods counted.
    let markErr: Error | undefined;
    if (toMark.length > 0) {
      const r = await markCounted(ctx.key, toMark);
      for (const uid of r.done) heldNow.delete(uid);
      markErr = r.error;
    }
    for (const v of ctx.vanished) heldNow.delete(v.uid);
    // 3. Move the marked UIDs into the counters.
    if (cleanUncounted(st, heldNow)) needsFlush = true;
    const vm = vanished.get(ctx.key);
    const u = st.uncountedTerminatedPods ?? {};
    const stillUncounted = new Set([...(u.succeeded ?? []), ...(u.failed ?? [])]);
    // enactJobFinished: the terminal condition once nothing is uncounted or terminating.
    let jobFinished = false;
    if (!reachedMax && finished !== undefined && stillUncounted.size === 0 && ctx.terminating === 0) {
      const r = ensureJobConditionStatus(st.conditions, finished.type, 'True', finished.reason ?? '', finished.message ?? '', now());
      st.conditions = r.conditions;
      if (finished.type === 'Complete') st.completionTime = finished.lastTransitionTime;
      jobFinished = true;
      needsFlush = true;
    }
    if (needsFlush) {
      job = await putStatus(job);
      for (const v of ctx.vanished) if (!stillUncounted.has(v.uid)) vm?.delete(v.uid);
      if (jobFinished) {
        const own = owner(job);
        if (finished?.type === 'Complete') {
          const completionsN = job.spec?.completions;
          if (completionsN !== undefined && completionsN !== null && (job.status?.succeeded ?? 0) > completionsN) {
            recorder.event(own, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
          }
          recorder.event(own, 'Normal', 'Completed', 'Job completed');
        } else if (finished !== undefined) {
          recorder.event(own, 'Warning', finished.reason ?? '', '%s', finished.message ?? '');
        }
        backoffs.delete(ctx.key);
        vanished.delete(ctx.key);
        recorded.delete(ctx.key);
      }
    }
    if (markErr !== undefined) throw markErr;
  };

  const syncJob = async (key: string): Promise<ReconcileResult> => {
    const o = jobs.get(key);
    if (o === undefined) {
      expectations.deleteExpectations(key);
      countedPending.delete(key);
      backoffs.delete(key);
      vanished.delete(key);
      recorded.delete(key);
      return;
    }
    const job = structuredClone(o) as Job;
    if (isJobFinished(job)) {
      backoffs.delete(key);
      return;
    }
    const mode = job.spec?.completionMode;
    if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
      recorder.event(owner(job), 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
      return;
    }
    const managedBy = job.spec?.managedBy;
    if (managedBy !== undefined && managedBy !== 'kubernetes.io/job-controller') return;
    const status = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};
    const satisfied = expectations.satisfiedExpectations(key);
    const ns = job.metadata?.namespace ?? '';
    const selector = selectorOf(job);
    if (selector === undefined) {
      log.warn('invalid selector', { controller: jobControllerName, key });
      return;
    }
    // getPodsForJob: claim the namespace's pods (adopting matching orphans, releasing owned pods that stopped matching).
    const canAdopt = recheckDeletionTimestamp(async () => {
      const fresh = await client.request<Job>('GET', jobPath(ns, job.metadata?.name ?? ''));
      if (fresh.metadata?.uid !== job.metadata?.uid) throw new Error(`original Job ${ns}/${job.metadata?.name ?? ''} is gone: got uid ${fresh.metadata?.uid ?? ''}, wanted ${job.metadata?.uid ?? ''}`);
      return owner(fresh);
    });
    const own = owner(job);
    // Its own pods in any state, and the namespace's active orphans; other controllers' pods the claim would ignore.
    const candidates = [...(pods.listControlledBy(own.metadata.uid) as Pod[]), ...(pods.listOrphans(ns) as Pod[]).filter(isPodActive)];
    const jobPods = await new PodControllerRefManager(podControl, own, selector, canAdopt).claimPods(candidates);
    const activePods = jobPods.filter(isPodActive);
    // Vanished pods whose UID the status already recorded are counted through that record.
    const rec = recorded.get(key);
    const vm = vanished.get(key);
    for (const uid of [...(vm?.keys() ?? [])]) if (rec?.has(uid) === true) vm?.delete(uid);
    const vanishedPods = [...(vm?.values() ?? [])];
    const uncountedSucceeded = new Set(status.uncountedTerminatedPods.succeeded ?? []);
    const uncountedFailed = new Set(status.uncountedTerminatedPods.failed ?? []);
    const ctxBase = { key };
    // getNewFinishedPods.
    const newSucceededPods: Pod[] = [];
    const newFailedPods: Pod[] = [];
    for (const p of jobPods) {
      if (!isUncountedHeld(ctxBase, p)) continue;
      const uid = p.metadata?.uid ?? '';
      if (p.status?.phase === 'Succeeded' && !uncountedSucceeded.has(uid)) newSucceededPods.push(p);
      else if (isPodFailed(p, job) && !uncountedFailed.has(uid)) newFailedPods.push(p);
    }
    for (const v of vanishedPods) {
      if (v.succeeded && !uncountedSucceeded.has(v.uid)) newSucceededPods.push(v.pod);
      else if (!v.succeeded && !uncountedFailed.has(v.uid)) newFailedPods.push(v.pod);
    }
    const nowMs = now();
    const ctx: SyncCtx = {
      job,
      key,
      pods: jobPods,
      activePods,
      vanished: vanishedPods,
      ready: activePods.filter(isPodReady).length,
      terminating: countTerminatingPods(jobPods),
      succeeded: (status.succeeded ?? 0) + newSucceededPods.length + uncountedSucceeded.size,
      failed: (status.failed ?? 0) + newFailedPods.length + uncountedFailed.size,
      prevSucceededIndexes: [],
      succeededIndexes: [],
      finishedCondition: undefined,
      newBackoff: nextBackoffRecord(backoffs.get(key), newSucceededPods, newFailedPods, nowMs),
      uncountedSucceeded,
      uncountedFailed,
    };
    if (status.startTime === undefined && !jobSuspended(job)) status.startTime = new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');

    const backoffLimit = job.spec?.backoffLimit ?? 6;
    const scm = findCondition(status.conditions, 'SuccessCriteriaMet');
    if (scm?.status === 'True') ctx.finishedCondition = scm;
    if (ctx.finishedCondition === undefined) {
      const ft = findCondition(status.conditions, 'FailureTarget');
      if (ft?.status === 'True') ctx.finishedCondition = newCondition('Failed', 'True', ft.reason ?? '', ft.message ?? '', nowMs);
    }
    if (ctx.finishedCondition === undefined) {
      const ads = job.spec?.activeDeadlineSeconds;
      const startMs = status.startTime === undefined ? undefined : Date.parse(status.startTime);
      if (ctx.failed > backoffLimit || pastBackoffLimitOnFailure(job, jobPods)) {
        ctx.finishedCondition = newCondition('FailureTarget', 'True', reasonBackoffLimitExceeded, messageBackoffLimitExceeded, nowMs);
      } else if (ads !== undefined && startMs !== undefined && !jobSuspended(job) && nowMs - startMs >= ads * 1000) {
        ctx.finishedCondition = newCondition('FailureTarget', 'True', reasonDeadlineExceeded, messageDeadlineExceeded, nowMs);
      } else if (ads !== undefined && startMs !== undefined && !jobSuspended(job)) {
        controller.queue.addAfter(key, startMs + ads * 1000 - nowMs);
      }
    }
    if (isIndexed(job)) {
      const completions = job.spec?.completions ?? 0;
      ctx.prevSucceededIndexes = parseIndexes(status.completedIndexes, completions);
      const fresh: number[] = [];
      for (const p of jobPods) {
        if (p.status?.phase !== 'Succeeded' || !isUncountedHeld(ctxBase, p)) continue;
        const ix = getCompletionIndex(p.metadata?.annotations);
        if (ix !== unknownCompletionIndex && ix < completions && !hasIndex(ctx.prevSucceededIndexes, ix)) fresh.push(ix);
      }
      for (const v of vanishedPods) if (v.succeeded && v.index !== unknownCompletionIndex && v.index < completions) fresh.push(v.index);
      ctx.succeededIndexes = withIndexes(ctx.prevSucceededIndexes, fresh);
      ctx.succeeded = totalIndexes(ctx.succeededIndexes);
    }

    let active = activePods.length;
    let manageErr: Error | undefined;
    let suspendCondChanged = false;
    if (ctx.finishedCondition !== undefined) {
      const r = await deleteJobPods(job, key, activePods, false);
      if (r.deleted !== active || !satisfied) ctx.finishedCondition = undefined;
      active -= r.deleted;
      ctx.terminating += r.deleted;
      ctx.ready -= r.deletedReady;
      manageErr = r.error;
    } else {
      let manageJobCalled = false;
      if (satisfied && job.metadata?.deletionTimestamp === undefined) {
        const r = await manageJob(ctx);
        active = r.active;
        manageErr = r.error;
        manageJobCalled = true;
      }
      const completions = job.spec?.completions;
      const complete = completions === undefined || completions === null ? ctx.succeeded > 0 && active === 0 : ctx.succeeded >= completions && active === 0;
      if (complete) {
        ctx.finishedCondition = newCondition('SuccessCriteriaMet', 'True', reasonCompletionsReached, messageCompletionsReached, nowMs);
      } else if (manageJobCalled) {
        if (jobSuspended(job)) {
          const r = ensureJobConditionStatus(status.conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', nowMs);
          if (r.updated) {
            status.conditions = r.conditions;
            suspendCondChanged = true;
            recorder.event(own, 'Normal', 'Suspended', 'Job suspended');
          }
        } else {
          const r = ensureJobConditionStatus(status.conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', nowMs);
          if (r.updated) {
            status.conditions = r.conditions;
            suspendCondChanged = true;
            recorder.event(own, 'Normal', 'Resumed', 'Job resumed');
            // ActiveDeadlineSeconds counts from the resumption.
            status.startTime = new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
          }
        }
      }
    }
    const needsStatusUpdate =
      suspendCondChanged || active !== (status.active ?? 0) || ctx.ready !== status.ready || ctx.terminating !== status.terminating || status.startTime !== (o as Job).status?.startTime;
    status.active = active;
    status.ready = ctx.ready;
    status.terminating = ctx.terminating;
    await trackJobStatus(ctx, needsStatusUpdate);
    if (manageErr !== undefined) throw manageErr;
    return;
  };

  return { ...runWithInformers(controller, [pods, jobs], recorder), recorder };
}
