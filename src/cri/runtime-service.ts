/**
 * CRI v1 (runtime.v1) as TypeScript: the RuntimeService and ImageService interfaces the kubelet
 * talks to, and the message types they carry.
 *
 * Field names are the proto fields in camelCase (the proto3 JSON names). Value mapping follows
 * the proto3 JSON mapping:
 * - int64 and uint64 are decimal strings (`Int64`), never JS numbers, so nanosecond timestamps
 *   and byte counts keep every digit; use BigInt(x) to compute with them.
 * - enums are their names ('CONTAINER_RUNNING', 'NODE', ...).
 * - bytes are Uint8Array (ExecSync's stdout and stderr).
 * - env values are strings (KeyValue).
 * In requests, fields may be omitted (proto3 defaults apply). In responses every scalar, list
 * and map is present (defaults filled in); a message-typed field is absent when the runtime did
 * not set it, e.g. ImageStatusResponse.image for an image that is not present.
 */

/** A 64-bit integer as a decimal string (proto3 JSON mapping), e.g. a timestamp in nanoseconds. */
export type Int64 = string;

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type SupplementalGroupsPolicy = 'Merge' | 'Strict';
export type SecurityProfileType = 'RuntimeDefault' | 'Unconfined' | 'Localhost';
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export type Signal =
  | 'RUNTIME_DEFAULT' | 'SIGABRT' | 'SIGALRM' | 'SIGBUS' | 'SIGCHLD' | 'SIGCLD' | 'SIGCONT' | 'SIGFPE' | 'SIGHUP'
  | 'SIGILL' | 'SIGINT' | 'SIGIO' | 'SIGIOT' | 'SIGKILL' | 'SIGPIPE' | 'SIGPOLL' | 'SIGPROF' | 'SIGPWR' | 'SIGQUIT'
  | 'SIGSEGV' | 'SIGSTKFLT' | 'SIGSTOP' | 'SIGSYS' | 'SIGTERM' | 'SIGTRAP' | 'SIGTSTP' | 'SIGTTIN' | 'SIGTTOU'
  | 'SIGURG' | 'SIGUSR1' | 'SIGUSR2' | 'SIGVTALRM' | 'SIGWINCH' | 'SIGXCPU' | 'SIGXFSZ' | 'SIGRTMIN'
  | 'SIGRTMINPLUS1' | 'SIGRTMINPLUS2' | 'SIGRTMINPLUS3' | 'SIGRTMINPLUS4' | 'SIGRTMINPLUS5' | 'SIGRTMINPLUS6'
  | 'SIGRTMINPLUS7' | 'SIGRTMINPLUS8' | 'SIGRTMINPLUS9' | 'SIGRTMINPLUS10' | 'SIGRTMINPLUS11' | 'SIGRTMINPLUS12'
  | 'SIGRTMINPLUS13' | 'SIGRTMINPLUS14' | 'SIGRTMINPLUS15' | 'SIGRTMAXMINUS14' | 'SIGRTMAXMINUS13'
  | 'SIGRTMAXMINUS12' | 'SIGRTMAXMINUS11' | 'SIGRTMAXMINUS10' | 'SIGRTMAXMINUS9' | 'SIGRTMAXMINUS8'
  | 'SIGRTMAXMINUS7' | 'SIGRTMAXMINUS6' | 'SIGRTMAXMINUS5' | 'SIGRTMAXMINUS4' | 'SIGRTMAXMINUS3'
  | 'SIGRTMAXMINUS2' | 'SIGRTMAXMINUS1' | 'SIGRTMAX';

export type StringMap = Record<string, string>;

// ---- shared building blocks ----

