// `npm run bench:scale`: issue 3's scale figure. A `k8ts server --virtual-nodes N` (1000 by default) with its
// scheduler and controllers; Deployments (300 × 100 replicas by default, each pod requesting 10m cpu and 16Mi
// memory) are created by 8 clients, and the figure is the time from the first create until every pod is Running, as
// a watch on the namespace's pods sees it. Throughout, a probe creates, patches and deletes a ConfigMap (one call
// every 100 ms, on a connection of its own); its latencies and the Deployment creates' give the mutating-call
// p50/p99/max, and the server's own apiserver_request_duration_seconds histogram (POST, PUT, PATCH and DELETE of every
// client, the controllers and virtual nodes included) gives the bucket holding its p99. Before the pods, the server's
// CPU with the idle nodes over 30 s is the heartbeat cost. After a time limit the bench reports what it reached.
// Reports; never fails (exit code 0).
//
// Flags: --nodes N, --pods N, --deployments N, --idle-seconds S, --time-limit S, --json FILE, --markdown.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BenchClient, runConcurrently } from './bench-client.js';
import { BenchServer, benchToken, findK8tsBin } from './bench-server.js';
import { summarize, type LatencySummary } from './latency-stats.js';
import { ObjectWatch } from './object-watch.js';
import { PodCensus, type CensusPod } from './pod-census.js';
import { formatMarkdownTable, formatTable, type BenchFigure } from './report-table.js';
import { histogramDelta, quantileBucket, requestDurationHistogram, requestTotal, type DurationHistogram } from './request-duration-histogram.js';
import { MutationProbe } from './scale-mutation-probe.js';
import { MB, RssSampler, createNamespace, message, runBench, say, scrapeMetrics, sleep, waitForReadyNodes } from './scale-support.js';

const NAMESPACE = 'scale-bench';
const CREATE_CLIENTS = 8;
const PROGRESS_EVERY_MS = 10_000;
/** Probe latencies are also summarized per window of this many seconds; the worst window's p99 is reported. */
const WINDOW_S = 30;

/** Replicas of each of `deployments` Deployments so that they add up to `pods` (the first ones take the remainder). */
function replicaSplit(pods: number, deployments: number): number[] {
  const base = Math.floor(pods / deployments);
  const extra = pods - base * deployments;
  return Array.from({ length: deployments }, (_, i) => base + (i < extra ? 1 : 0));
}

function deploymentObject(name: string, replicas: number): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { bench: 'scale' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, bench: 'scale' } },
        spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  };
}

interface ProgressPoint {
  seconds: number;
  present: number;
  running: number;
  rssMB: number;
  serverCpuSeconds: number;
  probeP99Ms: number;
}

