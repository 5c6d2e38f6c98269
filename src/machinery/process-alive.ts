// Whether a process is still there: signal 0 checks the pid without sending anything. A process we may not signal
// (EPERM) is there all the same; only ESRCH says it is gone.
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return !(e instanceof Error && 'code' in e && e.code === 'ESRCH');
  }
}
