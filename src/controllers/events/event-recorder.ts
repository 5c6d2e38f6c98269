// An event recorder as client-go's tools/record: builds core/v1 Events (`<name>.<hex unix nanos>`), runs them
// through the EventCorrelator and writes them in the background, one at a time, PATCHing repeats. Recording
// never blocks and never throws: a full queue drops the event, the server refusing it drops it, and only
// transport failures are retried (12 tries, 10 s apart, the first wait randomised), as upstream does.
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { log } from '../../cli/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { EventCorrelator, formatTime, type CoreEvent, type CorrelateResult, type CorrelatorOptions } from './event-correlator.js';

export type EventType = 'Normal' | 'Warning';

/**
 * Events waiting to be written. Upstream's queue holds 1000 and drops the rest; the scheduler's Scheduled events for a
 * burst of pods (5000 in the scheduler benchmark) would then be lost, so this one holds ten times as many.
 */
const maxQueuedEvents = 10_000;
const maxTriesPerEvent = 12;
const defaultSleepMs = 10_000;

/** What an event can be about: an object with kind, apiVersion and metadata (or a ready ObjectReference). */
export interface InvolvedObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
  /** The part of the object the event is about, e.g. spec.containers{nginx} (the kubelet's container events). */
  fieldPath?: string;
}

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. replicaset-controller. */
  component: string;
  /** source.host and reportingInstance. */
  host?: string;
  correlator?: CorrelatorOptions;
  /** The wait between retries of an event the server could not be reached for. */
  retrySleepMs?: number;
}

/** ref.GetReference: kind, namespace, name, uid, apiVersion and resourceVersion of an object. */
export function objectReference(obj: InvolvedObject): ObjectReference {
  const ref: ObjectReference = {};
  if (obj.kind !== undefined) ref.kind = obj.kind;
  const m = obj.metadata ?? {};
  if (m.namespace !== undefined && m.namespace !== '') ref.namespace = m.namespace;
  if (m.name !== undefined) ref.name = m.name;
  if (m.uid !== undefined) ref.uid = m.uid;
  if (obj.apiVersion !== undefined) ref.apiVersion = obj.apiVersion;
  if (m.resourceVersion !== undefined) ref.resourceVersion = m.resourceVersion;
  if (obj.fieldPath !== undefined && obj.fieldPath !== '') ref.fieldPath = obj.fieldPath;
  return ref;
}