/** p99 of the probe per window of WINDOW_S seconds, by the window's start. */
function windowP99s(samples: readonly { at: number; ms: number; status: number }[], fromSeconds: number): { start: number; p99: number; count: number }[] {
  const windows = new Map<number, number[]>();
  for (const s of samples) {
    if (s.at < fromSeconds || s.status >= 300) continue;
    const w = Math.floor((s.at - fromSeconds) / WINDOW_S);
    const list = windows.get(w) ?? [];
    list.push(s.ms);
    windows.set(w, list);
  }
  return [...windows].sort(([a], [b]) => a - b).map(([w, list]) => ({ start: w * WINDOW_S, p99: summarize(list).p99, count: list.length }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1000' },
      pods: { type: 'string', default: '30000' },
      deployments: { type: 'string' },
      'idle-seconds': { type: 'string', default: '30' },
      'time-limit': { type: 'string', default: '900' },
      json: { type: 'string' },
      markdown: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const nodeCount = Number(values.nodes);
  const podCount = Number(values.pods);
  const deploymentCount = values.deployments !== undefined ? Number(values.deployments) : Math.max(1, Math.ceil(podCount / 100));
  const idleSeconds = Number(values['idle-seconds']);
  const timeLimitS = Number(values['time-limit']);
  for (const [flag, v] of [['--nodes', nodeCount], ['--pods', podCount], ['--deployments', deploymentCount], ['--idle-seconds', idleSeconds], ['--time-limit', timeLimitS]] as const) {
    if (!Number.isInteger(v) || v < (flag === '--idle-seconds' ? 0 : 1)) throw new Error(`${flag} needs a whole number`);
  }
  const replicas = replicaSplit(podCount, deploymentCount);
  const loadBefore = loadavg()[0] ?? Number.NaN;
  say(`${nodeCount} virtual nodes, ${podCount} pods in ${deploymentCount} Deployments (${replicas[0]} replicas each); ${cpus().length} CPUs; load average ${loadBefore.toFixed(2)}`);

  const benchCpu0 = process.cpuUsage();
  // The default cluster CIDR (a /16) holds 256 nodes' /24s; a /12 holds 4096.
  const server = await BenchServer.start(findK8tsBin(), undefined, { controlLoops: true, extraArgs: ['--virtual-nodes', String(nodeCount), '--cluster-cidr', '10.240.0.0/12'] });
  const rss = new RssSampler(server);
  const caPem = server.caPem();
  const clientOpts = { host: '127.0.0.1', port: server.port, token: benchToken, ...(caPem !== undefined ? { caPem } : {}) };
  const client = new BenchClient({ ...clientOpts, maxSockets: CREATE_CLIENTS });
  const probeClient = new BenchClient({ ...clientOpts, maxSockets: 1 });
  const failures: string[] = [];
  const census = new PodCensus();
  const watch = new ObjectWatch<CensusPod & { metadata?: { resourceVersion?: string } }>({ ...clientOpts, path: `/api/v1/namespaces/${NAMESPACE}/pods` }, (type, pod) => census.apply(type, pod), () => census.clear());
  let probe: MutationProbe | undefined;
  try {
    // Nodes, then the heartbeat cost of the idle nodes.
    const registerSeconds = await waitForReadyNodes(client, nodeCount, 300_000, nodeCount >= 500 ? 2000 : 500);
    say(`${nodeCount} nodes Ready after ${registerSeconds.toFixed(1)} s (since /readyz); RSS ${(rss.sample() / MB).toFixed(0)} MB`);
    await sleep(5000);
    const idleMetrics0 = await scrapeMetrics(client);
    const idleCpu0 = server.cpuSeconds();
    const idleT0 = Date.now();
    await sleep(idleSeconds * 1000);
    const idleElapsed = (Date.now() - idleT0) / 1000;
    const idleCpu = server.cpuSeconds() - idleCpu0;
    const idleMetrics1 = await scrapeMetrics(client);
    const leasePuts = requestTotal(idleMetrics1, { resource: 'leases', verb: 'PUT' }) - requestTotal(idleMetrics0, { resource: 'leases', verb: 'PUT' });
    const idleRequests = requestTotal(idleMetrics1, {}) - requestTotal(idleMetrics0, {});
    const rssIdle = rss.sample();
    if (idleSeconds > 0) say(`heartbeats: ${(idleCpu / idleElapsed).toFixed(3)} CPU s/s with ${nodeCount} idle nodes; ${(leasePuts / idleElapsed).toFixed(0)} lease renewals/s; RSS ${(rssIdle / MB).toFixed(0)} MB`);

    await createNamespace(client, NAMESPACE);
    await watch.start();
    probe = new MutationProbe(probeClient, NAMESPACE);
    await sleep(1000);
    const runMetrics0 = await scrapeMetrics(client);
    const cpu0 = server.cpuSeconds();
    const t0 = process.hrtime.bigint();
    const probeT0 = probe.now();
    const elapsed = (): number => Number(process.hrtime.bigint() - t0) / 1e9;

    const createLatencies: number[] = [];
    let createErrors = 0;
    const creating = runConcurrently(deploymentCount, CREATE_CLIENTS, async (i) => {
      const r = await client.send('POST', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, deploymentObject(`scale-${i}`, replicas[i] ?? 0));
      if (r.status === 201) createLatencies.push(r.ms);
      else if (createErrors++ < 5) failures.push(`Deployment create answered ${r.status}: ${r.body.slice(0, 200)}`);
    });
    let createsSeconds = Number.NaN;
    void creating.then(() => (createsSeconds = elapsed()));

    let allCreatedSeconds = Number.NaN;
    let allRunningSeconds = Number.NaN;
    const progress: ProgressPoint[] = [];
    let nextProgress = PROGRESS_EVERY_MS / 1000;
    for (;;) {
      await sleep(100);
      const s = elapsed();
      const c = census.current;
      if (Number.isNaN(allCreatedSeconds) && c.present >= podCount) allCreatedSeconds = s;
      if (c.running >= podCount) {
        allRunningSeconds = s;
        break;
      }
      if (s >= nextProgress) {
        nextProgress += PROGRESS_EVERY_MS / 1000;
        const recent = summarize(probe.latenciesSince(probe.now() - PROGRESS_EVERY_MS / 1000));
        const point = { seconds: s, present: c.present, running: c.running, rssMB: rss.sample() / MB, serverCpuSeconds: server.cpuSeconds() - cpu0, probeP99Ms: recent.p99 };
        progress.push(point);
        say(`  ${s.toFixed(0)} s: ${c.present} pods, ${c.running} Running; probe p99 ${recent.p99.toFixed(0)} ms (last 10 s); RSS ${point.rssMB.toFixed(0)} MB; server CPU ${point.serverCpuSeconds.toFixed(0)} s`);
      }
      if (s >= timeLimitS) {
        failures.push(`time limit: ${c.running} of ${podCount} pods Running (${c.present} created) after ${timeLimitS} s`);
        break;
      }
    }
    const endSeconds = elapsed();
    const cpuUsed = server.cpuSeconds() - cpu0;
    await probe.stop();
    await creating;
    const runMetrics1 = await scrapeMetrics(client);
    const rssEnd = rss.sample();
    const reached = census.current;
    if (!Number.isNaN(allRunningSeconds)) say(`  all ${podCount} pods Running after ${allRunningSeconds.toFixed(1)} s`);

    // Latencies: the probe's calls and the Deployment creates, and the server's histogram over the run.
    const probeSamples = probe.samples.filter((p) => p.at >= probeT0);
    const probeErrors = probeSamples.filter((p) => p.status >= 300);
    if (probeErrors.length > 0) failures.push(`${probeErrors.length} probe calls failed (first: ${probeErrors[0]?.op} answered ${probeErrors[0]?.status})`);
    const probeOk = probeSamples.filter((p) => p.status < 300).map((p) => p.ms);
    const probeAll = summarize(probeOk);
    const byOp = (op: string): LatencySummary => summarize(probeSamples.filter((p) => p.op === op && p.status < 300).map((p) => p.ms));
    const creates = summarize(createLatencies);
    const mutating = summarize([...probeOk, ...createLatencies]);
    const windows = windowP99s(probeSamples, probeT0);
    const worstWindow = windows.reduce<{ start: number; p99: number; count: number }>((w, x) => (Number.isNaN(w.p99) || x.p99 > w.p99 ? x : w), { start: Number.NaN, p99: Number.NaN, count: 0 });
    const serverHist: DurationHistogram = histogramDelta(requestDurationHistogram(runMetrics1), requestDurationHistogram(runMetrics0));
    const serverP99 = quantileBucket(serverHist, 0.99);
    const oneSecondIndex = serverHist.bounds.indexOf(1);
    const overOneSecond = oneSecondIndex >= 0 ? serverHist.count - (serverHist.counts[oneSecondIndex] ?? 0) : Number.NaN;
    const perVerb = ['POST', 'PUT', 'PATCH', 'DELETE'].map((verb) => {
      const h = histogramDelta(requestDurationHistogram(runMetrics1, [verb]), requestDurationHistogram(runMetrics0, [verb]));
      return { verb, count: h.count, p99BucketSeconds: quantileBucket(h, 0.99), meanMs: h.count > 0 ? (1000 * h.sum) / h.count : Number.NaN };
    });
    const benchCpu = process.cpuUsage(benchCpu0);
    const benchCpuSeconds = (benchCpu.user + benchCpu.system) / 1e6;

    const table: BenchFigure[] = [
      { figure: `all ${podCount} pods Running (from the first Deployment create)`, unit: 's', measured: allRunningSeconds, target: 300, direction: 'max' },
      { figure: 'pods Running at the end', unit: '', measured: reached.running },
      { figure: 'pods Running per second', unit: '/s', measured: reached.running / (Number.isNaN(allRunningSeconds) ? endSeconds : allRunningSeconds) },
      { figure: `all ${podCount} pods created`, unit: 's', measured: allCreatedSeconds },
      { figure: `${deploymentCount} Deployment creates done`, unit: 's', measured: createsSeconds },
      { figure: 'mutating calls p99 (probe + Deployment creates)', unit: 'ms', measured: mutating.p99, target: 1000, direction: 'max', upstream: 'SLO <= 1 s' },
      { figure: 'mutating calls p50', unit: 'ms', measured: mutating.p50 },
      { figure: 'mutating calls max', unit: 'ms', measured: mutating.max },
      { figure: `probe p99, worst ${WINDOW_S} s window`, unit: 'ms', measured: worstWindow.p99 },
      { figure: 'Deployment creates p99', unit: 'ms', measured: creates.p99 },
      { figure: 'server histogram: mutating p99 at most', unit: 'ms', measured: 1000 * serverP99, target: 1000, direction: 'max', upstream: 'SLO <= 1 s' },
      { figure: 'server histogram: mutating calls over 1 s', unit: '%', measured: (100 * overOneSecond) / serverHist.count },
      { figure: 'server histogram: mutating calls in the run', unit: '', measured: serverHist.count },
      { figure: 'server CPU during the run', unit: 's', measured: cpuUsed },
      { figure: 'server CPU share of one core during the run', unit: '%', measured: (100 * cpuUsed) / endSeconds },
      { figure: `heartbeat cost, ${nodeCount} idle nodes`, unit: 'CPU s/s', measured: idleSeconds > 0 ? idleCpu / idleElapsed : Number.NaN },
      { figure: 'lease renewals while idle', unit: '/s', measured: idleSeconds > 0 ? leasePuts / idleElapsed : Number.NaN },
      { figure: 'API requests while idle', unit: '/s', measured: idleSeconds > 0 ? idleRequests / idleElapsed : Number.NaN },
      { figure: `node registration (${nodeCount} Ready after /readyz)`, unit: 's', measured: registerSeconds },
      { figure: 'server RSS with idle nodes', unit: 'MB', measured: rssIdle / MB },
      { figure: 'server RSS at the end', unit: 'MB', measured: rssEnd / MB },
      { figure: 'server RSS peak', unit: 'MB', measured: rss.peakBytes / MB },
      { figure: 'bench process CPU (watch, probe, creates)', unit: 's', measured: benchCpuSeconds },
    ];
    if (watch.restarts > 0) failures.push(`the pod watch started over ${watch.restarts} times (410 Gone)`);
    const loadAfter = loadavg()[0] ?? Number.NaN;
    process.stdout.write(
      `\nk8ts scale benchmark (${nodeCount} virtual nodes, ${podCount} pods in ${deploymentCount} Deployments; ${cpus().length} CPUs; load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after)\n\n`,
    );
    process.stdout.write(`${formatTable(table)}\n`);
    process.stdout.write(`\nprobe by call (ms): ${(['create', 'patch', 'delete'] as const).map((op) => { const s = byOp(op); return `${op} p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(0)} (${s.count})`; }).join('; ')}\n`);
    process.stdout.write(`server histogram by verb: ${perVerb.map((v) => `${v.verb} ${v.count} calls, p99 <= ${Number.isFinite(v.p99BucketSeconds) ? `${1000 * v.p99BucketSeconds} ms` : 'n/a'}, mean ${v.meanMs.toFixed(1)} ms`).join('; ')}\n`);
    if (values.markdown === true) process.stdout.write(`\n${formatMarkdownTable(table)}\n`);
    if (failures.length > 0) process.stdout.write(`\nproblems:\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
    if (values.json !== undefined) {
      const results = { nodeCount, podCount, deploymentCount, reached, probe: { all: probeAll, create: byOp('create'), patch: byOp('patch'), delete: byOp('delete'), windows }, creates, serverHistogram: serverHist, perVerb, progress, watch: { events: watch.events, bytes: watch.bytes, resumes: watch.resumes, restarts: watch.restarts } };
      writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadAverage: { before: loadBefore, after: loadAfter }, figures: table, results, failures }, null, 2)}\n`);
    }
  } finally {
    await probe?.stop();
    watch.close();
    rss.stop();
    client.close();
    probeClient.close();
    await server.destroy();
  }
}

runBench(main);
