// The kubelet's probe manager (prober_manager.go with the results managers): a worker per container and probe type
// of each pod, the results the kubelet reads to set containerStatuses[].started/ready and to restart a container
// whose liveness or startup probe failed, and a callback when a result changes so the pod is synced again.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ExecRuntime } from './exec-probe.js';
import { systemClock, type ProbeClock } from './probe-clock.js';
import { ProbeWorker, type ContainerRun, type ProbeEventType, type ProbeResultValue, type ProbeType, type ProbeWorkerHost } from './probe-worker.js';

export interface ProbeManagerOptions {
  /** Runs exec probes (CRI ExecSync). */
  runtime: ExecRuntime;
  /** Records an event about the pod: `Unhealthy` (`Liveness probe failed: ...`) and `ProbeWarning`, on the named container. */
  record: (pod: Pod, type: ProbeEventType, reason: string, message: string, containerName: string) => void;
  /** Called when a probe result changes (not for the initial value set by containerStarted). */
  onChange?: (pod: Pod, containerName: string, probeType: ProbeType, result: ProbeResultValue | undefined) => void;
  /** Time and timers; default the wall clock. */
  clock?: ProbeClock;
}

/** Why the kubelet must kill a running container (computePodActions). */
export interface LivenessVerdict {
  failed: boolean;
  reason?: 'LivenessProbe' | 'StartupProbe';
  /** The Killing event's message, e.g. `Container app failed liveness probe, will be restarted`. */
  message?: string;
  /** The probe's terminationGracePeriodSeconds, which replaces the pod's for this kill when set. */
  gracePeriodSeconds?: number;
}

interface PodEntry {
  pod: Pod;
  podIP: string;
  containers: Map<string, ContainerRun>;
  /** By `${containerName}/${probeType}`. */
  workers: Map<string, ProbeWorker>;
  /** Workers that finished (a container that will not restart, a pod being deleted): never started again. */
  retired: Set<string>;
}

const workerKey = (name: string, type: ProbeType): string => `${name}/${type}`;

/** Regular containers and sidecars (init containers with restartPolicy Always) are probed. */
function probedContainers(pod: Pod): Container[] {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
}

const isSidecar = (pod: Pod, name: string): boolean => (pod.spec?.initContainers ?? []).some((c) => c.name === name && c.restartPolicy === 'Always');

export class ProbeManager {
  private readonly pods = new Map<string, PodEntry>();
  private readonly clock: ProbeClock;

