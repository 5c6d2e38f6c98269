// Leader election over a coordination.k8s.io/v1 Lease, as client-go's tools/leaderelection does it (leaderelection.go
// with resourcelock/leaselock.go): candidates poll the Lease every RetryPeriod (with jitter); a candidate takes over
// only when the record it observes has not changed for the record's leaseDurationSeconds, measured on its own
// monotonic clock (the timestamps in the record are never compared with the local clock, so clock skew between
// candidates does not matter); the leader renews every RetryPeriod and gives up when it could not renew for
// RenewDeadline; every write is an update carrying the resourceVersion last read, so a racing writer gets 409
// Conflict and tries again next period. With ReleaseOnCancel the leader, on stop, writes an empty holderIdentity
// with leaseDurationSeconds 1 so that another candidate takes over at once.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1.js';
import { log } from '../cli/log.js';
import { formatMicroTime } from '../api/protobuf/go-json-formats.js';
import { ApiError } from '../machinery/errors.js';
import type { RestClient } from './rest-client.js';

/** The defaults of kube-controller-manager and kube-scheduler (--leader-elect-lease-duration and friends). */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** wait.JitterUntil's factor for the acquire loop: each wait is retryPeriod * (1 + random * 1.2). */
export const JITTER_FACTOR = 1.2;

/** The Leases upstream's control plane components hold (--leader-elect-resource-namespace / -name). */
export const LEADER_ELECTION_NAMESPACE = 'kube-system';
export const KUBE_CONTROLLER_MANAGER_LEASE = 'kube-controller-manager';
export const KUBE_SCHEDULER_LEASE = 'kube-scheduler';

/** resourcelock.LeaderElectionRecord: what a Lease spec says about the election. */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** metav1.MicroTime as written in the Lease ("2006-01-02T15:04:05.000000Z"), or "" when absent. */
  acquireTime: string;
  renewTime: string;
  leaderTransitions: number;
  strategy?: string;
  preferredHolder?: string;
}

/** What a candidate last saw of the record, and when (on its local monotonic clock, in ms). */
export interface Observation {
  record: LeaderElectionRecord;
  /** The record as compared between polls: any change counts as the holder being alive. */
  raw: string;
  time: number;
}

export type ElectionDecision =
  /** The lock is held by another and has not expired on our clock: try again next period. */
  | { action: 'wait'; holder: string }
  /** Write this record, taking the lock over (leaderTransitions one more than observed). */
  | { action: 'acquire'; record: LeaderElectionRecord }
  /** We hold the lock: write this record (acquireTime and leaderTransitions kept). */
  | { action: 'renew'; record: LeaderElectionRecord };

export interface LeaderCallbacks {
  /** Called when this candidate starts leading; the signal aborts when it stops leading. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called when run() ends, as upstream's deferred OnStoppedLeading (also when the candidate never led). */
  onStoppedLeading(): void;
  /** Called when the observed holder changes (including the first holder seen, and "" after a release). */
  onNewLeader?(identity: string): void;
}

/** What records "became leader" / "stopped leading" events on the Lease (an EventRecorder fits). */
export interface LeaderElectionEventSink {
  event(involved: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string } }, type: 'Normal', reason: string, messageFmt: string, ...args: unknown[]): void;
}

export interface LeaderElectorOptions {
  namespace: string;
  name: string;
  /** The candidate's identity (upstream components use `<hostname>_<uuid>`: see defaultLeaderElectionIdentity). */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  eventRecorder?: LeaderElectionEventSink;
  /** The monotonic clock observations are timed with (ms); for tests. */
  now?: () => number;
  /** The wall clock the record's timestamps come from (ms since the epoch, fractional for microseconds); for tests. */
  wallClock?: () => number;
}

/** `<hostname>_<uuid>`, the identity kube-controller-manager and kube-scheduler give themselves. */
export function defaultLeaderElectionIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

