// client-go's EventCorrelator (tools/record/events_cache.go): aggregates similar events (same source, object, type
// and reason; 10 distinct messages within 10 minutes become one "(combined from similar events): ..." event),
// counts repeats of the same event (a PATCH of count, lastTimestamp and message instead of a new Event), and
// throttles a source's events about one object with a token bucket (burst 25, one more every 5 minutes).
import type { Event } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from '../../api/object.js';

const maxLruCacheEntries = 4096;
const defaultAggregateMaxEvents = 10;
const defaultAggregateIntervalSeconds = 600;
const defaultSpamBurst = 25;
const defaultSpamQps = 1 / 300;

/** An Event as the recorder builds it: metadata, source and involvedObject are always set. */
export type CoreEvent = Omit<Event, 'metadata'> & { metadata: ObjectMeta };

export interface CorrelatorOptions {
  /** Milliseconds since the epoch; Date.now by default (tests pass a fake). */
  clock?: () => number;
  lruCacheSize?: number;
  burstSize?: number;
  qps?: number;
  maxEvents?: number;
  maxIntervalInSeconds?: number;
}

export interface CorrelateResult {
  /** The event to write (a copy; with count > 1 it names the Event already on the server). */
  event: CoreEvent;
  /** When set, PATCH (strategic merge) the existing Event with this instead of creating one. */
  patch?: Record<string, unknown>;
  /** True when the spam filter dropped the event. */
  skip: boolean;
}

/** A least-recently-used map bounded to `size` entries (groupcache/lru's behaviour). */
export class LruCache<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly size: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  add(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.size) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }

  get length(): number {
    return this.map.size;
  }
}

/** metav1.Time's wire form: RFC 3339 with whole seconds. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The unique key of an event: source, involved object, type, reason and message. */
export function getEventKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, e.type, e.reason, e.message].map((s) => s ?? '').join('');
}

/** The spam filter's key: source and involved object. */
export function getSpamKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion].map((s) => s ?? '').join('');
}

/** EventAggregatorByReasonFunc: the aggregate key (all but the message) and the local key (the message). */
export function aggregatorKeys(e: CoreEvent): { aggregateKey: string; localKey: string } {
  const o = e.involvedObject;
  const aggregateKey = [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type, e.reason, e.reportingComponent, e.reportingInstance]
    .map((s) => s ?? '')
    .join('');
  return { aggregateKey, localKey: e.message ?? '' };
}

/** The hex of the Unix time in nanoseconds, as Go's `%x` of UnixNano() in event names. */
export function hexUnixNanos(ms: number, subMillisNanos = 0): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n + BigInt(subMillisNanos)).toString(16);
}

interface SpamRecord {
  tokens: number;
  lastMs: number;
}

interface AggregateRecord {
  localKeys: Set<string>;
  lastMs: number;
}

interface EventLog {
  count: number;
  firstTimestamp: string | undefined;
  name: string;
  resourceVersion: string | undefined;
}

export class EventCorrelator {
  private readonly clock: () => number;
  private readonly burst: number;
  private readonly qps: number;
  private readonly maxEvents: number;
  private readonly maxIntervalMs: number;
  private readonly spam: LruCache<SpamRecord>;
  private readonly aggregates: LruCache<AggregateRecord>;
  private readonly logs: LruCache<EventLog>;

  constructor(opts: CorrelatorOptions = {}) {
    const size = opts.lruCacheSize ?? maxLruCacheEntries;
    this.clock = opts.clock ?? Date.now;
    this.burst = opts.burstSize ?? defaultSpamBurst;
    this.qps = opts.qps ?? defaultSpamQps;
    this.maxEvents = opts.maxEvents ?? defaultAggregateMaxEvents;
    this.maxIntervalMs = (opts.maxIntervalInSeconds ?? defaultAggregateIntervalSeconds) * 1000;
    this.spam = new LruCache(size);
    this.aggregates = new LruCache(size);
    this.logs = new LruCache(size);
  }

