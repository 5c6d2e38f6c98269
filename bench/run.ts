// `npm run bench`: starts fresh k8ts servers on loopback and measures the figures of issue 2's "Benchmarks"
// section with 16 concurrent HTTP/1.1 keep-alive clients and a bearer token, then prints them against the targets
// and upstream's figures. Benchmarks report; they do not fail: the exit code is 0 whatever the figures are.
//
// Flags: --json FILE (also write the figures as JSON), --markdown (also print the table in Markdown).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureRawSqliteTxPerSecond } from '../src/storage/sqlite/sqlite-storage.js';
import { BenchClient, runConcurrently, runFor } from './bench-client.js';
import { BenchServer, benchToken, findK8tsBin } from './bench-server.js';
import { median, summarize, type LatencySummary } from './latency-stats.js';
import { formatMarkdownTable, formatNumber, formatTable, type BenchFigure } from './report-table.js';
import { watchFanout, type WatchFanoutResult } from './watch-fanout.js';
import { MB, message, runBench, say } from './scale-support.js';

const CONCURRENCY = 16;
const PODS = 2000;
/**
 * The first requests after start run through code V8 has not optimized yet (interpreted, then compiled in the
 * background): measured on their own as the "cold" figures, in a namespace of their own that is emptied before the
 * measured phases.
 */
const WARMUP = 1500;
const GET_MS = 5000;
const PATCHES = 2000;
const HOT_PATCHES = 500;
const LISTS = 20;
const WATCHERS = 50;
const WATCHED_OBJECTS = 200;
const COLD_STARTS = 5;
const NAMESPACE = 'bench';
function benchPod(name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10' }] },
  };
}

/**
 * Creates a namespace and makes sure it has its `default` ServiceAccount, which pod admission requires (upstream's
 * service account controller makes it; until k8ts has one running, the bench creates it after a short wait).
 */
