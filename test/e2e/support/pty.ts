// Runs a command on a real pseudo-terminal, for tests of interactive programs such as `kubectl exec -it`.
// Node has no pty of its own, so a small Python program (the standard library's `pty` module) opens one, makes
// it the command's controlling terminal with the size asked for, and relays bytes: what the test writes goes to
// the terminal's master side (as keystrokes), what the command writes to its terminal comes back as output. A
// resize sets the master's window size, so that the kernel sends the command SIGWINCH as a terminal would.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';

export const PYTHON = '/usr/bin/python3';

/** Why a pty test cannot run here, or false when it can. */
export function ptySkipReason(): string | false {
  return existsSync(PYTHON) ? false : `${PYTHON} is missing (needed for its pty module)`;
}

// argv: ROWS COLS COMMAND [ARG...]; stdin: keystrokes; fd 3: "ROWS COLS\n" lines that resize the terminal.
const RELAY = String.raw`
import fcntl, os, pty, select, signal, struct, subprocess, sys, termios

def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))

def write_all(fd, data):
    while data:
        n = os.write(fd, data)
        data = data[n:]

master, slave = pty.openpty()
set_size(slave, int(sys.argv[1]), int(sys.argv[2]))

def controlling_tty():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)

proc = subprocess.Popen(sys.argv[3:], stdin=slave, stdout=slave, stderr=slave,
                        start_new_session=True, preexec_fn=controlling_tty)
os.close(slave)

def stop(signum, frame):
    proc.kill()
    sys.exit(128 + signum)
signal.signal(signal.SIGTERM, stop)

inputs = [0, 3]
control = b''
while True:
    ready, _, _ = select.select([master] + inputs, [], [])
    if master in ready:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b''
        if not data:
            break
        write_all(1, data)
    if 0 in ready:
        data = os.read(0, 65536)
        if data:
            write_all(master, data)
        else:
            inputs.remove(0)
    if 3 in ready:
        data = os.read(3, 4096)
        if not data:
            inputs.remove(3)
        else:
            control += data
            while b'\n' in control:
                line, control = control.split(b'\n', 1)
                rows, cols = line.split()
                set_size(master, int(rows), int(cols))

code = proc.wait()
sys.exit(code if code >= 0 else 128 - code)
`;

export interface PtyOptions {
  rows: number;
  cols: number;
  env?: NodeJS.ProcessEnv;
}

/** A command running on its own pseudo-terminal. `output` is everything it wrote to the terminal so far. */
export class PtySession {
  output = '';
  /** What the relay itself wrote on stderr (its own failures, not the command's). */
  relayErrors = '';
  readonly exited: Promise<number | null>;
  private readonly proc: ChildProcess;
  private readonly keys: Writable;
  private readonly control: Writable;

  constructor(command: string, args: readonly string[], opts: PtyOptions) {
    const proc = spawn(PYTHON, ['-c', RELAY, String(opts.rows), String(opts.cols), command, ...args], {
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const keys = proc.stdin;
    const control = proc.stdio[3];
    if (keys === null || control === null || control === undefined || !('write' in control)) throw new Error('the pty relay has no input pipes');
    this.proc = proc;
    this.keys = keys;
    this.control = control as Writable;
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (d: string) => (this.output += d));
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => (this.relayErrors += d));
    // A write after the relay exited fails with EPIPE; the test sees that through the output it waits for.
    keys.on('error', () => undefined);
    this.control.on('error', () => undefined);
    this.exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  }

  /** Types `data` on the terminal. */
  write(data: string): void {
    this.keys.write(data);
  }

  /** Changes the terminal's window size (the command gets SIGWINCH). */
  resize(rows: number, cols: number): void {
    this.control.write(`${rows} ${cols}\n`);
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Waits until the output satisfies `pred`; throws with the output so far after `timeoutMs` or when the command ends. */
  async waitForOutput(what: string, pred: (output: string) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.output)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; terminal output:\n${JSON.stringify(this.output)}${this.relayErrors}`);
      if (!this.running) throw new Error(`the command ended (${String(this.proc.exitCode)}) before ${what}; terminal output:\n${JSON.stringify(this.output)}${this.relayErrors}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits for the command to end by itself; kills it after `timeoutMs`. Resolves to its exit code. */
  async wait(timeoutMs = 15_000): Promise<number | null> {
    const timer = setTimeout(() => this.proc.kill('SIGTERM'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the command (SIGTERM to the relay, which kills it) and waits. */
  async stop(): Promise<void> {
    if (this.running) this.proc.kill('SIGTERM');
    await this.exited;
  }
}