  /** Filters, aggregates, counts and de-duplicates an event (EventCorrelate). */
  correlate(newEvent: CoreEvent): CorrelateResult {
    const { event: aggregated, key } = this.aggregate(newEvent);
    const { event, patch } = this.observe(aggregated, key);
    if (this.filter(event)) return { event, skip: true };
    return patch === undefined ? { event, skip: false } : { event, patch, skip: false };
  }

  /** Records what the server returned (its name and resourceVersion) under the event's key (UpdateState). */
  updateState(serverEvent: CoreEvent): void {
    this.logs.add(getEventKey(serverEvent), {
      count: serverEvent.count ?? 0,
      firstTimestamp: serverEvent.firstTimestamp,
      name: serverEvent.metadata.name ?? '',
      resourceVersion: serverEvent.metadata.resourceVersion,
    });
  }

  /** EventAggregate: the event to record and the cache key to count it under. */
  private aggregate(newEvent: CoreEvent): { event: CoreEvent; key: string } {
    const now = this.clock();
    const eventKey = getEventKey(newEvent);
    const { aggregateKey, localKey } = aggregatorKeys(newEvent);
    let record = this.aggregates.get(aggregateKey);
    // A record older than the interval (or none at all) starts afresh.
    if (record === undefined || now - record.lastMs > this.maxIntervalMs) record = { localKeys: new Set(), lastMs: 0 };
    record.localKeys.add(localKey);
    record.lastMs = now;
    this.aggregates.add(aggregateKey, record);
    if (record.localKeys.size < this.maxEvents) return { event: newEvent, key: eventKey };
    // Do not grow the set of local keys beyond the maximum (sets.String.PopAny).
    const any = record.localKeys.values().next();
    if (any.done !== true) record.localKeys.delete(any.value);
    const ts = formatTime(now);
    const event: CoreEvent = {
      metadata: { name: `${newEvent.involvedObject.name ?? ''}.${hexUnixNanos(now)}`, namespace: newEvent.metadata.namespace },
      count: 1,
      firstTimestamp: ts,
      involvedObject: newEvent.involvedObject,
      lastTimestamp: ts,
      message: `(combined from similar events): ${newEvent.message ?? ''}`,
      type: newEvent.type,
      reason: newEvent.reason,
      source: newEvent.source,
    };
    return { event, key: aggregateKey };
  }

  /** eventObserve: a repeat of a known event reuses its name and first timestamp and gets a count patch. */
  private observe(newEvent: CoreEvent, key: string): { event: CoreEvent; patch?: Record<string, unknown> } {
    const event: CoreEvent = { ...newEvent, metadata: { ...newEvent.metadata } };
    const last = this.logs.get(key);
    let patch: Record<string, unknown> | undefined;
    if (last !== undefined && last.count > 0) {
      event.metadata.name = last.name;
      if (last.resourceVersion === undefined) delete event.metadata.resourceVersion;
      else event.metadata.resourceVersion = last.resourceVersion;
      if (last.firstTimestamp === undefined) delete event.firstTimestamp;
      else event.firstTimestamp = last.firstTimestamp;
      event.count = last.count + 1;
      // The two-way strategic merge patch between the event with count 0, lastTimestamp at the epoch and no
      // message, and the event itself: exactly these three fields.
      patch = { count: event.count, lastTimestamp: event.lastTimestamp, message: event.message };
    }
    this.logs.add(key, { count: event.count ?? 0, firstTimestamp: event.firstTimestamp, name: event.metadata.name ?? '', resourceVersion: event.metadata.resourceVersion });
    return patch === undefined ? { event } : { event, patch };
  }

  /** EventSourceObjectSpamFilter: true when the source has used up its budget for this object. */
  private filter(event: CoreEvent): boolean {
    const now = this.clock();
    const key = getSpamKey(event);
    let record = this.spam.get(key);
    if (record === undefined) record = { tokens: this.burst, lastMs: now };
    else {
      record.tokens = Math.min(this.burst, record.tokens + ((now - record.lastMs) / 1000) * this.qps);
      record.lastMs = now;
    }
    let filtered = true;
    if (record.tokens >= 1) {
      record.tokens -= 1;
      filtered = false;
    }
    this.spam.add(key, record);
    return filtered;
  }
}
