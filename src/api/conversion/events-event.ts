// events.k8s.io/v1 Event <-> core v1 Event (the storage version), after upstream's
// pkg/apis/events/v1/conversion.go: the deprecated* fields of events.k8s.io/v1 are core's source,
// firstTimestamp, lastTimestamp and count; regarding is involvedObject, note is message and
// reportingController is core's reportingComponent.
import { cloneJson, type JsonRecord } from './json-record.js';

/** Field names that differ: [events.k8s.io/v1, core/v1]. Every other field has the same name in both. */
const renamed: readonly (readonly [string, string])[] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingController', 'reportingComponent'],
];

/** Fields both versions carry under the same name. */
const shared: readonly string[] = ['metadata', 'eventTime', 'series', 'related', 'action', 'reason', 'type', 'reportingInstance'];

function convert(obj: JsonRecord, apiVersion: string, pairs: readonly (readonly [string, string])[]): JsonRecord {
  const src = cloneJson(obj);
  const out: JsonRecord = { apiVersion, kind: 'Event' };
  for (const f of shared) if (src[f] !== undefined) out[f] = src[f];
  for (const [from, to] of pairs) if (src[from] !== undefined) out[to] = src[from];
  return out;
}

/** An events.k8s.io/v1 Event in core v1. `obj` is not mutated. */
export function eventsV1ToCore(obj: JsonRecord): JsonRecord {
  return convert(obj, 'v1', renamed);
}

/** A core v1 Event in events.k8s.io/v1. `obj` is not mutated. */
export function coreToEventsV1(obj: JsonRecord): JsonRecord {
  return convert(
    obj,
    'events.k8s.io/v1',
    renamed.map(([a, b]) => [b, a] as const),
  );
}
