// The containerd that k8ts runs as a child process, as k3s does: a config of ours under DATA_DIR/containerd/,
// started, awaited until its CRI plugin answers, restarted with back-off when it dies, stopped gracefully.
// Containers outlive containerd: each runs under its own containerd-shim-runc-v2 (a separate process group),
// which a restarted containerd re-adopts; stop() ends only containerd itself, never the shims.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { log } from '../cli/log.js';
import { binarySearchDirs, resolveContainerdBinaries, type ContainerdBinaries } from './containerd-binaries.js';
import { containerdPaths, defaultCniConfDir, renderContainerdConfig, type ContainerdPaths, type Snapshotter } from './containerd-config.js';
import { listPlugins } from './ctr-plugins.js';
import { probeCri } from './probe-cri.js';
import { readRegistries, writeRegistryHosts } from './registries.js';
import { processAlive } from '../machinery/process-alive.js';

export interface ContainerdOptions {
  dataDir: string;
  sandboxImage: string;
  cniBinDir?: string;
  cniConfDir?: string;
  logLevel?: string;
}

export interface ContainerdProcess {
  readonly socketPath: string;
  /** The running containerd's pid; undefined while it is down between restarts and after stop(). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Knobs for tests; production uses the defaults. */
export interface ContainerdSupervision {
  /** Where to look for containerd, ctr and runc. Default: PATH, then /usr/sbin and /usr/bin. */
  searchDirs?: readonly string[];
  /** How long to wait for the CRI plugin to answer after each spawn. Default 30 s. */
  readyTimeoutMs?: number;
  /** Restart back-off: the first delay, doubled after each unexpected exit up to the maximum. Default 1 s .. 30 s. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 10 s. */
  stopTimeoutMs?: number;
}

/** The CRI plugin did not load because the snapshotter it was configured with did not. */
class SnapshotterUnusableError extends Error {
  constructor(
    readonly snapshotter: Snapshotter,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

const LOG_TAIL_LINES = 30;
// Longest path a unix socket address holds (sun_path is 108 bytes with the terminating NUL).
const MAX_SOCKET_PATH = 107;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}


/** The log written since byte `from`: its last lines, for error messages. */
function logTail(file: string, from: number): string {
  try {
    const text = readFileSync(file).subarray(from).toString('utf8');
    return text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
  } catch (e: unknown) {
    return `(no log: ${errText(e)})`;
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch (e: unknown) {
    return 0;
  }
}

/**
 * A containerd left running by an earlier k8ts that was killed (containerd runs in its own process group, so it
 * outlives a k8ts killed with SIGKILL) holds the root's metadata lock: end it, by the pid it wrote, if that pid is
 * still a containerd started with this config.
 */
async function endLeftoverContainerd(paths: ContainerdPaths, stopTimeoutMs: number): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(paths.pidFile, 'utf8').trim(), 10);
  } catch (e: unknown) {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch (e: unknown) {
    return;
  }
  const argv = cmdline.split('\0');
  if (!argv[0]?.endsWith('containerd') || !argv.includes(paths.config)) return;
  log.warn('stopping a containerd left running by an earlier k8ts', { component: 'containerd', pid });
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + stopTimeoutMs;
  while (processAlive(pid) && Date.now() < deadline) await sleep(100);
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  while (processAlive(pid)) await sleep(50);
}

class Supervisor implements ContainerdProcess {
  readonly socketPath: string;
  private child: ChildProcess | undefined;
  private stopping = false;
  /** Set once the first start has succeeded: from then on an exit is a crash to recover from. */
  private supervising = false;
  private readyAt: number | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private snapshotter: Snapshotter = 'overlayfs';

  constructor(
    private readonly opts: ContainerdOptions,
    private readonly bins: ContainerdBinaries,
    private readonly paths: ContainerdPaths,
    private readonly sup: Required<Omit<ContainerdSupervision, 'searchDirs'>>,
  ) {
    this.socketPath = paths.socket;
    this.backoffMs = sup.initialBackoffMs;
  }

  get pid(): number | undefined {
    const c = this.child;
    return c && c.exitCode === null && c.signalCode === null ? c.pid : undefined;
  }

