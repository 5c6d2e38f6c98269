// The built-in images against a real containerd: a throwaway containerd of this test's own (CRI plugin off, its
// own root, state and socket under /tmp) imports both archives with `ctr -n k8s.io images import`, lists them
// under their references and runs them with the host's network (no network is set up; the containers only
// echo and sleep).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, openSync, closeSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { buildBusyboxImage, buildPauseImage, BUSYBOX_PATH, DEFAULT_BUSYBOX_REF, DEFAULT_PAUSE_REF } from './builtin-images.js';

const CONTAINERD = '/usr/bin/containerd';
const CTR = '/usr/bin/ctr';

function skipReason(): string | false {
  if (!existsSync(CONTAINERD) || !existsSync(CTR)) return 'containerd is not installed: apt-get install containerd runc';
  if (!existsSync('/usr/sbin/runc') && !existsSync('/usr/bin/runc')) return 'runc is not installed: apt-get install runc';
  if (!existsSync(BUSYBOX_PATH)) return `${BUSYBOX_PATH} is missing: apt-get install busybox-static`;
  if (process.getuid?.() !== 0) return 'containerd needs root';
  return false;
}
const skip = skipReason();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir = '';
let socket = '';
let containerd: ChildProcess | undefined;

function ctr(args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(CTR, ['--address', socket, '-n', 'k8s.io', ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ctrOk(args: string[]): Promise<string> {
  const r = await ctr(args);
  assert.equal(r.code, 0, `ctr ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

describe('built-in images in containerd', { skip }, () => {
  before(async () => {
    dir = mkdtempSync('/tmp/k8ts-images-ctrd-');
    socket = join(dir, 'c.sock');
    const config = join(dir, 'config.toml');
    writeFileSync(
      config,
      [
        'version = 2',
        `root = "${join(dir, 'root')}"`,
        `state = "${join(dir, 'state')}"`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = "${socket}"`,
        '[ttrpc]',
        `  address = "${socket}.ttrpc"`,
        '',
      ].join('\n'),
    );
    const log = openSync(join(dir, 'containerd.log'), 'a');
    containerd = spawn(CONTAINERD, ['--config', config], { stdio: ['ignore', log, log] });
    closeSync(log);
    for (let i = 0; i < 100; i++) {
      if (containerd.exitCode !== null) break;
      if ((await ctr(['version'], 5000)).code === 0) return;
      await delay(200);
    }
    throw new Error(`containerd did not start: ${readFileSync(join(dir, 'containerd.log'), 'utf8').slice(-2000)}`);
  });

  after(async () => {
    const proc = containerd;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), delay(10_000, false, { ref: false })]);
      if (!done) {
        proc.kill('SIGKILL');
        await exited;
      }
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  test('ctr imports the busybox and pause archives under their references into the k8s.io namespace', async () => {
    const busybox = join(dir, 'busybox.tar');
    const pause = join(dir, 'pause.tar');
    await buildBusyboxImage(busybox);
    await buildPauseImage(pause);
    assert.match(await ctrOk(['images', 'import', busybox]), /unpacking docker\.io\/library\/busybox:latest \(sha256:[0-9a-f]{64}\)\.\.\.done/);
    assert.match(await ctrOk(['images', 'import', pause]), /unpacking registry\.k8s\.io\/pause:3\.10 \(sha256:[0-9a-f]{64}\)\.\.\.done/);
    const refs = (await ctrOk(['images', 'ls', '-q'])).trim().split('\n').sort();
    assert.deepEqual(refs, [DEFAULT_BUSYBOX_REF, DEFAULT_PAUSE_REF].sort());
    const listing = await ctrOk(['images', 'ls']);
    assert.match(listing, /docker\.io\/library\/busybox:latest\s+application\/vnd\.oci\.image\.manifest\.v1\+json\s+sha256:[0-9a-f]{64}\s+[\d.]+ MiB\s+linux\//);
  });

  test('a different reference given to the builder is the name containerd lists', async () => {
    const file = join(dir, 'busybox-1.36.tar');
    await buildBusyboxImage(file, 'docker.io/library/busybox:1.36');
    await ctrOk(['images', 'import', file]);
    assert.ok((await ctrOk(['images', 'ls', '-q'])).split('\n').includes('docker.io/library/busybox:1.36'));
  });

  test('the busybox image runs: id and echo print from inside the container', async () => {
    const out = await ctrOk(['run', '--rm', '--net-host', DEFAULT_BUSYBOX_REF, 'k8ts-images-echo', 'sh', '-c', 'id; echo hello']);
    assert.equal(out, 'uid=0(root) gid=0(root) groups=0(root)\nhello\n');
  });

  test('the pause image keeps running until SIGTERM, then exits 0 within a second', async () => {
    const id = 'k8ts-images-pause';
    const running = ctr(['run', '--rm', '--net-host', DEFAULT_PAUSE_REF, id]);
    let status = '';
    for (let i = 0; i < 100 && status !== 'RUNNING'; i++) {
      await delay(100);
      const tasks = (await ctr(['tasks', 'ls'])).stdout.split('\n').map((l) => l.trim().split(/\s+/));
      status = tasks.find((t) => t[0] === id)?.[2] ?? '';
    }
    assert.equal(status, 'RUNNING');
    await delay(500);
    const stillRunning = (await ctr(['tasks', 'ls'])).stdout.includes(id);
    assert.ok(stillRunning, 'the pause task sleeps rather than exiting');
    const start = Date.now();
    await ctrOk(['tasks', 'kill', '--signal', 'SIGTERM', id]);
    const r = await running;
    const elapsed = Date.now() - start;
    assert.equal(r.code, 0, `exit status after SIGTERM; stderr: ${r.stderr}`);
    assert.ok(elapsed < 1000 + 500, `exited ${elapsed} ms after SIGTERM`);
  });
});