/** metav1.MicroTime for a wall-clock time in (fractional) milliseconds since the epoch. */
export function microTime(epochMs: number): string {
  const micros = Math.floor(epochMs * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  return formatMicroTime(BigInt(seconds), (micros - seconds * 1_000_000) * 1000);
}

/** The wall clock with microseconds (Date.now() has only milliseconds). */
function preciseWallClock(): number {
  return performance.timeOrigin + performance.now();
}

/** resourcelock.LeaseSpecToLeaderElectionRecord. */
export function leaseSpecToRecord(spec: LeaseSpec | undefined): LeaderElectionRecord {
  const r: LeaderElectionRecord = {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: spec?.acquireTime ?? '',
    renewTime: spec?.renewTime ?? '',
    leaderTransitions: spec?.leaseTransitions ?? 0,
  };
  const s = spec as (LeaseSpec & { strategy?: string; preferredHolder?: string }) | undefined;
  if (s?.strategy !== undefined && s.strategy !== '') r.strategy = s.strategy;
  if (s?.preferredHolder !== undefined && s.preferredHolder !== '') r.preferredHolder = s.preferredHolder;
  return r;
}

/** resourcelock.LeaderElectionRecordToLeaseSpec: every field written, holderIdentity even when "". */
export function recordToLeaseSpec(r: LeaderElectionRecord): LeaseSpec {
  const spec: LeaseSpec & { strategy?: string; preferredHolder?: string } = {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    leaseTransitions: r.leaderTransitions,
  };
  if (r.acquireTime !== '') spec.acquireTime = r.acquireTime;
  if (r.renewTime !== '') spec.renewTime = r.renewTime;
  if (r.strategy !== undefined) spec.strategy = r.strategy;
  if (r.preferredHolder !== undefined) spec.preferredHolder = r.preferredHolder;
  return spec;
}

/**
 * The record as compared between polls. Upstream compares the JSON of the record with its times at second precision;
 * comparing the microseconds as well only ever sees more renewals, which matters when renewals come more often than
 * once a second (short periods in tests).
 */
function rawRecord(r: LeaderElectionRecord): string {
  return JSON.stringify([r.holderIdentity, r.leaseDurationSeconds, r.acquireTime, r.renewTime, r.leaderTransitions, r.strategy ?? '', r.preferredHolder ?? '']);
}

/** Records what was read: a changed record restarts the clock, an unchanged one keeps the time it was first seen. */
export function observe(previous: Observation | undefined, record: LeaderElectionRecord, now: number): Observation {
  const raw = rawRecord(record);
  if (previous !== undefined && previous.raw === raw) return previous;
  return { record, raw, time: now };
}

/** isLeaseValid: the observed record has changed within its own leaseDurationSeconds, on the local clock. */
export function isLeaseValid(observation: Observation, now: number): boolean {
  return observation.time + observation.record.leaseDurationSeconds * 1000 > now;
}

/**
 * Steps 3 and 4 of tryAcquireOrRenew, once the current record has been observed: wait while another holds an
 * unexpired lock, renew our own, otherwise take it over. `desired` is the record we would write as a new holder
 * (our identity, our lease duration, now as acquire and renew time).
 */
export function decideAcquireOrRenew(identity: string, observation: Observation, now: number, desired: LeaderElectionRecord): ElectionDecision {
  const current = observation.record;
  const isLeader = current.holderIdentity === identity;
  if (current.holderIdentity !== '' && isLeaseValid(observation, now) && !isLeader) return { action: 'wait', holder: current.holderIdentity };
  const record: LeaderElectionRecord = { ...desired };
  if (current.strategy !== undefined) record.strategy = current.strategy;
  if (current.preferredHolder !== undefined) record.preferredHolder = current.preferredHolder;
  if (isLeader) return { action: 'renew', record: { ...record, acquireTime: current.acquireTime, leaderTransitions: current.leaderTransitions } };
  return { action: 'acquire', record: { ...record, leaderTransitions: current.leaderTransitions + 1 } };
}

/** The record a leader writes when it lets go (release): no holder, a one-second lease, the same transitions. */
export function releasedRecord(observed: LeaderElectionRecord, wallTime: string): LeaderElectionRecord {
  const r: LeaderElectionRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: wallTime, renewTime: wallTime, leaderTransitions: observed.leaderTransitions };
  if (observed.strategy !== undefined) r.strategy = observed.strategy;
  if (observed.preferredHolder !== undefined) r.preferredHolder = observed.preferredHolder;
  return r;
}