  writeConfig(): void {
    // DATA_DIR/registries.yaml: hosts.toml files under certs.d, credentials into config.toml (an invalid file throws).
    const registries = readRegistries(this.opts.dataDir);
    for (const warning of writeRegistryHosts(this.paths.certsDir, registries)) log.warn('registries.yaml setting not applied', { component: 'containerd', warning });
    const config = renderContainerdConfig({
      registries,
      dataDir: this.opts.dataDir,
      sandboxImage: this.opts.sandboxImage,
      runcPath: this.bins.runc,
      snapshotter: this.snapshotter,
      ...(this.opts.cniBinDir !== undefined ? { cniBinDir: this.opts.cniBinDir } : {}),
      ...(this.opts.cniConfDir !== undefined ? { cniConfDir: this.opts.cniConfDir } : {}),
      ...(this.opts.logLevel !== undefined ? { logLevel: this.opts.logLevel } : {}),
    });
    writeFileSync(this.paths.config, config, { mode: 0o600 });
  }

  /** Spawns containerd and resolves once CRI answers; on failure kills it and throws with the log's tail. */
  async spawnAndWait(): Promise<void> {
    const logStart = fileSize(this.paths.log);
    const fd = openSync(this.paths.log, 'a', 0o600);
    let child: ChildProcess;
    try {
      // The binaries' dirs first on the child's PATH: containerd looks up containerd-shim-runc-v2 there.
      const binDirs = [dirname(this.bins.containerd), dirname(this.bins.runc)];
      const path = [...new Set([...binDirs, ...binarySearchDirs()])].join(delimiter);
      child = spawn(this.bins.containerd, ['--config', this.paths.config], {
        stdio: ['ignore', fd, fd],
        // Its own process group: a terminal's ^C reaches k8ts, which then stops containerd in order.
        detached: true,
        env: { ...process.env, PATH: path },
      });
    } finally {
      closeSync(fd);
    }
    let spawnError: Error | undefined;
    child.once('error', (e: Error) => {
      spawnError = e;
    });
    this.child = child;
    this.readyAt = undefined;
    if (child.pid !== undefined) writeFileSync(this.paths.pidFile, `${child.pid}\n`);
    child.once('exit', (code, signal) => this.onExit(child, code, signal));

    const deadline = Date.now() + this.sup.readyTimeoutMs;
    let reason = 'no answer yet';
    for (;;) {
      await sleep(0);
      if (spawnError) throw new Error(`containerd could not be started: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        const how = child.signalCode !== null ? `signal ${child.signalCode}` : `code ${child.exitCode}`;
        throw new Error(`containerd exited with ${how} before its CRI plugin answered; ${this.paths.log} ends:\n${logTail(this.paths.log, logStart)}`);
      }
      const answer = await probeCri(this.paths.socket, 1000);
      if (answer === undefined) {
        this.readyAt = Date.now();
        return;
      }
      reason = answer;
      // containerd serves its socket only after loading every plugin: "unknown service" means CRI failed to load.
      if (answer.includes('unknown service')) {
        const status = await this.snapshotterStatus();
        await this.kill(child);
        const message = `containerd's CRI plugin did not load (${reason}); ${this.paths.log} ends:\n${logTail(this.paths.log, logStart)}`;
        if (status !== undefined && status !== 'ok') throw new SnapshotterUnusableError(this.snapshotter, status, message);
        throw new Error(message);
      }
      if (Date.now() >= deadline) {
        await this.kill(child);
        throw new Error(
          `containerd's CRI plugin did not answer on ${this.paths.socket} within ${this.sup.readyTimeoutMs} ms (${reason}); ${this.paths.log} ends:\n${logTail(this.paths.log, logStart)}`,
        );
      }
      await sleep(100);
    }
  }

  /** The load status of the configured snapshotter's plugin (ok, skip, error; absent if not listed), undefined if ctr failed. */
  private async snapshotterStatus(): Promise<string | undefined> {
    try {
      const plugins = await listPlugins(this.paths.socket, this.bins.ctr);
      const plugin = plugins.find((p) => p.type === 'io.containerd.snapshotter.v1' && p.id === this.snapshotter);
      return plugin?.status ?? 'absent';
    } catch (e: unknown) {
      return undefined;
    }
  }

