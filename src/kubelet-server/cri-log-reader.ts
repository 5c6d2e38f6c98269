// Reading a container's log file as upstream's kubelet does (pkg/kubelet/kuberuntime/logs/logs.go ReadLogs): CRI
// log lines (`2016-10-06T00:17:09.669794202Z stdout F text`, partial `P` records joined by writing them without a
// newline) or Docker JSON lines, with the PodLogOptions tail, since, timestamps and limitBytes, and follow: wait for
// writes (fs.watch, and a check every second) until the container stops running.
import { watch, type FSWatcher } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import type { RuntimeService } from '../cri/index.js';

export type LogStream = 'stdout' | 'stderr';

/** A point in time as Go's time.Time keeps a parsed RFC 3339 timestamp: the instant and the zone offset it was written in. */
export interface LogTime {
  /** Nanoseconds since the epoch (UTC). */
  nanos: bigint;
  /** The offset of the written zone east of UTC, in minutes (0 for Z). */
  offsetMinutes: number;
}

export interface LogMessage {
  timestamp: LogTime;
  stream: LogStream;
  log: Buffer;
}

/** The kubelet's internal log options (upstream's LogOptions): -1 means no limit. */
export interface LogOptions {
  tail: number;
  bytes: number;
  /** Lines before this instant (nanoseconds since the epoch) are skipped. */
  since?: bigint;
  follow: boolean;
  timestamps: boolean;
}

/** The v1.PodLogOptions fields the log reader uses. */
export interface PodLogOptionsInput {
  follow?: boolean;
  timestamps?: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  /** RFC 3339. */
  sinceTime?: string;
}

