// `node dist/bench/node.js` (npm run bench:node): issue 4's node agent figures, against `k8ts server` WITH its node
// agent on this machine and real containerd, the pods on their own network (CNI bridge cni0 + host-local).
//
// 1. Pod startup latency: 100 pods created at 10 pods/s (open loop: each create is sent on its own schedule); for
//    each, from when its create returned to when a watch of the namespace first showed it in phase Running, and
//    with its Ready condition True (both recorded); p50, p90, p99, max.
// 2. Density: those pods deleted (grace period 1), then 110 pods created 16 at a time; the time from the first
//    create until the watch shows all of them Running and Ready; then the RSS (VmRSS) of the k8ts process, of its
//    containerd and the sum over its containerd-shim processes.
// 3. Idle CPU with the 110 pods: after a settling pause, utime+stime (/proc/PID/stat) of k8ts and of containerd
//    over 30 s, as % of one core. The same is measured before any pod exists (the baseline), since k8ts's process
//    holds the API server, the scheduler and the controllers as well as the node agent.
// 4. All pods deleted (grace period 1) and waited for; the server stopped; the guards removed.
//
// Pods: busybox imported with `k8ts images import` (built offline), imagePullPolicy IfNotPresent, `sleep 3600`
// (no network traffic), placed by the scheduler (--bind: spec.nodeName set by the bench instead).
//
// Network safety (as test/e2e/pod-network.test.ts): private --cluster-cidr/--service-cidr checked against this
// machine's addresses and routes, REJECT guards inserted before anything starts and removed in a finally (also on
// SIGINT/SIGTERM), the API server on 127.0.0.1 and --node-ip 127.0.0.1. Needs root, containerd, runc, the CNI
// plugins and busybox-static. Reports; never fails.
//
// Flags: --pods N (100), --rate N (10 /s), --density N (110), --concurrency N (16), --idle-seconds N (30),
// --baseline-seconds N (15), --settle-seconds N (10), --bind, --json FILE.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { resolveContainerdBinaries } from '../src/containerd/containerd-binaries.js';
import { containerdPaths } from '../src/containerd/containerd-config.js';
import { connectCri } from '../src/cri/index.js';
import { BUSYBOX_PATH, DEFAULT_BUSYBOX_REF, buildBusyboxImage } from '../src/images/builtin-images.js';
import { BenchClient, runConcurrently } from './bench-client.js';
import { benchToken, cpuSeconds, rssBytes } from './bench-server.js';
import { percentile, summarize } from './latency-stats.js';
import { formatHostLoad, hostLoad } from './node-host-load.js';
import { NetworkGuard } from './node-network-guard.js';
import { PodTracker, type PodTimes, type TrackedPodJson } from './node-pod-tracker.js';
import { NodeBenchServer, nodeBenchCli, pssBytes } from './node-server.js';
import { runtimeStamps, stepDurations, type StartupStamps } from './node-startup-breakdown.js';
import { ObjectWatch } from './object-watch.js';
import { requestRates, requestTotals } from './node-request-rates.js';
import { MB, createNamespace, message, runBench, say, scrapeMetrics, sleep, waitForReadyNodes } from './scale-support.js';

const run = promisify(execFile);

const CLUSTER_CIDR = '10.244.0.0/16';
const SERVICE_CIDR = '10.96.0.0/16';
const NAMESPACE = 'node-bench';
const NETNS_DIR = '/var/run/netns';

function skipReason(): string | undefined {
  try {
    resolveContainerdBinaries();
  } catch (e: unknown) {
    return message(e);
  }
  if (!existsSync('/usr/lib/cni/bridge') || !existsSync('/usr/lib/cni/host-local')) return 'the CNI plugins are missing: apt-get install containernetworking-plugins';
  if (!existsSync(BUSYBOX_PATH)) return `${BUSYBOX_PATH} is missing: apt-get install busybox-static`;
  if (process.getuid?.() !== 0) return 'the node agent and the iptables guards need root';
  return undefined;
}

