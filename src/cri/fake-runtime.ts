import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CriError, GrpcCode } from './cri-error.js';
import { formatCriLogLine, type LogStream } from './cri-log-line.js';
import { runFakeProcess } from './fake-process.js';
import { imageRepository, normalizeImageRef } from './image-reference.js';
import type {
  AttachRequest, Container, ContainerConfig, ContainerState, ContainerStats, ContainerStatsRequest,
  ContainerStatsResponse, ContainerStatus, ContainerStatusRequest, ContainerStatusResponse, CreateContainerRequest,
  CreateContainerResponse, Empty, ExecRequest, ExecSyncRequest, ExecSyncResponse, Image, ImageFsInfoResponse,
  ImageService, ImageSpec, ImageStatusRequest, ImageStatusResponse, ListContainerStatsRequest,
  ListContainerStatsResponse, ListContainersRequest, ListContainersResponse, ListImagesRequest, ListImagesResponse,
  ListPodSandboxRequest, ListPodSandboxResponse, ListPodSandboxStatsRequest, ListPodSandboxStatsResponse, PodSandbox,
  PodSandboxConfig, PodSandboxState, PodSandboxStats, PodSandboxStatsRequest, PodSandboxStatsResponse,
  PodSandboxStatus, PodSandboxStatusRequest, PodSandboxStatusResponse, PortForwardRequest, PullImageRequest,
  PullImageResponse, RemoveContainerRequest, RemoveImageRequest, RemovePodSandboxRequest, ReopenContainerLogRequest,
  RunPodSandboxRequest, RunPodSandboxResponse, RuntimeService, StartContainerRequest, StatusRequest, StatusResponse,
  StopContainerRequest, StopPodSandboxRequest, StreamingUrlResponse, StringMap, UpdateContainerResourcesRequest,
  UpdateRuntimeConfigRequest, VersionRequest, VersionResponse,
} from './runtime-service.js';

/** An image the fake knows, locally or in its make-believe registry. */
export interface FakeImage {
  ref: string;
  /** Bytes; default 1 MiB. */
  size?: number;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
}

export interface FakeRuntimeOptions {
  /** Images present on the node at start. Default: only the sandbox image. */
  images?: FakeImage[];
  /** Images PullImage can fetch. Any other pull fails as a registry answering "not found" does. */
  registry?: FakeImage[];
  /** Default registry.k8s.io/pause:3.10 (as k8ts configures containerd). */
  sandboxImage?: string;
  /** Time in nanoseconds since the epoch; default the wall clock. Readings are made strictly increasing. */
  clock?: () => bigint;
  /** Reported by Status as the NetworkReady condition; default true. */
  networkReady?: boolean;
}

interface ImageRecord {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  entrypoint: string[];
  cmd: string[];
  env: string[];
  pinned: boolean;
}

interface SandboxRecord {
  id: string;
  name: string;
  config: PodSandboxConfig;
  runtimeHandler: string;
  state: PodSandboxState;
  createdAt: bigint;
  ip: string;
}

interface ContainerRecord {
  id: string;
  name: string;
  sandboxId: string;
  config: ContainerConfig;
  imageId: string;
  state: ContainerState;
  createdAt: bigint;
  startedAt: bigint;
  finishedAt: bigint;
  exitCode: number;
  reason: string;
  message: string;
  logPath: string;
  usage: { usageCoreNanoSeconds: bigint; workingSetBytes: bigint };
}

/** A recorded call: the method name (as the RPC is named) and its request. */
export interface FakeCall { method: string; request: object }

const DEFAULT_SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10';
/** containerd's exit code for a container that failed to start, and the reasons it reports. */
const START_ERROR_EXIT_CODE = 128;
const SIGKILL_EXIT_CODE = 137;

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function notFound(details: string, method: string): CriError {
  return new CriError(GrpcCode.NotFound, details, method);
}

function unknown(details: string, method: string): CriError {
  return new CriError(GrpcCode.Unknown, details, method);
}

function matchesLabels(labels: StringMap | undefined, selector: StringMap | undefined): boolean {
  for (const [k, v] of Object.entries(selector ?? {})) {
    if ((labels ?? {})[k] !== v) return false;
  }
  return true;
}

