// `npm run bench:scheduler`: issue 3's scheduler throughput figure. A `k8ts server --virtual-nodes N` (500 by
// default) with its scheduler and controllers; 16 concurrent clients create the pods (5000 by default), each
// requesting 100m cpu and 64Mi memory; the figure is pods per second from the first create to the moment every pod
// is bound. Afterwards every pod must be bound and no node may hold more than it can fit. Reports; never fails.
//
// Flags: --nodes N, --pods N, --json FILE.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BenchClient, runConcurrently } from './bench-client.js';
import { BenchServer, benchToken, findK8tsBin } from './bench-server.js';
import { summarize } from './latency-stats.js';
import { MB, runBench, say } from './scale-support.js';

const CONCURRENCY = 16;
const NAMESPACE = 'sched-bench';
interface PodJson {
  metadata?: { name?: string };
  spec?: { nodeName?: string; containers?: { resources?: { requests?: Record<string, string> } }[] };
}

interface NodeJson {
  metadata?: { name?: string };
  status?: { allocatable?: Record<string, string>; conditions?: { type?: string; status?: string }[] };
}

/** Millicores of a cpu quantity as the bench writes and the nodes report them ("100m", "4"). */
function milliCpu(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

/** Bytes of a memory quantity in the forms used here ("64Mi", "16Gi"). */
function bytes(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (m === null) return Number.NaN;
  const unit = m[2] === 'Ki' ? 1024 : m[2] === 'Mi' ? MB : m[2] === 'Gi' ? 1024 * MB : 1;
  return Number(m[1]) * unit;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '500' }, pods: { type: 'string', default: '5000' }, json: { type: 'string' } }, strict: true });
  const nodeCount = Number(values.nodes);
  const podCount = Number(values.pods);
  const loadBefore = loadavg()[0] ?? Number.NaN;
  say(`${nodeCount} virtual nodes, ${podCount} pods, ${CONCURRENCY} clients; ${cpus().length} CPUs; load average ${loadBefore.toFixed(2)}`);

  const server = await BenchServer.start(findK8tsBin(), undefined, { controlLoops: true, extraArgs: ['--virtual-nodes', String(nodeCount)] });
  const caPem = server.caPem();
  const client = new BenchClient({ host: '127.0.0.1', port: server.port, token: benchToken, maxSockets: CONCURRENCY, ...(caPem !== undefined ? { caPem } : {}) });
  const failures: string[] = [];
  try {
    const registered = Date.now();
    for (;;) {
      const r = await client.send('GET', '/api/v1/nodes');
      const items = (JSON.parse(r.body) as { items?: NodeJson[] }).items ?? [];
      const ready = items.filter((n) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length;
      if (ready >= nodeCount) break;
      if (Date.now() - registered > 120_000) throw new Error(`only ${ready} of ${nodeCount} nodes Ready after 120 s`);
      await new Promise((done) => setTimeout(done, 200));
    }
    say(`  ${nodeCount} nodes Ready after ${((Date.now() - registered) / 1000).toFixed(1)} s; RSS ${(server.rssBytes() / MB).toFixed(0)} MB`);
    const ns = await client.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    if (ns.status !== 201) throw new Error(`creating the namespace: ${ns.status} ${ns.body}`);
    for (;;) {
      const sa = await client.send('GET', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/default`);
      if (sa.status === 200) break;
      await new Promise((done) => setTimeout(done, 50));
    }

    const cpu0 = server.cpuSeconds();
    const t0 = process.hrtime.bigint();
    let created = 0;
    let createsDone = false;
    const createLatencies: number[] = [];
    const creating = runConcurrently(podCount, CONCURRENCY, async (i) => {
      const r = await client.send('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `pod-${i}`, labels: { app: 'sched-bench' } },
        spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      });
      if (r.status === 201) {
        created++;
        createLatencies.push(r.ms);
      } else if (failures.length < 5) failures.push(`create answered ${r.status}: ${r.body.slice(0, 200)}`);
    }).then(() => {
      createsDone = true;
    });
    const createdAt = creating.then(() => process.hrtime.bigint());
    // Every pod is bound when, after the last create, no pod of the namespace is left without a node.
    let boundAt: bigint | undefined;
    const deadline = Date.now() + 600_000;
    while (boundAt === undefined && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 50));
      if (!createsDone) continue;
      const r = await client.send('GET', `/api/v1/namespaces/${NAMESPACE}/pods?fieldSelector=${encodeURIComponent('spec.nodeName=')}&limit=1`);
      if (r.status === 200 && ((JSON.parse(r.body) as { items?: unknown[] }).items?.length ?? 1) === 0) boundAt = process.hrtime.bigint();
    }
    const createsEnd = await createdAt;
    const cpuUsed = server.cpuSeconds() - cpu0;
    // The scheduler writes its Scheduled events one at a time, behind the bindings: how long after the last binding
    // the last of them is written (after the measured window, so this polling costs the figure nothing).
    let scheduledEvents = 0;
    let eventsAt: bigint | undefined;
    while (boundAt !== undefined && Date.now() < deadline) {
      const r = await client.send('GET', `/api/v1/namespaces/${NAMESPACE}/events?fieldSelector=${encodeURIComponent('reason=Scheduled')}`);
      if (r.status === 200) scheduledEvents = (JSON.parse(r.body) as { items?: unknown[] }).items?.length ?? 0;
      if (scheduledEvents >= podCount) {
        eventsAt = process.hrtime.bigint();
        break;
      }
      await new Promise((done) => setTimeout(done, 250));
    }
    if (boundAt === undefined) failures.push('not every pod was bound within 10 minutes');
    const seconds = Number((boundAt ?? process.hrtime.bigint()) - t0) / 1e9;
    const createSeconds = Number(createsEnd - t0) / 1e9;

    // Checks: every pod bound, and no node holds more than its allocatable.
    const pods = (JSON.parse((await client.send('GET', `/api/v1/namespaces/${NAMESPACE}/pods`)).body) as { items?: PodJson[] }).items ?? [];
    const nodes = (JSON.parse((await client.send('GET', '/api/v1/nodes')).body) as { items?: NodeJson[] }).items ?? [];
    const perNode = new Map<string, { cpu: number; memory: number; pods: number }>();
    let unbound = 0;
    for (const p of pods) {
      const node = p.spec?.nodeName ?? '';
      if (node === '') {
        unbound++;
        continue;
      }
      const used = perNode.get(node) ?? { cpu: 0, memory: 0, pods: 0 };
      for (const c of p.spec?.containers ?? []) {
        used.cpu += milliCpu(c.resources?.requests?.['cpu'] ?? '0');
        used.memory += bytes(c.resources?.requests?.['memory'] ?? '0');
      }
      used.pods += 1;
      perNode.set(node, used);
    }
    let overcommitted = 0;
    for (const n of nodes) {
      const used = perNode.get(n.metadata?.name ?? '');
      const alloc = n.status?.allocatable ?? {};
      if (used === undefined) continue;
      if (used.cpu > milliCpu(alloc['cpu'] ?? '0') || used.memory > bytes(alloc['memory'] ?? '0') || used.pods > Number(alloc['pods'] ?? '0')) overcommitted++;
    }
    const nodesUsed = perNode.size;
    const counts = [...perNode.values()].map((u) => u.pods);
    const create = summarize(createLatencies);
    const rows: [string, string][] = [
      ['pods bound per second, end to end', `${(podCount / seconds).toFixed(0)} /s (target >= 500 /s; upstream 51 /s)`],
      ['time to the last binding', `${seconds.toFixed(1)} s`],
      ['Scheduled events written', `${scheduledEvents}${eventsAt !== undefined && boundAt !== undefined ? `, the last ${(Number(eventsAt - boundAt) / 1e9).toFixed(1)} s after the last binding` : ''}`],
      ['creates per second', `${(created / createSeconds).toFixed(0)} /s (create p50 ${create.p50.toFixed(1)} ms, p99 ${create.p99.toFixed(1)} ms)`],
      ['pods created / bound / unbound', `${created} / ${pods.length - unbound} / ${unbound}`],
      ['nodes holding more than allocatable', String(overcommitted)],
      ['nodes used; pods per node min-max', `${nodesUsed}; ${Math.min(...counts)}-${Math.max(...counts)}`],
      ['server CPU during the run', `${cpuUsed.toFixed(1)} s (${((100 * cpuUsed) / seconds).toFixed(0)}%)`],
      ['server RSS at the end', `${(server.rssBytes() / MB).toFixed(0)} MB`],
    ];
    if (unbound > 0) failures.push(`${unbound} pods not bound`);
    if (scheduledEvents < podCount) failures.push(`${podCount - scheduledEvents} Scheduled events missing`);
    if (overcommitted > 0) failures.push(`${overcommitted} nodes hold more than they can fit`);
    const loadAfter = loadavg()[0] ?? Number.NaN;
    process.stdout.write(`\nk8ts scheduler benchmark (${nodeCount} virtual nodes, ${podCount} pods, ${CONCURRENCY} clients; ${cpus().length} CPUs; load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after)\n\n`);
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(40)} ${v}\n`);
    if (failures.length > 0) process.stdout.write(`\nproblems:\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
    if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), nodeCount, podCount, rows, failures }, null, 2)}\n`);
  } finally {
    client.close();
    await server.destroy();
  }
}

runBench(main);
