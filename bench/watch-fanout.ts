// Watch fan-out: N watchers on one namespace while configmaps are created into it; every ADDED event must reach
// every watcher. Latency is measured from the create's 201 (as this client saw it) to the event's arrival: the
// time its bytes reached this process. Watchers only split lines as bytes arrive; events are parsed and checked
// after the run, so that the client's own parsing does not delay the arrival times it records.
import { StringDecoder } from 'node:string_decoder';
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
  decoder: StringDecoder;
  buffered: string;
  /** Every complete line with the time its last bytes arrived. */
  lines: { text: string; at: bigint }[];
  /** Lines that look like an ADDED event of a benchmark object (counted cheaply, checked after the run). */
  added: number;
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
        const st: WatcherState = { stream: { status: 0, close: () => undefined }, decoder: new StringDecoder('utf8'), buffered: '', lines: [], added: 0 };
        states.push(st);
        st.stream = await openRawStream(client.opts, path, headers, (payload, at) => {
          st.buffered += st.decoder.write(payload);
          let nl: number;
          while ((nl = st.buffered.indexOf('\n')) >= 0) {
            const text = st.buffered.slice(0, nl);
            st.buffered = st.buffered.slice(nl + 1);
            st.lines.push({ text, at });
            // Other objects in the namespace (such as kube-root-ca.crt) are not part of the count.
            if (text.startsWith('{"type":"ADDED"') && text.includes(`"name":"${OBJECT_PREFIX}`)) {
              st.added++;
              if (st.added === objects) {
                completeCount++;
                if (completeCount === watchers) onAllComplete?.();
              }
            }
          }
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
      for (const { text, at } of st.lines) {
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