export interface Int64Value { value: Int64 }
export interface UInt64Value { value: Int64 }
export interface KeyValue { key: string; value: string }
export interface DNSConfig { servers?: string[]; searches?: string[]; options?: string[] }
export interface PortMapping { protocol?: Protocol; containerPort?: number; hostPort?: number; hostIp?: string }
export interface IDMapping { hostId: number; containerId: number; length: number }
export interface ImageSpec {
  image: string;
  annotations?: StringMap;
  userSpecifiedImage?: string;
  runtimeHandler?: string;
  imageRef?: string;
}
export interface Mount {
  containerPath: string;
  hostPath?: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: MountPropagation;
  uidMappings?: IDMapping[];
  gidMappings?: IDMapping[];
  recursiveReadOnly?: boolean;
  image?: ImageSpec;
  imageSubPath?: string;
}
export interface UserNamespace { mode?: NamespaceMode; uids?: IDMapping[]; gids?: IDMapping[] }
export interface NamespaceOption {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  targetId?: string;
  usernsOptions?: UserNamespace;
}
export interface SELinuxOption { user?: string; role?: string; type?: string; level?: string }
export interface SecurityProfile { profileType?: SecurityProfileType; localhostRef?: string }
export interface HugepageLimit { pageSize: string; limit: Int64 }
export interface LinuxContainerResources {
  cpuPeriod?: Int64;
  cpuQuota?: Int64;
  cpuShares?: Int64;
  memoryLimitInBytes?: Int64;
  /** Never negative on this project's nodes (restrict_oom_score_adj, no CAP_SYS_RESOURCE). */
  oomScoreAdj?: Int64;
  cpusetCpus?: string;
  cpusetMems?: string;
  hugepageLimits?: HugepageLimit[];
  unified?: StringMap;
  memorySwapLimitInBytes?: Int64;
}
export interface Capability { addCapabilities?: string[]; dropCapabilities?: string[]; addAmbientCapabilities?: string[] }

// ---- sandboxes ----

export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt?: number }
export interface LinuxSandboxSecurityContext {
  namespaceOptions?: NamespaceOption;
  selinuxOptions?: SELinuxOption;
  runAsUser?: Int64Value;
  runAsGroup?: Int64Value;
  readonlyRootfs?: boolean;
  supplementalGroups?: Int64[];
  supplementalGroupsPolicy?: SupplementalGroupsPolicy;
  privileged?: boolean;
  seccomp?: SecurityProfile;
  apparmor?: SecurityProfile;
}
export interface LinuxPodSandboxConfig {
  cgroupParent?: string;
  securityContext?: LinuxSandboxSecurityContext;
  sysctls?: StringMap;
  overhead?: LinuxContainerResources;
  resources?: LinuxContainerResources;
}
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  logDirectory?: string;
  dnsConfig?: DNSConfig;
  portMappings?: PortMapping[];
  labels?: StringMap;
  annotations?: StringMap;
  linux?: LinuxPodSandboxConfig;
}
export interface RunPodSandboxRequest { config: PodSandboxConfig; runtimeHandler?: string }
export interface RunPodSandboxResponse { podSandboxId: string }
export interface StopPodSandboxRequest { podSandboxId: string }
export interface RemovePodSandboxRequest { podSandboxId: string }
export interface PodSandboxStatusRequest { podSandboxId: string; verbose?: boolean }
export interface PodIP { ip: string }
export interface PodSandboxNetworkStatus { ip: string; additionalIps: PodIP[] }
export interface LinuxPodSandboxStatus { namespaces?: { options?: NamespaceOption } }
export interface PodSandboxStatus {
  id: string;
  metadata?: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: Int64;
  network?: PodSandboxNetworkStatus;
  linux?: LinuxPodSandboxStatus;
  labels: StringMap;
  annotations: StringMap;
  runtimeHandler: string;
}
export interface PodSandboxStatusResponse {
  status?: PodSandboxStatus;
  info: StringMap;
  containersStatuses: ContainerStatus[];
  timestamp: Int64;
}
export interface PodSandboxFilter { id?: string; state?: { state: PodSandboxState }; labelSelector?: StringMap }
export interface ListPodSandboxRequest { filter?: PodSandboxFilter }
export interface PodSandbox {
  id: string;
  metadata?: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: Int64;
  labels: StringMap;
  annotations: StringMap;
  runtimeHandler: string;
}
export interface ListPodSandboxResponse { items: PodSandbox[] }

