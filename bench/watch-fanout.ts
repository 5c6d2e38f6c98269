// Watch fan-out: N watchers on one namespace while configmaps are created into it; every ADDED event must reach
// every watcher. Latency is measured from the create's 201 (as this client saw it) to the event's arrival.
import { Agent } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { runConcurrently, type BenchClient } from './bench-client.js';
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
  res: IncomingMessage;
  buffered: string;
  arrivals: Map<string, bigint>;
  lastRv: number;
  duplicates: number;
  outOfOrder: number;
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

  const watchAgent = new Agent({ keepAlive: false, maxSockets: Infinity, ...(client.opts.caPem !== undefined ? { ca: client.opts.caPem } : { rejectUnauthorized: false }) });
  const states: WatcherState[] = [];
  let completeCount = 0;
  let onAllComplete: (() => void) | undefined;
  try {
    const opened = await Promise.all(
      Array.from({ length: watchers }, () => client.stream(`/api/v1/namespaces/${namespace}/configmaps?watch=1&resourceVersion=${encodeURIComponent(rv)}`, watchAgent)),
    );
    for (const res of opened) {
      if (res.statusCode !== 200) throw new Error(`watch answered ${res.statusCode}`);
      const st: WatcherState = { res, buffered: '', arrivals: new Map(), lastRv: 0, duplicates: 0, outOfOrder: 0 };
      states.push(st);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const now = process.hrtime.bigint();
        st.buffered += chunk;
        let nl: number;
        while ((nl = st.buffered.indexOf('\n')) >= 0) {
          const line = st.buffered.slice(0, nl).trim();
          st.buffered = st.buffered.slice(nl + 1);
          if (line === '') continue;
          const ev = JSON.parse(line) as WatchEvent;
          if (ev.type !== 'ADDED') continue;
          const name = ev.object?.metadata?.name ?? '';
          // Other objects in the namespace (such as kube-root-ca.crt) are not part of the count.
          if (!name.startsWith(OBJECT_PREFIX)) continue;
          const evRv = Number(ev.object?.metadata?.resourceVersion ?? '0');
          if (st.arrivals.has(name)) st.duplicates++;
          else st.arrivals.set(name, now);
          if (evRv <= st.lastRv) st.outOfOrder++;
          st.lastRv = Math.max(st.lastRv, evRv);
          if (st.arrivals.size === objects) {
            completeCount++;
            if (completeCount === watchers) onAllComplete?.();
          }
        }
      });
      res.on('error', () => undefined);
    }

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
      delivered += st.arrivals.size;
      duplicates += st.duplicates;
      outOfOrder += st.outOfOrder;
      let all = st.duplicates === 0 && st.outOfOrder === 0;
      for (const [name, at201] of created) {
        const arrived = st.arrivals.get(name);
        if (arrived === undefined) {
          all = false;
          continue;
        }
        const ms = Number(arrived - at201) / 1e6;
        if (ms < 0) before201++;
        latencies.push(Math.max(0, ms));
      }
      if (all && st.arrivals.size === objects) complete++;
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
    for (const st of states) st.res.destroy();
    watchAgent.destroy();
  }
}
