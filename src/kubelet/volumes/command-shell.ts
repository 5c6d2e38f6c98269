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

interface Job {
  argv: readonly string[];
  timeoutMs: number;
  resolve: (r: ShellResult) => void;
  reject: (e: Error) => void;
}

/** One shell process and what belongs to it alone: its unread output and the command it runs. */
interface Shell {
  proc: ChildProcessWithoutNullStreams;
  buf: string;
  current: { job: Job; marker: string; timer: NodeJS.Timeout } | undefined;
  dead: boolean;
}

export class CommandShell {
  private shellNow: Shell | undefined;
  private readonly queue: Job[] = [];
  private seq = 0;
  private readonly nonce = randomBytes(6).toString('hex');

  constructor(private readonly shellPath = '/bin/sh') {}

  /** Runs argv (quoted, never interpreted by the shell) and resolves with its exit status and combined output. */
  run(argv: readonly string[], timeoutMs = 30_000): Promise<ShellResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ argv, timeoutMs, resolve, reject });
      this.next();
    });
  }

  /** Ends the shell (commands still queued fail). */
  close(): void {
    const sh = this.shellNow;
    this.shellNow = undefined;
    if (sh !== undefined) this.kill(sh, new Error('the command shell was closed'));
    for (const q of this.queue.splice(0)) q.reject(new Error('the command shell was closed'));
  }

  /** Kills a shell and whatever it runs (its own process group), failing its command with `why`. */
  private kill(sh: Shell, why: Error): void {
    if (sh.dead) return;
    sh.dead = true;
    const cur = sh.current;
    sh.current = undefined;
    if (cur !== undefined) {
      clearTimeout(cur.timer);
      cur.job.reject(why);
    }
    sh.proc.stdin.end();
    try {
      if (sh.proc.pid !== undefined) process.kill(-sh.proc.pid, 'SIGKILL');
    } catch {
      sh.proc.kill('SIGKILL');
    }
    if (this.shellNow === sh) this.shellNow = undefined;
  }

  private start(): Shell {
    // detached: a process group of its own, so that a timed-out command (a hung mount) dies with its shell.
    const proc = spawn(this.shellPath, ['-s'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C' } });
    const sh: Shell = { proc, buf: '', current: undefined, dead: false };
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d: string) => this.onData(sh, d));
    // The shell's own complaints (none expected) go nowhere: the commands' stderr is folded into their output.
    proc.stderr.resume();
    proc.stdin.on('error', () => undefined);
    const ended = (why: Error): void => {
      this.kill(sh, why);
      this.next();
    };
    proc.on('error', (e: Error) => ended(new Error(`the command shell failed: ${e.message}`)));
    proc.on('exit', () => ended(new Error('the command shell exited')));
    // A pending command keeps the process alive through its timer; an idle shell does not.
    proc.unref();
    for (const s of [proc.stdout, proc.stderr, proc.stdin]) (s as unknown as { unref?: () => void }).unref?.();
    return sh;
  }

  private next(): void {
    let sh = this.shellNow;
    if (sh !== undefined && sh.current !== undefined) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    if (sh === undefined || sh.dead) sh = this.shellNow = this.start();
    const marker = `__k8ts_${this.nonce}_${++this.seq}`;
    const own = sh;
    const timer = setTimeout(() => {
      if (own.current?.marker !== marker) return;
      this.kill(own, new Error(`${job.argv[0] ?? ''} timed out after ${job.timeoutMs} ms`));
      this.next();
    }, job.timeoutMs);
    sh.current = { job, marker, timer };
    sh.proc.stdin.write(`${job.argv.map(shellQuote).join(' ')} </dev/null 2>&1; printf '\\n${marker} %d\\n' "$?"\n`);
  }

  private onData(sh: Shell, d: string): void {
    if (sh.dead) return;
    sh.buf += d;
    const cur = sh.current;
    if (cur === undefined) return;
    const at = sh.buf.indexOf(`\n${cur.marker} `);
    if (at < 0) return;
    const eol = sh.buf.indexOf('\n', at + 1);
    if (eol < 0) return;
    const code = Number(sh.buf.slice(at + cur.marker.length + 2, eol));
    const output = sh.buf.slice(0, at);
    sh.buf = sh.buf.slice(eol + 1);
    sh.current = undefined;
    clearTimeout(cur.timer);
    cur.job.resolve({ code, output });
    this.next();
  }
}