// ---- containers ----

export interface ContainerMetadata { name: string; attempt?: number }
export interface Device { containerPath: string; hostPath: string; permissions: string }
export interface LinuxContainerSecurityContext {
  capabilities?: Capability;
  privileged?: boolean;
  namespaceOptions?: NamespaceOption;
  selinuxOptions?: SELinuxOption;
  runAsUser?: Int64Value;
  runAsGroup?: Int64Value;
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  supplementalGroups?: Int64[];
  supplementalGroupsPolicy?: SupplementalGroupsPolicy;
  noNewPrivs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  seccomp?: SecurityProfile;
  apparmor?: SecurityProfile;
}
export interface LinuxContainerConfig { resources?: LinuxContainerResources; securityContext?: LinuxContainerSecurityContext }
export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  devices?: Device[];
  labels?: StringMap;
  annotations?: StringMap;
  /** Relative to PodSandboxConfig.logDirectory. */
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: LinuxContainerConfig;
  CDIDevices?: { name: string }[];
  stopSignal?: Signal;
}
export interface CreateContainerRequest { podSandboxId: string; config: ContainerConfig; sandboxConfig: PodSandboxConfig }
export interface CreateContainerResponse { containerId: string }
export interface StartContainerRequest { containerId: string }
/** timeout is in seconds; 0 kills at once. */
export interface StopContainerRequest { containerId: string; timeout?: Int64 }
export interface RemoveContainerRequest { containerId: string }
export interface ContainerFilter {
  id?: string;
  state?: { state: ContainerState };
  podSandboxId?: string;
  labelSelector?: StringMap;
}
export interface ListContainersRequest { filter?: ContainerFilter }
export interface Container {
  id: string;
  podSandboxId: string;
  metadata?: ContainerMetadata;
  image?: ImageSpec;
  imageRef: string;
  state: ContainerState;
  createdAt: Int64;
  labels: StringMap;
  annotations: StringMap;
  imageId: string;
}
export interface ListContainersResponse { containers: Container[] }
export interface ContainerStatusRequest { containerId: string; verbose?: boolean }
export interface LinuxContainerUser { uid: Int64; gid: Int64; supplementalGroups: Int64[] }
export interface ContainerStatus {
  id: string;
  metadata?: ContainerMetadata;
  state: ContainerState;
  createdAt: Int64;
  /** 0 when not started. */
  startedAt: Int64;
  /** 0 when not finished. */
  finishedAt: Int64;
  exitCode: number;
  image?: ImageSpec;
  imageRef: string;
  /** 'Completed', 'Error', 'OOMKilled', ... */
  reason: string;
  message: string;
  labels: StringMap;
  annotations: StringMap;
  mounts: Mount[];
  logPath: string;
  resources?: { linux?: LinuxContainerResources };
  imageId: string;
  user?: { linux?: LinuxContainerUser };
  stopSignal: Signal;
}
export interface ContainerStatusResponse { status?: ContainerStatus; info: StringMap }
export interface UpdateContainerResourcesRequest {
  containerId: string;
  linux?: LinuxContainerResources;
  annotations?: StringMap;
}
export interface ReopenContainerLogRequest { containerId: string }

// ---- exec, attach, port-forward ----

/** timeout is in seconds; 0 runs forever. */
export interface ExecSyncRequest { containerId: string; cmd: string[]; timeout?: Int64 }
export interface ExecSyncResponse { stdout: Uint8Array; stderr: Uint8Array; exitCode: number }
export interface ExecRequest { containerId: string; cmd: string[]; tty?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean }
export interface AttachRequest { containerId: string; stdin?: boolean; tty?: boolean; stdout?: boolean; stderr?: boolean }
export interface PortForwardRequest { podSandboxId: string; port?: number[] }
/** The URL of the runtime's streaming server for this session. */
export interface StreamingUrlResponse { url: string }

// ---- stats ----

