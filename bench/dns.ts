// `node dist/bench/dns.js`: issue 5's DNS figure. A `k8ts server --disable-agent` on loopback runs its cluster DNS on
// a free port; the bench creates a ClusterIP service and a headless one with 10 ready endpoints, then measures, over
// UDP from one socket: the latency of one query at a time (p50/p99), and the queries per second with N queries in
// flight (closed loop) with their p99. Names outside the cluster go to a resolver the bench runs on a loopback
// address (127.0.53.N:53, never the machine's). Reports; never fails.
//
// Flags: --seconds S per loaded run (default 10), --concurrency N (default 32), --json FILE.
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';
import type { RecordType } from 'dns-packet';
import { DnsServer, createStaticHandler } from '../src/dns/index.js';
import { readKubeconfig } from '../src/client/kubeconfig.js';
import { RestClient } from '../src/client/rest-client.js';
import { BenchServer, findK8tsBin } from './bench-server.js';
import { summarize, type LatencySummary } from './latency-stats.js';
import { runBench, say, sleep } from './scale-support.js';
import { formatTable, type BenchFigure } from './report-table.js';

interface LoadResult {
  answered: number;
  lost: number;
  wrongRcode: number;
  seconds: number;
  qps: number;
  latency: LatencySummary;
}

/**
 * Keeps `concurrency` queries for `name` in flight on one UDP socket for `seconds`: every answer (or a loss after
 * 1 s) sends the next query. Latencies are in milliseconds; answers whose rcode is not `rcode` are counted apart.
 */
async function load(port: number, name: string, type: RecordType, rcode: string, concurrency: number, seconds: number): Promise<LoadResult> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const pending = new Map<number, bigint>();
  const latencies: number[] = [];
  let nextId = 1;
  let lost = 0;
  let wrongRcode = 0;
  let stopping = false;
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const started = process.hrtime.bigint();
  const send = (): void => {
    if (stopping) return;
    if (process.hrtime.bigint() >= end) {
      stopping = true;
      return;
    }
    let id = nextId;
    nextId = (nextId % 0xffff) + 1;
    while (pending.has(id)) id = (id % 0xffff) + 1;
    const q = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });
    pending.set(id, process.hrtime.bigint());
    socket.send(q, port, '127.0.0.1');
  };
  socket.on('message', (msg: Buffer) => {
    const at = process.hrtime.bigint();
    if (msg.length < 12) return;
    const id = msg.readUInt16BE(0);
    const sent = pending.get(id);
    if (sent === undefined) return;
    pending.delete(id);
    latencies.push(Number(at - sent) / 1e6);
    const got = (dnsPacket.decode(msg) as { rcode?: string }).rcode;
    if (got !== rcode) wrongRcode++;
    send();
  });
  const sweep = setInterval(() => {
    const now = process.hrtime.bigint();
    for (const [id, sent] of pending) {
      if (now - sent > 1_000_000_000n) {
        pending.delete(id);
        lost++;
        send();
      }
    }
  }, 100);
  for (let i = 0; i < concurrency; i++) send();
  while (!stopping || pending.size > 0) {
    await sleep(20);
    if (stopping && process.hrtime.bigint() > end + 2_000_000_000n) break;
  }
  clearInterval(sweep);
  socket.close();
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return { answered: latencies.length, lost: lost + pending.size, wrongRcode, seconds: elapsed, qps: latencies.length / elapsed, latency: summarize(latencies) };
}

