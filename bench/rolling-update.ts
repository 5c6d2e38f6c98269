// `npm run bench:rollout`: issue 3's rolling-update figure. A `k8ts server --virtual-nodes N` (100 by default) with
// its scheduler and controllers; one Deployment of 1000 replicas (default strategy: RollingUpdate, maxSurge and
// maxUnavailable 25%; each pod requesting 10m cpu and 16Mi memory) is created and waited for until rolled out; then
// its image changes and the figure is the time from that patch until the rollout is done as `kubectl rollout status`
// decides (generation observed, every replica updated, no old replica left, every updated one available). A watch on
// the namespace's pods follows every state in between: at no moment may more than replicas + maxSurge pods be
// active (not terminating) nor fewer than replicas − maxUnavailable be available. Reports; never fails.
//
// Flags: --nodes N, --replicas N, --time-limit S, --json FILE, --markdown.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BenchClient } from './bench-client.js';
import { BenchServer, benchToken, findK8tsBin } from './bench-server.js';
import { ObjectWatch } from './object-watch.js';
import { PodCensus, type CensusPod } from './pod-census.js';
import { formatMarkdownTable, formatTable, type BenchFigure } from './report-table.js';
import { histogramDelta, quantileBucket, requestDurationHistogram } from './request-duration-histogram.js';
import { deploymentRolloutStatus, rolloutFenceposts, type RolloutDeployment } from './rollout-status.js';
import { MB, RssSampler, createNamespace, message, runBench, say, scrapeMetrics, sleep, waitForReadyNodes } from './scale-support.js';

const NAMESPACE = 'rollout-bench';
const NAME = 'web';
const IMAGE_BEFORE = 'registry.k8s.io/pause:3.10';
const IMAGE_AFTER = 'registry.k8s.io/pause:3.9';
/** After the rollout, how long to wait for the old pods to be gone (the virtual nodes wait out their grace period). */
const DRAIN_LIMIT_MS = 60_000;

type WatchedDeployment = RolloutDeployment & { metadata?: { resourceVersion?: string } };