async function createNamespace(client: BenchClient, name: string): Promise<void> {
  const r = await client.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (r.status !== 201) throw new Error(`creating namespace ${name}: ${r.status} ${r.body.slice(0, 300)}`);
  const path = `/api/v1/namespaces/${name}/serviceaccounts`;
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    if ((await client.send('GET', `${path}/default`)).status === 200) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  say(`  namespace ${name} got no default ServiceAccount within 2 s; the bench creates it`);
  const sa = await client.send('POST', path, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
  if (sa.status !== 201 && sa.status !== 409) throw new Error(`creating serviceaccount ${name}/default: ${sa.status} ${sa.body.slice(0, 300)}`);
}

class StatusCounter {
  readonly unexpected = new Map<number, number>();
  firstBody: string | undefined;

  check(status: number, expected: number, body: string): boolean {
    if (status === expected) return true;
    this.unexpected.set(status, (this.unexpected.get(status) ?? 0) + 1);
    this.firstBody ??= body.slice(0, 300);
    return false;
  }

  get count(): number {
    let n = 0;
    for (const v of this.unexpected.values()) n += v;
    return n;
  }

  describe(): string {
    if (this.count === 0) return 'no errors';
    const codes = [...this.unexpected].map(([code, n]) => `${n}x ${code}`).join(', ');
    return `${this.count} unexpected responses (${codes}); first: ${this.firstBody ?? ''}`;
  }
}

interface ThroughputResult {
  perSecond: number;
  latency: LatencySummary;
  errors: number;
}

interface Results {
  rawSqliteTxPerSecond: number;
  coldStartsMs: number[];
  warmStartsMs: number[];
  rssIdleBytes: number;
  coldCreates?: ThroughputResult;
  coldPatches?: ThroughputResult;
  creates?: ThroughputResult;
  gets?: ThroughputResult;
  patches?: ThroughputResult;
  hotPatches?: ThroughputResult;
  lists?: LatencySummary & { items: number };
  rssAfterPodsBytes?: number;
  watch?: WatchFanoutResult;
  rssEndBytes?: number;
  failures: string[];
}

function rawSqlite(): number {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-sqlite-'));
  try {
    const probe = measureRawSqliteTxPerSecond(dir, 100);
    // About one second's worth of transactions, at least 200 and at most 5000.
    const n = Math.max(200, Math.min(5000, Math.round(probe)));
    return measureRawSqliteTxPerSecond(dir, n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Start times of servers on fresh data dirs (cold) and of a restart on each of those dirs (warm). */
async function startTimes(bin: string): Promise<{ cold: number[]; warm: number[] }> {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const first = await BenchServer.start(bin);
    cold.push(first.startMs);
    await first.stop();
    const again = await BenchServer.start(bin, first.dataDir);
    warm.push(again.startMs);
    await again.destroy();
  }
  return { cold, warm };
}

async function createPods(client: BenchClient, namespace = NAMESPACE, count = PODS): Promise<ThroughputResult> {
  const errors = new StatusCounter();
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  await runConcurrently(count, CONCURRENCY, async (i) => {
    const r = await client.send('POST', `/api/v1/namespaces/${namespace}/pods`, benchPod(`pod-${i}`));
    if (errors.check(r.status, 201, r.body)) latencies.push(r.ms);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (errors.count > 0) say(`creates: ${errors.describe()}`);
  return { perSecond: latencies.length / seconds, latency: summarize(latencies), errors: errors.count };
}

async function getOnePod(client: BenchClient): Promise<ThroughputResult> {
  const path = `/api/v1/namespaces/${NAMESPACE}/pods/pod-0`;
  await runFor(500, CONCURRENCY, async () => void (await client.send('GET', path)));
  const errors = new StatusCounter();
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  await runFor(GET_MS, CONCURRENCY, async () => {
    const r = await client.send('GET', path);
    if (errors.check(r.status, 200, r.body)) latencies.push(r.ms);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (errors.count > 0) say(`gets: ${errors.describe()}`);
  return { perSecond: latencies.length / seconds, latency: summarize(latencies), errors: errors.count };
}

async function mergePatches(client: BenchClient, count: number, podFor: (i: number) => string, warmup: number, namespace = NAMESPACE): Promise<ThroughputResult> {
  const patch = (i: number): Promise<{ status: number; body: string; ms: number }> =>
    client.send('PATCH', `/api/v1/namespaces/${namespace}/pods/${podFor(i)}`, { metadata: { labels: { 'bench.k8ts.io/patched': String(i) } } }, 'application/merge-patch+json');
  await runConcurrently(warmup, CONCURRENCY, async (i) => void (await patch(count + i)));
  const errors = new StatusCounter();
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  await runConcurrently(count, CONCURRENCY, async (i) => {
    const r = await patch(i);
    if (errors.check(r.status, 200, r.body)) latencies.push(r.ms);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (errors.count > 0) say(`patches: ${errors.describe()}`);
  return { perSecond: latencies.length / seconds, latency: summarize(latencies), errors: errors.count };
}

/** Deletes every pod of the namespace (deletecollection) and waits until a LIST finds none. */
async function emptyNamespace(client: BenchClient, namespace: string): Promise<void> {
  const path = `/api/v1/namespaces/${namespace}/pods`;
  const r = await client.send('DELETE', path);
  if (r.status !== 200) throw new Error(`deletecollection answered ${r.status}: ${r.body.slice(0, 300)}`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const list = await client.send('GET', `${path}?limit=1`);
    if (list.status === 200 && ((JSON.parse(list.body) as { items?: unknown[] }).items?.length ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`pods of ${namespace} still there after 60 s`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function listPods(client: BenchClient): Promise<LatencySummary & { items: number }> {
  const path = `/api/v1/namespaces/${NAMESPACE}/pods`;
  let items = 0;
  for (let i = 0; i < 3; i++) await client.send('GET', path);
  const latencies: number[] = [];
  for (let i = 0; i < LISTS; i++) {
    const r = await client.send('GET', path);
    if (r.status !== 200) throw new Error(`LIST answered ${r.status}: ${r.body.slice(0, 300)}`);
    latencies.push(r.ms);
    items = (JSON.parse(r.body) as { items?: unknown[] }).items?.length ?? 0;
  }
  return { ...summarize(latencies), items };
}

function figures(r: Results): BenchFigure[] {
  const nan = Number.NaN;
  const out: BenchFigure[] = [];
  out.push({ figure: `cold: first ${WARMUP} creates after start`, unit: '/s', measured: r.coldCreates?.perSecond ?? nan });
  out.push({ figure: `cold: first ${WARMUP} merge patches`, unit: '/s', measured: r.coldPatches?.perSecond ?? nan });
  out.push({ figure: `create ${PODS} pods`, unit: '/s', measured: r.creates?.perSecond ?? nan, target: 1500, direction: 'min', upstream: '554/s' });
  out.push({ figure: '  create p50', unit: 'ms', measured: r.creates?.latency.p50 ?? nan });
  out.push({ figure: '  create p99', unit: 'ms', measured: r.creates?.latency.p99 ?? nan });
  out.push({ figure: 'GET one pod', unit: '/s', measured: r.gets?.perSecond ?? nan, target: 5000, direction: 'min', upstream: '1704/s' });
  out.push({ figure: '  GET p50', unit: 'ms', measured: r.gets?.latency.p50 ?? nan });
  out.push({ figure: '  GET p99', unit: 'ms', measured: r.gets?.latency.p99 ?? nan, target: 5, direction: 'max', upstream: '26 ms' });
  out.push({ figure: 'merge-patch pod labels', unit: '/s', measured: r.patches?.perSecond ?? nan, target: 1500, direction: 'min', upstream: '460/s' });
  out.push({ figure: '  patch p99', unit: 'ms', measured: r.patches?.latency.p99 ?? nan });
  out.push({ figure: '  merge-patch, all on one pod', unit: '/s', measured: r.hotPatches?.perSecond ?? nan });
  out.push({ figure: '  one-pod patch p99', unit: 'ms', measured: r.hotPatches?.latency.p99 ?? nan });
  out.push({ figure: `LIST ${PODS} pods p50`, unit: 'ms', measured: r.lists?.p50 ?? nan, target: 30, direction: 'max', upstream: '94 ms' });
  out.push({ figure: '  LIST p99', unit: 'ms', measured: r.lists?.p99 ?? nan });
  const w = r.watch;
  out.push({ figure: `watch: events delivered of ${WATCHERS}x${WATCHED_OBJECTS}`, unit: '', measured: w?.deliveredEvents ?? nan, target: WATCHERS * WATCHED_OBJECTS, direction: 'min', upstream: 'all' });
  out.push({ figure: '  watch delivery p50', unit: 'ms', measured: w?.latency.p50 ?? nan });
  out.push({ figure: '  watch delivery p99', unit: 'ms', measured: w?.latency.p99 ?? nan, target: 5, direction: 'max', upstream: '7.9 ms' });
  out.push({ figure: `start to /readyz (median of ${COLD_STARTS})`, unit: 'ms', measured: median(r.coldStartsMs), target: 1000, direction: 'max', upstream: '3000-4600 ms' });
  out.push({ figure: '  restart on an existing data dir (median)', unit: 'ms', measured: median(r.warmStartsMs) });
  out.push({ figure: 'RSS idle', unit: 'MB', measured: r.rssIdleBytes / MB, target: 100, direction: 'max', upstream: '-' });
  out.push({ figure: `RSS after the ${PODS}-pod run`, unit: 'MB', measured: (r.rssAfterPodsBytes ?? nan) / MB, target: 250, direction: 'max', upstream: '479 MB' });
  out.push({ figure: '  RSS at the end', unit: 'MB', measured: (r.rssEndBytes ?? nan) / MB });
  out.push({ figure: 'raw SQLite single-row tx', unit: '/s', measured: r.rawSqliteTxPerSecond });
  out.push({ figure: 'creates/s / raw SQLite tx/s', unit: 'x', measured: (r.creates?.perSecond ?? nan) / r.rawSqliteTxPerSecond });
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'string' }, markdown: { type: 'boolean', default: false } }, strict: true });
  const bin = findK8tsBin();
  const t0 = Date.now();
  const loadBefore = loadavg()[0] ?? Number.NaN;
  say(`k8ts: ${bin}; ${cpus().length} CPUs, ${Math.round(totalmem() / MB)} MB RAM, node ${process.version}; load average ${loadBefore.toFixed(2)}`);

  say('raw SQLite single-row transactions');
  const rawSqliteTxPerSecond = rawSqlite();
  say(`  ${formatNumber(rawSqliteTxPerSecond)} tx/s`);

  say(`${COLD_STARTS} cold starts on fresh data dirs, each followed by a warm restart on the same dir`);
  const starts = await startTimes(bin);
  say(`  cold ${starts.cold.map((ms) => formatNumber(ms)).join(', ')} ms; warm ${starts.warm.map((ms) => formatNumber(ms)).join(', ')} ms`);

  const server = await BenchServer.start(bin);
  await new Promise((r) => setTimeout(r, 2000));
  const results: Results = { rawSqliteTxPerSecond, coldStartsMs: starts.cold, warmStartsMs: starts.warm, rssIdleBytes: server.rssBytes(), failures: [] };
  say(`server pid ${server.pid} on port ${server.port}; RSS idle ${formatNumber(results.rssIdleBytes / MB)} MB`);
  const caPem = server.caPem();
  const client = new BenchClient({ host: '127.0.0.1', port: server.port, token: benchToken, maxSockets: CONCURRENCY, ...(caPem !== undefined ? { caPem } : {}) });

  const phase = async (name: string, fn: () => Promise<void>): Promise<void> => {
    const started = Date.now();
    const serverCpu = server.cpuSeconds();
    const clientCpu = process.cpuUsage();
    say(name);
    try {
      await fn();
    } catch (e: unknown) {
      results.failures.push(`${name}: ${message(e)}`);
      say(`  FAILED: ${message(e)}`);
    }
    const wall = (Date.now() - started) / 1000;
    const used = process.cpuUsage(clientCpu);
    const serverUsed = server.proc.exitCode === null ? server.cpuSeconds() - serverCpu : Number.NaN;
    const clientUsed = (used.user + used.system) / 1e6;
    say(`  ${wall.toFixed(1)} s; CPU: server ${serverUsed.toFixed(1)} s (${Math.round((100 * serverUsed) / wall)}%), bench client ${clientUsed.toFixed(1)} s (${Math.round((100 * clientUsed) / wall)}%)`);
  };

  try {
    await phase('namespaces', async () => {
      for (const ns of [NAMESPACE, `${NAMESPACE}-warmup`]) await createNamespace(client, ns);
    });
    await phase(`cold: the first ${WARMUP} creates after start`, async () => {
      results.coldCreates = await createPods(client, `${NAMESPACE}-warmup`, WARMUP);
    });
    await phase(`cold: the first ${WARMUP} merge patches`, async () => {
      results.coldPatches = await mergePatches(client, WARMUP, (i) => `pod-${i % WARMUP}`, 0, `${NAMESPACE}-warmup`);
    });
    await phase(`removing the ${WARMUP} warm-up pods`, async () => {
      await emptyNamespace(client, `${NAMESPACE}-warmup`);
    });
    await phase(`create ${PODS} pods`, async () => {
      results.creates = await createPods(client);
    });
    await phase(`GET one pod for ${GET_MS / 1000} s`, async () => {
      results.gets = await getOnePod(client);
    });
    await phase(`${PATCHES} merge patches of pod labels (rotating over the pods)`, async () => {
      results.patches = await mergePatches(client, PATCHES, (i) => `pod-${i % PODS}`, 100);
    });
    await phase(`${HOT_PATCHES} merge patches of one pod's labels`, async () => {
      results.hotPatches = await mergePatches(client, HOT_PATCHES, () => 'pod-1', 50);
    });
    await phase(`${LISTS} LISTs of ${PODS} pods`, async () => {
      results.lists = await listPods(client);
      if (results.lists.items !== PODS) results.failures.push(`LIST returned ${results.lists.items} items, expected ${PODS}`);
    });
    results.rssAfterPodsBytes = server.rssBytes();
    await phase(`${WATCHERS} watchers while ${WATCHED_OBJECTS} configmaps are created`, async () => {
      results.watch = await watchFanout(client, `${NAMESPACE}-watch`, WATCHERS, WATCHED_OBJECTS, CONCURRENCY);
      const w = results.watch;
      say(`  ${w.deliveredEvents}/${w.expectedEvents} events, ${w.completeWatchers}/${w.watchers} complete watchers, ${w.duplicateEvents} duplicates, ${w.outOfOrderEvents} out of order, ${w.eventsBefore201} before the 201, ${w.createErrors} create errors`);
    });
    results.rssEndBytes = server.rssBytes();
  } finally {
    client.close();
    if (server.proc.exitCode !== null || server.proc.signalCode !== null) {
      results.failures.push(`the server exited during the run (${server.proc.exitCode ?? server.proc.signalCode}):\n${server.output().slice(-2000)}`);
    }
    await server.destroy();
  }

  const table = figures(results);
  const loadAfter = loadavg()[0] ?? Number.NaN;
  process.stdout.write(
    `\nk8ts benchmarks (${CONCURRENCY} concurrent HTTP/1.1 keep-alive clients, bearer token; ${cpus().length} CPUs; ` +
      `1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after; ${((Date.now() - t0) / 1000).toFixed(0)} s)\n\n`,
  );
  process.stdout.write(`${formatTable(table)}\n`);
  if (values.markdown === true) process.stdout.write(`\n${formatMarkdownTable(table)}\n`);
  for (const e of [results.creates, results.gets, results.patches, results.hotPatches]) if (e !== undefined && e.errors > 0) results.failures.push(`${e.errors} requests failed (see above)`);
  if (results.failures.length > 0) process.stdout.write(`\nproblems:\n${results.failures.map((f) => `- ${f}`).join('\n')}\n`);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadAverage: { before: loadBefore, after: loadAfter }, results, figures: table }, null, 2)}\n`);
}

runBench(main);
