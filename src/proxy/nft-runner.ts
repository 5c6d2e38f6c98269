// Runs nft transactions: the script goes to `nft -f -` on stdin, and nft applies it atomically or not at all.
// `command` can put nft in another network namespace (`ip netns exec NS nft`).
import { spawn } from 'node:child_process';

export type NftRunner = (script: string) => Promise<void>;

export class NftError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'NftError';
  }
}

/** A runner for `command -f -` (default `nft`). */
export function nftRunner(command: readonly string[] = ['nft']): NftRunner {
  const [bin, ...args] = command;
  if (bin === undefined) throw new Error('the nft command is empty');
  return (script) =>
    new Promise((resolve, reject) => {
      const child = spawn(bin, [...args, '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        if (stderr.length < 64 * 1024) stderr += d;
      });
      child.on('error', (e) => reject(new NftError(`running ${bin} failed: ${e.message}`, '')));
      child.on('close', (code, signal) => {
        if (code === 0) resolve();
        else reject(new NftError(`${[bin, ...args].join(' ')} -f - exited with ${code ?? signal}: ${stderr.trim().split('\n').slice(0, 6).join(' | ')}`, stderr));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(script);
    });
}

/** Deletes the table if it exists (nothing when it does not). */
export async function deleteTable(run: NftRunner, table: string): Promise<void> {
  await run(`add table ip ${table}\ndelete table ip ${table}\n`);
}
