// A long-lived /bin/sh that runs short commands (mount, umount) one after another for the kubelet. Spawning a child
// from k8ts copies the page tables of a process of a few hundred MB on the event loop's thread, about 10 ms each time,
// and two such spawns per pod (mount, unmount) cost the whole process 20 ms a pod; the shell is small, so the fork
// each command needs happens there. Each command's output (stdout and stderr) and exit status come back framed by a
// marker line; a command that outlives its timeout takes the shell down with it, and the next one starts a new shell.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface ShellResult {
  code: number;
  output: string;
}

/** A word quoted for sh: 'it'\''s'. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

interface Pending {
  marker: string;
  resolve: (r: ShellResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class CommandShell {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private buf = '';
  private readonly queue: { argv: readonly string[]; timeoutMs: number; resolve: (r: ShellResult) => void; reject: (e: Error) => void }[] = [];
  private current: Pending | undefined;
  private seq = 0;
  private readonly nonce = randomBytes(6).toString('hex');

  constructor(private readonly shell = '/bin/sh') {}

  /** Runs argv (quoted, never interpreted by the shell) and resolves with its exit status and combined output. */
  run(argv: readonly string[], timeoutMs = 30_000): Promise<ShellResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ argv, timeoutMs, resolve, reject });
      this.next();
    });
  }

  /** Ends the shell (commands still queued fail). */
  close(): void {
    const p = this.proc;
    this.proc = undefined;
    p?.stdin.end();
    p?.kill('SIGKILL');
    for (const q of this.queue.splice(0)) q.reject(new Error('the command shell was closed'));
  }

  private start(): ChildProcessWithoutNullStreams {
    const p = spawn(this.shell, ['-s'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => this.onData(d));
    // The shell's own complaints (none expected) go nowhere: the commands' stderr is folded into their output.
    p.stderr.resume();
    p.stdin.on('error', () => undefined);
    p.on('exit', () => {
      if (this.proc === p) this.proc = undefined;
      this.buf = '';
      const cur = this.current;
      if (cur !== undefined) {
        this.current = undefined;
        clearTimeout(cur.timer);
        cur.reject(new Error('the command shell exited'));
      }
      this.next();
    });
    // A pending command keeps the process alive through its timer; an idle shell does not.
    p.unref();
    (p.stdout as unknown as { unref?: () => void }).unref?.();
    (p.stderr as unknown as { unref?: () => void }).unref?.();
    (p.stdin as unknown as { unref?: () => void }).unref?.();
    return p;
  }

  private next(): void {
    if (this.current !== undefined) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    const proc = (this.proc ??= this.start());
    const marker = `__k8ts_${this.nonce}_${++this.seq}`;
    const timer = setTimeout(() => {
      const cur = this.current;
      if (cur?.marker !== marker) return;
      this.current = undefined;
      this.proc = undefined;
      proc.kill('SIGKILL');
      cur.reject(new Error(`${job.argv[0] ?? ''} timed out after ${job.timeoutMs} ms`));
      this.next();
    }, job.timeoutMs);
    this.current = { marker, resolve: job.resolve, reject: job.reject, timer };
    proc.stdin.write(`${job.argv.map(shellQuote).join(' ')} </dev/null 2>&1; printf '\\n${marker} %d\\n' "$?"\n`);
  }

  private onData(d: string): void {
    this.buf += d;
    const cur = this.current;
    if (cur === undefined) return;
    const at = this.buf.indexOf(`\n${cur.marker} `);
    if (at < 0) return;
    const eol = this.buf.indexOf('\n', at + 1);
    if (eol < 0) return;
    const code = Number(this.buf.slice(at + cur.marker.length + 2, eol));
    const output = this.buf.slice(0, at);
    this.buf = this.buf.slice(eol + 1);
    this.current = undefined;
    clearTimeout(cur.timer);
    cur.resolve({ code, output });
    this.next();
  }
}
