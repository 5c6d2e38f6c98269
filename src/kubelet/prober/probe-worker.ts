// One probe of one container (prober/worker.go): it probes every periodSeconds once the container runs and
// initialDelaySeconds have passed, counts equal results in a row against successThreshold/failureThreshold, and keeps
// the result of the container it probes. Liveness and readiness wait for the startup probe; the startup probe stops
// once the container started. A failed liveness or startup probe holds the worker until a new container runs.
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { log } from '../../cli/log.js';
import type { ExecRuntime } from './exec-probe.js';
import type { ProbeClock } from './probe-clock.js';
import { runProbe } from './probe-runner.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

/** results.Result: what the kubelet acts on. */
export type ProbeResultValue = 'success' | 'failure' | 'unknown';

export type ProbeEventType = 'Normal' | 'Warning';

/** What the manager knows of the newest container of a name. */
export interface ContainerRun {
  id: string;
  startedAtMs: number;
  running: boolean;
}

export interface ProbeWorkerHost {
  readonly clock: ProbeClock;
  readonly runtime: ExecRuntime;
  pod(): Pod;
  podIP(): string;
  containerRun(name: string): ContainerRun | undefined;
  /** Whether the container's startup probe (if any) succeeded for its current container. */
  isStarted(name: string): boolean;
  resultChanged(worker: ProbeWorker): void;
  record(type: ProbeEventType, reason: string, message: string, containerName: string): void;
  workerStopped(worker: ProbeWorker): void;
}

/** The probe type as events print it (probeType.String()). */
export const probeTypeName = (t: ProbeType): string => (t === 'liveness' ? 'Liveness' : t === 'readiness' ? 'Readiness' : 'Startup');

const maxProbeRetries = 3;
const positive = (v: number | undefined, d: number): number => (v !== undefined && v > 0 ? v : d);

export class ProbeWorker {
  /** The container this worker's result is about ('' before the first). */
  containerId = '';
  /** The result for containerId; undefined once removed. */
  result: ProbeResultValue | undefined;
  private readonly initialValue: ProbeResultValue;
  private lastResult: ProbeResultValue | undefined;
  private resultRun = 0;
  private onHold = false;
  private stopped = false;
  private inFlight = false;
  private pending = false;
  private cancelTick: (() => void) | undefined;
  private nextTickAt = 0;

  constructor(
    private readonly host: ProbeWorkerHost,
    readonly type: ProbeType,
    readonly container: Container,
    readonly spec: Probe,
  ) {
    this.initialValue = type === 'readiness' ? 'failure' : type === 'liveness' ? 'success' : 'unknown';
  }

  get containerName(): string {
    return this.container.name;
  }

  get periodMs(): number {
    return positive(this.spec.periodSeconds, 10) * 1000;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Probes once now, then on every tick of the period. */
  start(): void {
    const now = this.host.clock.now();
    this.nextTickAt = now + this.periodMs;
    this.scheduleTick(now);
    this.request();
  }

  /** Stops probing and drops the result. Safe to call more than once. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTick?.();
    this.cancelTick = undefined;
    this.result = undefined;
    this.host.workerStopped(this);
  }

  /** A new container runs: its result starts at the initial value and a held worker resumes. */
  newContainer(id: string, notify: boolean): void {
    this.containerId = id;
    this.onHold = false;
    this.lastResult = undefined;
    this.resultRun = 0;
    this.setResult(this.initialValue, notify);
  }

  /** A probe as soon as possible (the manual trigger channel: at most one waits). */
  request(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    this.inFlight = true;
    void this.run();
  }

  private scheduleTick(now: number): void {
    this.cancelTick = this.host.clock.after(Math.max(0, this.nextTickAt - now), () => {
      if (this.stopped) return;
      const t = this.host.clock.now();
      // A ticker keeps its phase and drops the ticks a slow probe missed.
      while (this.nextTickAt <= t) this.nextTickAt += this.periodMs;
      this.scheduleTick(t);
      this.request();
    });
  }

  private async run(): Promise<void> {
    let keepGoing = true;
    try {
      keepGoing = await this.doProbe();
    } catch (e: unknown) {
      // A crash in one probe does not end the worker (HandleCrash).
      log.warn('probe crashed', { component: 'prober', probeType: this.type, container: this.container.name, err: e instanceof Error ? e.message : String(e) });
      keepGoing = true;
    }
    this.inFlight = false;
    if (this.stopped) return;
    if (!keepGoing) {
      this.stop();
      return;
    }
    if (this.pending) {
      this.pending = false;
      this.request();
    }
  }

  private setResult(value: ProbeResultValue, notify = true): void {
    if (this.result === value) return;
    this.result = value;
    if (notify) this.host.resultChanged(this);
  }

  /** worker.doProbe: returns whether the worker should keep going. */
  private async doProbe(): Promise<boolean> {
    const c = this.host.containerRun(this.container.name);
    if (c === undefined) return true; // not created yet
    if (c.id !== this.containerId) this.newContainer(c.id, true);
    if (this.onHold) return true;
    const pod = this.host.pod();
    if (!c.running) {
      this.setResult('failure');
      // A container that will not be restarted needs no more probing.
      return pod.spec?.restartPolicy !== 'Never';
    }
    if (pod.metadata?.deletionTimestamp !== undefined && (this.type === 'liveness' || this.type === 'startup')) {
      // Graceful shutdown: a last quiet result, then no more probing.
      this.setResult('success');
      return false;
    }
    if (Math.trunc((this.host.clock.now() - c.startedAtMs) / 1000) < (this.spec.initialDelaySeconds ?? 0)) return true;
    if (this.host.isStarted(this.container.name)) {
      if (this.type === 'startup') return true; // kept for a restarted container
    } else if (this.type !== 'startup') {
      return true; // the startup probe gates the others
    }

    const id = this.containerId;
    const result = await this.probe(pod, id);
    if (this.stopped || this.containerId !== id) return true; // the container changed meanwhile
    if (result === undefined) return true; // the prober errored: the result is thrown away

    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    if ((result === 'failure' && this.resultRun < positive(this.spec.failureThreshold, 3)) || (result === 'success' && this.resultRun < positive(this.spec.successThreshold, 1))) {
      return true; // below the threshold: the result stays as it was
    }
    this.setResult(result);
    if ((this.type === 'liveness' || this.type === 'startup') && result === 'failure') {
      // The container will be restarted: no probing until a new one runs.
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }

  /** prober.probe: the attempt (retried while it errors) and its event. undefined when it errored. */
  private async probe(pod: Pod, containerId: string): Promise<'success' | 'failure' | undefined> {
    const target = { runtime: this.host.runtime, pod, container: this.container, containerId, podIP: this.host.podIP() };
    let outcome = await runProbe(this.spec, target);
    for (let i = 1; i < maxProbeRetries && outcome.error !== undefined && !this.stopped; i++) outcome = await runProbe(this.spec, target);
    const name = probeTypeName(this.type);
    if (outcome.error !== undefined) {
      this.host.record('Warning', 'Unhealthy', `${name} probe errored and resulted in ${outcome.result} state: ${outcome.error}`, this.container.name);
      return undefined;
    }
    switch (outcome.result) {
      case 'success':
        return 'success';
      case 'warning':
        this.host.record('Warning', 'ProbeWarning', `${name} probe warning: ${outcome.output}`, this.container.name);
        return 'success';
      case 'failure':
        this.host.record('Warning', 'Unhealthy', `${name} probe failed: ${outcome.output}`, this.container.name);
        return 'failure';
      case 'unknown':
        return 'failure';
    }
  }
}