async function netnsCount(): Promise<number> {
  try {
    return (await readdir(NETNS_DIR)).length;
  } catch {
    return 0;
  }
}

function podManifest(name: string, nodeName: string | undefined): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'node-bench' } },
    spec: {
      ...(nodeName !== undefined ? { nodeName } : {}),
      containers: [{ name: 'sleep', image: DEFAULT_BUSYBOX_REF, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
    },
  };
}

const ms = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : 'n/a');
const pct = (cpu: number, seconds: number): string => `${((100 * cpu) / seconds).toFixed(1)}%`;
const mb = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / MB).toFixed(0)} MB` : 'n/a');

function safeRss(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return rssBytes(pid);
  } catch {
    return Number.NaN;
  }
}

function safeCpu(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return cpuSeconds(pid);
  } catch {
    return Number.NaN;
  }
}

function latencyText(samples: number[]): string {
  const s = summarize(samples);
  return `p50 ${ms(s.p50)}, p90 ${ms(percentile(samples, 90))}, p99 ${ms(s.p99)}, max ${ms(s.max)} (${s.count} pods)`;
}

/** Polls until `done()` holds; throws after `limitMs` with `what`. */
async function until(what: () => string, done: () => boolean | Promise<boolean>, limitMs: number, pollMs = 50): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${(limitMs / 1000).toFixed(0)} s: ${what()}`);
    await sleep(pollMs);
  }
}

interface CpuWindow {
  seconds: number;
  k8ts: number;
  containerd: number;
  shims: number;
}

