/**
 * What a command does inside the fake runtime's containers. The fake runs nothing: it models the
 * few busybox programs the tests and the kubelet's unit tests use, deterministically.
 *
 * Programs (applets of k8ts's busybox image): echo, true, false, sleep N (runs until stopped),
 * pause, cat (no stdin: exits 0), env, and sh -c SCRIPT where SCRIPT is a list of those plus `exit N`, joined
 * with `;`, `&&`, `||` or newlines, with quotes, `$VAR` and `>&2`. Anything else is not found.
 */
export type FakeProcessResult =
  | { kind: 'exited'; stdout: string; stderr: string; exitCode: number }
  /** Still running (sleep, pause): it ends only when stopped, killed or exited by the test. */
  | { kind: 'running'; stdout: string; stderr: string }
  /** The executable does not exist: the runtime fails to start it. */
  | { kind: 'not-found'; executable: string };

interface Output { stdout: string; stderr: string }

type Step = { kind: 'exit'; code: number } | { kind: 'status'; code: number } | { kind: 'running' } | { kind: 'not-found'; executable: string };

function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(i + 1) : path;
}

/** Runs one program (not the shell) and appends its output. */
function program(argv: string[], env: Record<string, string>, out: Output, inShell: boolean): Step {
  const [exe, ...args] = argv;
  if (exe === undefined) return { kind: 'status', code: 0 };
  const name = basename(exe);
  switch (name) {
    case 'echo': {
      let newline = true;
      let rest = args;
      if (rest[0] === '-n') { newline = false; rest = rest.slice(1); }
      out.stdout += rest.join(' ') + (newline ? '\n' : '');
      return { kind: 'status', code: 0 };
    }
    case 'true':
    case 'cat':
      return { kind: 'status', code: 0 };
    case 'false':
      return { kind: 'status', code: 1 };
    case 'sleep':
    case 'pause':
      return { kind: 'running' };
    case 'env':
      for (const [k, v] of Object.entries(env)) out.stdout += `${k}=${v}\n`;
      return { kind: 'status', code: 0 };
    case 'sh':
    case 'ash': {
      if (args[0] !== '-c' || args[1] === undefined) return { kind: 'running' }; // an interactive shell waits for input
      return shell(args[1], env, out);
    }
    default:
      if (inShell) {
        out.stderr += `sh: ${exe}: not found\n`;
        return { kind: 'status', code: 127 };
      }
      return { kind: 'not-found', executable: exe };
  }
}

type Token = { word: string } | { op: ';' | '&&' | '||' };

function tokenize(script: string, env: Record<string, string>): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  const flush = (): void => {
    if (inWord) tokens.push({ word });
    word = '';
    inWord = false;
  };
  const expand = (s: string, i: number): [string, number] => {
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*|\?))/.exec(s.slice(i));
    if (!m) return ['$', i + 1];
    const key = m[1] ?? m[2] ?? '';
    return [env[key] ?? '', i + m[0].length];
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i] ?? '';
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      word += script.slice(i + 1, end < 0 ? script.length : end);
      inWord = true;
      i = end < 0 ? script.length : end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (i < script.length && script[i] !== '"') {
        if (script[i] === '$') {
          const [v, next] = expand(script, i);
          word += v;
          i = next;
        } else if (script[i] === '\\' && i + 1 < script.length) {
          word += script[i + 1];
          i += 2;
        } else {
          word += script[i];
          i++;
        }
      }
      i++;
    } else if (c === '$') {
      const [v, next] = expand(script, i);
      word += v;
      inWord = true;
      i = next;
    } else if (c === ';' || c === '\n') {
      flush();
      tokens.push({ op: ';' });
      i++;
    } else if (script.startsWith('&&', i) || script.startsWith('||', i)) {
      flush();
      tokens.push({ op: script.startsWith('&&', i) ? '&&' : '||' });
      i += 2;
    } else if (c === ' ' || c === '\t') {
      flush();
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  flush();
  return tokens;
}

function shell(script: string, env: Record<string, string>, out: Output): Step {
  const tokens = tokenize(script, env);
  let status = 0;
  let skip = false;
  let words: string[] = [];
  const runStatement = (): Step | undefined => {
    const argv = words;
    words = [];
    if (argv.length === 0 || skip) return undefined;
    let toStderr = false;
    const filtered = argv.filter((w) => {
      if (w === '>&2' || w === '1>&2') { toStderr = true; return false; }
      return true;
    });
    if (filtered[0] === 'exit') {
      const code = filtered[1] === undefined ? status : Number.parseInt(filtered[1], 10);
      return { kind: 'exit', code: Number.isNaN(code) ? 2 : code & 0xff };
    }
    if (filtered[0] === 'trap' || filtered[0] === ':') { status = 0; return undefined; }
    const local: Output = { stdout: '', stderr: '' };
    const step = program(filtered, env, local, true);
    out.stderr += local.stderr;
    if (toStderr) out.stderr += local.stdout;
    else out.stdout += local.stdout;
    if (step.kind === 'status') { status = step.code; return undefined; }
    return step;
  };
  for (const t of tokens) {
    if ('word' in t) { words.push(t.word); continue; }
    const step = runStatement();
    if (step) return step;
    if (t.op === ';') skip = false;
    else if (t.op === '&&') skip = status !== 0;
    else skip = status === 0;
  }
  const step = runStatement();
  if (step) return step;
  return { kind: 'exit', code: status };
}

/** What `argv` does in a fake container with environment `env`. */
export function runFakeProcess(argv: string[], env: Record<string, string> = {}): FakeProcessResult {
  const out: Output = { stdout: '', stderr: '' };
  const step = program(argv, env, out, false);
  switch (step.kind) {
    case 'status':
    case 'exit':
      return { kind: 'exited', stdout: out.stdout, stderr: out.stderr, exitCode: step.code };
    case 'running':
      return { kind: 'running', stdout: out.stdout, stderr: out.stderr };
    case 'not-found':
      return { kind: 'not-found', executable: step.executable };
  }
}