function container(image: string): unknown {
  return { name: 'c', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '100' },
      replicas: { type: 'string', default: '1000' },
      'time-limit': { type: 'string', default: '600' },
      json: { type: 'string' },
      markdown: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const nodeCount = Number(values.nodes);
  const replicas = Number(values.replicas);
  const timeLimitMs = Number(values['time-limit']) * 1000;
  for (const [flag, v] of [['--nodes', nodeCount], ['--replicas', replicas], ['--time-limit', timeLimitMs]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${flag} needs a whole number`);
  }
  const loadBefore = loadavg()[0] ?? Number.NaN;
  say(`${nodeCount} virtual nodes, a Deployment of ${replicas} replicas; ${cpus().length} CPUs; load average ${loadBefore.toFixed(2)}`);

  const server = await BenchServer.start(findK8tsBin(), undefined, { controlLoops: true, extraArgs: ['--virtual-nodes', String(nodeCount)] });
  const rss = new RssSampler(server);
  const caPem = server.caPem();
  const clientOpts = { host: '127.0.0.1', port: server.port, token: benchToken, ...(caPem !== undefined ? { caPem } : {}) };
  const client = new BenchClient({ ...clientOpts, maxSockets: 2 });
  const failures: string[] = [];
  const census = new PodCensus();
  const pods = new ObjectWatch<CensusPod & { metadata?: { resourceVersion?: string } }>({ ...clientOpts, path: `/api/v1/namespaces/${NAMESPACE}/pods` }, (type, pod) => census.apply(type, pod), () => census.clear());
  let latest: WatchedDeployment | undefined;
  /** The highest status.replicas and lowest status.availableReplicas the Deployment reported since `trackStatus` was set. */
  let trackStatus = false;
  let statusPeakReplicas = 0;
  let statusLowAvailable = Number.POSITIVE_INFINITY;
  const deployments = new ObjectWatch<WatchedDeployment>({ ...clientOpts, path: `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, query: `fieldSelector=${encodeURIComponent(`metadata.name=${NAME}`)}` }, (type, d) => {
    latest = type === 'DELETED' ? undefined : d;
    if (trackStatus && d.status !== undefined) {
      statusPeakReplicas = Math.max(statusPeakReplicas, d.status.replicas ?? 0);
      statusLowAvailable = Math.min(statusLowAvailable, d.status.availableReplicas ?? 0);
    }
  });
  /** Waits until the Deployment at `generation` or later is rolled out; the time that took (ms), NaN at the limit. */
  const rolledOut = async (generation: number, started: number, what: string): Promise<number> => {
    let lastMessage = '';
    let nextSay = Date.now() + 5000;
    for (;;) {
      const d = latest;
      if (d !== undefined && (d.metadata?.generation ?? 0) >= generation) {
        const st = deploymentRolloutStatus(d);
        if (st.done) return Date.now() - started;
        if (st.error !== undefined) {
          failures.push(`${what}: ${st.error}`);
          return Number.NaN;
        }
        lastMessage = st.message;
      }
      if (Date.now() - started > timeLimitMs) {
        failures.push(`${what}: not done after ${(timeLimitMs / 1000).toFixed(0)} s (${lastMessage})`);
        return Number.NaN;
      }
      if (Date.now() >= nextSay) {
        nextSay += 5000;
        const c = census.current;
        say(`  ${((Date.now() - started) / 1000).toFixed(0)} s: ${lastMessage} (${c.active} active pods, ${c.available} available, ${c.terminating} terminating)`);
      }
      await sleep(20);
    }
  };
  try {
    const registerSeconds = await waitForReadyNodes(client, nodeCount, 300_000, 500);
    say(`${nodeCount} nodes Ready after ${registerSeconds.toFixed(1)} s`);
    await createNamespace(client, NAMESPACE);
    await pods.start();
    await deployments.start();

    const createdAt = Date.now();
    const created = await client.send('POST', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NAME },
      spec: { replicas, selector: { matchLabels: { app: NAME } }, template: { metadata: { labels: { app: NAME } }, spec: { containers: [container(IMAGE_BEFORE)] } } },
    });
    if (created.status !== 201) throw new Error(`creating the Deployment: ${created.status} ${created.body.slice(0, 300)}`);
    const spec = (JSON.parse(created.body) as RolloutDeployment).spec;
    const strategy = spec?.strategy?.rollingUpdate;
    const bounds = rolloutFenceposts(replicas, strategy?.maxSurge, strategy?.maxUnavailable);
    say(`strategy ${spec?.strategy?.type ?? '?'}: maxSurge ${strategy?.maxSurge ?? '?'} (${bounds.surge} pods), maxUnavailable ${strategy?.maxUnavailable ?? '?'} (${bounds.unavailable} pods)`);
    const firstMs = await rolledOut(1, createdAt, 'the first rollout');
    if (Number.isNaN(firstMs)) throw new Error(failures.join('; '));
    say(`${replicas} replicas available after ${(firstMs / 1000).toFixed(1)} s`);
    // Wait for the census to show every pod available too (the Deployment's status may run ahead of the watch).
    const censusDeadline = Date.now() + 30_000;
    while (census.current.available < replicas && Date.now() < censusDeadline) await sleep(20);

    // The rolling update.
    const metrics0 = await scrapeMetrics(client);
    const cpu0 = server.cpuSeconds();
    const restarts0 = pods.restarts;
    census.resetExtremes();
    trackStatus = true;
    const startedAt = Date.now();
    const patched = await client.send('PATCH', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${NAME}`, { spec: { template: { spec: { containers: [container(IMAGE_AFTER)] } } } }, 'application/merge-patch+json');
    if (patched.status !== 200) throw new Error(`changing the image: ${patched.status} ${patched.body.slice(0, 300)}`);
    const generation = (JSON.parse(patched.body) as RolloutDeployment).metadata?.generation ?? 2;
    const rolloutMs = await rolledOut(generation, startedAt, 'the rolling update');
    const cpuUsed = server.cpuSeconds() - cpu0;
    const metrics1 = await scrapeMetrics(client);
    trackStatus = false;
    const atDone = census.current;
    const peakActive = census.peakActive;
    const peakPresent = census.peakPresent;
    const lowAvailable = census.lowAvailable;
    if (!Number.isNaN(rolloutMs)) say(`rolled out after ${(rolloutMs / 1000).toFixed(1)} s; ${atDone.terminating} old pods still terminating`);
    if (pods.restarts > restarts0) failures.push(`the pod watch started over during the rollout (410 Gone): the peaks and lows may miss moments`);

    // Until the old pods are gone (for information).
    let drainedMs = Number.NaN;
    if (!Number.isNaN(rolloutMs)) {
      const drainDeadline = Date.now() + DRAIN_LIMIT_MS;
      while (Date.now() < drainDeadline) {
        const c = census.current;
        if (c.present === replicas && c.terminating === 0) {
          drainedMs = Date.now() - startedAt;
          break;
        }
        await sleep(50);
      }
    }
    const hist = histogramDelta(requestDurationHistogram(metrics1), requestDurationHistogram(metrics0));

    const seconds = rolloutMs / 1000;
    const table: BenchFigure[] = [
      { figure: `rolling update of ${replicas} replicas (patch to rolled out)`, unit: 's', measured: seconds },
      { figure: 'pods replaced per second', unit: '/s', measured: replicas / seconds },
      { figure: `most active pods at any moment (<= ${replicas} + ${bounds.surge})`, unit: '', measured: peakActive, target: replicas + bounds.surge, direction: 'max' },
      { figure: `fewest available pods at any moment (>= ${replicas} - ${bounds.unavailable})`, unit: '', measured: lowAvailable, target: replicas - bounds.unavailable, direction: 'min' },
      { figure: 'most pods at any moment, terminating ones included', unit: '', measured: peakPresent },
      { figure: 'Deployment status: most replicas', unit: '', measured: statusPeakReplicas, target: replicas + bounds.surge, direction: 'max' },
      { figure: 'Deployment status: fewest availableReplicas', unit: '', measured: Number.isFinite(statusLowAvailable) ? statusLowAvailable : Number.NaN, target: replicas - bounds.unavailable, direction: 'min' },
      { figure: 'old pods gone (patch to only new pods left)', unit: 's', measured: drainedMs / 1000 },
      { figure: `first rollout (${replicas} replicas available)`, unit: 's', measured: firstMs / 1000 },
      { figure: 'server histogram: mutating p99 at most, during the update', unit: 'ms', measured: 1000 * quantileBucket(hist, 0.99), target: 1000, direction: 'max', upstream: 'SLO <= 1 s' },
      { figure: 'server histogram: mutating calls during the update', unit: '', measured: hist.count },
      { figure: 'server CPU during the update', unit: 's', measured: cpuUsed },
      { figure: 'server RSS at the end', unit: 'MB', measured: rss.sample() / MB },
      { figure: 'server RSS peak', unit: 'MB', measured: rss.peakBytes / MB },
    ];
    const loadAfter = loadavg()[0] ?? Number.NaN;
    process.stdout.write(
      `\nk8ts rolling-update benchmark (${nodeCount} virtual nodes, ${replicas} replicas, maxSurge ${bounds.surge}, maxUnavailable ${bounds.unavailable}; ${cpus().length} CPUs; load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after)\n\n`,
    );
    process.stdout.write(`${formatTable(table)}\n`);
    if (values.markdown === true) process.stdout.write(`\n${formatMarkdownTable(table)}\n`);
    if (failures.length > 0) process.stdout.write(`\nproblems:\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
    if (values.json !== undefined) {
      const results = { nodeCount, replicas, bounds, rolloutMs, firstMs, drainedMs, peakActive, peakPresent, lowAvailable, statusPeakReplicas, statusLowAvailable, atDone, serverHistogram: hist, podWatch: { events: pods.events, resumes: pods.resumes, restarts: pods.restarts } };
      writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadAverage: { before: loadBefore, after: loadAfter }, figures: table, results, failures }, null, 2)}\n`);
    }
  } finally {
    pods.close();
    deployments.close();
    rss.stop();
    client.close();
    await server.destroy();
  }
}

runBench(main);
