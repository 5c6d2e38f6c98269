import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerStatus } from '../cri/index.js';
import { formatCriLogLine } from '../cri/cri-log-line.js';
import {
  containerMessageWithTermination, createTerminationMessageFile, podContainerDir, readLastStringFromContainerLogs, readTerminationMessageFile,
} from './termination-message.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-termmsg-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function exited(extra: Partial<ContainerStatus>): ContainerStatus {
  return {
    id: 'c1', state: 'CONTAINER_EXITED', createdAt: '1', startedAt: '2', finishedAt: '3', exitCode: 0, imageRef: '', reason: 'Completed', message: '',
    labels: {}, annotations: { 'io.kubernetes.container.terminationMessagePath': '/dev/termination-log', 'io.kubernetes.container.terminationMessagePolicy': 'File' },
    mounts: [], logPath: '', imageId: '', stopSignal: 'RUNTIMEDEFAULT', ...extra,
  } as ContainerStatus;
}

const log = (lines: string[]): string => lines.map((l, i) => formatCriLogLine(BigInt(i + 1) * 1_000_000_000n, i % 2 === 0 ? 'stdout' : 'stderr', l)).join('');

describe('termination messages', () => {
  test('each instance of a container gets its own empty world-writable file under ROOT/pods/UID/containers/NAME', async () => {
    const d = podContainerDir(dir, 'uid-1', 'main');
    assert.equal(d, join(dir, 'pods', 'uid-1', 'containers', 'main'));
    const a = await createTerminationMessageFile(d);
    const b = await createTerminationMessageFile(d);
    assert.notEqual(a, b);
    assert.match(a, /\/[0-9a-f]{8}$/);
    assert.equal((await stat(a)).size, 0);
    assert.equal((await stat(a)).mode & 0o777, 0o666);
    assert.equal((await readdir(d)).length, 2);
  });

  test('the message is what the container wrote to the mounted file, at most its last 4096 bytes', async () => {
    const f = join(dir, 'msg');
    await writeFile(f, 'all done\n');
    const mounts = [{ containerPath: '/dev/termination-log', hostPath: f }];
    assert.equal(await containerMessageWithTermination(exited({ mounts })), 'all done\n');
    await writeFile(f, `${'a'.repeat(10)}${'b'.repeat(4096)}`);
    assert.equal(await containerMessageWithTermination(exited({ mounts })), 'b'.repeat(4096));
  });

  test('the runtime message comes first, joined by a colon', async () => {
    const f = join(dir, 'oom');
    await writeFile(f, 'bye');
    assert.equal(await containerMessageWithTermination(exited({ message: 'oom', mounts: [{ containerPath: '/dev/termination-log', hostPath: f }] })), 'oom: bye');
  });

  test('a running container, an unmounted path or a missing file gives no message', async () => {
    assert.equal(await containerMessageWithTermination(exited({ state: 'CONTAINER_RUNNING', message: 'x' })), 'x');
    assert.equal(await containerMessageWithTermination(exited({})), '');
    assert.deepEqual(await readTerminationMessageFile({ mounts: [{ containerPath: '/t', hostPath: join(dir, 'gone') }] }, '/t', false), { message: '', checkLogs: false });
  });

  test('FallbackToLogsOnError reads the last 80 log lines of a failed container whose file is empty', async () => {
    const f = join(dir, 'empty');
    await writeFile(f, '');
    const logPath = join(dir, 'fail.log');
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    await writeFile(logPath, log(lines));
    const annotations = { 'io.kubernetes.container.terminationMessagePath': '/dev/termination-log', 'io.kubernetes.container.terminationMessagePolicy': 'FallbackToLogsOnError' };
    const status = exited({ exitCode: 3, reason: 'Error', annotations, logPath, mounts: [{ containerPath: '/dev/termination-log', hostPath: f }] });
    const msg = await containerMessageWithTermination(status);
    assert.equal(msg, lines.slice(20).map((l) => `${l}\n`).join(''));
    // A container that succeeded, or could not run, does not fall back.
    assert.equal(await containerMessageWithTermination({ ...status, exitCode: 0 }), '');
    assert.equal(await containerMessageWithTermination({ ...status, reason: 'ContainerCannotRun' }), '');
  });

  test('the log fallback keeps the last 2048 bytes, and joins partial lines', async () => {
    const logPath = join(dir, 'long.log');
    const long = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(98)}`);
    await writeFile(logPath, log(long));
    const out = await readLastStringFromContainerLogs(logPath);
    assert.equal(Buffer.byteLength(out), 2048);
    assert.ok(out.endsWith(`29${'x'.repeat(98)}\n`));
    const partial = join(dir, 'partial.log');
    await writeFile(partial, formatCriLogLine(1n, 'stdout', 'hel', true) + formatCriLogLine(2n, 'stdout', 'lo'));
    assert.equal(await readLastStringFromContainerLogs(partial), 'hello\n');
  });

  test('a missing log says so as upstream does', async () => {
    const p = join(dir, 'nope.log');
    assert.equal(await readLastStringFromContainerLogs(p), `Error on reading termination message from logs: failed to open log file "${p}": open ${p}: no such file or directory`);
  });
});