export interface PsiData { Total: Int64; Avg10: number; Avg60: number; Avg300: number }
export interface PsiStats { Full?: PsiData; Some?: PsiData }
export interface CpuUsage {
  timestamp: Int64;
  usageCoreNanoSeconds?: UInt64Value;
  usageNanoCores?: UInt64Value;
  psi?: PsiStats;
}
export interface MemoryUsage {
  timestamp: Int64;
  workingSetBytes?: UInt64Value;
  availableBytes?: UInt64Value;
  usageBytes?: UInt64Value;
  rssBytes?: UInt64Value;
  pageFaults?: UInt64Value;
  majorPageFaults?: UInt64Value;
  psi?: PsiStats;
}
export interface FilesystemUsage {
  timestamp: Int64;
  fsId?: { mountpoint: string };
  usedBytes?: UInt64Value;
  inodesUsed?: UInt64Value;
}
export interface SwapUsage { timestamp: Int64; swapAvailableBytes?: UInt64Value; swapUsageBytes?: UInt64Value }
export interface IoUsage { timestamp: Int64; psi?: PsiStats }
export interface ContainerAttributes { id: string; metadata?: ContainerMetadata; labels: StringMap; annotations: StringMap }
export interface ContainerStats {
  attributes?: ContainerAttributes;
  cpu?: CpuUsage;
  memory?: MemoryUsage;
  writableLayer?: FilesystemUsage;
  swap?: SwapUsage;
  io?: IoUsage;
}
export interface ContainerStatsRequest { containerId: string }
export interface ContainerStatsResponse { stats?: ContainerStats }
export interface ContainerStatsFilter { id?: string; podSandboxId?: string; labelSelector?: StringMap }
export interface ListContainerStatsRequest { filter?: ContainerStatsFilter }
export interface ListContainerStatsResponse { stats: ContainerStats[] }
export interface NetworkInterfaceUsage {
  name: string;
  rxBytes?: UInt64Value;
  rxErrors?: UInt64Value;
  txBytes?: UInt64Value;
  txErrors?: UInt64Value;
}
export interface NetworkUsage { timestamp: Int64; defaultInterface?: NetworkInterfaceUsage; interfaces: NetworkInterfaceUsage[] }
export interface ProcessUsage { timestamp: Int64; processCount?: UInt64Value }
export interface LinuxPodSandboxStats {
  cpu?: CpuUsage;
  memory?: MemoryUsage;
  network?: NetworkUsage;
  process?: ProcessUsage;
  containers: ContainerStats[];
  io?: IoUsage;
}
export interface PodSandboxAttributes { id: string; metadata?: PodSandboxMetadata; labels: StringMap; annotations: StringMap }
export interface PodSandboxStats { attributes?: PodSandboxAttributes; linux?: LinuxPodSandboxStats }
export interface PodSandboxStatsRequest { podSandboxId: string }
export interface PodSandboxStatsResponse { stats?: PodSandboxStats }
export interface PodSandboxStatsFilter { id?: string; labelSelector?: StringMap }
export interface ListPodSandboxStatsRequest { filter?: PodSandboxStatsFilter }
export interface ListPodSandboxStatsResponse { stats: PodSandboxStats[] }

// ---- runtime ----

export interface VersionRequest { version?: string }
export interface VersionResponse { version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }
export interface UpdateRuntimeConfigRequest { runtimeConfig: { networkConfig?: { podCidr: string } } }
export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }
export interface StatusRequest { verbose?: boolean }
export interface RuntimeHandler {
  name: string;
  features?: { recursiveReadOnlyMounts: boolean; userNamespaces: boolean };
}
export interface StatusResponse {
  status?: { conditions: RuntimeCondition[] };
  info: StringMap;
  runtimeHandlers: RuntimeHandler[];
  features?: { supplementalGroupsPolicy: boolean; userNamespacesHostNetwork: boolean };
}

// ---- images ----

