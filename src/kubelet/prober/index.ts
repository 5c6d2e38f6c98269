// Container probes as the kubelet runs them: one attempt (runProbe) and the manager of the per-container workers.
export { ProbeManager, type LivenessVerdict, type ProbeManagerOptions } from './probe-manager.js';
export { probeTypeName, type ProbeEventType, type ProbeResultValue, type ProbeType } from './probe-worker.js';
export { runProbe, type ProbeTarget } from './probe-runner.js';
export type { ProbeOutcome, ProbeResult } from './probe-outcome.js';
export type { ExecRuntime } from './exec-probe.js';
export { systemClock, type ProbeClock } from './probe-clock.js';
export { probeUserAgent } from './http-probe.js';
