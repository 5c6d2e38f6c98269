// Watch fan-out: N watchers on one namespace while configmaps are created into it; every ADDED event must reach
// every watcher. Latency is measured from the create's 201 (as this client saw it) to the event's arrival: the
// time its bytes reached this process. Watchers keep the bytes as they arrive and only look for the ends of lines;
// events are decoded, parsed and checked after the run. The client allocates next to nothing per event while it
// measures, so that its own garbage collection (scavenges copying thousands of retained strings took 5-15 ms on this
// VM) does not delay the arrival times it records.
import { runConcurrently, type BenchClient } from './bench-client.js';
import { openRawStream, type RawStream } from './raw-http.js';
import { summarize, type LatencySummary } from './latency-stats.js';

export interface WatchFanoutResult {
  watchers: number;
  objects: number;
  expectedEvents: number;
  deliveredEvents: number;
  /** Watchers that saw every object exactly once, in creation (resourceVersion) order. */
  completeWatchers: number;
  duplicateEvents: number;
  outOfOrderEvents: number;
  /** Events that arrived at a watcher before the create's 201 reached the creating client (latency counted as 0). */
  eventsBefore201: number;
  createErrors: number;
  latency: LatencySummary;
}

const OBJECT_PREFIX = 'watched-';

interface WatcherState {
  stream: RawStream;
  /** The body's bytes as they arrived, with the time each piece reached this process. */
  chunks: Buffer[];
  times: bigint[];
  /** The start of a line whose end has not arrived yet. */
  carry: Buffer | undefined;
  /** Lines that look like an ADDED event of a benchmark object (counted cheaply, checked after the run). */
  added: number;
}

const ADDED_MARK = Buffer.from('{"type":"ADDED"');
const NAME_MARK = Buffer.from(`"name":"${OBJECT_PREFIX}`);
const NEWLINE = 0x0a;

/** Whether buf[start, end) is an ADDED event line of a benchmark object (other objects, such as kube-root-ca.crt, are not counted). */
function isBenchmarkAdded(buf: Buffer, start: number, end: number): boolean {
  if (end - start < ADDED_MARK.length || buf.compare(ADDED_MARK, 0, ADDED_MARK.length, start, start + ADDED_MARK.length) !== 0) return false;
  const at = buf.indexOf(NAME_MARK, start);
  return at >= 0 && at < end;
}

/** Splits what a watcher received into lines, each with the time its last byte arrived. */
export function arrivedLines(chunks: readonly Buffer[], times: readonly bigint[]): { text: string; at: bigint }[] {
  const lines: { text: string; at: bigint }[] = [];
  let carry: Buffer[] = [];
  chunks.forEach((chunk, i) => {
    const at = times[i] ?? 0n;
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(NEWLINE, start)) >= 0) {
      carry.push(chunk.subarray(start, nl));
      lines.push({ text: Buffer.concat(carry).toString('utf8'), at });
      carry = [];
      start = nl + 1;
    }
    if (start < chunk.length) carry.push(chunk.subarray(start));
  });
  return lines;
}

interface WatchEvent {
  type?: string;
  object?: { metadata?: { name?: string; resourceVersion?: string } };
}

export async function watchFanout(client: BenchClient, namespace: string, watchers: number, objects: number, concurrency: number): Promise<WatchFanoutResult> {
  const ns = await client.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  if (ns.status !== 201) throw new Error(`creating namespace ${namespace}: ${ns.status} ${ns.body}`);
  const list = await client.send('GET', `/api/v1/namespaces/${namespace}/configmaps`);
  if (list.status !== 200) throw new Error(`listing configmaps: ${list.status} ${list.body}`);
  const rv = (JSON.parse(list.body) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? '';

  const states: WatcherState[] = [];
  let completeCount = 0;
  let onAllComplete: (() => void) | undefined;
  const headers: Record<string, string> = { Authorization: `Bearer ${client.opts.token}`, Accept: 'application/json' };
  const path = `/api/v1/namespaces/${namespace}/configmaps?watch=1&resourceVersion=${encodeURIComponent(rv)}`;
  try {
    await Promise.all(
      Array.from({ length: watchers }, async () => {
        const st: WatcherState = { stream: { status: 0, close: () => undefined }, chunks: [], times: [], carry: undefined, added: 0 };
        states.push(st);
        st.stream = await openRawStream(client.opts, path, headers, (payload, at) => {
          st.chunks.push(payload);
          st.times.push(at);
          // A line split across pieces is joined (rarely: the server writes whole lines); whole lines are only looked at.
          const buf = st.carry === undefined ? payload : Buffer.concat([st.carry, payload]);
          let start = 0;
          let nl: number;
          while ((nl = buf.indexOf(NEWLINE, start)) >= 0) {
            if (isBenchmarkAdded(buf, start, nl)) {
              st.added++;
              if (st.added === objects) {
                completeCount++;
                if (completeCount === watchers) onAllComplete?.();
              }
            }
            start = nl + 1;
          }
          st.carry = start < buf.length ? buf.subarray(start) : undefined;
        });
        if (st.stream.status !== 200) throw new Error(`watch answered ${st.stream.status}`);
      }),
    );

    const created = new Map<string, bigint>();
    let createErrors = 0;
    const allDelivered = new Promise<void>((r) => (onAllComplete = r));
    await runConcurrently(objects, concurrency, async (i) => {
      const name = `${OBJECT_PREFIX}${i}`;
      const r = await client.send('POST', `/api/v1/namespaces/${namespace}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { index: String(i) } });
      if (r.status === 201) created.set(name, r.doneAt);
      else createErrors++;
    });
    await Promise.race([allDelivered, new Promise((r) => setTimeout(r, 15_000))]);

    const latencies: number[] = [];
    let delivered = 0;
    let before201 = 0;
    let complete = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    for (const st of states) {
      const arrivals = new Map<string, bigint>();
      let lastRv = 0;
      let stDuplicates = 0;
      let stOutOfOrder = 0;
      for (const { text, at } of arrivedLines(st.chunks, st.times)) {
        if (text.trim() === '') continue;
        const ev = JSON.parse(text) as WatchEvent;
        if (ev.type !== 'ADDED') continue;
        const name = ev.object?.metadata?.name ?? '';
        if (!name.startsWith(OBJECT_PREFIX)) continue;
        const evRv = Number(ev.object?.metadata?.resourceVersion ?? '0');
        if (arrivals.has(name)) stDuplicates++;
        else arrivals.set(name, at);
        if (evRv <= lastRv) stOutOfOrder++;
        lastRv = Math.max(lastRv, evRv);
      }
      delivered += arrivals.size;
      duplicates += stDuplicates;
      outOfOrder += stOutOfOrder;
      let all = stDuplicates === 0 && stOutOfOrder === 0;
      for (const [name, at201] of created) {
        const arrived = arrivals.get(name);
        if (arrived === undefined) {
          all = false;
          continue;
        }
        const ms = Number(arrived - at201) / 1e6;
        if (ms < 0) before201++;
        latencies.push(Math.max(0, ms));
      }
      if (all && arrivals.size === objects) complete++;
    }
    return {
      watchers,
      objects,
      expectedEvents: watchers * objects,
      deliveredEvents: delivered,
      completeWatchers: complete,
      duplicateEvents: duplicates,
      outOfOrderEvents: outOfOrder,
      eventsBefore201: before201,
      createErrors,
      latency: summarize(latencies),
    };
  } finally {
    for (const st of states) st.stream.close();
  }
}
