// The outcome of one probe attempt (probe.Result plus the output and error of pkg/probe's probers).

/** probe.Result: success, warning (success with a warning event: an HTTP probe that stopped at a redirect), failure, unknown. */
export type ProbeResult = 'success' | 'warning' | 'failure' | 'unknown';

export interface ProbeOutcome {
  result: ProbeResult;
  /** What the probe said: the exec output, the HTTP body or upstream's failure text. */
  output: string;
  /**
   * Set when the probe errored rather than answered (a port that does not resolve, an exec the runtime refused):
   * the kubelet retries such an attempt, reports `... probe errored and resulted in unknown state: ERROR` and keeps
   * the previous result.
   */
  error?: string;
}