/** Formats as Go's fmt.Sprintf for the verbs events use: %v, %s, %d, %q and %%. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let i = 0;
  return format.replace(/%([vsdq%])/g, (whole, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const a = args[i++];
    const s = a instanceof Error ? a.message : typeof a === 'string' ? a : a === undefined || a === null ? '<nil>' : typeof a === 'object' ? JSON.stringify(a) : String(a);
    return verb === 'q' ? JSON.stringify(s) : s;
  });
}

export class EventRecorder {
  private readonly correlator: EventCorrelator;
  private readonly clock: () => number;
  private readonly queue: CoreEvent[] = [];
  /**
   * The one writer draining the queue, while it runs. Events are written one at a time, as upstream's broadcaster
   * writes them from a single goroutine: they are best-effort and must not compete with the work they report on
   * (eight writers at once took a quarter of the API server's writes from the scheduler's bindings during a burst;
   * scheduler benchmark about 420 -> 480 pods/s with one). One writer also keeps the writes of one Event name (a
   * repeat PATCHed onto the one created before) in order.
   */
  private writer: Promise<void> | undefined;
  private droppedSinceLog = 0;
  private stopped = false;
  private lastNanos = 0n;

  constructor(
    private readonly client: RestClient,
    private readonly opts: EventRecorderOptions,
  ) {
    this.correlator = new EventCorrelator(opts.correlator);
    this.clock = opts.correlator?.clock ?? Date.now;
  }

  /**
   * Records an event about `involved` (Eventf): the message is `messageFmt` formatted with `args`. Returns at once;
   * the Event is written in the background.
   */
  event(involved: InvolvedObject, type: EventType, reason: string, messageFmt: string, ...args: unknown[]): void {
    if (this.stopped) return;
    if (type !== 'Normal' && type !== 'Warning') {
      log.error('unsupported event type', { component: this.opts.component, type: String(type) });
      return;
    }
    try {
      const event = this.makeEvent(objectReference(involved), type, reason, args.length === 0 ? messageFmt : sprintf(messageFmt, args));
      if (this.queue.length >= maxQueuedEvents) {
        // Logged once per burst, not once per event: logging each would add to the overload that caused it.
        if (this.droppedSinceLog++ === 0) log.warn('event queue full; dropping events', { component: this.opts.component, reason });
        return;
      }
      this.queue.push(event);
      this.startWriter();
    } catch (e: unknown) {
      log.error('could not record event', { component: this.opts.component, err: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Resolves once every event recorded so far has been written (or given up on). */
  async flush(): Promise<void> {
    while (this.writer !== undefined) await this.writer;
  }

  /** Stops recording: queued events are dropped. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  /** Unique, increasing nanosecond stamps: milliseconds from the clock, nanoseconds from a counter. */
  private nanos(ms: number): string {
    let n = BigInt(Math.floor(ms)) * 1_000_000n;
    if (n <= this.lastNanos) n = this.lastNanos + 1n;
    this.lastNanos = n;
    return n.toString(16);
  }

  private makeEvent(ref: ObjectReference, type: EventType, reason: string, message: string): CoreEvent {
    const now = this.clock();
    const t = formatTime(now);
    const namespace = ref.namespace === undefined || ref.namespace === '' ? 'default' : ref.namespace;
    const source = this.opts.host === undefined ? { component: this.opts.component } : { component: this.opts.component, host: this.opts.host };
    return {
      metadata: { name: `${ref.name ?? ''}.${this.nanos(now)}`, namespace },
      involvedObject: ref,
      reason,
      message,
      source,
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
      type,
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host ?? '',
    };
  }

  /** Starts the writer unless it runs; it drains the queue, and starts again for events queued as it finished. */
  private startWriter(): void {
    if (this.writer !== undefined || this.queue.length === 0) return;
    this.writer = this.work().finally(() => {
      this.writer = undefined;
      if (this.droppedSinceLog > 0) {
        if (this.droppedSinceLog > 1) log.warn('events dropped while the queue was full', { component: this.opts.component, dropped: this.droppedSinceLog });
        this.droppedSinceLog = 0;
      }
      if (!this.stopped) this.startWriter();
    });
  }

  private async work(): Promise<void> {
    for (let event = this.queue.shift(); event !== undefined; event = this.queue.shift()) {
      try {
        const result = this.correlator.correlate(event);
        if (!result.skip) await this.write(result);
      } catch (e: unknown) {
        log.error('could not write event', { component: this.opts.component, err: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private async write(result: CorrelateResult): Promise<void> {
    const sleepMs = this.opts.retrySleepMs ?? defaultSleepMs;
    for (let tries = 1; ; tries++) {
      if (this.stopped) return;
      if (await this.recordEvent(result.event, result.patch)) return;
      if (tries >= maxTriesPerEvent) {
        log.error('unable to write event (retry limit exceeded)', { component: this.opts.component, reason: result.event.reason, name: result.event.metadata.name });
        return;
      }
      // The first wait is random so that clients do not retry in step after an outage.
      const ms = tries === 1 ? sleepMs * Math.random() : sleepMs;
      await new Promise<void>((r) => setTimeout(r, ms).unref());
    }
  }

  /** One attempt; true when done (written, or refused for good), false to retry. */
  private async recordEvent(event: CoreEvent, patch: Record<string, unknown> | undefined): Promise<boolean> {
    const ns = encodeURIComponent(event.metadata.namespace ?? 'default');
    try {
      let written: CoreEvent | undefined;
      if (patch !== undefined && (event.count ?? 0) > 1) {
        try {
          written = await this.client.request<CoreEvent>('PATCH', `/api/v1/namespaces/${ns}/events/${encodeURIComponent(event.metadata.name ?? '')}`, patch, 'application/strategic-merge-patch+json');
        } catch (e: unknown) {
          // The Event may have been removed (TTL) since: create it afresh.
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
      if (written === undefined) {
        const body: CoreEvent = { ...event, metadata: { ...event.metadata } };
        delete body.metadata.resourceVersion;
        written = await this.client.request<CoreEvent>('POST', `/api/v1/namespaces/${ns}/events`, { apiVersion: 'v1', kind: 'Event', ...body });
      }
      this.correlator.updateState(written);
      return true;
    } catch (e: unknown) {
      if (e instanceof ApiError) {
        const terminating = e.code === 403 && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
        if (e.code !== 409 && !terminating) log.warn('server rejected event (will not retry)', { component: this.opts.component, name: event.metadata.name, err: e.message });
        return true;
      }
      log.warn('unable to write event (may retry after sleeping)', { component: this.opts.component, name: event.metadata.name, err: e instanceof Error ? e.message : String(e) });
      return false;
    }
  }
}