  useSnapshotter(snapshotter: Snapshotter): void {
    this.snapshotter = snapshotter;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.stopping || !this.supervising) return;
    // A run that stayed up for a full maximum back-off was healthy: its crash starts the back-off over.
    if (this.readyAt !== undefined && Date.now() - this.readyAt >= this.sup.maxBackoffMs) this.backoffMs = this.sup.initialBackoffMs;
    log.warn('containerd exited unexpectedly, restarting', { component: 'containerd', code, signal, backoffMs: this.backoffMs });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.sup.maxBackoffMs);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      Promise.resolve()
        .then(() => {
          this.writeConfig();
          return this.spawnAndWait();
        })
        .then(
        () => log.info('containerd restarted', { component: 'containerd', pid: this.pid }),
        (e: unknown) => {
          if (this.stopping) return;
          log.error('containerd restart failed', { component: 'containerd', err: errText(e), backoffMs: this.backoffMs });
          // What spawnAndWait started has exited or was killed, and onExit of it scheduled the next attempt; a spawn
          // that failed outright (the binary gone) has no exit to do so.
          if (this.restartTimer === undefined && this.pid === undefined) {
            this.child = undefined;
            this.scheduleRestart();
          }
        },
      );
    }, delay);
  }

  /** SIGTERM, then SIGKILL after the stop timeout; resolves when the process has exited. */
  private async kill(child: ChildProcess): Promise<void> {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.sup.stopTimeoutMs);
    });
    const done = await Promise.race([exited(child).then(() => false), timedOut]);
    clearTimeout(timer);
    if (done) {
      log.warn('containerd did not stop after SIGTERM, killing it', { component: 'containerd', pid: child.pid });
      child.kill('SIGKILL');
      await exited(child);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (child) await this.kill(child);
    this.child = undefined;
    rmSync(this.paths.pidFile, { force: true });
  }

  /** Supervision from now on: an unexpected exit is restarted. */
  supervise(): void {
    this.supervising = true;
  }

  /** Stops without waiting for a graceful exit; for a start that failed half-way. */
  async abort(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    rmSync(this.paths.pidFile, { force: true });
  }
}

/**
 * Writes DATA_DIR/containerd/config.toml, starts containerd with it and resolves once its CRI plugin answers on
 * DATA_DIR/containerd/containerd.sock. Throws `containerd is not installed: apt-get install containerd runc` (or
 * names runc) when a binary is missing.
 */
export async function startContainerd(opts: ContainerdOptions, supervision: ContainerdSupervision = {}): Promise<ContainerdProcess> {
  const bins = resolveContainerdBinaries(supervision.searchDirs ?? binarySearchDirs());
  const paths = containerdPaths(opts.dataDir);
  if (Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH) {
    throw new Error(`containerd's socket path ${paths.socket} is longer than ${MAX_SOCKET_PATH} bytes: use a shorter data dir`);
  }
  for (const dir of [paths.dir, paths.root, paths.state]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(opts.cniConfDir ?? defaultCniConfDir(opts.dataDir), { recursive: true });
  const stopTimeoutMs = supervision.stopTimeoutMs ?? 10_000;
  await endLeftoverContainerd(paths, stopTimeoutMs);
  if (existsSync(paths.socket)) rmSync(paths.socket, { force: true });

  const sup = new Supervisor(opts, bins, paths, {
    readyTimeoutMs: supervision.readyTimeoutMs ?? 30_000,
    initialBackoffMs: supervision.initialBackoffMs ?? 1000,
    maxBackoffMs: supervision.maxBackoffMs ?? 30_000,
    stopTimeoutMs,
  });
  try {
    sup.writeConfig();
    try {
      await sup.spawnAndWait();
    } catch (e: unknown) {
      // containerd's overlayfs snapshotter checks at load that overlay mounts work on its root (d_type support, a
      // test mount with two lower dirs) and is skipped otherwise, and CRI, configured with it, then fails to load.
      // Measured here: overlay works on the ext4 root and on an overlay mount (kernel 6.18), so overlayfs is used; it
      // is skipped on an ext4 without the filetype feature (no d_type), where native (plain copies of each layer:
      // slower and more disk, but works on any filesystem) takes its place.
      if (!(e instanceof SnapshotterUnusableError) || e.snapshotter !== 'overlayfs') throw e;
      log.warn('overlayfs snapshotter unusable here, falling back to native', { component: 'containerd', status: e.status });
      sup.useSnapshotter('native');
      sup.writeConfig();
      await sup.spawnAndWait();
    }
    sup.supervise();
  } catch (e: unknown) {
    await sup.abort();
    throw e;
  }
  log.info('containerd started', { component: 'containerd', pid: sup.pid, socket: paths.socket });
  return sup;
}