export interface ImageFilter { image?: ImageSpec }
export interface ListImagesRequest { filter?: ImageFilter }
export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: Int64;
  uid?: Int64Value;
  username: string;
  spec?: ImageSpec;
  pinned: boolean;
}
export interface ListImagesResponse { images: Image[] }
export interface ImageStatusRequest { image: ImageSpec; verbose?: boolean }
/** image is absent when the image is not present on the node (not an error). */
export interface ImageStatusResponse { image?: Image; info: StringMap }
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}
export interface PullImageRequest { image: ImageSpec; auth?: AuthConfig; sandboxConfig?: PodSandboxConfig }
export interface PullImageResponse { imageRef: string }
export interface RemoveImageRequest { image: ImageSpec }
export interface ImageFsInfoResponse { imageFilesystems: FilesystemUsage[]; containerFilesystems: FilesystemUsage[] }

/** An empty message (the responses of Stop/Remove/Start and the ImageFsInfo request). */
export type Empty = Record<string, never>;

/**
 * The CRI RuntimeService: one method per RPC, request and response as the protocol has them.
 * Failures reject with a CriError carrying the gRPC status code (NotFound for unknown ids).
 */
export interface RuntimeService {
  version(req: VersionRequest): Promise<VersionResponse>;
  runPodSandbox(req: RunPodSandboxRequest): Promise<RunPodSandboxResponse>;
  /** Idempotent for a stopped sandbox; NotFound for an unknown id. */
  stopPodSandbox(req: StopPodSandboxRequest): Promise<Empty>;
  /** Idempotent: removing an unknown sandbox succeeds. Forcibly removes its containers. */
  removePodSandbox(req: RemovePodSandboxRequest): Promise<Empty>;
  podSandboxStatus(req: PodSandboxStatusRequest): Promise<PodSandboxStatusResponse>;
  listPodSandbox(req: ListPodSandboxRequest): Promise<ListPodSandboxResponse>;
  createContainer(req: CreateContainerRequest): Promise<CreateContainerResponse>;
  startContainer(req: StartContainerRequest): Promise<Empty>;
  stopContainer(req: StopContainerRequest): Promise<Empty>;
  /** Idempotent: removing an unknown container succeeds. */
  removeContainer(req: RemoveContainerRequest): Promise<Empty>;
  listContainers(req: ListContainersRequest): Promise<ListContainersResponse>;
  containerStatus(req: ContainerStatusRequest): Promise<ContainerStatusResponse>;
  updateContainerResources(req: UpdateContainerResourcesRequest): Promise<Empty>;
  reopenContainerLog(req: ReopenContainerLogRequest): Promise<Empty>;
  execSync(req: ExecSyncRequest): Promise<ExecSyncResponse>;
  exec(req: ExecRequest): Promise<StreamingUrlResponse>;
  attach(req: AttachRequest): Promise<StreamingUrlResponse>;
  portForward(req: PortForwardRequest): Promise<StreamingUrlResponse>;
  containerStats(req: ContainerStatsRequest): Promise<ContainerStatsResponse>;
  listContainerStats(req: ListContainerStatsRequest): Promise<ListContainerStatsResponse>;
  podSandboxStats(req: PodSandboxStatsRequest): Promise<PodSandboxStatsResponse>;
  listPodSandboxStats(req: ListPodSandboxStatsRequest): Promise<ListPodSandboxStatsResponse>;
  updateRuntimeConfig(req: UpdateRuntimeConfigRequest): Promise<Empty>;
  status(req: StatusRequest): Promise<StatusResponse>;
}

/** The CRI ImageService. */
export interface ImageService {
  listImages(req: ListImagesRequest): Promise<ListImagesResponse>;
  imageStatus(req: ImageStatusRequest): Promise<ImageStatusResponse>;
  pullImage(req: PullImageRequest): Promise<PullImageResponse>;
  /** Idempotent: removing an absent image succeeds. */
  removeImage(req: RemoveImageRequest): Promise<Empty>;
  imageFsInfo(req: Empty): Promise<ImageFsInfoResponse>;
}
