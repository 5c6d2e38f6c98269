// Starts a real `k8ts server` process for end-to-end tests (loopback only, a temporary data dir, a free port)
// and runs the real kubectl against it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'node:https';

export const repoRoot = resolve(new URL('../../../../', import.meta.url).pathname);
export const k8tsBin = join(repoRoot, 'bin', 'k8ts');
export const seedDir = resolve(repoRoot, '..', 'shared', 'seed-manifests');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolvePort(port));
    });
    s.on('error', reject);
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ServerOptions {
  dataDir?: string;
  datastoreEndpoint?: string;
  extraArgs?: string[];
  port?: number;
}

export class K8tsServer {
  proc: ChildProcess | undefined;
  log = '';
  readonly kubeconfig: string;

  constructor(
    readonly dataDir: string,
    readonly port: number,
    readonly opts: ServerOptions,
  ) {
    this.kubeconfig = join(dataDir, 'kubeconfig.yaml');
  }

  static async start(opts: ServerOptions = {}): Promise<K8tsServer> {
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'k8ts-e2e-'));
    const port = opts.port ?? (await freePort());
    const s = new K8tsServer(dataDir, port, opts);
    await s.startProcess();
    return s;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async startProcess(): Promise<void> {
    const args = ['server', '--data-dir', this.dataDir, '--bind-address', '127.0.0.1', '--https-listen-port', String(this.port), '--disable-agent'];
    if (this.opts.datastoreEndpoint !== undefined) args.push('--datastore-endpoint', this.opts.datastoreEndpoint);
    args.push(...(this.opts.extraArgs ?? []));
    const proc = spawn(process.execPath, [k8tsBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`k8ts server exited with ${proc.exitCode}:\n${this.log}`);
      if ((await this.readyz()) === 200 && this.log.includes('k8ts server ready')) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`k8ts server did not become ready:\n${this.log}`);
  }

  readyz(): Promise<number> {
    return new Promise((resolveCode) => {
      const req = request({ host: '127.0.0.1', port: this.port, path: '/readyz', rejectUnauthorized: false, timeout: 1000 }, (res) => {
        res.resume();
        resolveCode(res.statusCode ?? 0);
      });
      req.on('error', () => resolveCode(0));
      req.on('timeout', () => {
        req.destroy();
        resolveCode(0);
      });
      req.end();
    });
  }

  /** Stops the process (SIGTERM, or SIGKILL with kill9) and waits for it to exit. */
  async stop(kill9 = false): Promise<void> {
    const p = this.proc;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill(kill9 ? 'SIGKILL' : 'SIGTERM');
      setTimeout(() => {
        if (p.exitCode === null) p.kill('SIGKILL');
      }, 5000).unref();
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.opts.dataDir === undefined) rmSync(this.dataDir, { recursive: true, force: true });
  }

  kubectl(args: string[], opts: { input?: string; env?: Record<string, string>; bin?: string } = {}): RunResult {
    const r = spawnSync(opts.bin ?? 'kubectl', args, {
      input: opts.input,
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: this.kubeconfig, ...(opts.env ?? {}) },
      timeout: 60_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** kubectl that must succeed; returns stdout. */
  k(args: string[], opts: { input?: string; env?: Record<string, string>; bin?: string } = {}): string {
    const r = this.kubectl(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  }
}

export function writeTemp(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-file-'));
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Blanks the AGE-like cells so that outputs compare across runs. */
export function normalizeAges(s: string): string {
  return s.replace(/\b\d+(s|m|h|d|y)(\d+(s|m|h))?\b/g, '<age>');
}