  constructor(private readonly opts: ProbeManagerOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * Starts the workers of the pod's probes (AddPod), or takes the newer pod and IP of a pod already known. A pod
   * being deleted stops its liveness and startup probes.
   */
  addPod(pod: Pod, podIP?: string): void {
    const uid = pod.metadata?.uid ?? '';
    let entry = this.pods.get(uid);
    if (entry === undefined) {
      entry = { pod, podIP: podIP ?? '', containers: new Map(), workers: new Map(), retired: new Set() };
      this.pods.set(uid, entry);
    } else {
      entry.pod = pod;
      if (podIP !== undefined && podIP !== '') entry.podIP = podIP;
    }
    if (pod.metadata?.deletionTimestamp !== undefined) {
      for (const w of [...entry.workers.values()]) if (w.type === 'liveness' || w.type === 'startup') w.stop();
      return;
    }
    for (const c of probedContainers(pod)) {
      const specs: [ProbeType, Container['startupProbe']][] = [['startup', c.startupProbe], ['readiness', c.readinessProbe], ['liveness', c.livenessProbe]];
      for (const [type, spec] of specs) {
        const key = workerKey(c.name, type);
        if (spec === undefined || entry.workers.has(key) || entry.retired.has(key)) continue;
        const w = new ProbeWorker(this.host(entry), type, c, spec);
        entry.workers.set(key, w);
        const run = entry.containers.get(c.name);
        if (run !== undefined) w.newContainer(run.id, false);
        w.start();
      }
    }
  }

  /** Stops every worker of the pod and forgets it (RemovePod). */
  removePod(uid: string): void {
    const entry = this.pods.get(uid);
    if (entry === undefined) return;
    this.pods.delete(uid);
    for (const w of [...entry.workers.values()]) w.stop();
  }

  /** Stops everything (the kubelet stops). */
  stop(): void {
    for (const uid of [...this.pods.keys()]) this.removePod(uid);
  }

  /**
   * The container `containerId` of the pod runs since `startedAtMs`. Idempotent: the kubelet may say so on every
   * sync. A new container resets the results (readiness false, liveness success, startup unknown) and is probed at once.
   */
  containerStarted(pod: Pod, containerName: string, containerId: string, startedAtMs: number): void {
    const entry = this.entry(pod);
    const run = entry.containers.get(containerName);
    if (run !== undefined && run.id === containerId && run.running) return;
    if (run !== undefined && run.id === containerId && !run.running) return; // an exited container does not run again
    entry.containers.set(containerName, { id: containerId, startedAtMs, running: true });
    for (const w of entry.workers.values()) {
      if (w.containerName !== containerName) continue;
      if (w.containerId !== containerId) w.newContainer(containerId, false);
      w.request();
    }
  }

  /** The container `containerId` exited. Idempotent; an older container than the one known is ignored. */
  containerStopped(pod: Pod, containerName: string, containerId: string): void {
    const entry = this.entry(pod);
    const run = entry.containers.get(containerName);
    if (run !== undefined && run.id !== containerId && run.running) return;
    if (run !== undefined && run.id === containerId && !run.running) return;
    entry.containers.set(containerName, { id: containerId, startedAtMs: run?.id === containerId ? run.startedAtMs : 0, running: false });
    for (const w of entry.workers.values()) if (w.containerName === containerName) w.request();
  }

  /**
   * containerStatuses[].started: false for a container known to have stopped; with a startup probe, whether it
   * succeeded for this container; true otherwise (the caller knows the container runs). `containerId` (without the
   * runtime:// prefix) names the container asked about; default the newest the manager was told of.
   */
  isStarted(uid: string, containerName: string, containerId?: string): boolean {
    const entry = this.pods.get(uid);
    if (entry === undefined) return true;
    if (this.knownStopped(entry, containerName, containerId)) return false;
    const w = entry.workers.get(workerKey(containerName, 'startup'));
    if (w === undefined) return true;
    return this.resultOf(entry, w, containerId) === 'success';
  }

  /**
   * containerStatuses[].ready: a started container with no readiness probe is ready; with one, only once it
   * succeeded (successThreshold times in a row) for this container. Asking about an unready container with a
   * readiness probe triggers a probe (UpdatePodStatus does the same).
   */
  isReady(uid: string, containerName: string, containerId?: string): boolean {
    const entry = this.pods.get(uid);
    if (entry === undefined) return true;
    if (!this.isStarted(uid, containerName, containerId)) return false;
    const w = entry.workers.get(workerKey(containerName, 'readiness'));
    if (w === undefined) return true;
    if (this.resultOf(entry, w, containerId) === 'success') return true;
    w.request();
    return false;
  }

  /**
   * Whether the running container failed its liveness probe (or its startup probe) failureThreshold times in a
   * row: the kubelet kills it with the returned message as the `Killing` event, and starts it again unless the
   * pod's restartPolicy is Never.
   */
  livenessFailed(uid: string, containerName: string, containerId?: string): LivenessVerdict {
    const entry = this.pods.get(uid);
    if (entry === undefined || this.knownStopped(entry, containerName, containerId)) return { failed: false };
    const sidecar = isSidecar(entry.pod, containerName);
    const restarted = sidecar || entry.pod.spec?.restartPolicy !== 'Never';
    for (const type of ['liveness', 'startup'] as const) {
      const w = entry.workers.get(workerKey(containerName, type));
      if (w === undefined || this.resultOf(entry, w, containerId) !== 'failure') continue;
      const what = type === 'liveness' ? 'liveness' : 'startup';
      const message = sidecar
        ? `Init container ${containerName} failed ${what} probe`
        : `Container ${containerName} failed ${what} probe${restarted ? ', will be restarted' : ''}`;
      const grace = w.spec.terminationGracePeriodSeconds;
      return { failed: true, reason: type === 'liveness' ? 'LivenessProbe' : 'StartupProbe', message, ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}) };
    }
    return { failed: false };
  }

  /** The current result of one probe, for tests and diagnostics; undefined when there is no such worker or result. */
  result(uid: string, containerName: string, type: ProbeType): ProbeResultValue | undefined {
    const entry = this.pods.get(uid);
    const w = entry?.workers.get(workerKey(containerName, type));
    return entry === undefined || w === undefined ? undefined : this.resultOf(entry, w, undefined);
  }

  /** The number of running workers (for tests). */
  workerCount(uid?: string): number {
    let n = 0;
    for (const [id, e] of this.pods) if (uid === undefined || uid === id) n += e.workers.size;
    return n;
  }

  private entry(pod: Pod): PodEntry {
    const uid = pod.metadata?.uid ?? '';
    const existing = this.pods.get(uid);
    if (existing !== undefined) return existing;
    this.addPod(pod);
    return this.pods.get(uid) as PodEntry;
  }

  private knownStopped(entry: PodEntry, name: string, containerId: string | undefined): boolean {
    const run = entry.containers.get(name);
    return run !== undefined && !run.running && (containerId === undefined || containerId === run.id);
  }

  private resultOf(entry: PodEntry, w: ProbeWorker, containerId: string | undefined): ProbeResultValue | undefined {
    const id = containerId ?? entry.containers.get(w.containerName)?.id;
    if (id === undefined || w.containerId !== id) return undefined;
    return w.result;
  }

  private host(entry: PodEntry): ProbeWorkerHost {
    return {
      clock: this.clock,
      runtime: this.opts.runtime,
      pod: () => entry.pod,
      podIP: () => entry.podIP,
      containerRun: (name) => entry.containers.get(name),
      isStarted: (name) => this.isStarted(entry.pod.metadata?.uid ?? '', name),
      resultChanged: (w) => this.opts.onChange?.(entry.pod, w.containerName, w.type, w.result),
      record: (type, reason, message, containerName) => this.opts.record(entry.pod, type, reason, message, containerName),
      workerStopped: (w) => {
        const key = workerKey(w.containerName, w.type);
        if (entry.workers.get(key) !== w) return;
        entry.workers.delete(key);
        if (this.pods.get(entry.pod.metadata?.uid ?? '') === entry) entry.retired.add(key);
      },
    };
  }
}
