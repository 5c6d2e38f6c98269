import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { existsSync, mkdtempSync, rmSync, readFileSync, mkdirSync, statSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  BUSYBOX_APPLETS,
  BUSYBOX_PATH,
  buildBusyboxImage,
  buildPauseImage,
  elfHasInterpreter,
  readStaticBusybox,
} from './builtin-images.js';

const haveBusybox = existsSync(BUSYBOX_PATH);
const skipNoBusybox = haveBusybox ? false : `${BUSYBOX_PATH} is missing: apt-get install busybox-static`;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-builtin-images-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const skipPidNs = !haveBusybox
  ? skipNoBusybox
  : process.getuid?.() !== 0 || !existsSync('/usr/bin/unshare') || !existsSync('/usr/sbin/chroot')
    ? 'running as PID 1 of a new PID namespace needs root, unshare and chroot'
    : false;

/**
 * Runs argv chrooted into rootfs as PID 1 of a new PID namespace (`unshare --pid --fork`), waits until it
 * sleeps, sends it `signal` from outside and reports its exit code and how long it took to exit.
 */
async function runAsPid1(rootfs: string, argv: string[], signal: NodeJS.Signals): Promise<{ code: number | null; elapsedMs: number }> {
  const child = spawn('/usr/bin/unshare', ['--pid', '--fork', '--kill-child', '/usr/sbin/chroot', rootfs, ...argv], {
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // The namespace's PID 1 is unshare's child; it is ready once it has forked its sleep.
    let pid1 = 0;
    for (let i = 0; i < 100 && pid1 === 0; i++) {
      await delay(50);
      const kids = childPids(child.pid ?? 0);
      if (kids.length === 1 && childPids(kids[0] ?? 0).length > 0) pid1 = kids[0] ?? 0;
    }
    assert.ok(pid1 > 0, 'the pause process started its sleep');
    const start = Date.now();
    process.kill(pid1, signal);
    const code = await Promise.race([exited, delay(5000, undefined, { ref: false }).then(() => 'timeout' as const)]);
    assert.notEqual(code, 'timeout', `PID 1 did not exit within 5 s of ${signal}`);
    return { code: code === 'timeout' ? null : code, elapsedMs: Date.now() - start };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

interface Unpacked {
  config: { config: Record<string, unknown>; architecture: string; os: string };
  rootfs: string;
}

/** Extracts an image archive and its only layer (as root, keeping owners and modes) with GNU tar. */
function unpack(file: string, name: string): Unpacked {
  const out = join(dir, name);
  const rootfs = join(out, 'rootfs');
  mkdirSync(rootfs, { recursive: true });
  execFileSync('tar', ['-xf', file, '-C', out]);
  const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const blob = (d: string): Buffer => readFileSync(join(out, 'blobs/sha256', d.replace(/^sha256:/, '')));
  const manifest = JSON.parse(blob(index.manifests[0]?.digest ?? '').toString()) as {
    config: { digest: string };
    layers: { digest: string }[];
  };
  assert.equal(manifest.layers.length, 1);
  const layerTar = join(out, 'layer.tar');
  execFileSync('sh', ['-c', `cat > ${layerTar}`], { input: gunzipSync(blob(manifest.layers[0]?.digest ?? '')) });
  execFileSync('tar', ['--same-owner', '-xpf', layerTar, '-C', rootfs]);
  return { config: JSON.parse(blob(manifest.config.digest).toString()) as Unpacked['config'], rootfs };
}

describe('built-in images', () => {
  test('Debian busybox-static is recognised as a static executable and a dynamic one is not', { skip: skipNoBusybox }, () => {
    assert.equal(elfHasInterpreter(readFileSync(BUSYBOX_PATH)), false);
    assert.equal(elfHasInterpreter(readFileSync(process.execPath)), true);
    assert.throws(() => elfHasInterpreter(Buffer.from('#!/bin/sh\n'.padEnd(100, ' '))), /not an ELF file/);
  });

  test('a missing or dynamically linked busybox is refused with the Debian package to install', async () => {
    await assert.rejects(readStaticBusybox(join(dir, 'no-such-busybox')), /busybox is not installed at .*: apt-get install busybox-static$/);
    await assert.rejects(readStaticBusybox(process.execPath), /is dynamically linked .*: apt-get install busybox-static \(not busybox\)/);
    await assert.rejects(readStaticBusybox('/etc/passwd'), /is not a busybox executable \(not an ELF file\): apt-get install busybox-static/);
  });

  test('the busybox image holds static busybox, its applets, root and nobody, and a sticky /tmp', { skip: skipNoBusybox }, async () => {
    const file = join(dir, 'busybox.tar');
    await buildBusyboxImage(file);
    const { config, rootfs } = unpack(file, 'busybox');
    assert.deepEqual(readFileSync(join(rootfs, 'bin/busybox')), readFileSync(BUSYBOX_PATH));
    assert.equal(statSync(join(rootfs, 'bin/busybox')).mode & 0o777, 0o755);
    for (const applet of ['sh', 'echo', 'sleep', 'wget', 'nc', '[', 'vi', 'top', 'yes']) {
      assert.ok(BUSYBOX_APPLETS.includes(applet), applet);
      assert.equal(readlinkSync(join(rootfs, 'bin', applet)), 'busybox', applet);
    }
    const known = execFileSync(BUSYBOX_PATH, ['--list'], { encoding: 'utf8' }).split('\n');
    for (const applet of BUSYBOX_APPLETS) assert.ok(known.includes(applet), `busybox has the ${applet} applet`);
    assert.match(readFileSync(join(rootfs, 'etc/passwd'), 'utf8'), /^root:x:0:0:root:\/root:\/bin\/sh\nnobody:x:65534:65534:/);
    assert.match(readFileSync(join(rootfs, 'etc/group'), 'utf8'), /^root:x:0:\nnobody:x:65534:\n$/);
    assert.equal(statSync(join(rootfs, 'tmp')).mode & 0o7777, 0o1777);
    assert.ok(statSync(join(rootfs, 'root')).isDirectory());
    assert.equal(readFileSync(join(rootfs, 'etc/hostname'), 'utf8'), '');
    assert.deepEqual(config.config['Cmd'], ['sh']);
    assert.equal(config.config['Entrypoint'], undefined);
    assert.equal(config.os, 'linux');
    // The extracted busybox runs its applets through the symlinks.
    assert.equal(execFileSync(join(rootfs, 'bin/echo'), ['hello'], { encoding: 'utf8' }), 'hello\n');
  });

  test('the pause image sleeps as PID 1 of its own PID namespace and exits 0 at once on SIGTERM and on SIGINT', { skip: skipPidNs }, async () => {
    const file = join(dir, 'pause.tar');
    await buildPauseImage(file, 'registry.k8s.io/pause:3.10');
    const { config, rootfs } = unpack(file, 'pause');
    const entrypoint = config.config['Entrypoint'];
    assert.ok(Array.isArray(entrypoint));
    assert.deepEqual(entrypoint.slice(0, 2), ['/bin/sh', '-c']);
    assert.match(String(entrypoint[2]), /trap 'exit 0' TERM INT/);
    assert.equal(readlinkSync(join(rootfs, 'bin/sh')), 'busybox');
    assert.equal(readlinkSync(join(rootfs, 'bin/sleep')), 'busybox');
    // A container runtime mounts /dev; busybox's shell opens /dev/null for a background job's stdin.
    writeFileSync(join(rootfs, 'dev/null'), '');
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const { code, elapsedMs } = await runAsPid1(rootfs, entrypoint.map(String), signal);
      assert.equal(code, 0, `exit code after ${signal}`);
      assert.ok(elapsedMs < 2000, `exited ${elapsedMs} ms after ${signal}`);
    }
  });
});