/** runc's words for an executable that does not exist: a path is stat'ed, a bare name looked up in $PATH. */
function missingExecutable(executable: string): string {
  return executable.includes('/')
    ? `exec: "${executable}": stat ${executable}: no such file or directory`
    : `exec: "${executable}": executable file not found in $PATH`;
}

function exitReason(exitCode: number): string {
  return exitCode === 0 ? 'Completed' : 'Error';
}

/**
 * An in-memory CRI runtime for unit tests, with containerd's state machines and messages:
 * sandboxes READY -> NOTREADY -> removed; containers CREATED -> RUNNING -> EXITED (exit code,
 * reason Completed/Error, StartError for a missing executable) -> removed. Commands are modelled
 * by runFakeProcess (echo exits at once, sleep runs until stopped); container output goes to the
 * container's log file in the CRI log format when the sandbox has a log directory. Unknown ids give
 * NotFound, duplicate names give containerd's "failed to reserve ... name" error, pulls of images
 * not in `registry` fail. Stopping does not wait for the grace period: a container that ignores
 * SIGTERM (as every modelled PID 1 does) is killed at once with exit code 137. Exec, Attach and
 * PortForward return a URL on 127.0.0.1 port 0: there is no streaming server behind it.
 */
export class FakeRuntime implements RuntimeService, ImageService {
  /** Every call made, in order. */
  readonly calls: FakeCall[] = [];
  readonly sandboxImage: string;
  podCidr = '';

  private readonly images = new Map<string, ImageRecord>();
  private readonly registry = new Map<string, FakeImage>();
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  private readonly reservedNames = new Map<string, string>();
  private readonly clock: () => bigint;
  private readonly networkReady: boolean;
  private lastTime = 0n;
  private nextId = 1;
  private nextIp = 2;

  constructor(opts: FakeRuntimeOptions = {}) {
    this.sandboxImage = normalizeImageRef(opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE);
    this.clock = opts.clock ?? (() => BigInt(Date.now()) * 1_000_000n);
    this.networkReady = opts.networkReady ?? true;
    for (const img of opts.images ?? [{ ref: this.sandboxImage, entrypoint: ['/pause'] }]) this.addImage(img);
    for (const img of opts.registry ?? []) this.registry.set(normalizeImageRef(img.ref), img);
  }

  // ---- test controls ----

  /** Puts an image on the node (as `ctr images import` would). Returns its id. */
  addImage(img: FakeImage): string {
    const ref = normalizeImageRef(img.ref);
    const digest = sha256(`manifest:${ref}`);
    const id = `sha256:${sha256(`config:${ref}`)}`;
    const existing = [...this.images.values()].find((r) => r.id === id);
    if (existing) return id;
    this.images.set(id, {
      id,
      repoTags: [ref],
      repoDigests: [`${imageRepository(ref)}@sha256:${digest}`],
      size: img.size ?? 1024 * 1024,
      entrypoint: img.entrypoint ?? [],
      cmd: img.cmd ?? [],
      env: img.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      pinned: ref === this.sandboxImage,
    });
    return id;
  }

  /** Makes a running container exit now with `exitCode` (its main process ended), optionally with a reason such as OOMKilled. */
  exitContainer(containerId: string, exitCode: number, reason?: string): void {
    const c = this.containers.get(containerId);
    if (!c) throw notFound(`an error occurred when try to find container "${containerId}": not found`, 'exitContainer');
    if (c.state !== 'CONTAINER_RUNNING') throw new Error(`container ${containerId} is ${c.state}, not running`);
    this.finish(c, exitCode, reason ?? exitReason(exitCode));
  }

  /** Sets the CPU and memory usage ContainerStats reports for a container. */
  setContainerUsage(containerId: string, usage: { usageCoreNanoSeconds: bigint; workingSetBytes: bigint }): void {
    const c = this.containers.get(containerId);
    if (!c) throw new Error(`no container ${containerId}`);
    c.usage = usage;
  }

  // ---- RuntimeService ----

