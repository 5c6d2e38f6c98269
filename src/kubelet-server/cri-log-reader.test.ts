import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerStatusResponse } from '../cri/index.js';
import { formatRfc3339NanoFixed, newLogOptions, parseCriLog, parseRfc3339, readLogs, type LogOptions, type LogStream } from './cri-log-reader.js';

const t0 = '2016-10-06T00:17:09.669794202Z';
const t1 = '2016-10-06T00:17:10.5Z';
const t2 = '2016-10-06T00:17:11Z';

function tmpLog(content: string): { path: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cri-log-'));
  const path = join(dir, '0.log');
  writeFileSync(path, content);
  return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const opts = (o: Partial<LogOptions> = {}): LogOptions => ({ tail: -1, bytes: -1, follow: false, timestamps: false, ...o });

function runtimeWith(state: () => 'CONTAINER_RUNNING' | 'CONTAINER_EXITED'): { containerStatus(): Promise<ContainerStatusResponse> } {
  return {
    containerStatus: async () => ({ info: {}, status: { state: state() } as ContainerStatusResponse['status'] }),
  };
}

async function read(path: string, o: LogOptions, runtime = runtimeWith(() => 'CONTAINER_EXITED')): Promise<{ out: string; streams: LogStream[] }> {
  let out = '';
  const streams: LogStream[] = [];
  await readLogs({ path, containerId: 'c1', opts: o, runtime, write: async (s, d) => { out += d.toString(); streams.push(s); } });
  return { out, streams };
}

const sample = [`${t0} stdout F one`, `${t1} stderr F two`, `${t2} stdout P thr`, `${t2} stdout F ee`, `${t2} stdout F four`].join('\n') + '\n';

describe('CRI log lines', () => {
  test('a full line gives its time, stream and text with the newline', () => {
    const m = parseCriLog(Buffer.from(`${t0} stdout F hello world\n`));
    assert.equal(m.stream, 'stdout');
    assert.equal(m.log.toString(), 'hello world\n');
    assert.equal(m.timestamp.nanos, 1475713029669794202n);
  });

  test('a partial line loses its newline so that the next record continues it', () => {
    assert.equal(parseCriLog(Buffer.from(`${t0} stderr P part\n`)).log.toString(), 'part');
  });

  test('malformed lines are refused with upstream messages', () => {
    assert.throws(() => parseCriLog(Buffer.from('nospace')), /^Error: timestamp is not found$/);
    assert.throws(() => parseCriLog(Buffer.from(`${t0} stdin F x`)), /^Error: unexpected stream type "stdin"$/);
    assert.throws(() => parseCriLog(Buffer.from(`${t0} stdout`)), /^Error: stream type is not found$/);
    assert.throws(() => parseCriLog(Buffer.from('yesterday stdout F x')), /unexpected timestamp format/);
  });

  test('timestamps print as RFC3339NanoFixed, nine digits, in the zone they were written in', () => {
    assert.equal(formatRfc3339NanoFixed(parseRfc3339(t1) ?? assert.fail()), '2016-10-06T00:17:10.500000000Z');
    assert.equal(formatRfc3339NanoFixed(parseRfc3339('2016-10-06T02:17:10.000000001+02:00') ?? assert.fail()), '2016-10-06T02:17:10.000000001+02:00');
    assert.equal(parseRfc3339('2016-10-06T02:17:10+02:00')?.nanos, parseRfc3339('2016-10-06T00:17:10Z')?.nanos);
  });

  test('sinceTime replaces sinceSeconds when it is later', () => {
    const now = Date.parse('2020-01-01T00:00:00Z');
    assert.equal(newLogOptions({ sinceSeconds: 10 }, now).since, BigInt(now - 10_000) * 1_000_000n);
    assert.equal(newLogOptions({ sinceSeconds: 10, sinceTime: '2020-01-01T00:00:05Z' }, now).since, BigInt(now + 5000) * 1_000_000n);
    assert.equal(newLogOptions({ sinceSeconds: 10, sinceTime: '2019-01-01T00:00:00Z' }, now).since, BigInt(now - 10_000) * 1_000_000n);
    assert.deepEqual(newLogOptions({ tailLines: 3, limitBytes: 5, follow: true }, now), { tail: 3, bytes: 5, follow: true, timestamps: false });
  });
});

describe('readLogs', () => {
  test('writes every message to its stream, partial records joined', async () => {
    const f = tmpLog(sample);
    try {
      const { out, streams } = await read(f.path, opts());
      assert.equal(out, 'one\ntwo\nthree\nfour\n');
      assert.deepEqual(streams, ['stdout', 'stderr', 'stdout', 'stdout', 'stdout']);
    } finally {
      f.done();
    }
  });

  test('tail counts the file lines from the end', async () => {
    const f = tmpLog(sample);
    try {
      assert.equal((await read(f.path, opts({ tail: 2 }))).out, 'ee\nfour\n');
      assert.equal((await read(f.path, opts({ tail: 0 }))).out, '');
      assert.equal((await read(f.path, opts({ tail: 99 }))).out, 'one\ntwo\nthree\nfour\n');
    } finally {
      f.done();
    }
  });

  test('tail finds lines across the reader blocks of a long file', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => `${t0} stdout F line ${i}`);
    const f = tmpLog(lines.join('\n') + '\n');
    try {
      assert.equal((await read(f.path, opts({ tail: 3 }))).out, 'line 497\nline 498\nline 499\n');
    } finally {
      f.done();
    }
  });

  test('timestamps prefix each message with its fixed-width time', async () => {
    const f = tmpLog(sample);
    try {
      const { out } = await read(f.path, opts({ timestamps: true, tail: 3 }));
      assert.equal(out, '2016-10-06T00:17:11.000000000Z thr2016-10-06T00:17:11.000000000Z ee\n2016-10-06T00:17:11.000000000Z four\n');
    } finally {
      f.done();
    }
  });

  test('since skips older messages and limitBytes cuts the output', async () => {
    const f = tmpLog(sample);
    try {
      assert.equal((await read(f.path, opts({ since: parseRfc3339(t1)?.nanos ?? 0n }))).out, 'two\nthree\nfour\n');
      assert.equal((await read(f.path, opts({ bytes: 6 }))).out, 'one\ntw');
    } finally {
      f.done();
    }
  });

  test('an unterminated last line is written as it is; unparsable lines are skipped', async () => {
    const f = tmpLog(`${t0} stdout F a\ngarbage line\n${t0} stdout F b`);
    try {
      const skipped: string[] = [];
      let out = '';
      await readLogs({ path: f.path, containerId: 'c', opts: opts(), runtime: runtimeWith(() => 'CONTAINER_EXITED'), write: async (_s, d) => void (out += d.toString()), onSkippedLine: (e) => skipped.push(e) });
      assert.equal(out, 'a\nb');
      assert.equal(skipped.length, 1);
      assert.match(skipped[0] ?? '', /^unexpected timestamp format/);
    } finally {
      f.done();
    }
  });

  test('a missing file gives upstream error text', async () => {
    await assert.rejects(read('/nonexistent/k8ts/0.log', opts()), /^Error: failed to try resolving symlinks in path "\/nonexistent\/k8ts\/0\.log": lstat \/nonexistent\/k8ts\/0\.log: no such file or directory$/);
  });

  test('follow writes new lines as they come and ends once the container stops running', async () => {
    const f = tmpLog(`${t0} stdout F first\n`);
    let running = true;
    const got: string[] = [];
    let wake: (() => void) | undefined;
    try {
      const reading = readLogs({
        path: f.path,
        containerId: 'c1',
        opts: opts({ follow: true, tail: 1 }),
        runtime: runtimeWith(() => (running ? 'CONTAINER_RUNNING' : 'CONTAINER_EXITED')),
        forceCheckMs: 200,
        write: async (_s, d) => {
          got.push(d.toString());
          wake?.();
        },
      });
      const seen = (n: number): Promise<void> =>
        new Promise((resolve) => {
          const check = (): void => (got.length >= n ? resolve() : void (wake = check));
          check();
        });
      await seen(1);
      appendFileSync(f.path, `${t1} stdout P sec\n${t1} stdout F ond\n`);
      await seen(3);
      // A line the runtime has not finished writing waits for its end.
      appendFileSync(f.path, `${t1} stdout F thi`);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(got.length, 3);
      appendFileSync(f.path, `rd\n`);
      await seen(4);
      running = false;
      appendFileSync(f.path, `${t2} stdout F last words\n`);
      await reading;
      assert.deepEqual(got, ['first\n', 'sec', 'ond\n', 'third\n', 'last words\n']);
    } finally {
      f.done();
    }
  });

  test('an aborted follow ends with upstream context error', async () => {
    const f = tmpLog(`${t0} stdout F x\n`);
    try {
      const ac = new AbortController();
      const reading = readLogs({ path: f.path, containerId: 'c', opts: opts({ follow: true }), runtime: runtimeWith(() => 'CONTAINER_RUNNING'), signal: ac.signal, write: async () => undefined });
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(reading, /context cancelled/);
    } finally {
      f.done();
    }
  });
});
