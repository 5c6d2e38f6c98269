// The kubelet's pod lifecycle on CRI: a pod informer for this node, one serialized worker per pod (SyncPod on
// computePodActions), PLEG-style relisting of the runtime every second, a status manager that writes pods/status only
// when it changed, graceful deletion, and events with upstream's words; the service environment variables from a
// shared services informer, postStart and preStop hooks, and termination message files. Node registration and
// heartbeats are not here (src/node-status/). Pods get the resolver config of their dnsPolicy (dns-configurer.ts) and a
// managed /etc/hosts (etc-hosts.ts).
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import type { ConfigMap, Container, LifecycleHandler, Node, Pod, PodStatus, Secret, Service } from 'kubernetes-types/core/v1.js';
import { Informer, objectKey, type Obj } from '../client/informer.js';
import type { RestClient } from '../client/rest-client.js';
import { log } from '../cli/log.js';
import { ApiError } from '../machinery/errors.js';
import { Controller, type ReconcileResult } from '../controllers/runtime/controller.js';
import { EventRecorder } from '../controllers/events/event-recorder.js';
import type { ImageService, Mount, PodSandboxConfig, RuntimeService } from '../cri/index.js';
import { isCriError, GrpcCode } from '../cri/index.js';
import { computePodActions } from './compute-pod-actions.js';
import { ContainerConfigError, containerConfig, containerFieldPath, podCgroupParentOf, sandboxConfig, type ObjectLookup } from './container-config.js';
import { removePodCgroup } from './pod-cgroup-cleanup.js';
import { Backoff, backOffEventMessage, containerBackoffKey, crashLoopMessage } from './crash-loop-backoff.js';
import { ImagePuller, type PodEventType } from './image-puller.js';
import { generatePodStatus, type WaitingReason } from './pod-status.js';
import { labelPodUid, latestStatus, readPodRuntimeStatus, type PodRuntimeStatus } from './pod-runtime-status.js';
import { VolumeManager, VolumeMountError, type PodVolume } from './volumes/index.js';
import { ProbeManager } from './prober/index.js';
import { cachedObjectLookup } from './cached-object-lookup.js';
import { serviceEnvVarMap } from './service-env.js';
import { runLifecycleHandler, type LifecycleHandlerContext } from './lifecycle-handler.js';
import { createTerminationMessageFile, podContainerDir } from './termination-message.js';
import type { ResourceQuantities } from './resource-field-ref.js';
import { startImageGC, type ImageGCOptions } from './image-gc.js';
import { DnsConfigurer } from './dns-configurer.js';
import { ResolvConfError } from './resolv-conf.js';
import { PodHostnameError, podHostnameAndDomain } from './pod-hostname.js';
import { EtcHostsError, etcHostsFilePath, makeHostsMount, shouldMountHostsFile } from './etc-hosts.js';

export interface KubeletOptions {
  client: RestClient;
  nodeName: string;
  runtime: RuntimeService;
  images: ImageService;
  /** The kubelet's root dir: pod logs go under ROOT/pod-logs. */
  rootDir: string;
  /** The node's IP (status.hostIP); default the Node's InternalIP, else 127.0.0.1. */
  hostIP?: string;
  /** The prefix of container IDs in pod status; default containerd. */
  runtimeName?: string;
  /** PLEG relist period; default 1 s. */
  relistIntervalMs?: number;
  /** Every pod is synced at least this often; default 60 s, as upstream's syncFrequency (a pod whose ConfigMap or Secret changes is synced at once). */
  resyncIntervalMs?: number;
  /** Pods synced at once (each pod by one worker at a time); default 32, as upstream gives every pod its own worker. */
  workers?: number;
  /** Container restart back-off (default 10 s doubling to 300 s). */
  restartBackoff?: Backoff;
  /** Image pull back-off (default 10 s doubling to 300 s). */
  pullBackoff?: Backoff;
  /** Image garbage collection every 5 min (thresholds 85%/80%, min age 2 min, the sandbox image); false turns it off. */
  imageGC?: false | Pick<ImageGCOptions, 'policy' | 'sandboxImage' | 'periodMs'>;
  /** --cluster-dns: the nameservers of ClusterFirst pods; none (the default) makes them fall back to Default, with a MissingClusterDNS warning. */
  clusterDns?: string[];
  /** --cluster-domain, without a trailing dot: the search domains of ClusterFirst pods and the domain of pods with a subdomain; default none. */
  clusterDomain?: string;
  /** --resolv-conf: the node's resolvers, the base of every pod's DNS config; default /etc/resolv.conf; '' for none. */
  resolvConf?: string;
}

