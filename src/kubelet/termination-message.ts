// Termination messages (kuberuntime_container.go makeMounts, getTerminationMessage, readLastStringFromContainerLogs,
// convertToKubeContainerStatus): every container gets an empty, world-writable file ROOT/pods/UID/containers/NAME/RANDOM
// mounted at its terminationMessagePath; when it exits, the last 4096 bytes of that file are its message, and under
// FallbackToLogsOnError a failed container with an empty file gets the last 80 lines (at most 2048 bytes) of its log.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerStatus as CriContainerStatus } from '../cri/index.js';
import { annotationTerminationMessagePath, annotationTerminationMessagePolicy } from './pod-runtime-status.js';

/** kubecontainer.MaxContainerTerminationMessageLength */
export const maxTerminationMessageBytes = 4 * 1024;
/** kubecontainer.MaxContainerTerminationMessageLogLength */
export const maxTerminationMessageLogBytes = 2 * 1024;
/** kubecontainer.MaxContainerTerminationMessageLogLines */
export const maxTerminationMessageLogLines = 80;

const errCode = (e: unknown): string | undefined => (e instanceof Error && 'code' in e ? String((e as { code?: unknown }).code) : undefined);
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** ROOT/pods/UID/containers/NAME (getPodContainerDir). */
export function podContainerDir(rootDir: string, podUid: string, containerName: string): string {
  return join(rootDir, 'pods', podUid, 'containers', containerName);
}

/**
 * Creates the termination message file of one instance of a container: an empty file named by 8 random hex digits
 * (makeUID) in the pod's container dir, mode 0666 whatever the umask. Returns its path.
 */
export async function createTerminationMessageFile(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const path = join(dir, randomBytes(4).toString('hex'));
  await writeFile(path, '');
  await chmod(path, 0o666);
  return path;
}

/** tail.ReadAtMost: the last `max` bytes of a file. */
async function readAtMost(path: string, max: number): Promise<Buffer> {
  const f = await open(path, 'r');
  try {
    const size = (await f.stat()).size;
    const n = Math.min(size, max);
    const buf = Buffer.alloc(n);
    if (n > 0) await f.read(buf, 0, n, size - n);
    return buf;
  } finally {
    await f.close();
  }
}

/** tail.FindTailLineStartIndex: the offset where the last `lines` lines of the file start. */
async function tailLineStart(f: import('node:fs/promises').FileHandle, size: number, lines: number): Promise<number> {
  const block = 1024;
  let count = 0;
  let right = size;
  while (right > 0) {
    const left = Math.max(0, right - block);
    const buf = Buffer.alloc(right - left);
    await f.read(buf, 0, buf.length, left);
    for (let i = buf.length - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) continue;
      count++;
      if (count > lines) return left + i + 1;
    }
    right = left;
  }
  return 0;
}

/** The content of one CRI log line (TIMESTAMP STREAM TAG MESSAGE): a full line (F) ends with a newline, a partial (P) not. */
function criLogContent(line: string): string {
  const first = line.indexOf(' ');
  const second = first < 0 ? -1 : line.indexOf(' ', first + 1);
  if (second < 0) return '';
  const rest = line.slice(second + 1);
  const third = rest.indexOf(' ');
  const tag = third < 0 ? rest : rest.slice(0, third);
  if (tag === 'P' || tag === 'F' || /^[PF](:|$)/.test(tag)) {
    const content = third < 0 ? '' : rest.slice(third + 1);
    return tag.startsWith('P') ? content : `${content}\n`;
  }
  return `${rest}\n`;
}

/**
 * readLastStringFromContainerLogs: the last 80 lines of a CRI log file, stdout and stderr, of which the last 2048
 * bytes are kept (a circular buffer).
 */
export async function readLastStringFromContainerLogs(path: string): Promise<string> {
  let f;
  try {
    f = await open(path, 'r');
  } catch (e: unknown) {
    const why = errCode(e) === 'ENOENT' ? `open ${path}: no such file or directory` : errText(e);
    return `Error on reading termination message from logs: failed to open log file ${JSON.stringify(path)}: ${why}`;
  }
  try {
    const size = (await f.stat()).size;
    const start = await tailLineStart(f, size, maxTerminationMessageLogLines);
    const buf = Buffer.alloc(size - start);
    await f.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    const out = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1).map(criLogContent).join('');
    const bytes = Buffer.from(out, 'utf8');
    return bytes.subarray(Math.max(0, bytes.length - maxTerminationMessageLogBytes)).toString('utf8');
  } finally {
    await f.close();
  }
}

/**
 * getTerminationMessage: the message in the file mounted at terminationMessagePath, and whether to read the log
 * instead (fallbackToLogs and the file is missing or empty).
 */
export async function readTerminationMessageFile(status: Pick<CriContainerStatus, 'mounts'>, terminationMessagePath: string, fallbackToLogs: boolean): Promise<{ message: string; checkLogs: boolean }> {
  if (terminationMessagePath === '') return { message: '', checkLogs: fallbackToLogs };
  const mount = status.mounts.find((m) => m.containerPath === terminationMessagePath);
  if (mount === undefined) return { message: '', checkLogs: fallbackToLogs };
  const hostPath = mount.hostPath ?? '';
  try {
    const data = await readAtMost(hostPath, maxTerminationMessageBytes);
    return { message: data.toString('utf8'), checkLogs: fallbackToLogs && data.length === 0 };
  } catch (e: unknown) {
    if (errCode(e) === 'ENOENT') return { message: '', checkLogs: fallbackToLogs };
    return { message: `Error on reading termination log ${hostPath}: ${errText(e)}`, checkLogs: false };
  }
}

/**
 * The message of an exited container as convertToKubeContainerStatus makes it: the runtime's message, then ": " and
 * the termination message when there is one. Containers that did not exit keep the runtime's message.
 */
export async function containerMessageWithTermination(status: CriContainerStatus): Promise<string> {
  if (status.state !== 'CONTAINER_EXITED') return status.message;
  const path = status.annotations[annotationTerminationMessagePath] ?? '';
  const policy = status.annotations[annotationTerminationMessagePolicy] ?? '';
  // A container that could not even start has no logs to fall back to.
  const fallbackToLogs = policy === 'FallbackToLogsOnError' && status.exitCode !== 0 && status.reason !== 'ContainerCannotRun';
  let { message, checkLogs } = await readTerminationMessageFile(status, path, fallbackToLogs);
  if (checkLogs) message = await readLastStringFromContainerLogs(status.logPath);
  if (message === '') return status.message;
  return status.message === '' ? message : `${status.message}: ${message}`;
}