/** Upstream's NewLogOptions: sinceTime wins over sinceSeconds when it is later. */
export function newLogOptions(api: PodLogOptionsInput, nowMs: number): LogOptions {
  const opts: LogOptions = { tail: api.tailLines ?? -1, bytes: api.limitBytes ?? -1, follow: api.follow === true, timestamps: api.timestamps === true };
  if (api.sinceSeconds !== undefined) opts.since = (BigInt(nowMs) - BigInt(api.sinceSeconds) * 1000n) * 1_000_000n;
  if (api.sinceTime !== undefined) {
    const t = parseRfc3339(api.sinceTime);
    if (t !== undefined && (opts.since === undefined || t.nanos > opts.since)) opts.since = t.nanos;
  }
  return opts;
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Go's time.Parse with RFC3339NanoLenient (`2006-01-02T15:04:05.999999999Z07:00`); undefined when it does not match. */
export function parseRfc3339(text: string): LogTime | undefined {
  const m = rfc3339.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const offsetMinutes = z !== undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const wallMs = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  const fraction = BigInt((frac ?? '').padEnd(9, '0') || '0');
  const nanos = (BigInt(wallMs) - BigInt(offsetMinutes) * 60_000n) * 1_000_000n + fraction;
  return { nanos, offsetMinutes };
}

/** Go's Format with RFC3339NanoFixed (`2006-01-02T15:04:05.000000000Z07:00`), in the zone the time was written in. */
export function formatRfc3339NanoFixed(t: LogTime): string {
  const wallNanos = t.nanos + BigInt(t.offsetMinutes) * 60_000_000_000n;
  const ms = wallNanos >= 0n ? wallNanos / 1_000_000n : (wallNanos - 999_999n) / 1_000_000n;
  const frac = ((wallNanos % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  let zone = 'Z';
  if (t.offsetMinutes !== 0) {
    const abs = Math.abs(t.offsetMinutes);
    zone = `${t.offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }
  return `${base}.${frac.toString().padStart(9, '0')}${zone}`;
}

type ParseFunc = (line: Buffer) => LogMessage;

/** Upstream's parseCRILog; throws with upstream's messages. */
export function parseCriLog(line: Buffer): LogMessage {
  let rest = line;
  let idx = rest.indexOf(0x20);
  if (idx < 0) throw new Error('timestamp is not found');
  const tsText = rest.subarray(0, idx).toString('latin1');
  const timestamp = parseRfc3339(tsText);
  if (timestamp === undefined) throw new Error(`unexpected timestamp format "2006-01-02T15:04:05.999999999Z07:00": parsing time ${JSON.stringify(tsText)}`);
  rest = rest.subarray(idx + 1);
  idx = rest.indexOf(0x20);
  if (idx < 0) throw new Error('stream type is not found');
  const stream = rest.subarray(0, idx).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') throw new Error(`unexpected stream type ${JSON.stringify(stream)}`);
  rest = rest.subarray(idx + 1);
  idx = rest.indexOf(0x20);
  if (idx < 0) throw new Error('log tag is not found');
  // Tags are separated by ':'; only the first (P or F) means anything yet.
  const partial = rest.subarray(0, idx).toString('latin1').split(':')[0] === 'P';
  if (partial && rest.length > 0 && rest[rest.length - 1] === 0x0a) rest = rest.subarray(0, rest.length - 1);
  return { timestamp, stream, log: rest.subarray(idx + 1) };
}

/** Upstream's parseDockerJSONLog: `{"log":"content 1","stream":"stdout","time":"2016-10-20T18:39:20.57606443Z"}`. */
export function parseDockerJsonLog(line: Buffer): LogMessage {
  let v: unknown;
  try {
    v = JSON.parse(line.toString('utf8'));
  } catch (e: unknown) {
    throw new Error(`failed with ${e instanceof Error ? e.message : String(e)} to unmarshal log ${JSON.stringify(line.toString('utf8'))}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`failed with json: cannot unmarshal into jsonLog to unmarshal log ${JSON.stringify(line.toString('utf8'))}`);
  const rec = v as Record<string, unknown>;
  const time = typeof rec['time'] === 'string' ? parseRfc3339(rec['time']) : undefined;
  if (time === undefined) throw new Error(`failed with parsing time to unmarshal log ${JSON.stringify(line.toString('utf8'))}`);
  const stream = rec['stream'];
  return { timestamp: time, stream: stream === 'stderr' ? 'stderr' : 'stdout', log: Buffer.from(typeof rec['log'] === 'string' ? rec['log'] : '') };
}

const parseFuncs: readonly ParseFunc[] = [parseCriLog, parseDockerJsonLog];

/** Upstream's getParseFunc: the first format the sample line parses as. */
export function getParseFunc(line: Buffer): ParseFunc {
  for (const p of parseFuncs) {
    try {
      p(line);
      return p;
    } catch {
      // try the next format
    }
  }
  throw new Error(`unsupported log format: ${JSON.stringify(line.toString('utf8'))}`);
}

/** The start offset of the last n lines of a file (pkg/util/tail FindTailLineStartIndex); an unterminated last line is not counted. */
export async function findTailLineStartIndex(f: FileHandle, n: number): Promise<number> {
  if (n < 0) return 0;
  const size = (await f.stat()).size;
  const blockSize = 1024;
  let count = 0;
  let left = 0;
  let buf = Buffer.alloc(0);
  for (let right = size; right > 0 && count <= n; right -= blockSize) {
    left = Math.max(0, right - blockSize);
    buf = Buffer.alloc(right - left);
    await f.read(buf, 0, buf.length, left);
    for (const b of buf) if (b === 0x0a) count++;
  }
  while (count > n) {
    const idx = buf.indexOf(0x0a) + 1;
    buf = buf.subarray(idx);
    left += idx;
    count--;
  }
  return left;
}

/** Upstream's error texts for file errors: `open PATH: no such file or directory`. */
function goFileError(op: string, path: string, e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const texts: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory', ENOTDIR: 'not a directory' };
  const text = typeof code === 'string' ? texts[code] : undefined;
  return `${op} ${path}: ${text ?? (e instanceof Error ? e.message : String(e))}`;
}

export interface ReadLogsOptions {
  path: string;
  /** Followed logs end when this container stops running. */
  containerId: string;
  opts: LogOptions;
  runtime: Pick<RuntimeService, 'containerStatus'>;
  /** Writes one message's bytes; the promise settles when the bytes may be followed by more. */
  write: (stream: LogStream, data: Buffer) => Promise<void>;
  /** Aborting stops a followed read (the client went away). */
  signal?: AbortSignal;
  /** While following, the file is read again at least this often (upstream's logForceCheckPeriod, 1 s). */
  forceCheckMs?: number;
  /** Where a line that does not parse is reported (upstream logs it and goes on). */
  onSkippedLine?: (err: string, line: Buffer) => void;
}

const eol = 0x0a;

/** Upstream's ReadLogs: writes the file's messages, then (when following) what the container writes until it stops running. */
export async function readLogs(o: ReadLogsOptions): Promise<void> {
  const { opts } = o;
  let path: string;
  try {
    path = await realpath(o.path);
  } catch (e: unknown) {
    throw new Error(`failed to try resolving symlinks in path ${JSON.stringify(o.path)}: ${goFileError('lstat', o.path, e)}`);
  }
  let f: FileHandle;
  try {
    f = await open(path, 'r');
  } catch (e: unknown) {
    throw new Error(`failed to open log file ${JSON.stringify(path)}: ${goFileError('open', path, e)}`);
  }
  let watcher: FSWatcher | undefined;
  try {
    let pos: number;
    try {
      pos = await findTailLineStartIndex(f, opts.tail);
    } catch (e: unknown) {
      throw new Error(`failed to tail ${opts.tail} lines of log file ${JSON.stringify(path)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const limitedMode = opts.tail >= 0 && !opts.follow;
    let limitedNum = opts.tail;
    let remain = opts.bytes >= 0 ? opts.bytes : Number.MAX_SAFE_INTEGER;
    let parse: ParseFunc | undefined;
    let found = true;
    let pending = Buffer.alloc(0);
    const chunk = Buffer.alloc(64 * 1024);
    // What the watcher saw since the last wait: a write, or the file replaced (created, renamed, removed).
    let seen: 'none' | 'change' | 'rename' = 'none';
    let wake: (() => void) | undefined;
    const onEvent = (type: string): void => {
      if (type === 'rename') seen = 'rename';
      else if (seen === 'none') seen = 'change';
      wake?.();
    };

    /** Writes one line; false when the byte limit is reached. */
    const writeLine = async (l: Buffer): Promise<boolean> => {
      if (parse === undefined) {
        try {
          parse = getParseFunc(l);
        } catch (e: unknown) {
          throw new Error(`failed to get parse function: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      let msg: LogMessage;
      try {
        msg = parse(l);
      } catch (e: unknown) {
        o.onSkippedLine?.(e instanceof Error ? e.message : String(e), l);
        return true;
      }
      if (opts.since !== undefined && msg.timestamp.nanos < opts.since) return true;
      let line = opts.timestamps ? Buffer.concat([Buffer.from(`${formatRfc3339NanoFixed(msg.timestamp)} `), msg.log]) : msg.log;
      if (line.length > remain) line = line.subarray(0, remain);
      await o.write(msg.stream, line);
      remain -= line.length;
      return remain > 0;
    };

    const isContainerRunning = async (): Promise<boolean> => {
      const res = await o.runtime.containerStatus({ containerId: o.containerId });
      return res.status?.state === 'CONTAINER_RUNNING';
    };

    /** Upstream's waitLogs: whether to read on (found) and whether the file was replaced (recreated). */
    const waitLogs = async (): Promise<{ found: boolean; recreated: boolean }> => {
      if (!(await isContainerRunning())) return { found: false, recreated: false };
      if (o.signal?.aborted === true) throw new Error('context cancelled');
      const take = (): 'change' | 'rename' | undefined => {
        const v = seen;
        seen = 'none';
        return v === 'none' ? undefined : v;
      };
      const ev = take() ?? (await new Promise<'change' | 'rename' | 'timeout' | 'abort'>((resolve) => {
        const timer = setTimeout(() => done('timeout'), o.forceCheckMs ?? 1000);
        const onAbort = (): void => done('abort');
        o.signal?.addEventListener('abort', onAbort, { once: true });
        function done(v: 'change' | 'rename' | 'timeout' | 'abort'): void {
          clearTimeout(timer);
          o.signal?.removeEventListener('abort', onAbort);
          wake = undefined;
          resolve(v);
        }
        wake = () => done(take() ?? 'change');
      }));
      if (ev === 'abort') throw new Error('context cancelled');
      return { found: true, recreated: ev === 'rename' };
    };

    for (;;) {
      if (limitedMode && limitedNum === 0) return;
      const { bytesRead } = await f.read(chunk, 0, chunk.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        pending = pending.length === 0 ? Buffer.from(chunk.subarray(0, bytesRead)) : Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
        let start = 0;
        for (let nl = pending.indexOf(eol, start); nl >= 0; nl = pending.indexOf(eol, start)) {
          const l = pending.subarray(start, nl + 1);
          start = nl + 1;
          if (!(await writeLine(l))) return;
          if (limitedMode) {
            limitedNum--;
            if (limitedNum === 0) return;
          }
        }
        pending = pending.subarray(start);
        continue;
      }
      // End of file.
      if (!opts.follow) {
        // An unterminated last line is written as it is.
        if (pending.length > 0) await writeLine(pending);
        return;
      }
      if (!found) return;
      if (watcher === undefined) {
        try {
          watcher = watch(path, onEvent);
        } catch (e: unknown) {
          throw new Error(`failed to watch file ${JSON.stringify(path)}: ${e instanceof Error ? e.message : String(e)}`);
        }
        watcher.on('error', () => undefined);
        // A write may have come before the watch: read again.
        continue;
      }
      const w = await waitLogs();
      found = w.found;
      if (w.recreated) {
        let next: FileHandle;
        try {
          next = await open(path, 'r');
        } catch (e: unknown) {
          if ((e as { code?: unknown }).code === 'ENOENT') continue;
          throw new Error(`failed to open log file ${JSON.stringify(path)}: ${goFileError('open', path, e)}`);
        }
        await f.close();
        f = next;
        pos = 0;
        pending = Buffer.alloc(0);
        watcher.close();
        watcher = watch(path, onEvent);
        watcher.on('error', () => undefined);
      }
    }
  } finally {
    watcher?.close();
    await f.close();
  }
}
