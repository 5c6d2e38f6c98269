// A `k8ts server` process for the benchmarks: loopback only, a fresh data dir, a bearer token from a token file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/e2e/support/server.js';

export const benchToken = 'k8ts-bench-token-0123456789abcdef';

/** The controllers an API-server benchmark turns off (with the scheduler): those that act on the objects it writes. */
const apiOnlyControllers = ['deployment', 'replicaset', 'replicationcontroller', 'daemonset', 'statefulset', 'endpoints', 'endpointslice', 'job', 'cronjob', 'ttl-after-finished', 'node-lifecycle', 'taint-eviction', 'pod-garbage-collector', 'garbage-collector', 'resourcequota', 'disruption'];

/** The `k8ts` executable: $K8TS_BIN, or bin/k8ts of the checkout this file was compiled in. */
export function findK8tsBin(): string {
  const fromEnv = process.env['K8TS_BIN'];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'bin', 'k8ts');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find bin/k8ts above the bench; set K8TS_BIN');
    dir = parent;
  }
}

/** GET /readyz once; the status code, or 0 when the server does not answer. */
export function readyzStatus(port: number): Promise<number> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, timeout: 1000, agent: false }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('error', () => done(0));
    req.on('timeout', () => {
      req.destroy();
      done(0);
    });
    req.end();
  });
}

/** VmRSS of a process in bytes, from /proc/PID/status. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (m === null || m[1] === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** CPU seconds (user + system) of a process, from /proc/PID/stat (clock ticks of 1/100 s, Linux's USER_HZ). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after it start past its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / 100;
}

export class BenchServer {
  private log = '';

  private constructor(
    readonly proc: ChildProcess,
    readonly dataDir: string,
    readonly port: number,
    /** Milliseconds from spawn to the first 200 on /readyz. */
    readonly startMs: number,
  ) {}

  /**
   * Spawns a server and waits (polling every 5 ms) for /readyz to answer 200. Without `reuseDataDir` the server
   * gets a fresh data dir (so it generates its PKI and store); with it, it starts on that one (a warm start).
   */
  static async start(bin: string = findK8tsBin(), reuseDataDir?: string, opts: { controlLoops?: boolean; extraArgs?: readonly string[] } = {}): Promise<BenchServer> {
    const dataDir = reuseDataDir ?? mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
    const tokenFile = join(dataDir, 'tokens.csv');
    writeFileSync(tokenFile, `${benchToken},bench,1001,"system:masters"\n`, { mode: 0o600 });
    const port = await freePort();
    // By default the API server's figures, as upstream's were measured (kube-apiserver and etcd, no scheduler or
    // controller manager): without nodes, a scheduler would answer each of the 2000 pods with an event and a patch.
    const args = ['server', '--data-dir', join(dataDir, 'data'), '--bind-address', '127.0.0.1', '--https-listen-port', String(port), '--disable-agent', '--token-file', tokenFile, '--disable-cluster-dns'];
    if (opts.controlLoops !== true) args.push('--disable-scheduler', ...apiOnlyControllers.flatMap((c) => ['--disable-controller', c]));
    args.push(...(opts.extraArgs ?? []));
    const started = process.hrtime.bigint();
    // $K8TS_BENCH_NODE_ARGS passes options to the server's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it).
    const nodeArgs = (process.env['K8TS_BENCH_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    const proc = spawn(process.execPath, [...nodeArgs, bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        rmSync(dataDir, { recursive: true, force: true });
        throw new Error(`k8ts server exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${log}`);
      }
      if ((await readyzStatus(port)) === 200) {
        const startMs = Number(process.hrtime.bigint() - started) / 1e6;
        const s = new BenchServer(proc, dataDir, port, startMs);
        s.log = log;
        proc.stdout?.on('data', (d: Buffer) => (s.log += d.toString()));
        proc.stderr?.on('data', (d: Buffer) => (s.log += d.toString()));
        return s;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`k8ts server was not ready within 30 s:\n${log}`);
  }

  get pid(): number {
    const pid = this.proc.pid;
    if (pid === undefined) throw new Error('k8ts server has no pid');
    return pid;
  }

  /** The cluster CA the server generated in its data dir. */
  caPem(): string | undefined {
    const file = join(this.dataDir, 'data', 'tls', 'server-ca.crt');
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  rssBytes(): number {
    return rssBytes(this.pid);
  }

  /** CPU seconds (user + system) the server has used so far. */
  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  output(): string {
    return this.log;
  }

  /** SIGTERM (SIGKILL after 5 s), wait for the exit, remove the data dir. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** SIGTERM (SIGKILL after 5 s) and wait for the exit; the data dir stays. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (p.exitCode === null && p.signalCode === null) {
      await new Promise<void>((r) => {
        p.once('exit', () => r());
        p.kill('SIGTERM');
        setTimeout(() => {
          if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
        }, 5000).unref();
      });
    }
  }
}