/** Binds the bench's upstream resolver on 127.0.53.N:53 for the first free N. */
async function startUpstream(): Promise<DnsServer> {
  let last: unknown;
  for (let n = 2; n < 40; n++) {
    try {
      return await DnsServer.listen({ host: `127.0.53.${n}`, port: 53, handler: createStaticHandler([{ type: 'A', name: 'example.org', ttl: 300, class: 'IN', data: '192.0.2.80' }]) });
    } catch (e: unknown) {
      last = e;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '32' }, json: { type: 'string' } } });
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const upstream = await startUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-dns-'));
  const resolvConf = join(dir, 'resolv.conf');
  writeFileSync(resolvConf, `nameserver ${upstream.host}\n`);
  let server: BenchServer | undefined;
  try {
    server = await BenchServer.start(findK8tsBin(), undefined, { extraArgs: ['--cluster-dns-port', '0', '--resolv-conf', resolvConf] });
    const srv = server;
    let port = 0;
    for (let i = 0; i < 200 && port === 0; i++) {
      const line = srv.output().split('\n').find((l) => l.includes('"cluster DNS listening"'));
      if (line !== undefined) port = (JSON.parse(line) as { port?: number }).port ?? 0;
      else await sleep(50);
    }
    if (port === 0) throw new Error(`the server's cluster DNS did not start:\n${srv.output()}`);
    const client = new RestClient(readKubeconfig(join(srv.dataDir, 'data', 'kubeconfig.yaml')));
    await client.request('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80 }] } });
    await client.request('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } });
    await client.request('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'db-1', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4',
      endpoints: Array.from({ length: 10 }, (_, i) => ({ addresses: [`10.240.9.${i + 10}`], hostname: `db-${i}`, conditions: { ready: true } })),
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    });
    client.close();
    // The records arrive through the server's informers.
    for (let i = 0; i < 100; i++) {
      const probe = await load(port, 'db.default.svc.cluster.local', 'A', 'NOERROR', 1, 0.05);
      if (probe.wrongRcode === 0 && probe.answered > 0) break;
      await sleep(50);
    }
    say(`cluster DNS on 127.0.0.1:${port}; ${seconds} s per loaded run, ${concurrency} in flight`);
    const cpu0 = srv.cpuSeconds();
    await load(port, 'web.default.svc.cluster.local', 'A', 'NOERROR', concurrency, 1); // warm-up
    const single = await load(port, 'web.default.svc.cluster.local', 'A', 'NOERROR', 1, Math.min(5, seconds));
    say(`one at a time: ${single.answered} answers, p50 ${single.latency.p50.toFixed(3)} ms, p99 ${single.latency.p99.toFixed(3)} ms`);
    const cpu1 = srv.cpuSeconds();
    const service = await load(port, 'web.default.svc.cluster.local', 'A', 'NOERROR', concurrency, seconds);
    const cpu2 = srv.cpuSeconds();
    say(`service name: ${service.qps.toFixed(0)} qps, p99 ${service.latency.p99.toFixed(2)} ms, lost ${service.lost}, wrong rcode ${service.wrongRcode}`);
    const headless = await load(port, 'db.default.svc.cluster.local', 'A', 'NOERROR', concurrency, seconds);
    say(`headless (10 endpoints): ${headless.qps.toFixed(0)} qps, p99 ${headless.latency.p99.toFixed(2)} ms`);
    const nx = await load(port, 'nope.default.svc.cluster.local', 'A', 'NXDOMAIN', concurrency, seconds);
    say(`NXDOMAIN: ${nx.qps.toFixed(0)} qps, p99 ${nx.latency.p99.toFixed(2)} ms`);
    const forwarded = await load(port, 'example.org', 'A', 'NOERROR', concurrency, seconds);
    say(`forwarded: ${forwarded.qps.toFixed(0)} qps, p99 ${forwarded.latency.p99.toFixed(2)} ms`);
    const serverCpuShare = (cpu2 - cpu1) / service.seconds;
    const figures: BenchFigure[] = [
      { figure: 'service A, one query at a time: p50', unit: 'ms', measured: single.latency.p50 },
      { figure: 'service A, one query at a time: p99', unit: 'ms', measured: single.latency.p99 },
      { figure: `service A, ${concurrency} in flight: queries/s`, unit: 'q/s', measured: service.qps },
      { figure: `service A, ${concurrency} in flight: p99`, unit: 'ms', measured: service.latency.p99 },
      { figure: 'server CPU during the service run', unit: 'cores', measured: serverCpuShare },
      { figure: `headless A (10 endpoints), ${concurrency} in flight: queries/s`, unit: 'q/s', measured: headless.qps },
      { figure: `headless A (10 endpoints), ${concurrency} in flight: p99`, unit: 'ms', measured: headless.latency.p99 },
      { figure: `NXDOMAIN, ${concurrency} in flight: queries/s`, unit: 'q/s', measured: nx.qps },
      { figure: `forwarded (loopback upstream), ${concurrency} in flight: queries/s`, unit: 'q/s', measured: forwarded.qps },
      { figure: `forwarded (loopback upstream), ${concurrency} in flight: p99`, unit: 'ms', measured: forwarded.latency.p99 },
    ];
    process.stdout.write(`${formatTable(figures)}\n`);
    const lost = single.lost + service.lost + headless.lost + nx.lost + forwarded.lost;
    const wrong = single.wrongRcode + service.wrongRcode + headless.wrongRcode + nx.wrongRcode + forwarded.wrongRcode;
    if (lost > 0 || wrong > 0) process.stdout.write(`problems: ${lost} queries lost, ${wrong} answers with an unexpected rcode\n`);
    process.stdout.write(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()[0]?.toFixed(2)}; server CPU over the whole bench ${(cpu2 - cpu0).toFixed(1)} s\n`);
    if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ figures, runs: { single, service, headless, nx, forwarded } }, null, 2)}\n`);
  } finally {
    await server?.destroy();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