export interface Kubelet {
  stop(): Promise<void>;
}

const minimumGracePeriodSeconds = 2;
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const isCode = (e: unknown, ...codes: number[]): boolean => e instanceof ApiError && codes.includes(e.code);

/** Canonical JSON (sorted keys) to tell whether a status changed. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The fields of a status the kubelet writes, for comparing what it would write with what is there. */
export function statusChanged(current: PodStatus | undefined, next: PodStatus): boolean {
  const pick = (s: PodStatus | undefined): Record<string, unknown> => ({
    phase: s?.phase, conditions: s?.conditions, hostIP: s?.hostIP, hostIPs: s?.hostIPs, podIP: s?.podIP, podIPs: s?.podIPs,
    startTime: s?.startTime, qosClass: s?.qosClass, containerStatuses: s?.containerStatuses, initContainerStatuses: s?.initContainerStatuses,
  });
  return canonical(pick(current)) !== canonical(pick(next));
}

/** The grace period for stopping a pod's containers: the deletion's, else the spec's, at least 2 s. */
export function podGracePeriodSeconds(pod: Pod): number {
  return Math.max(minimumGracePeriodSeconds, podTerminationGracePeriodSeconds(pod));
}

/** setTerminationGracePeriod before the minimum: the deletion's grace period, else the spec's (a preStop hook runs only when it is above 0). */
export function podTerminationGracePeriodSeconds(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

/** A container of the pod by name (regular, then init). */
function containerSpec(pod: Pod, name: string): Container | undefined {
  return (pod.spec?.containers ?? []).find((c) => c.name === name) ?? (pod.spec?.initContainers ?? []).find((c) => c.name === name);
}

/** Whether any env var of the container takes a resourceFieldRef (the node's allocatable is read only then). */
function usesResourceFieldRef(container: Container): boolean {
  return (container.env ?? []).some((e) => e.valueFrom?.resourceFieldRef !== undefined);
}

export function startKubelet(opts: KubeletOptions): Kubelet {
  const { client, nodeName, runtime } = opts;
  const logger = { component: 'kubelet', node: nodeName };
  const relistMs = opts.relistIntervalMs ?? 1000;
  const resyncMs = opts.resyncIntervalMs ?? 60_000;
  const restartBackoff = opts.restartBackoff ?? new Backoff();
  const recorder = new EventRecorder(client, { component: 'kubelet', host: nodeName });
  /** The pod, or one of its containers (GenerateContainerRef: the container's field path in the spec). */
  const podRef = (pod: Pod, container?: string): Obj => {
    const ref = { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata } as Obj & { fieldPath?: string };
    if (container !== undefined) ref.fieldPath = containerFieldPath(pod, container);
    return ref;
  };
  const record = (pod: Pod, type: PodEventType, reason: string, message: string, container?: string): void => recorder.event(podRef(pod, container), type, reason, message);
  const puller = new ImagePuller(opts.images, record, opts.pullBackoff ?? new Backoff(), Date.now, (ns, name) => objects.secret(ns, name));
  const objects = cachedObjectLookup(client);
  const volumes = new VolumeManager({ rootDir: opts.rootDir, nodeName, lookup: objects });
  // A probe result that changes resyncs its pod (status, or a restart after a failed liveness probe).
  const probes = new ProbeManager({ runtime, record: (pod, type, reason, message, container) => record(pod, type, reason, message, container), onChange: (pod) => controller.queue.add(objectKey(pod as Obj)) });
  /** Tells the probes which container of each name is the current one, running or not. */
  const observe = (pod: Pod, status: PodRuntimeStatus): void => {
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      const cur = latestStatus(status, c.name);
      if (cur === undefined) continue;
      if (cur.state === 'running') probes.containerStarted(pod, c.name, cur.id, Number(cur.startedAt / 1_000_000n));
      else if (cur.state === 'exited') probes.containerStopped(pod, c.name, cur.id);
    }
  };
  const memoryCapacity = totalmem();
  let stopped = false;
  const clusterDomain = opts.clusterDomain ?? '';
  const dns = new DnsConfigurer(
    { clusterDns: opts.clusterDns ?? [], clusterDomain, resolvConf: opts.resolvConf ?? '/etc/resolv.conf', nodeIPs: opts.hostIP !== undefined ? [opts.hostIP] : [] },
    (pod, reason, message) => (pod !== undefined ? record(pod, 'Warning', reason, message) : recorder.event(nodeRef, 'Warning', reason, message)),
  );

  const pods = new Informer(client, '/api/v1/pods', { fieldSelector: `spec.nodeName=${nodeName}` });
  // Every namespace's services, for the service environment variables (one shared watch).
  const services = new Informer(client, '/api/v1/services');
  const serviceEnv = (namespace: string, enableServiceLinks: boolean): ReadonlyMap<string, string> => {
    if (!services.hasSynced()) throw new ContainerConfigError('services have not yet been read at least once, cannot construct envvars');
    return serviceEnvVarMap(services.list() as Service[], namespace, enableServiceLinks);
  };
  /** Waiting reasons of each pod's containers from the last sync, by pod uid. */
  const reasons = new Map<string, Map<string, WaitingReason>>();
  /** Pods whose deletion this kubelet finished (the informer may still show them). */
  const finished = new Set<string>();

  const podPath = (pod: Pod): string => `/api/v1/namespaces/${encodeURIComponent(pod.metadata?.namespace ?? '')}/pods/${encodeURIComponent(pod.metadata?.name ?? '')}`;

  const lookup: ObjectLookup = { configMap: (ns, name) => objects.configMap(ns, name), secret: (ns, name) => objects.secret(ns, name) };

  let nodeIP = opts.hostIP;
  const hostIP = async (): Promise<string> => {
    if (nodeIP !== undefined) return nodeIP;
    try {
      const node = await client.request<Node>('GET', `/api/v1/nodes/${encodeURIComponent(nodeName)}`);
      const addrs = node.status?.addresses ?? [];
      nodeIP = (addrs.find((a) => a.type === 'InternalIP') ?? addrs.find((a) => a.type === 'ExternalIP'))?.address;
    } catch (e: unknown) {
      if (!isCode(e, 404)) throw e;
    }
    return nodeIP ?? '127.0.0.1';
  };

  // The node's allocatable resources (the default limits of a resourceFieldRef), read at most every 10 s.
  let allocatable: { at: number; value: ResourceQuantities } | undefined;
  const nodeAllocatable = async (): Promise<ResourceQuantities> => {
    if (allocatable !== undefined && Date.now() - allocatable.at < 10_000) return allocatable.value;
    let value: ResourceQuantities = { cpu: String(cpus().length), memory: String(totalmem()) };
    try {
      const node = await client.request<Node>('GET', `/api/v1/nodes/${encodeURIComponent(nodeName)}`);
      if (node.status?.allocatable !== undefined) value = node.status.allocatable;
    } catch (e: unknown) {
      if (!isCode(e, 404)) throw e;
    }
    allocatable = { at: Date.now(), value };
    return value;
  };

  /** The pod's IP for an httpGet hook without a host: the node's for a host-network pod, else its ready sandbox's. */
  const podIPOf = async (pod: Pod): Promise<string> => {
    if (pod.spec?.hostNetwork === true) return hostIP();
    const status = await readPodRuntimeStatus(runtime, pod.metadata?.uid ?? '');
    return status.sandboxes.find((s) => s.state === 'SANDBOX_READY')?.ip ?? '';
  };
  const hookContext = (pod: Pod, container: string, podIP: () => Promise<string>, signal?: AbortSignal): LifecycleHandlerContext => ({
    runtime,
    podIP,
    record: (type, reason, message) => record(pod, type, reason, message, container),
    ...(signal !== undefined ? { signal } : {}),
  });

  /**
   * executePreStopHook: runs the hook for at most the grace period and returns the whole seconds it took. A failure
   * is a FailedPreStopHook warning (without the hook's message, which could carry secrets).
   */
  const executePreStopHook = async (pod: Pod, containerId: string, container: Container, hook: LifecycleHandler, gracePeriod: number): Promise<number> => {
    const started = Date.now();
    const abort = new AbortController();
    let timedOut = false;
    const run = runLifecycleHandler(hookContext(pod, container.name, () => podIPOf(pod), abort.signal), containerId, pod, container, hook).then((r) => {
      if (r.ok || (timedOut && hook.sleep !== undefined)) return;
      log.warn('preStop hook failed', { ...logger, pod: objectKey(pod as Obj), container: container.name, err: r.error });
      record(pod, 'Warning', 'FailedPreStopHook', 'PreStopHook failed', container.name);
    });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        abort.abort();
        resolve();
      }, gracePeriod * 1000);
    });
    await Promise.race([run, expired]);
    clearTimeout(timer);
    return Math.floor((Date.now() - started) / 1000);
  };

  // ---- containers ------------------------------------------------------------------------------------------------

  const reasonsOf = (uid: string): Map<string, WaitingReason> => {
    let m = reasons.get(uid);
    if (m === undefined) reasons.set(uid, (m = new Map()));
    return m;
  };

  /**
   * killContainer: the Killing event, the preStop hook (when the grace period leaves time for it; its time is taken
   * out of the grace period), then StopContainer with what is left, at least 2 s.
   */
  const killContainer = async (pod: Pod, id: string, name: string, gracePeriod: number, message = `Stopping container ${name}`): Promise<void> => {
    record(pod, 'Normal', 'Killing', message, name);
    let grace = gracePeriod;
    const spec = containerSpec(pod, name);
    const preStop = spec?.lifecycle?.preStop;
    if (spec !== undefined && preStop !== undefined && grace > 0) grace -= await executePreStopHook(pod, id, spec, preStop, grace);
    grace = Math.max(minimumGracePeriodSeconds, grace);
    try {
      await runtime.stopContainer({ containerId: id, timeout: String(grace) });
    } catch (e: unknown) {
      if (!isCriError(e, GrpcCode.NotFound)) throw e;
    }
  };

  /** Stops every running container of the pod (in parallel, each with the grace period), then its sandboxes. */
  const killPod = async (pod: Pod, status: PodRuntimeStatus, gracePeriod: number): Promise<void> => {
    await Promise.all(status.containers.filter((c) => c.state === 'running' || c.state === 'created').map((c) => killContainer(pod, c.id, c.name, gracePeriod)));
    for (const sb of status.sandboxes) {
      if (sb.state !== 'SANDBOX_READY') continue;
      try {
        await runtime.stopPodSandbox({ podSandboxId: sb.id });
      } catch (e: unknown) {
        if (!isCriError(e, GrpcCode.NotFound)) throw e;
      }
    }
  };

  const removeAll = async (uid: string): Promise<void> => {
    const selector = { [labelPodUid]: uid };
    const cs = await runtime.listContainers({ filter: { labelSelector: selector } });
    for (const c of cs.containers) await runtime.removeContainer({ containerId: c.id });
    const sbs = await runtime.listPodSandbox({ filter: { labelSelector: selector } });
    for (const sb of sbs.items) await runtime.removePodSandbox({ podSandboxId: sb.id });
    // The pod's own cgroup, which runc leaves when it removes the containers' (none exists behind a fake runtime).
    const left = await removePodCgroup(podCgroupParentOf(uid)).catch((e: unknown) => [errText(e)]);
    if (left.length > 0) log.warn('pod cgroup not removed', { ...logger, uid, left });
  };

  /**
   * startContainer (kuberuntime_container.go) behind doBackOff: back-off, image, config, create, start. Returns the
   * time to look again when the container is held back by a back-off.
   */
  const startContainer = async (
    pod: Pod, container: Container, sandboxId: string, sbConfig: PodSandboxConfig, status: PodRuntimeStatus, podIP: string, host: string, vols: ReadonlyMap<string, PodVolume>,
  ): Promise<number | undefined> => {
    const uid = pod.metadata?.uid ?? '';
    const waiting = reasonsOf(uid);
    const previous = latestStatus(status, container.name);
    if (previous !== undefined && previous.state === 'exited') {
      const finishedMs = Number(previous.finishedAt / 1_000_000n);
      const key = containerBackoffKey(pod, container.name);
      if (restartBackoff.isInBackOffSince(key, finishedMs)) {
        record(pod, 'Warning', 'BackOff', backOffEventMessage(container.name, pod), container.name);
        waiting.set(container.name, { reason: 'CrashLoopBackOff', message: crashLoopMessage(restartBackoff.get(key), container.name, pod) });
        return Math.max(0, restartBackoff.retryAt(key, finishedMs) - Date.now()) + 50;
      }
      restartBackoff.next(key, finishedMs);
    }
    const restartCount = previous === undefined ? 0 : previous.restartCount + 1;

    const image = await puller.ensureImageExists(pod, container, sbConfig);
    if (!image.ok) {
      record(pod, 'Warning', 'Failed', `Error: ${image.reason}`, container.name);
      waiting.set(container.name, { reason: image.reason, message: image.message });
      return image.reason === 'ImagePullBackOff' || image.reason === 'ErrImagePull' ? 10_000 : undefined;
    }
    let config;
    try {
      config = await containerConfig(pod, container, {
        nodeName, podIP, hostIP: host, restartCount, lookup, memoryCapacity, serviceEnv,
        mounts: (env) => volumes.mountsFor(pod, container, vols, env),
        ...(usesResourceFieldRef(container) ? { nodeAllocatable: await nodeAllocatable() } : {}),
        terminationMessageFile: () => createTerminationMessageFile(podContainerDir(opts.rootDir, uid, container.name)),
        hostsMount: () => hostsMount(pod, podIP),
      });
    } catch (e: unknown) {
      if (!(e instanceof ContainerConfigError)) throw e;
      record(pod, 'Warning', 'Failed', `Error: ${e.message}`, container.name);
      waiting.set(container.name, { reason: e.reason, message: e.message });
      return undefined;
    }
    await mkdir(join(sbConfig.logDirectory ?? '', dirname(config.logPath ?? '')), { recursive: true });
    let containerId: string;
    try {
      containerId = (await runtime.createContainer({ podSandboxId: sandboxId, config, sandboxConfig: sbConfig })).containerId;
    } catch (e: unknown) {
      const message = isCriError(e) ? e.details : errText(e);
      record(pod, 'Warning', 'Failed', `Error: ${message}`, container.name);
      waiting.set(container.name, { reason: 'CreateContainerError', message });
      return undefined;
    }
    record(pod, 'Normal', 'Created', `Created container: ${container.name}`, container.name);
    try {
      await runtime.startContainer({ containerId });
    } catch (e: unknown) {
      const message = isCriError(e) ? e.details : errText(e);
      record(pod, 'Warning', 'Failed', `Error: ${message}`, container.name);
      waiting.set(container.name, { reason: 'RunContainerError', message });
      return undefined;
    }
    record(pod, 'Normal', 'Started', `Started container ${container.name}`, container.name);
    waiting.delete(container.name);
    // The postStart hook; a failure kills the container, which the restart policy then restarts or not.
    const postStart = container.lifecycle?.postStart;
    if (postStart !== undefined) {
      const r = await runLifecycleHandler(hookContext(pod, container.name, async () => podIP), containerId, pod, container, postStart);
      if (!r.ok) {
        log.warn('postStart hook failed', { ...logger, pod: objectKey(pod as Obj), container: container.name, err: r.error });
        record(pod, 'Warning', 'FailedPostStartHook', 'PostStartHook failed', container.name);
        await killContainer(pod, containerId, container.name, podTerminationGracePeriodSeconds(pod), 'FailedPostStartHook');
        waiting.set(container.name, { reason: 'PostStartHookError', message: r.message });
      }
    }
    return undefined;
  };

  /** makeHostsMount for a container of the pod: none before the pod has an IP (off the host network). */
  const hostsMount = async (pod: Pod, podIP: string): Promise<Mount | undefined> => {
    const podIPs = podIP !== '' ? [podIP] : [];
    if (!shouldMountHostsFile(pod, podIPs)) return undefined;
    try {
      const { hostname, domain } = podHostnameAndDomain(pod, clusterDomain);
      return await makeHostsMount({
        path: etcHostsFilePath(opts.rootDir, pod.metadata?.uid ?? ''),
        podIPs, hostname, domain, hostNetwork: pod.spec?.hostNetwork === true,
        ...(pod.spec?.hostAliases !== undefined ? { hostAliases: pod.spec.hostAliases } : {}),
      });
    } catch (e: unknown) {
      if (e instanceof PodHostnameError || e instanceof EtcHostsError) throw new ContainerConfigError(e.message);
      throw e;
    }
  };

  // ---- status ----------------------------------------------------------------------------------------------------

  const writeStatus = async (pod: Pod, status: PodRuntimeStatus): Promise<void> => {
    const host = await hostIP();
    let current = pod;
    for (let attempt = 0; attempt < 5; attempt++) {
      observe(current, status);
      const next = generatePodStatus({ pod: current, runtime: status, hostIP: host, reasons: reasons.get(current.metadata?.uid ?? ''), runtimeName: opts.runtimeName ?? 'containerd', nowMs: Date.now(), probes });
      if (!statusChanged(current.status, next)) return;
      try {
        await client.request('PUT', `${podPath(current)}/status`, { ...current, apiVersion: 'v1', kind: 'Pod', status: next });
        return;
      } catch (e: unknown) {
        if (isCode(e, 404)) return;
        if (!isCode(e, 409)) throw e;
        current = await client.request<Pod>('GET', podPath(current));
        if (current.metadata?.uid !== pod.metadata?.uid) return;
      }
    }
    throw new Error(`could not write the status of pod ${objectKey(pod as Obj)}: conflicts`);
  };

  // ---- sync ------------------------------------------------------------------------------------------------------

  const terminate = async (pod: Pod): Promise<void> => {
    const uid = pod.metadata?.uid ?? '';
    const before = await readPodRuntimeStatus(runtime, uid);
    probes.removePod(uid);
    await killPod(pod, before, podTerminationGracePeriodSeconds(pod));
    const after = await readPodRuntimeStatus(runtime, uid);
    await writeStatus(pod, after);
    try {
      await client.request('DELETE', podPath(pod), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e: unknown) {
      if (!isCode(e, 404, 409)) throw e;
    }
    finished.add(uid);
    await removeAll(uid);
    await volumes.tearDown(uid);
    reasons.delete(uid);
    puller.forgetPod(uid);
    restartBackoff.resetPrefix(containerBackoffKey(pod, ''));
  };

  const syncPod = async (key: string): Promise<ReconcileResult> => {
    if (stopped) return;
    const pod = pods.get(key) as Pod | undefined;
    if (pod === undefined) return;
    const uid = pod.metadata?.uid ?? '';
    if (finished.has(uid)) return;
    if (pod.metadata?.deletionTimestamp !== undefined) {
      await terminate(pod);
      return;
    }
    let status = await readPodRuntimeStatus(runtime, uid);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      // Terminal: nothing runs again; stop what is left and report.
      if (status.sandboxes.some((s) => s.state === 'SANDBOX_READY') || status.containers.some((c) => c.state === 'running')) {
        await killPod(pod, status, podTerminationGracePeriodSeconds(pod));
        status = await readPodRuntimeStatus(runtime, uid);
      }
      await writeStatus(pod, status);
      return;
    }

    // Volumes first (upstream's WaitForAttachAndMount): every sync also refreshes configMap, secret and downward API
    // contents in running pods.
    let vols: Map<string, PodVolume>;
    try {
      vols = await volumes.setUp(pod);
    } catch (e: unknown) {
      if (!(e instanceof VolumeMountError)) throw e;
      for (const m of e.messages) record(pod, 'Warning', 'FailedMount', m);
      await writeStatus(pod, status);
      return { requeueAfterMs: 2000 };
    }
    const actions = computePodActions(pod, status);
    const host = await hostIP();
    let retryMs: number | undefined;
    if (actions.killPod) {
      await killPod(pod, status, podTerminationGracePeriodSeconds(pod));
      if (!actions.createSandbox) {
        await writeStatus(pod, await readPodRuntimeStatus(runtime, uid));
        return { requeueAfterMs: resyncMs };
      }
    }
    // generatePodSandboxConfig, on every sync as upstream's SyncPod (its DNSConfigForming warnings repeat with it).
    let sbConfig: PodSandboxConfig;
    try {
      sbConfig = sandboxConfig(pod, actions.attempt, opts.rootDir, { dnsConfig: await dns.podDns(pod), clusterDomain });
    } catch (e: unknown) {
      if (!(e instanceof ResolvConfError) && !(e instanceof PodHostnameError)) throw e;
      if (actions.createSandbox) record(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${e.message}`);
      else log.warn('GeneratePodSandboxConfig failed', { ...logger, pod: objectKey(pod as Obj), err: e.message });
      await writeStatus(pod, status);
      throw e;
    }
    let sandboxId = actions.sandboxId;
    if (actions.createSandbox) {
      await mkdir(sbConfig.logDirectory ?? '', { recursive: true });
      try {
        sandboxId = (await runtime.runPodSandbox({ config: sbConfig })).podSandboxId;
      } catch (e: unknown) {
        record(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${isCriError(e) ? e.details : errText(e)}`);
        await writeStatus(pod, status);
        throw e;
      }
    }
    for (const k of actions.containersToKill) await killContainer(pod, k.id, k.name, podTerminationGracePeriodSeconds(pod));

    let podIP = host;
    if (pod.spec?.hostNetwork !== true) {
      const sb = await runtime.podSandboxStatus({ podSandboxId: sandboxId });
      podIP = sb.status?.network?.ip ?? '';
    }
    probes.addPod(pod, podIP);
    observe(pod, status);
    // A container whose liveness (or startup) probe failed is killed; the restart policy then decides its restart.
    let killedByProbe = false;
    for (const c of status.containers) {
      if (c.state !== 'running' || latestStatus(status, c.name)?.id !== c.id) continue;
      const verdict = probes.livenessFailed(uid, c.name, c.id);
      if (!verdict.failed) continue;
      await killContainer(pod, c.id, c.name, verdict.gracePeriodSeconds ?? podTerminationGracePeriodSeconds(pod), verdict.message);
      probes.containerStopped(pod, c.name, c.id);
      killedByProbe = true;
    }
    if (killedByProbe) {
      await writeStatus(pod, await readPodRuntimeStatus(runtime, uid));
      return { requeueAfterMs: 0 };
    }
    const current = actions.createSandbox ? await readPodRuntimeStatus(runtime, uid) : status;
    const toStart: Container[] = [];
    if (actions.nextInitContainerToStart !== undefined) {
      const c = pod.spec?.initContainers?.[actions.nextInitContainerToStart];
      if (c !== undefined) toStart.push(c);
    } else {
      for (const i of actions.containersToStart) {
        const c = pod.spec?.containers[i];
        if (c !== undefined) toStart.push(c);
      }
    }
    for (const c of toStart) {
      const wait = await startContainer(pod, c, sandboxId, sbConfig, current, podIP, host, vols);
      if (wait !== undefined) retryMs = Math.min(retryMs ?? wait, wait);
    }
    await writeStatus(pod, await readPodRuntimeStatus(runtime, uid));
    return { requeueAfterMs: Math.min(retryMs ?? resyncMs, resyncMs) };
  };

  const active = new Set<Promise<ReconcileResult>>();
  const controller = new Controller('kubelet', (key) => {
    const p = syncPod(key);
    active.add(p);
    const drop = (): void => {
      active.delete(p);
    };
    p.then(drop, drop);
    return p;
  }, opts.workers ?? 32);

  // A changed ConfigMap or Secret wakes the pods that use it (volumes, env), rather than waiting for their resync.
  objects.onChange((kind, namespace, name) => {
    for (const p of pods.list()) {
      const pod = p as Pod;
      if (pod.metadata?.namespace === namespace && podUses(pod, kind, name)) controller.queue.add(objectKey(p));
    }
  });
  pods.addHandlers({
    add: (p) => controller.queue.add(objectKey(p)),
    update: (_o, p) => controller.queue.add(objectKey(p)),
    delete: (p) => {
      const uid = (p as Pod).metadata?.uid ?? '';
      probes.removePod(uid);
      reasons.delete(uid);
      puller.forgetPod(uid);
    },
  });

  // ---- PLEG: relist the runtime, wake the pods whose sandboxes or containers changed -----------------------------

  let fingerprints = new Map<string, string>();
  let relisting = false;
  const relist = async (): Promise<void> => {
    if (relisting || stopped) return;
    relisting = true;
    try {
      const [cs, sbs] = await Promise.all([runtime.listContainers({}), runtime.listPodSandbox({})]);
      const parts = new Map<string, string[]>();
      const add = (uid: string | undefined, s: string): void => {
        if (uid === undefined) return;
        const l = parts.get(uid) ?? [];
        l.push(s);
        parts.set(uid, l);
      };
      for (const c of cs.containers) add(c.labels[labelPodUid], `c${c.id}:${c.state}`);
      for (const sb of sbs.items) add(sb.labels[labelPodUid], `s${sb.id}:${sb.state}`);
      const next = new Map([...parts].map(([uid, l]) => [uid, l.sort().join(',')]));
      const byUid = new Map<string, string>();
      for (const p of pods.list()) byUid.set((p as Pod).metadata?.uid ?? '', objectKey(p));
      for (const [uid, fp] of next) {
        if (fingerprints.get(uid) === fp) continue;
        const key = byUid.get(uid);
        if (key !== undefined) controller.queue.add(key);
      }
      fingerprints = next;
      // Pods gone from the API server (deleted for good while we were away, or forced): stop and remove what is left.
      if (pods.hasSynced()) {
        for (const uid of next.keys()) {
          if (byUid.has(uid)) continue;
          const sandboxes = sbs.items.filter((s) => s.labels[labelPodUid] === uid);
          const containers = cs.containers.filter((c) => c.labels[labelPodUid] === uid);
          for (const c of containers) if (c.state === 'CONTAINER_RUNNING') await runtime.stopContainer({ containerId: c.id, timeout: String(minimumGracePeriodSeconds) });
          for (const s of sandboxes) if (s.state === 'SANDBOX_READY') await runtime.stopPodSandbox({ podSandboxId: s.id });
          await removeAll(uid);
          await volumes.tearDown(uid);
          finished.delete(uid);
        }
      }
    } catch (e: unknown) {
      log.warn('relist failed', { ...logger, err: errText(e) });
    } finally {
      relisting = false;
    }
  };
  const relistTimer = setInterval(() => void relist(), relistMs);
  relistTimer.unref();
  const nodeRef = { kind: 'Node', metadata: { name: nodeName, uid: nodeName } }; // upstream's nodeRef: the uid is the name
  const imageGC = opts.imageGC === false ? undefined : startImageGC({
    ...opts.imageGC, runtime, images: opts.images, log: { info: (m, f) => log.info(m, { ...logger, ...f }), warn: (m, f) => log.warn(m, { ...logger, ...f }), error: (m, f) => log.error(m, { ...logger, ...f }) },
    record: (type, reason, message) => recorder.event(nodeRef, type, reason, message),
  });

  services.start();
  pods.start();
  void pods.waitForSync().then(() => {
    if (stopped) return;
    // CheckLimitsForResolvConf, once as the sync loop starts.
    void dns.checkLimitsForResolvConf().catch((e: unknown) => log.warn('checking the resolv.conf limits failed', { ...logger, err: errText(e) }));
    controller.run();
    log.info('kubelet started', logger);
  });

  return {
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(relistTimer);
      probes.stop();
      objects.stop();
      controller.stop();
      pods.stop();
      services.stop();
      await Promise.allSettled([...active]);
      await imageGC?.stop();
      await recorder.flush();
      recorder.stop();
    },
  };
}

/** Whether a pod's volumes or env refer to the ConfigMap or Secret. */
export function podUses(pod: Pod, kind: 'ConfigMap' | 'Secret', name: string): boolean {
  const spec = pod.spec;
  if (spec === undefined) return false;
  for (const v of spec.volumes ?? []) {
    if (kind === 'ConfigMap' && v.configMap?.name === name) return true;
    if (kind === 'Secret' && v.secret?.secretName === name) return true;
    for (const src of v.projected?.sources ?? []) {
      if (kind === 'ConfigMap' && src.configMap?.name === name) return true;
      if (kind === 'Secret' && src.secret?.name === name) return true;
    }
  }
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const e of c.env ?? []) {
      if (kind === 'ConfigMap' && e.valueFrom?.configMapKeyRef?.name === name) return true;
      if (kind === 'Secret' && e.valueFrom?.secretKeyRef?.name === name) return true;
    }
    for (const f of c.envFrom ?? []) {
      if (kind === 'ConfigMap' && f.configMapRef?.name === name) return true;
      if (kind === 'Secret' && f.secretRef?.name === name) return true;
    }
  }
  return false;
}
