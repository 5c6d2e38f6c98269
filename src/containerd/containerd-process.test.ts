// startContainerd against the real containerd of this machine (skipped where it is not installed), and its failure
// paths with stand-in binaries.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage } from '../images/builtin-images.js';
import { resolveContainerdBinaries } from './containerd-binaries.js';
import { startContainerd, type ContainerdProcess } from './containerd-process.js';
import { importImageArchive, listImages } from './images.js';
import { probeCri } from './probe-cri.js';
import { runCtr } from './run-ctr.js';

const SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10';
const BUSYBOX_REF = 'docker.io/library/busybox:latest';
// The namespace of this test's own container, apart from CRI's k8s.io.
const TEST_NS = 'k8ts-test';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch (e: unknown) {
    return false;
  }
}

/** Pids of processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some((a) => a.includes(needle))) pids.push(Number(entry));
    } catch (e: unknown) {
      continue;
    }
  }
  return pids;
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** `ctr task ls` rows: TASK PID STATUS. */
async function taskOf(socket: string, id: string): Promise<{ pid: number; status: string } | undefined> {
  const out = await runCtr(socket, ['tasks', 'ls'], { namespace: TEST_NS });
  for (const line of out.split('\n')) {
    const [task, pid, status] = line.trim().split(/\s+/);
    if (task === id && pid !== undefined && status !== undefined) return { pid: Number(pid), status };
  }
  return undefined;
}

function installed(): string | false {
  try {
    resolveContainerdBinaries();
    return false;
  } catch (e: unknown) {
    return e instanceof Error ? e.message : String(e);
  }
}

