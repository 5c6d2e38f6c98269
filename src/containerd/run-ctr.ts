// Runs containerd's `ctr` client against one socket; errors carry ctr's stderr.

import { execFile } from 'node:child_process';
import { binarySearchDirs, findBinary } from './containerd-binaries.js';

export interface RunCtrOptions {
  /** The ctr binary; default the first `ctr` on PATH, /usr/sbin or /usr/bin. */
  ctrPath?: string;
  /** containerd namespace (`-n`); none by default. */
  namespace?: string;
  timeoutMs?: number;
}

export function defaultCtrPath(): string {
  const ctr = findBinary('ctr', binarySearchDirs());
  if (ctr === undefined) throw new Error('ctr (from containerd) is not installed: apt-get install containerd runc');
  return ctr;
}

/** Runs `ctr --address SOCKET [-n NS] ARGS...` and resolves with its stdout. */
export function runCtr(socketPath: string, args: readonly string[], opts: RunCtrOptions = {}): Promise<string> {
  const ctr = opts.ctrPath ?? defaultCtrPath();
  const argv = ['--address', socketPath];
  if (opts.namespace !== undefined) argv.push('--namespace', opts.namespace);
  argv.push(...args);
  return new Promise((resolve, reject) => {
    execFile(
      ctr,
      argv,
      { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          const detail = stderr.trim() || err.message;
          reject(new Error(`ctr ${args.join(' ')} failed: ${detail}`));
          return;
        }
        resolve(stdout);
      },
    );
  });
}
