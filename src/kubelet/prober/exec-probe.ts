// The exec probe (pkg/probe/exec and the kubelet's RunInContainer over CRI ExecSync): exit code 0 is success, any
// other exit code a failure whose output is what the command printed (stdout then stderr, at most 10 KiB); a command
// still running when timeoutSeconds run out is a failure `command "CMD" timed out`; any other error of the runtime
// leaves the result unknown.
import { GrpcCode, isCriError, type RuntimeService } from '../../cri/index.js';
import { goQuote } from './go-net-error.js';
import type { ProbeOutcome } from './probe-outcome.js';

/** The part of the runtime an exec probe needs. */
export type ExecRuntime = Pick<RuntimeService, 'execSync'>;

/** maxReadLength of pkg/probe/exec: the output kept of a probe command. */
export const maxExecOutputBytes = 10 * 1024;

export async function execProbe(runtime: ExecRuntime, containerId: string, cmd: string[], timeoutSeconds: number): Promise<ProbeOutcome> {
  let stdout: Uint8Array;
  let stderr: Uint8Array;
  let exitCode: number;
  try {
    ({ stdout, stderr, exitCode } = await runtime.execSync({ containerId, cmd, timeout: String(timeoutSeconds) }));
  } catch (e: unknown) {
    // remote_runtime.go turns DeadlineExceeded into a TimeoutError, which the exec prober reports as a failure.
    if (isCriError(e, GrpcCode.DeadlineExceeded)) return { result: 'failure', output: `command ${goQuote(cmd.join(' '))} timed out` };
    return { result: 'unknown', output: '', error: e instanceof Error ? e.message : String(e) };
  }
  const data = Buffer.concat([Buffer.from(stdout), Buffer.from(stderr)]).subarray(0, maxExecOutputBytes);
  return { result: exitCode === 0 ? 'success' : 'failure', output: data.toString('utf8') };
}