/** CPU seconds of k8ts, containerd and the shims over `seconds`. */
async function measureCpu(server: NodeBenchServer, seconds: number): Promise<CpuWindow> {
  const shims = server.shimPids();
  const cd = server.containerdPid();
  const sum = (pids: number[]): number => pids.reduce((n, p) => n + (Number.isFinite(safeCpu(p)) ? safeCpu(p) : 0), 0);
  const k0 = safeCpu(server.pid);
  const c0 = safeCpu(cd);
  const s0 = sum(shims);
  const t0 = process.hrtime.bigint();
  await sleep(seconds * 1000);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds: elapsed, k8ts: safeCpu(server.pid) - k0, containerd: safeCpu(cd) - c0, shims: sum(shims) - s0 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pods: { type: 'string', default: '100' },
      rate: { type: 'string', default: '10' },
      density: { type: 'string', default: '110' },
      concurrency: { type: 'string', default: '16' },
      'idle-seconds': { type: 'string', default: '30' },
      'baseline-seconds': { type: 'string', default: '15' },
      'settle-seconds': { type: 'string', default: '10' },
      bind: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
    strict: true,
  });
  const latencyPods = Number(values.pods);
  const rate = Number(values.rate);
  const densityPods = Number(values.density);
  const concurrency = Number(values.concurrency);
  const idleSeconds = Number(values['idle-seconds']);
  const baselineSeconds = Number(values['baseline-seconds']);
  const settleSeconds = Number(values['settle-seconds']);

  const skip = skipReason();
  if (skip !== undefined) {
    process.stdout.write(`\nk8ts node benchmark skipped: ${skip}\n`);
    return;
  }
  const started = Date.now();
  // process.hrtime readings to wall-clock nanoseconds (containerd's stamps are wall clock).
  const hrBase = process.hrtime.bigint();
  const wallBase = BigInt(Date.now()) * 1_000_000n;
  const wall = (hr: bigint | undefined): bigint | undefined => (hr === undefined ? undefined : wallBase + (hr - hrBase));
  const loadStart = await hostLoad();
  say(`node benchmark: ${latencyPods} pods at ${rate}/s, then ${densityPods} pods ${concurrency} at a time; ${cpus().length} CPUs; ${formatHostLoad(loadStart)}`);
  say(`k8ts: ${nodeBenchCli()}`);

  const rows: [string, string][] = [];
  const problems: string[] = [];
  const figures: Record<string, number> = {};
  let guard: NetworkGuard | undefined;
  let server: NodeBenchServer | undefined;
  let client: BenchClient | undefined;
  let watch: ObjectWatch<TrackedPodJson> | undefined;

  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      try {
        watch?.close();
        client?.close();
        if (server !== undefined) {
          const left = await server.destroy();
          if (left > 0) problems.push(`${left} containerd-shim processes were left after the server stopped (ended by pid)`);
        }
      } finally {
        await guard?.remove();
      }
    })();
    return cleaning;
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    say(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const netnsBefore = await netnsCount();
    guard = await NetworkGuard.install(CLUSTER_CIDR, SERVICE_CIDR);
    say(`REJECT guards inserted for ${CLUSTER_CIDR} and ${SERVICE_CIDR}`);
    const startAt = Date.now();
    server = await NodeBenchServer.start({ clusterCidr: CLUSTER_CIDR, serviceCidr: SERVICE_CIDR });
    const s = server;
    const caPem = s.caPem();
    const c = new BenchClient({ host: '127.0.0.1', port: s.port, token: benchToken, maxSockets: concurrency, ...(caPem !== undefined ? { caPem } : {}) });
    client = c;
    const readySeconds = await waitForReadyNodes(c, 1, 90_000, 100);
    const nodeList = JSON.parse((await c.send('GET', '/api/v1/nodes')).body) as { items?: { metadata?: { name?: string }; spec?: { podCIDR?: string }; status?: { allocatable?: Record<string, string> } }[] };
    const node = nodeList.items?.[0];
    const nodeName = node?.metadata?.name ?? '';
    rows.push(['server ready, node Ready', `${((Date.now() - startAt) / 1000 - readySeconds).toFixed(1)} s + ${readySeconds.toFixed(1)} s (node ${nodeName}, podCIDR ${node?.spec?.podCIDR ?? '?'}, pods allocatable ${node?.status?.allocatable?.['pods'] ?? '?'})`]);

    const archive = join(s.dir, 'busybox.tar');
    await buildBusyboxImage(archive);
    const imported = (await run(process.execPath, [nodeBenchCli(), 'images', 'import', archive, '--data-dir', s.dataDir])).stdout.trim();
    say(imported);
    await createNamespace(c, NAMESPACE);
    const otherPods = ((JSON.parse((await c.send('GET', '/api/v1/pods')).body) as { items?: unknown[] }).items ?? []).length;
    if (otherPods > 0) problems.push(`${otherPods} pods existed before the bench created any`);

    const tracker = new PodTracker();
    const w = new ObjectWatch<TrackedPodJson>(
      { host: '127.0.0.1', port: s.port, token: benchToken, ...(caPem !== undefined ? { caPem } : {}), path: `/api/v1/namespaces/${NAMESPACE}/pods` },
      (type, pod) => tracker.observe(type, pod, process.hrtime.bigint()),
    );
    watch = w;
    await w.start();
    const nodeForPods = values.bind ? nodeName : undefined;
    const create = async (name: string): Promise<void> => {
      const r = await c.send('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, podManifest(name, nodeForPods));
      if (r.status === 201) tracker.created(name, r.doneAt);
      else if (problems.length < 10) problems.push(`create ${name} answered ${r.status}: ${r.body.slice(0, 200)}`);
    };
    const deleteAll = async (names: readonly string[]): Promise<number> => {
      const t0 = process.hrtime.bigint();
      await runConcurrently(names.length, concurrency, async (i) => {
        const r = await c.send('DELETE', `/api/v1/namespaces/${NAMESPACE}/pods/${names[i] ?? ''}`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 1 });
        if (r.status !== 200 && r.status !== 202 && r.status !== 404 && problems.length < 10) problems.push(`delete ${names[i] ?? ''} answered ${r.status}: ${r.body.slice(0, 200)}`);
      });
      let left = -1;
      await until(
        () => `${left} pods left`,
        async () => {
          const list = await c.send('GET', `/api/v1/namespaces/${NAMESPACE}/pods`);
          left = list.status === 200 ? ((JSON.parse(list.body) as { items?: unknown[] }).items ?? []).length : -1;
          return left === 0;
        },
        120_000,
        250,
      );
      return Number(process.hrtime.bigint() - t0) / 1e9;
    };
    const running = (t: PodTimes): boolean => t.runningAt !== undefined && t.readyAt !== undefined;

    // Baseline: the idle CPU of k8ts and containerd with the node Ready and no pod.
    await sleep(settleSeconds * 1000);
    const baseMetrics = requestTotals(await scrapeMetrics(c));
    const base = await measureCpu(s, baselineSeconds);
    const baseRates = requestRates(baseMetrics, requestTotals(await scrapeMetrics(c)));
    const baseRss = { k8ts: safeRss(s.pid), containerd: safeRss(s.containerdPid()) };
    rows.push(['idle, no pods: CPU k8ts / containerd', `${pct(base.k8ts, base.seconds)} / ${pct(base.containerd, base.seconds)} of a core over ${base.seconds.toFixed(0)} s`]);
    rows.push(['idle, no pods: API requests', `${(baseRates.reduce((n, r) => n + r.count, 0) / base.seconds).toFixed(1)} /s (the scrapes included)`]);
    rows.push(['idle, no pods: RSS k8ts / containerd', `${mb(baseRss.k8ts)} / ${mb(baseRss.containerd)}`]);

    // 1. Pod startup latency at a steady rate.
    say(`1. ${latencyPods} pods at ${rate}/s`);
    const latencyNames = Array.from({ length: latencyPods }, (_, i) => `lat-${i}`);
    const l0 = process.hrtime.bigint();
    const creates: Promise<void>[] = [];
    for (let i = 0; i < latencyNames.length; i++) {
      const due = l0 + BigInt(Math.round((i * 1e9) / rate));
      const wait = Number(due - process.hrtime.bigint()) / 1e6;
      if (wait > 0) await sleep(wait);
      creates.push(create(latencyNames[i] ?? ''));
    }
    await Promise.all(creates);
    const createSpan = Number(process.hrtime.bigint() - l0) / 1e9;
    await until(() => `${tracker.count(latencyNames, running)} of ${latencyPods} pods Running and Ready`, () => tracker.count(latencyNames, running) === latencyPods, 180_000);
    const toRunning = tracker.intervals(latencyNames, (t) => t.createdAt, (t) => t.runningAt);
    const toReady = tracker.intervals(latencyNames, (t) => t.createdAt, (t) => t.readyAt);
    const toBound = tracker.intervals(latencyNames, (t) => t.createdAt, (t) => t.boundAt);
    const boundToRunning = tracker.intervals(latencyNames, (t) => t.boundAt, (t) => t.runningAt);
    rows.push(['1. creates sent', `${latencyPods} in ${createSpan.toFixed(1)} s (${(latencyPods / createSpan).toFixed(1)} /s)`]);
    rows.push(['1. create to Running', latencyText(toRunning)]);
    rows.push(['1. create to Ready', latencyText(toReady)]);
    rows.push(['1.   of which create to bound (watch)', latencyText(toBound)]);
    rows.push(['1.   bound to Running', latencyText(boundToRunning)]);
    rows.push(['1. target', `p99 <= 1000 ms (upstream SLO 5 s): ${summarize(toRunning).p99 <= 1000 && summarize(toReady).p99 <= 1000 ? 'met' : 'NOT met'}`]);
    figures['startupRunningP50Ms'] = summarize(toRunning).p50;
    figures['startupRunningP90Ms'] = percentile(toRunning, 90);
    figures['startupRunningP99Ms'] = summarize(toRunning).p99;
    figures['startupRunningMaxMs'] = summarize(toRunning).max;
    figures['startupReadyP50Ms'] = summarize(toReady).p50;
    figures['startupReadyP90Ms'] = percentile(toReady, 90);
    figures['startupReadyP99Ms'] = summarize(toReady).p99;
    figures['startupReadyMaxMs'] = summarize(toReady).max;
    // Where the time went, from containerd's stamps.
    try {
      const cri = await connectCri(containerdPaths(s.dataDir).socket);
      try {
        const stamps = await runtimeStamps(cri, NAMESPACE);
        const pods: StartupStamps[] = latencyNames.map((name) => ({ ...(stamps.get(name) ?? {}), created: wall(tracker.get(name)?.createdAt), running: wall(tracker.get(name)?.runningAt) }));
        for (const step of stepDurations(pods)) rows.push([`1.   ${step.name}`, latencyText(step.samples)]);
      } finally {
        cri.close();
      }
    } catch (e: unknown) {
      problems.push(`reading containerd's stamps: ${message(e)}`);
    }
    const latencyRestarts = latencyNames.reduce((n, name) => n + (tracker.get(name)?.restarts ?? 0), 0);
    if (latencyRestarts > 0) problems.push(`${latencyRestarts} container restarts among the latency pods`);

    const firstDelete = await deleteAll(latencyNames);
    rows.push(['   deleting them (grace 1) until gone', `${firstDelete.toFixed(1)} s`]);
    await until(() => `${s.shimPids().length} shims left`, () => s.shimPids().length === 0, 60_000, 250).catch((e: unknown) => problems.push(message(e)));

    // 2. Density.
    say(`2. ${densityPods} pods, ${concurrency} at a time`);
    const densityNames = Array.from({ length: densityPods }, (_, i) => `dens-${i}`);
    const d0 = process.hrtime.bigint();
    await runConcurrently(densityPods, concurrency, async (i) => create(densityNames[i] ?? ''));
    const densityCreated = Number(process.hrtime.bigint() - d0) / 1e9;
    await until(() => `${tracker.count(densityNames, running)} of ${densityPods} pods Running and Ready`, () => tracker.count(densityNames, running) === densityPods, 300_000);
    const allRunning = tracker.latest(densityNames, (t) => t.runningAt) ?? process.hrtime.bigint();
    const allReady = tracker.latest(densityNames, (t) => t.readyAt) ?? process.hrtime.bigint();
    const densityRunningSeconds = Number(allRunning - d0) / 1e9;
    const densityReadySeconds = Number(allReady - d0) / 1e9;
    const shims = s.shimPids();
    const cdPid = s.containerdPid();
    const rss = { k8ts: safeRss(s.pid), containerd: safeRss(cdPid), shims: shims.reduce((n, p) => n + (Number.isFinite(safeRss(p)) ? safeRss(p) : 0), 0) };
    rows.push([`2. ${densityPods} pods: creates returned`, `${densityCreated.toFixed(1)} s`]);
    rows.push([`2. ${densityPods} pods: all Running / all Ready`, `${densityRunningSeconds.toFixed(1)} s / ${densityReadySeconds.toFixed(1)} s after the first create (${(densityPods / densityReadySeconds).toFixed(1)} pods/s)`]);
    rows.push(['2. density create to Ready', latencyText(tracker.intervals(densityNames, (t) => t.createdAt, (t) => t.readyAt))]);
    rows.push(['2. RSS k8ts', mb(rss.k8ts)]);
    rows.push(['2. RSS containerd', mb(rss.containerd)]);
    const shimPss = shims.reduce((n, p) => n + pssBytes(p), 0);
    rows.push(['2. RSS containerd-shims (sum)', `${mb(rss.shims)} over ${shims.length} shims (${mb(rss.shims / Math.max(1, shims.length))} each; PSS sum ${mb(shimPss)}, shared pages split)`]);
    figures['densityAllRunningS'] = densityRunningSeconds;
    figures['densityAllReadyS'] = densityReadySeconds;
    figures['rssK8tsMB'] = rss.k8ts / MB;
    figures['rssContainerdMB'] = rss.containerd / MB;
    figures['rssShimsMB'] = rss.shims / MB;
    figures['pssShimsMB'] = shimPss / MB;
    figures['shims'] = shims.length;
    if (shims.length !== densityPods) problems.push(`${shims.length} shims for ${densityPods} pods`);

    // 3. Idle CPU with the pods running.
    say(`3. idle CPU: settling ${settleSeconds} s, measuring ${idleSeconds} s`);
    await sleep(settleSeconds * 1000);
    const metricsBefore = requestTotals(await scrapeMetrics(c));
    const idle = await measureCpu(s, idleSeconds);
    const rates = requestRates(metricsBefore, requestTotals(await scrapeMetrics(c)));
    const totalRequests = rates.reduce((n, r) => n + r.count, 0);
    rows.push([`3. idle, ${densityPods} pods: CPU k8ts`, `${pct(idle.k8ts, idle.seconds)} of a core over ${idle.seconds.toFixed(0)} s (no pods: ${pct(base.k8ts, base.seconds)}; target for the agent < 5%, k3s agent ~3-6%)`]);
    rows.push([`3. idle, ${densityPods} pods: CPU containerd`, `${pct(idle.containerd, idle.seconds)} of a core (no pods: ${pct(base.containerd, base.seconds)})`]);
    rows.push([`3. idle, ${densityPods} pods: CPU shims (sum)`, `${pct(idle.shims, idle.seconds)} of a core`]);
    rows.push([`3. API requests while idling`, `${(totalRequests / idle.seconds).toFixed(1)} /s: ${rates.slice(0, 6).map((r) => `${r.request} ${(r.count / idle.seconds).toFixed(1)}/s`).join(', ')}`]);
    rows.push([`3. RSS after idling k8ts / containerd`, `${mb(safeRss(s.pid))} / ${mb(safeRss(s.containerdPid()))}`]);
    figures['idleCpuK8tsPct'] = (100 * idle.k8ts) / idle.seconds;
    figures['idleCpuContainerdPct'] = (100 * idle.containerd) / idle.seconds;
    figures['idleCpuShimsPct'] = (100 * idle.shims) / idle.seconds;
    figures['baselineCpuK8tsPct'] = (100 * base.k8ts) / base.seconds;
    figures['baselineCpuContainerdPct'] = (100 * base.containerd) / base.seconds;
    const densityRestarts = densityNames.reduce((n, name) => n + (tracker.get(name)?.restarts ?? 0), 0);
    if (densityRestarts > 0) problems.push(`${densityRestarts} container restarts among the density pods`);

    // 4. Clean up.
    say('4. deleting the pods');
    const lastDelete = await deleteAll(densityNames);
    rows.push([`4. deleting ${densityPods} pods (grace 1) until gone`, `${lastDelete.toFixed(1)} s`]);
    await until(() => `${s.shimPids().length} shims left`, () => s.shimPids().length === 0, 60_000, 250).catch((e: unknown) => problems.push(message(e)));
    await cleanup();
    const netnsAfter = await netnsCount();
    if (netnsAfter !== netnsBefore) problems.push(`${netnsAfter - netnsBefore} network namespaces more in ${NETNS_DIR} than before`);
  } catch (e: unknown) {
    problems.push(message(e).slice(0, 2000));
    if (server !== undefined) process.stderr.write(`bench: server log tail:\n${server.output().slice(-4000)}\n`);
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const loadEnd = await hostLoad();
  process.stdout.write(`\nk8ts node benchmark (${cpus().length} CPUs; start: ${formatHostLoad(loadStart)}; end: ${formatHostLoad(loadEnd)}; ${((Date.now() - started) / 1000).toFixed(0)} s in all)\n\n`);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  if (problems.length > 0) process.stdout.write(`\nproblems:\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), loadStart, loadEnd, figures, rows, problems }, null, 2)}\n`);
}

runBench(main);