/** NewLeaderElector's checks, with its messages. */
export function validateLeaderElectionConfig(leaseDurationMs: number, renewDeadlineMs: number, retryPeriodMs: number, identity: string): void {
  if (leaseDurationMs <= renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
  if (renewDeadlineMs <= JITTER_FACTOR * retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
  if (leaseDurationMs < 1) throw new Error('leaseDuration must be greater than zero');
  if (renewDeadlineMs < 1) throw new Error('renewDeadline must be greater than zero');
  if (retryPeriodMs < 1) throw new Error('retryPeriod must be greater than zero');
  // The Lease holds whole seconds (upstream truncates, and the API rejects 0).
  if (leaseDurationMs < 1000) throw new Error('leaseDuration must be at least one second');
  if (identity === '') throw new Error('Lock identity is empty');
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Resolves after `ms`, or at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** A candidate in the election for one Lease. */
export class LeaderElector {
  readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly releaseOnCancel: boolean;
  private readonly now: () => number;
  private readonly wallClock: () => number;
  private readonly path: string;
  private readonly describe: string;
  private readonly stopController = new AbortController();
  private observation: Observation | undefined;
  /** The Lease as last read or written: updates carry its resourceVersion. */
  private lease: Lease | undefined;
  private reportedLeader = '';
  private leading = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly opts: LeaderElectorOptions,
  ) {
    this.identity = opts.identity;
    this.leaseDurationMs = opts.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = opts.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    validateLeaderElectionConfig(this.leaseDurationMs, this.renewDeadlineMs, this.retryPeriodMs, opts.identity);
    this.releaseOnCancel = opts.releaseOnCancel ?? false;
    this.now = opts.now ?? (() => performance.now());
    this.wallClock = opts.wallClock ?? preciseWallClock;
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(opts.namespace)}/leases/${encodeURIComponent(opts.name)}`;
    this.describe = `${opts.namespace}/${opts.name}`;
  }

  /** Whether this candidate is leading: it acquired the lock and has neither lost it nor been stopped. */
  isLeader(): boolean {
    return this.leading;
  }

  /** The holder of the last observed record ("" before any). */
  getLeader(): string {
    return this.observation?.record.holderIdentity ?? '';
  }

  /**
   * Campaigns until leading, then renews until the lock is lost or stop() is called; resolves when that happens (as
   * upstream's Run returns: a caller that must not go on without the lock exits then). Can run once.
   */
  run(): Promise<void> {
    if (this.running !== undefined) throw new Error(`leader election for ${this.describe} is already running`);
    this.running = this.runOnce();
    return this.running;
  }

  /** Stops campaigning or leading; with releaseOnCancel a leader releases the lock first. Resolves when run() ends. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async runOnce(): Promise<void> {
    const leadership = new AbortController();
    try {
      if (!(await this.acquire())) return;
      if (this.stopped) {
        // Stopped while the lock was being taken: let it go again without starting to lead.
        if (this.releaseOnCancel) await this.release();
        return;
      }
      this.leading = true;
      void (async () => {
        try {
          await this.opts.callbacks.onStartedLeading(leadership.signal);
        } catch (e: unknown) {
          log.error('OnStartedLeading failed', { lease: this.describe, err: errText(e) });
        }
      })();
      await this.renew();
    } finally {
      this.leading = false;
      leadership.abort();
      try {
        this.opts.callbacks.onStoppedLeading();
      } catch (e: unknown) {
        log.error('OnStoppedLeading failed', { lease: this.describe, err: errText(e) });
      }
    }
  }

  /** Tries every retryPeriod (jittered, counted from the end of each try) until it holds the lock or is stopped. */
  private async acquire(): Promise<boolean> {
    log.info('attempting to acquire leader lease', { lease: this.describe, identity: this.identity });
    while (!this.stopped) {
      const ok = await this.tryAcquireOrRenew();
      this.maybeReportTransition();
      if (ok) {
        this.recordEvent('became leader');
        log.info('successfully acquired lease', { lease: this.describe, identity: this.identity });
        return true;
      }
      await sleep(this.retryPeriodMs * (1 + Math.random() * JITTER_FACTOR), this.stopController.signal);
    }
    return false;
  }

  /**
   * Renews every retryPeriod; a renewal retries every retryPeriod until renewDeadline has passed since it began, and
   * then leadership is lost. On the way out, a leader with releaseOnCancel releases the lock.
   */
  private async renew(): Promise<void> {
    const signal = this.stopController.signal;
    for (;;) {
      if (this.stopped) break;
      const deadline = this.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!this.stopped) {
        renewed = await this.tryWithin(deadline);
        if (renewed) break;
        const left = deadline - this.now();
        if (left <= 0) break;
        await sleep(Math.min(this.retryPeriodMs, left), signal);
        if (this.now() >= deadline) break;
      }
      this.maybeReportTransition();
      if (this.stopped) break;
      if (!renewed) {
        log.info('failed to renew lease', { lease: this.describe, identity: this.identity, err: 'timed out waiting for the condition' });
        break;
      }
      await sleep(this.retryPeriodMs, signal);
    }
    this.leading = false;
    this.recordEvent('stopped leading');
    if (this.releaseOnCancel) await this.release();
  }

  /** One tryAcquireOrRenew, abandoned (as failed) when the renew deadline passes before it ends. */
  private async tryWithin(deadline: number): Promise<boolean> {
    const left = deadline - this.now();
    if (left <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    let abandoned = false;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        abandoned = true;
        resolve(false);
      }, left);
    });
    try {
      return await Promise.race([this.tryAcquireOrRenew(() => abandoned), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * tryAcquireOrRenew: the leader first updates optimistically from the Lease it last wrote; otherwise (or when that
   * fails) the Lease is read (created when missing), observed, and written per decideAcquireOrRenew.
   * `abandoned` tells a try cut off by the renew deadline not to record what it wrote.
   */
  private async tryAcquireOrRenew(abandoned: () => boolean = () => false): Promise<boolean> {
    const now = this.now();
    const wall = microTime(this.wallClock());
    const desired: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.trunc(this.leaseDurationMs / 1000),
      acquireTime: wall,
      renewTime: wall,
      leaderTransitions: 0,
    };

    // 1. The fast path: the leader updates assuming the Lease it observed last is still the current version.
    const obs = this.observation;
    if (obs !== undefined && obs.record.holderIdentity === this.identity && isLeaseValid(obs, now) && this.lease !== undefined) {
      const record: LeaderElectionRecord = { ...desired, acquireTime: obs.record.acquireTime, leaderTransitions: obs.record.leaderTransitions };
      if (obs.record.strategy !== undefined) record.strategy = obs.record.strategy;
      if (obs.record.preferredHolder !== undefined) record.preferredHolder = obs.record.preferredHolder;
      try {
        await this.update(record, abandoned);
        return !abandoned();
      } catch (e: unknown) {
        log.error('Failed to update lock optimistically, falling back to slow path', { lease: this.describe, err: errText(e) });
      }
    }

    // 2. Obtain or create the record.
    let current: Lease;
    try {
      current = await this.client.request<Lease>('GET', this.path);
    } catch (e: unknown) {
      if (!(e instanceof ApiError && e.code === 404)) {
        log.error('error retrieving resource lock', { lease: this.describe, err: errText(e) });
        return false;
      }
      try {
        const created = await this.client.request<Lease>('POST', this.path.slice(0, this.path.lastIndexOf('/')), {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.opts.name, namespace: this.opts.namespace },
          spec: recordToLeaseSpec(desired),
        });
        if (abandoned()) return false;
        this.lease = created;
        this.setObserved(desired);
        return true;
      } catch (e2: unknown) {
        log.error('error initially creating leader election record', { lease: this.describe, err: errText(e2) });
        return false;
      }
    }
    if (abandoned()) return false;
    this.lease = current;

    // 3. Observe the record (a change restarts the clock), then check identity and time.
    this.observation = observe(this.observation, leaseSpecToRecord(current.spec), this.now());
    const decision = decideAcquireOrRenew(this.identity, this.observation, this.now(), desired);
    if (decision.action === 'wait') return false;

    // 4. Write: take over or renew. A 409 means someone wrote first: try again next period.
    try {
      await this.update(decision.record, abandoned);
      return !abandoned();
    } catch (e: unknown) {
      log.error('Failed to update lock', { lease: this.describe, err: errText(e) });
      return false;
    }
  }

  /** LeaseLock.Update: PUT the Lease last read or written with its spec replaced (its resourceVersion guards it). */
  private async update(record: LeaderElectionRecord, abandoned: () => boolean): Promise<void> {
    if (this.lease === undefined) throw new Error('lease not initialized, call get or create first');
    const body: Lease = { ...this.lease, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', spec: recordToLeaseSpec(record) };
    const written = await this.client.request<Lease>('PUT', this.path, body);
    if (abandoned()) return;
    this.lease = written;
    this.setObserved(record);
  }

  private setObserved(record: LeaderElectionRecord): void {
    this.observation = { record, raw: rawRecord(record), time: this.now() };
  }

  /** release: a leader writes an empty holder with a one-second lease so that another takes over at once. */
  private async release(): Promise<boolean> {
    const obs = this.observation;
    if (obs === undefined || obs.record.holderIdentity !== this.identity) return true;
    const record = releasedRecord(obs.record, microTime(this.wallClock()));
    try {
      await this.update(record, () => false);
      log.info('released leader lease', { lease: this.describe, identity: this.identity });
      return true;
    } catch (e: unknown) {
      log.error('Failed to release lock', { lease: this.describe, err: errText(e) });
      return false;
    }
  }

  private maybeReportTransition(): void {
    const holder = this.observation?.record.holderIdentity ?? '';
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    const cb = this.opts.callbacks.onNewLeader;
    if (cb === undefined) return;
    queueMicrotask(() => {
      try {
        cb(holder);
      } catch (e: unknown) {
        log.error('OnNewLeader failed', { lease: this.describe, err: errText(e) });
      }
    });
  }

  /** LeaseLock.RecordEvent: a Normal LeaderElection event on the Lease, "<identity> <what>". */
  private recordEvent(what: string): void {
    const rec = this.opts.eventRecorder;
    if (rec === undefined || this.lease === undefined) return;
    const meta = this.lease.metadata;
    rec.event(
      { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: meta?.name, namespace: meta?.namespace, uid: meta?.uid, resourceVersion: meta?.resourceVersion } },
      'Normal',
      'LeaderElection',
      '%v %v',
      this.identity,
      what,
    );
  }
}
