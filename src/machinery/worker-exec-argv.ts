// The Node options a worker thread inherits from the main thread.
/**
 * The main thread's options that a worker takes too: source maps, warnings, profiling and experimental features. A
 * Worker refuses the others in execArgv ("invalid execArgv flags"): V8 flags (heap sizes, compilers), which are per
 * process anyway, and those about the entry source (`-e`, `-p`, `--input-type`), which a worker started from a file
 * has no use for.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  return execArgv.filter((arg) => /^--(enable-source-maps|cpu-prof|heap-prof|no-warnings|trace-warnings|trace-uncaught|experimental-|no-experimental-|conditions=)/.test(arg));
}
