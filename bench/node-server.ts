// A `k8ts server` WITH its node agent for the node benchmark (bench-server.ts's BenchServer always passes
// --disable-agent): loopback only (API server on 127.0.0.1, --node-ip 127.0.0.1), a short fresh data dir under /tmp
// (containerd's socket path must stay short), a bearer token from a token file, the scheduler and controllers on.
// It runs the CLI compiled beside this file (or $K8TS_BIN). destroy() stops it, unmounts what pods left mounted
// under the data dir (as test/e2e/support/server.ts does) and removes the dir. It also finds the processes the node
// runs: its containerd and containerd-shim-runc-v2 processes (by their data dir on the command line).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, unmountUnder } from '../test/e2e/support/server.js';
import { benchToken, readyzStatus } from './bench-server.js';

/** The CLI entry to run: $K8TS_BIN, else src/cli/main.js of the build this file belongs to. */
export function nodeBenchCli(): string {
  const fromEnv = process.env['K8TS_BIN'];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  const here = dirname(fileURLToPath(import.meta.url));
  const main = join(here, '..', 'src', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`no ${main}: build first, or set K8TS_BIN`);
  return main;
}

/** The command line of a process, arguments joined by spaces ('' when it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The executable name (comm) of a process ('' when it is gone). */
export function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The pids of the processes whose comm is `name` and whose command line contains `needle`. */
export function findProcesses(name: string, needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (processName(pid) === name && commandLine(pid).includes(needle)) out.push(pid);
  }
  return out.sort((a, b) => a - b);
}

/** The pids of a process's direct children (from /proc/PID/task/TID/children). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const c of text.split(/\s+/)) if (c !== '') out.push(Number(c));
    }
  } catch {
    // gone
  }
  return out;
}

/** The proportional set size of a process in bytes (/proc/PID/smaps_rollup: shared pages split among their users); NaN when unreadable. */
export function pssBytes(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m?.[1] !== undefined ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface NodeServerOptions {
  clusterCidr: string;
  serviceCidr: string;
}

export class NodeBenchServer {
  private log = '';

  private constructor(
    readonly proc: ChildProcess,
    /** The temporary dir (token file, image archives); the server's --data-dir is DIR/d. */
    readonly dir: string,
    readonly port: number,
  ) {}

  get dataDir(): string {
    return join(this.dir, 'd');
  }

  static async start(opts: NodeServerOptions): Promise<NodeBenchServer> {
    const dir = mkdtempSync('/tmp/k8nb-');
    const tokenFile = join(dir, 'tokens.csv');
    writeFileSync(tokenFile, `${benchToken},bench,1001,"system:masters"\n`, { mode: 0o600 });
    const port = await freePort();
    const args = [
      nodeBenchCli(), 'server', '--data-dir', join(dir, 'd'), '--bind-address', '127.0.0.1', '--https-listen-port', String(port),
      '--token-file', tokenFile, '--node-ip', '127.0.0.1', '--cluster-cidr', opts.clusterCidr, '--service-cidr', opts.serviceCidr,
      // Network safety: no DNS forwarding to the machine's resolvers.
      '--disable-cluster-dns',
    ];
    // $K8TS_BENCH_NODE_ARGS passes options to the server's node, as for the other benches (e.g. --cpu-prof).
    const nodeArgs = (process.env['K8TS_BENCH_NODE_ARGS'] ?? '').split(' ').filter((x) => x !== '');
    const proc = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const s = new NodeBenchServer(proc, dir, port);
    proc.stdout?.on('data', (d: Buffer) => (s.log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (s.log += d.toString()));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        await s.destroy();
        throw new Error(`k8ts server exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${s.log}`);
      }
      if ((await readyzStatus(port)) === 200 && s.log.includes('k8ts server ready')) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    await s.destroy();
    throw new Error(`k8ts server was not ready within 60 s:\n${s.log}`);
  }

  get pid(): number {
    const pid = this.proc.pid;
    if (pid === undefined) throw new Error('k8ts server has no pid');
    return pid;
  }

  caPem(): string | undefined {
    const file = join(this.dataDir, 'tls', 'server-ca.crt');
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  output(): string {
    return this.log;
  }

  /** The pid of this node's containerd (undefined while it is down). */
  containerdPid(): number | undefined {
    return findProcesses('containerd', this.dataDir)[0];
  }

  /** The pids of this node's containerd-shim-runc-v2 processes. */
  shimPids(): number[] {
    return findProcesses('containerd-shim', this.dataDir);
  }

  /** SIGTERM (SIGKILL after 30 s: the agent stops containerd too) and wait for the exit. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGTERM');
      setTimeout(() => {
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      }, 30_000).unref();
    });
  }

  /**
   * Stops the server, ends this node's shims and their containers if any are left (pods not deleted, e.g. after ^C;
   * by pid, the containers first), unmounts what is left under the dir and removes it. The number of shims ended.
   */
  async destroy(): Promise<number> {
    await this.stop();
    const shims = this.shimPids();
    for (const shim of shims) {
      for (const child of childPids(shim)) {
        try {
          process.kill(child, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (shims.length > 0) await new Promise((r) => setTimeout(r, 500));
    for (const shim of shims) {
      try {
        process.kill(shim, 'SIGKILL');
      } catch {
        // gone
      }
    }
    unmountUnder(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
    return shims.length;
  }
}