describe('containerd started by k8ts', { skip: installed(), timeout: 180_000 }, () => {
  let dataDir = '';
  let proc: ContainerdProcess | undefined;
  const current = (): ContainerdProcess => {
    if (!proc) throw new Error('containerd was not started');
    return proc;
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'k8ts-ctd-'));
    proc = await startContainerd({ dataDir, sandboxImage: SANDBOX_IMAGE });
  });

  after(async () => {
    const p = proc;
    if (p) {
      const task = await taskOf(p.socketPath, 'c1').catch(() => undefined);
      if (task) {
        await runCtr(p.socketPath, ['tasks', 'kill', '--signal', 'SIGKILL', 'c1'], { namespace: TEST_NS }).catch(() => undefined);
        await until('the test container to exit', 10_000, async () => ((await taskOf(p.socketPath, 'c1'))?.status === 'RUNNING' ? undefined : true)).catch(() => undefined);
        await runCtr(p.socketPath, ['tasks', 'delete', 'c1'], { namespace: TEST_NS }).catch(() => undefined);
      }
      await runCtr(p.socketPath, ['containers', 'delete', 'c1'], { namespace: TEST_NS }).catch(() => undefined);
      await p.stop();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('answers CRI on DATA_DIR/containerd/containerd.sock once started, running with the config it wrote', async () => {
    const p = current();
    assert.equal(p.socketPath, join(dataDir, 'containerd', 'containerd.sock'));
    assert.equal(await probeCri(p.socketPath), undefined);
    const pid = p.pid;
    assert.ok(pid !== undefined && alive(pid));
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.deepEqual(argv.slice(1, 3), ['--config', join(dataDir, 'containerd', 'config.toml')]);
    assert.ok(existsSync(join(dataDir, 'containerd', 'root')));
    assert.ok(existsSync(join(dataDir, 'containerd', 'state')));
    assert.ok(existsSync(join(dataDir, 'agent', 'etc', 'cni', 'net.d')));
    assert.match(readFileSync(join(dataDir, 'containerd', 'containerd.log'), 'utf8'), /containerd successfully booted/);
    const version = await runCtr(p.socketPath, ['version']);
    assert.match(version, /Server:\n\s+Version:\s+\S+/);
    const plugins = await runCtr(p.socketPath, ['plugins', 'ls']);
    assert.match(plugins, /io\.containerd\.grpc\.v1\s+cri\s+\S+\s+ok/);
    assert.doesNotMatch(plugins, /io\.containerd\.snapshotter\.v1\s+(aufs|btrfs|devmapper|zfs)\s/);
  });

  test('imports a busybox OCI archive into k8s.io and lists it with its digest and size', async () => {
    const p = current();
    const archive = join(dataDir, 'busybox.tar');
    await buildBusyboxImage(archive);
    assert.deepEqual(await importImageArchive(p.socketPath, archive), [BUSYBOX_REF]);
    const images = await listImages(p.socketPath);
    const busybox = images.find((i) => i.ref === BUSYBOX_REF);
    assert.ok(busybox, `busybox not in ${JSON.stringify(images)}`);
    assert.match(busybox.digest, /^sha256:[0-9a-f]{64}$/);
    // The manifest plus config plus one gzipped layer of a static busybox: about a megabyte, counted to the byte.
    assert.ok(busybox.size > 100_000 && busybox.size < 10_000_000, `size ${busybox.size}`);
    const ls = await runCtr(p.socketPath, ['images', 'ls'], { namespace: 'k8s.io' });
    assert.match(ls, new RegExp(`^${BUSYBOX_REF}\\s+\\S+\\s+${busybox.digest}\\s`, 'm'));
  });

  test('a broken archive is refused with ctr\'s own error', async () => {
    const p = current();
    const bad = join(dataDir, 'not-an-archive.tar');
    writeFileSync(bad, 'hello');
    await assert.rejects(importImageArchive(p.socketPath, bad), /ctr images import .*not-an-archive\.tar failed: ctr: /);
  });

  test('restarts containerd killed with SIGKILL, and the running container survives it', async () => {
    const p = current();
    const archive = join(dataDir, 'busybox.tar');
    if (!existsSync(archive)) await buildBusyboxImage(archive);
    await runCtr(p.socketPath, ['images', 'import', archive], { namespace: TEST_NS });
    // No network given: the container gets a network namespace with loopback only.
    await runCtr(p.socketPath, ['run', '-d', BUSYBOX_REF, 'c1', 'sleep', '600'], { namespace: TEST_NS });
    const before = await until('the test container to run', 10_000, async () => {
      const t = await taskOf(p.socketPath, 'c1');
      return t?.status === 'RUNNING' ? t : undefined;
    });

    const killed = p.pid;
    assert.ok(killed !== undefined);
    process.kill(killed, 'SIGKILL');
    const restarted = await until('containerd to be restarted', 20_000, async () => {
      const pid = p.pid;
      return pid !== undefined && pid !== killed && (await probeCri(p.socketPath)) === undefined ? pid : undefined;
    });
    assert.ok(alive(restarted));
    assert.ok(!alive(killed));
    assert.deepEqual(await taskOf(p.socketPath, 'c1'), before);
    assert.ok(alive(before.pid));

    // Killed again at once, it comes back after the doubled back-off (2 s after the first 1 s).
    const killedAt = Date.now();
    process.kill(restarted, 'SIGKILL');
    const again = await until('containerd to be restarted again', 20_000, async () => {
      const pid = p.pid;
      return pid !== undefined && pid !== restarted && (await probeCri(p.socketPath)) === undefined ? pid : undefined;
    });
    const waited = Date.now() - killedAt;
    assert.ok(waited >= 2000 && waited < 10_000, `restarted after ${waited} ms`);
    assert.ok(alive(again));
    assert.deepEqual(await taskOf(p.socketPath, 'c1'), before);
  });

  test('stop() leaves no containerd behind but the containers, which a new containerd adopts', async () => {
    const p = current();
    const pid = p.pid;
    assert.ok(pid !== undefined);
    const task = await taskOf(p.socketPath, 'c1');
    assert.ok(task?.status === 'RUNNING');
    const config = join(dataDir, 'containerd', 'config.toml');
    await p.stop();
    assert.equal(p.pid, undefined);
    assert.ok(!alive(pid));
    assert.deepEqual(processesMentioning(config), []);
    assert.ok(!existsSync(join(dataDir, 'containerd', 'containerd.pid')));
    // Nothing restarts it after stop().
    await sleep(1500);
    assert.deepEqual(processesMentioning(config), []);
    assert.ok(alive(task.pid), 'the container was killed with containerd');

    proc = await startContainerd({ dataDir, sandboxImage: SANDBOX_IMAGE });
    assert.deepEqual(await taskOf(proc.socketPath, 'c1'), task);
  });
});

/**
 * A data dir on a filesystem without d_type (a loop-mounted ext4 made without the filetype feature), where
 * containerd's overlayfs snapshotter fails to load; or why it cannot be made here (not root,
 * no loop devices, no mkfs.ext4).
 */
function mountWithoutDType(dir: string): { mountpoint: string; unmount: () => void } | string {
  const image = join(dir, 'fs.img');
  const mountpoint = join(dir, 'mnt');
  mkdirSync(mountpoint, { recursive: true });
  try {
    execFileSync('truncate', ['-s', '64M', image]);
    execFileSync('mkfs.ext4', ['-q', '-F', '-O', '^filetype', image], { stdio: 'pipe' });
    execFileSync('mount', ['-o', 'loop', image, mountpoint], { stdio: 'pipe' });
  } catch (e: unknown) {
    return `cannot mount a loop filesystem here: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
  return { mountpoint, unmount: () => execFileSync('umount', [mountpoint]) };
}

describe('containerd on a filesystem where overlayfs cannot work', { skip: installed(), timeout: 120_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'k8ts-nodtype-'));
  const mounted = mountWithoutDType(tmp);
  after(() => {
    if (typeof mounted !== 'string') mounted.unmount();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('falls back to the native snapshotter and its CRI answers', { skip: typeof mounted === 'string' ? mounted : false }, async () => {
    if (typeof mounted === 'string') return;
    const dataDir = join(mounted.mountpoint, 'data');
    const p = await startContainerd({ dataDir, sandboxImage: SANDBOX_IMAGE });
    try {
      assert.equal(await probeCri(p.socketPath), undefined);
      assert.match(readFileSync(join(dataDir, 'containerd', 'config.toml'), 'utf8'), /^\s*snapshotter = "native"$/m);
      assert.match(await runCtr(p.socketPath, ['plugins', 'ls']), /io\.containerd\.snapshotter\.v1\s+overlayfs\s+\S+\s+(skip|error)/);
    } finally {
      await p.stop();
    }
  });
});

describe('startContainerd failing', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'k8ts-ctdfail-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** A bin dir whose containerd is the given shell script, with stand-ins for ctr and runc. */
  function fakeBin(name: string, containerdScript: string): string {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    for (const [file, body] of [['containerd', containerdScript], ['ctr', 'exit 1'], ['runc', 'exit 1']] as const) {
      writeFileSync(join(dir, file), `#!/bin/sh\n${body}\n`);
      chmodSync(join(dir, file), 0o755);
    }
    return dir;
  }

  test('a containerd that exits at once fails the start with its exit code and the end of its log', async () => {
    const bin = fakeBin('exits', 'echo \'level=fatal msg="failed to create listener"\'\nexit 3');
    await assert.rejects(
      startContainerd({ dataDir: join(tmp, 'd1'), sandboxImage: SANDBOX_IMAGE }, { searchDirs: [bin] }),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /^containerd exited with code 3 before its CRI plugin answered; .*containerd\.log ends:\n/);
        assert.match(e.message, /level=fatal msg="failed to create listener"/);
        return true;
      },
    );
    assert.ok(!existsSync(join(tmp, 'd1', 'containerd', 'containerd.pid')));
  });

  test('a containerd that never answers fails the start after the timeout, and is ended', async () => {
    const bin = fakeBin('silent', 'echo "started, never answering"\nwhile true; do sleep 0.1; done');
    await assert.rejects(
      startContainerd({ dataDir: join(tmp, 'd2'), sandboxImage: SANDBOX_IMAGE }, { searchDirs: [bin], readyTimeoutMs: 700 }),
      /^Error: containerd's CRI plugin did not answer on .*containerd\.sock within 700 ms \(.*\); .*containerd\.log ends:\nstarted, never answering$/,
    );
    assert.deepEqual(processesMentioning(bin), []);
  });
});