  async version(req: VersionRequest): Promise<VersionResponse> {
    this.record('Version', req);
    return { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  async status(req: StatusRequest): Promise<StatusResponse> {
    this.record('Status', req);
    return {
      status: {
        conditions: [
          { type: 'RuntimeReady', status: true, reason: '', message: '' },
          this.networkReady
            ? { type: 'NetworkReady', status: true, reason: '', message: '' }
            : { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' },
        ],
      },
      info: {},
      runtimeHandlers: [{ name: '', features: { recursiveReadOnlyMounts: false, userNamespaces: false } }],
    };
  }

  async updateRuntimeConfig(req: UpdateRuntimeConfigRequest): Promise<Empty> {
    this.record('UpdateRuntimeConfig', req);
    this.podCidr = req.runtimeConfig.networkConfig?.podCidr ?? '';
    return {};
  }

  async runPodSandbox(req: RunPodSandboxRequest): Promise<RunPodSandboxResponse> {
    const method = 'RunPodSandbox';
    this.record(method, req);
    const md = req.config.metadata;
    const name = [md.name, md.namespace, md.uid, String(md.attempt ?? 0)].join('_');
    const id = this.newId('sandbox');
    this.reserve(name, id, 'sandbox', method);
    if (!this.findImage(this.sandboxImage)) {
      this.reservedNames.delete(name);
      throw unknown(`failed to get sandbox image "${this.sandboxImage}": failed to pull image "${this.sandboxImage}": failed to pull and unpack image "${this.sandboxImage}": failed to resolve reference "${this.sandboxImage}": ${this.sandboxImage}: not found`, method);
    }
    const hostNetwork = req.config.linux?.securityContext?.namespaceOptions?.network === 'NODE';
    this.sandboxes.set(id, {
      id,
      name,
      config: req.config,
      runtimeHandler: req.runtimeHandler ?? '',
      state: 'SANDBOX_READY',
      createdAt: this.now(),
      ip: hostNetwork ? '' : `10.88.0.${this.nextIp++}`,
    });
    return { podSandboxId: id };
  }

  async stopPodSandbox(req: StopPodSandboxRequest): Promise<Empty> {
    const method = 'StopPodSandbox';
    this.record(method, req);
    const sb = this.sandboxes.get(req.podSandboxId);
    if (!sb) throw notFound(`an error occurred when try to find sandbox "${req.podSandboxId}": not found`, method);
    for (const c of this.containers.values()) {
      if (c.sandboxId === sb.id && c.state === 'CONTAINER_RUNNING') this.finish(c, SIGKILL_EXIT_CODE, 'Error');
    }
    sb.state = 'SANDBOX_NOTREADY';
    return {};
  }

  async removePodSandbox(req: RemovePodSandboxRequest): Promise<Empty> {
    this.record('RemovePodSandbox', req);
    const sb = this.sandboxes.get(req.podSandboxId);
    if (!sb) return {};
    for (const c of [...this.containers.values()]) {
      if (c.sandboxId === sb.id) this.dropContainer(c);
    }
    this.sandboxes.delete(sb.id);
    this.reservedNames.delete(sb.name);
    return {};
  }

  async podSandboxStatus(req: PodSandboxStatusRequest): Promise<PodSandboxStatusResponse> {
    const method = 'PodSandboxStatus';
    this.record(method, req);
    const sb = this.sandbox(req.podSandboxId, method);
    const status: PodSandboxStatus = {
      id: sb.id,
      metadata: sb.config.metadata,
      state: sb.state,
      createdAt: sb.createdAt.toString(),
      network: { ip: sb.ip, additionalIps: [] },
      linux: { namespaces: { options: sb.config.linux?.securityContext?.namespaceOptions ?? {} } },
      labels: { ...sb.config.labels },
      annotations: { ...sb.config.annotations },
      runtimeHandler: sb.runtimeHandler,
    };
    return { status, info: {}, containersStatuses: [], timestamp: this.now().toString() };
  }

  async listPodSandbox(req: ListPodSandboxRequest): Promise<ListPodSandboxResponse> {
    this.record('ListPodSandbox', req);
    const f = req.filter;
    const items: PodSandbox[] = [];
    for (const sb of this.sandboxes.values()) {
      if (f?.id && sb.id !== f.id) continue;
      if (f?.state && sb.state !== f.state.state) continue;
      if (!matchesLabels(sb.config.labels, f?.labelSelector)) continue;
      items.push({
        id: sb.id,
        metadata: sb.config.metadata,
        state: sb.state,
        createdAt: sb.createdAt.toString(),
        labels: { ...sb.config.labels },
        annotations: { ...sb.config.annotations },
        runtimeHandler: sb.runtimeHandler,
      });
    }
    return { items };
  }

  async createContainer(req: CreateContainerRequest): Promise<CreateContainerResponse> {
    const method = 'CreateContainer';
    this.record(method, req);
    const sb = this.sandboxes.get(req.podSandboxId);
    if (!sb) throw notFound(`failed to find sandbox id "${req.podSandboxId}": not found`, method);
    const img = this.findImage(req.config.image.image);
    if (!img) throw notFound(`failed to resolve image "${req.config.image.image}": not found`, method);
    const md = sb.config.metadata;
    const name = [req.config.metadata.name, md.name, md.namespace, md.uid, String(req.config.metadata.attempt ?? 0)].join('_');
    const id = this.newId('container');
    this.reserve(name, id, 'container', method);
    const logDir = sb.config.logDirectory ?? '';
    const logPath = logDir !== '' && (req.config.logPath ?? '') !== '' ? join(logDir, req.config.logPath ?? '') : '';
    this.containers.set(id, {
      id,
      name,
      sandboxId: sb.id,
      config: req.config,
      imageId: img.id,
      state: 'CONTAINER_CREATED',
      createdAt: this.now(),
      startedAt: 0n,
      finishedAt: 0n,
      exitCode: 0,
      reason: '',
      message: '',
      logPath,
      usage: { usageCoreNanoSeconds: 0n, workingSetBytes: 0n },
    });
    if (logPath !== '') mkdirSync(dirname(logPath), { recursive: true });
    return { containerId: id };
  }

  async startContainer(req: StartContainerRequest): Promise<Empty> {
    const method = 'StartContainer';
    this.record(method, req);
    const c = this.container(req.containerId, method);
    if (c.state !== 'CONTAINER_CREATED') throw unknown(`failed to set starting state for container "${c.id}": container is in ${c.state} state`, method);
    const sb = this.sandboxes.get(c.sandboxId);
    if (!sb || sb.state !== 'SANDBOX_READY') throw unknown(`sandbox container "${c.sandboxId}" is not running`, method);
    const img = this.images.get(c.imageId);
    const argv = this.argv(c.config, img);
    const result = runFakeProcess(argv, this.env(c.config, img));
    if (result.kind === 'not-found') {
      const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${missingExecutable(result.executable)}: unknown`;
      this.finish(c, START_ERROR_EXIT_CODE, 'StartError', message);
      throw unknown(message, method);
    }
    c.state = 'CONTAINER_RUNNING';
    c.startedAt = this.now();
    this.writeLog(c, 'stdout', result.stdout);
    this.writeLog(c, 'stderr', result.stderr);
    if (result.kind === 'exited') this.finish(c, result.exitCode, exitReason(result.exitCode));
    return {};
  }

  async stopContainer(req: StopContainerRequest): Promise<Empty> {
    const method = 'StopContainer';
    this.record(method, req);
    const c = this.container(req.containerId, method);
    // Every modelled program runs as PID 1 and so ignores SIGTERM: after the grace period it is killed.
    if (c.state === 'CONTAINER_RUNNING') this.finish(c, SIGKILL_EXIT_CODE, 'Error');
    return {};
  }

  async removeContainer(req: RemoveContainerRequest): Promise<Empty> {
    this.record('RemoveContainer', req);
    const c = this.containers.get(req.containerId);
    if (c) this.dropContainer(c);
    return {};
  }

  async listContainers(req: ListContainersRequest): Promise<ListContainersResponse> {
    this.record('ListContainers', req);
    const f = req.filter;
    const containers: Container[] = [];
    for (const c of this.containers.values()) {
      if (f?.id && c.id !== f.id) continue;
      if (f?.podSandboxId && c.sandboxId !== f.podSandboxId) continue;
      if (f?.state && c.state !== f.state.state) continue;
      if (!matchesLabels(c.config.labels, f?.labelSelector)) continue;
      containers.push({
        id: c.id,
        podSandboxId: c.sandboxId,
        metadata: c.config.metadata,
        image: c.config.image,
        imageRef: c.imageId,
        state: c.state,
        createdAt: c.createdAt.toString(),
        labels: { ...c.config.labels },
        annotations: { ...c.config.annotations },
        imageId: c.imageId,
      });
    }
    return { containers };
  }

  async containerStatus(req: ContainerStatusRequest): Promise<ContainerStatusResponse> {
    const method = 'ContainerStatus';
    this.record(method, req);
    const c = this.container(req.containerId, method);
    const img = this.images.get(c.imageId);
    const status: ContainerStatus = {
      id: c.id,
      metadata: c.config.metadata,
      state: c.state,
      createdAt: c.createdAt.toString(),
      startedAt: c.startedAt.toString(),
      finishedAt: c.finishedAt.toString(),
      exitCode: c.exitCode,
      image: { image: img?.repoTags[0] ?? c.config.image.image },
      imageRef: img?.repoDigests[0] ?? c.imageId,
      reason: c.reason,
      message: c.message,
      labels: { ...c.config.labels },
      annotations: { ...c.config.annotations },
      mounts: c.config.mounts ?? [],
      logPath: c.logPath,
      resources: { linux: c.config.linux?.resources ?? {} },
      imageId: c.imageId,
      stopSignal: c.config.stopSignal ?? 'RUNTIME_DEFAULT',
    };
    return { status, info: {} };
  }

  async updateContainerResources(req: UpdateContainerResourcesRequest): Promise<Empty> {
    const method = 'UpdateContainerResources';
    this.record(method, req);
    const c = this.container(req.containerId, method);
    if (req.linux) c.config = { ...c.config, linux: { ...c.config.linux, resources: req.linux } };
    return {};
  }

  async reopenContainerLog(req: ReopenContainerLogRequest): Promise<Empty> {
    const method = 'ReopenContainerLog';
    this.record(method, req);
    const c = this.container(req.containerId, method);
    if (c.state !== 'CONTAINER_RUNNING') throw unknown('container is not running', method);
    return {};
  }

  async execSync(req: ExecSyncRequest): Promise<ExecSyncResponse> {
    const method = 'ExecSync';
    this.record(method, req);
    const c = this.running(req.containerId, method, 'failed to exec in container: ');
    const result = runFakeProcess(req.cmd, this.env(c.config, this.images.get(c.imageId)));
    switch (result.kind) {
      case 'not-found':
        throw unknown(`failed to exec in container: failed to start exec "${sha256(`exec:${this.nextId}`)}": OCI runtime exec failed: exec failed: unable to start container process: ${missingExecutable(result.executable)}: unknown`, method);
      case 'running':
        throw new CriError(GrpcCode.DeadlineExceeded, `failed to exec in container: timeout ${req.timeout ?? '0'}s exceeded: context deadline exceeded`, method);
      case 'exited':
        return { stdout: Buffer.from(result.stdout), stderr: Buffer.from(result.stderr), exitCode: result.exitCode };
    }
  }

  async exec(req: ExecRequest): Promise<StreamingUrlResponse> {
    const method = 'Exec';
    this.record(method, req);
    this.running(req.containerId, method);
    return { url: `http://127.0.0.1:0/exec/${this.newId('token').slice(0, 8)}` };
  }

  async attach(req: AttachRequest): Promise<StreamingUrlResponse> {
    const method = 'Attach';
    this.record(method, req);
    this.running(req.containerId, method);
    return { url: `http://127.0.0.1:0/attach/${this.newId('token').slice(0, 8)}` };
  }

  async portForward(req: PortForwardRequest): Promise<StreamingUrlResponse> {
    const method = 'PortForward';
    this.record(method, req);
    const sb = this.sandbox(req.podSandboxId, method);
    if (sb.state !== 'SANDBOX_READY') throw unknown(`sandbox container "${sb.id}" is not running`, method);
    return { url: `http://127.0.0.1:0/portforward/${this.newId('token').slice(0, 8)}` };
  }

  async containerStats(req: ContainerStatsRequest): Promise<ContainerStatsResponse> {
    const method = 'ContainerStats';
    this.record(method, req);
    const c = this.containers.get(req.containerId);
    if (!c) throw notFound('failed to find container: not found', method);
    return { stats: this.stats(c) };
  }

  async listContainerStats(req: ListContainerStatsRequest): Promise<ListContainerStatsResponse> {
    this.record('ListContainerStats', req);
    const f = req.filter;
    const stats: ContainerStats[] = [];
    for (const c of this.containers.values()) {
      if (c.state !== 'CONTAINER_RUNNING') continue;
      if (f?.id && c.id !== f.id) continue;
      if (f?.podSandboxId && c.sandboxId !== f.podSandboxId) continue;
      if (!matchesLabels(c.config.labels, f?.labelSelector)) continue;
      stats.push(this.stats(c));
    }
    return { stats };
  }

  async podSandboxStats(req: PodSandboxStatsRequest): Promise<PodSandboxStatsResponse> {
    const method = 'PodSandboxStats';
    this.record(method, req);
    return { stats: this.sandboxStats(this.sandbox(req.podSandboxId, method)) };
  }

  async listPodSandboxStats(req: ListPodSandboxStatsRequest): Promise<ListPodSandboxStatsResponse> {
    this.record('ListPodSandboxStats', req);
    const f = req.filter;
    const stats: PodSandboxStats[] = [];
    for (const sb of this.sandboxes.values()) {
      if (sb.state !== 'SANDBOX_READY') continue;
      if (f?.id && sb.id !== f.id) continue;
      if (!matchesLabels(sb.config.labels, f?.labelSelector)) continue;
      stats.push(this.sandboxStats(sb));
    }
    return { stats };
  }

  // ---- ImageService ----

  async listImages(req: ListImagesRequest): Promise<ListImagesResponse> {
    this.record('ListImages', req);
    const want = req.filter?.image?.image;
    const only = want ? this.findImage(want) : undefined;
    if (want && !only) return { images: [] };
    return { images: [...this.images.values()].filter((r) => !only || r === only).map((r) => this.toImage(r)) };
  }

  async imageStatus(req: ImageStatusRequest): Promise<ImageStatusResponse> {
    this.record('ImageStatus', req);
    const img = this.findImage(req.image.image);
    return img ? { image: this.toImage(img), info: {} } : { info: {} };
  }

  async pullImage(req: PullImageRequest): Promise<PullImageResponse> {
    const method = 'PullImage';
    this.record(method, req);
    const ref = normalizeImageRef(req.image.image);
    const remote = this.registry.get(ref);
    if (!remote) {
      throw notFound(`failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`, method);
    }
    return { imageRef: this.addImage(remote) };
  }

  async removeImage(req: RemoveImageRequest): Promise<Empty> {
    this.record('RemoveImage', req);
    const img = this.findImage(req.image.image);
    if (img) this.images.delete(img.id);
    return {};
  }

  async imageFsInfo(req: Empty): Promise<ImageFsInfoResponse> {
    this.record('ImageFsInfo', req);
    let used = 0;
    for (const img of this.images.values()) used += img.size;
    return {
      imageFilesystems: [{
        timestamp: this.now().toString(),
        fsId: { mountpoint: '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs' },
        usedBytes: { value: String(used) },
        inodesUsed: { value: String(this.images.size * 100) },
      }],
      containerFilesystems: [],
    };
  }

  // ---- internals ----

  private record(method: string, request: object): void {
    this.calls.push({ method, request });
  }

  private now(): bigint {
    let t = this.clock();
    if (t <= this.lastTime) t = this.lastTime + 1n;
    this.lastTime = t;
    return t;
  }

  private newId(kind: string): string {
    return sha256(`${kind}-${this.nextId++}`);
  }

  private reserve(name: string, id: string, kind: 'sandbox' | 'container', method: string): void {
    const holder = this.reservedNames.get(name);
    if (holder !== undefined) {
      throw unknown(`failed to reserve ${kind} name "${name}": name "${name}" is reserved for "${holder}"`, method);
    }
    this.reservedNames.set(name, id);
  }

  private sandbox(id: string, method: string): SandboxRecord {
    const sb = this.sandboxes.get(id);
    if (!sb) throw notFound(`an error occurred when try to find sandbox: not found`, method);
    return sb;
  }

  private container(id: string, method: string): ContainerRecord {
    const c = this.containers.get(id);
    if (!c) throw notFound(`an error occurred when try to find container "${id}": not found`, method);
    return c;
  }

  private running(id: string, method: string, prefix = ''): ContainerRecord {
    const c = this.container(id, method);
    if (c.state !== 'CONTAINER_RUNNING') throw unknown(`${prefix}container is in ${c.state} state`, method);
    return c;
  }

  private dropContainer(c: ContainerRecord): void {
    this.containers.delete(c.id);
    this.reservedNames.delete(c.name);
  }

  private finish(c: ContainerRecord, exitCode: number, reason: string, message = ''): void {
    c.state = 'CONTAINER_EXITED';
    c.finishedAt = this.now();
    c.exitCode = exitCode;
    c.reason = reason;
    c.message = message;
  }

  private findImage(ref: string): ImageRecord | undefined {
    const byId = this.images.get(ref) ?? this.images.get(`sha256:${ref}`);
    if (byId) return byId;
    const normalized = normalizeImageRef(ref);
    for (const img of this.images.values()) {
      if (img.repoTags.includes(normalized) || img.repoDigests.includes(normalized)) return img;
    }
    return undefined;
  }

  private toImage(r: ImageRecord): Image {
    const spec: ImageSpec = { image: r.id, annotations: {} };
    return {
      id: r.id, repoTags: [...r.repoTags], repoDigests: [...r.repoDigests], size: String(r.size),
      username: '', spec, pinned: r.pinned,
    };
  }

  /** Docker semantics: command replaces the entrypoint, args replace the image's cmd. */
  private argv(config: ContainerConfig, img: ImageRecord | undefined): string[] {
    const command = config.command ?? [];
    const args = config.args ?? [];
    if (command.length > 0) return [...command, ...args];
    return [...(img?.entrypoint ?? []), ...(args.length > 0 ? args : img?.cmd ?? [])];
  }

  private env(config: ContainerConfig, img: ImageRecord | undefined): Record<string, string> {
    const env: Record<string, string> = {};
    for (const kv of img?.env ?? []) {
      const eq = kv.indexOf('=');
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    for (const kv of config.envs ?? []) env[kv.key] = kv.value;
    return env;
  }

  private writeLog(c: ContainerRecord, stream: LogStream, text: string): void {
    if (c.logPath === '' || text === '') return;
    const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    appendFileSync(c.logPath, lines.map((l) => formatCriLogLine(this.now(), stream, l)).join(''));
  }

  private stats(c: ContainerRecord): ContainerStats {
    const ts = this.now().toString();
    return {
      attributes: { id: c.id, metadata: c.config.metadata, labels: { ...c.config.labels }, annotations: { ...c.config.annotations } },
      cpu: { timestamp: ts, usageCoreNanoSeconds: { value: c.usage.usageCoreNanoSeconds.toString() } },
      memory: { timestamp: ts, workingSetBytes: { value: c.usage.workingSetBytes.toString() } },
      writableLayer: {
        timestamp: ts,
        fsId: { mountpoint: '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs' },
        usedBytes: { value: '0' },
        inodesUsed: { value: '0' },
      },
    };
  }

  private sandboxStats(sb: SandboxRecord): PodSandboxStats {
    const containers = [...this.containers.values()].filter((c) => c.sandboxId === sb.id && c.state === 'CONTAINER_RUNNING');
    const ts = this.now().toString();
    let cpu = 0n;
    let mem = 0n;
    for (const c of containers) {
      cpu += c.usage.usageCoreNanoSeconds;
      mem += c.usage.workingSetBytes;
    }
    return {
      attributes: { id: sb.id, metadata: sb.config.metadata, labels: { ...sb.config.labels }, annotations: { ...sb.config.annotations } },
      linux: {
        cpu: { timestamp: ts, usageCoreNanoSeconds: { value: cpu.toString() } },
        memory: { timestamp: ts, workingSetBytes: { value: mem.toString() } },
        containers: containers.map((c) => this.stats(c)),
      },
    };
  }
}
