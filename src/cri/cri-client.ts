import * as grpc from '@grpc/grpc-js';
import { criMethodDefinition, withoutNulls, type CriServiceName } from './cri-definitions.js';
import { CriError } from './cri-error.js';
import type {
  AttachRequest, ContainerStatsRequest, ContainerStatsResponse, ContainerStatusRequest, ContainerStatusResponse,
  CreateContainerRequest, CreateContainerResponse, Empty, ExecRequest, ExecSyncRequest, ExecSyncResponse,
  ImageFsInfoResponse, ImageService, ImageStatusRequest, ImageStatusResponse, ListContainerStatsRequest,
  ListContainerStatsResponse, ListContainersRequest, ListContainersResponse, ListImagesRequest, ListImagesResponse,
  ListPodSandboxRequest, ListPodSandboxResponse, ListPodSandboxStatsRequest, ListPodSandboxStatsResponse,
  PodSandboxStatsRequest, PodSandboxStatsResponse, PodSandboxStatusRequest, PodSandboxStatusResponse,
  PortForwardRequest, PullImageRequest, PullImageResponse, RemoveContainerRequest, RemoveImageRequest,
  RemovePodSandboxRequest, ReopenContainerLogRequest, RunPodSandboxRequest, RunPodSandboxResponse, RuntimeService,
  StartContainerRequest, StatusRequest, StatusResponse, StopContainerRequest, StopPodSandboxRequest,
  StreamingUrlResponse, UpdateContainerResourcesRequest, UpdateRuntimeConfigRequest, VersionRequest, VersionResponse,
} from './runtime-service.js';

export interface CriClientOptions {
  /** Deadline of each call, and of the first connection, in milliseconds (default 2 minutes, the kubelet's runtime-request-timeout). PullImage has no deadline, as in the kubelet; ExecSync gets its own timeout on top. */
  timeoutMs?: number;
}

/** The kubelet's maxMsgSize for CRI: 16 MiB. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

function isServiceError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && typeof (e as Partial<grpc.ServiceError>).code === 'number';
}

export function criTarget(socketPath: string): string {
  return socketPath.startsWith('unix:') ? socketPath : `unix://${socketPath}`;
}

/** A CRI v1 client over a unix socket (containerd, CRI-O, ...): both services on one channel. */
export class CriClient implements RuntimeService, ImageService {
  readonly target: string;
  private readonly client: grpc.Client;
  private readonly timeoutMs: number;

  constructor(socketPath: string, opts: CriClientOptions = {}) {
    this.target = criTarget(socketPath);
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.client = new grpc.Client(this.target, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    });
  }

  /** Resolves once the channel is connected; rejects after timeoutMs. */
  waitForReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.waitForReady(Date.now() + this.timeoutMs, (err) => {
        if (err) reject(new Error(`failed to connect to the container runtime at ${this.target}: ${err.message}`));
        else resolve();
      });
    });
  }

  close(): void {
    this.client.close();
  }

  private call<Res>(service: CriServiceName, method: string, req: object, timeoutMs: number = this.timeoutMs): Promise<Res> {
    const def = criMethodDefinition(service, method);
    const options: grpc.CallOptions = Number.isFinite(timeoutMs) ? { deadline: Date.now() + timeoutMs } : {};
    return new Promise<Res>((resolve, reject) => {
      this.client.makeUnaryRequest(
        def.path, def.requestSerialize, def.responseDeserialize, req, new grpc.Metadata(), options,
        (err: grpc.ServiceError | null, value?: object) => {
          if (err) {
            reject(isServiceError(err) ? new CriError(err.code, err.details, method) : err);
            return;
          }
          resolve(withoutNulls(value ?? {}) as Res);
        },
      );
    });
  }

  private runtime<Res>(method: string, req: object, timeoutMs?: number): Promise<Res> {
    return this.call<Res>('RuntimeService', method, req, timeoutMs);
  }

  private image<Res>(method: string, req: object, timeoutMs?: number): Promise<Res> {
    return this.call<Res>('ImageService', method, req, timeoutMs);
  }

  version(req: VersionRequest): Promise<VersionResponse> { return this.runtime('Version', req); }
  runPodSandbox(req: RunPodSandboxRequest): Promise<RunPodSandboxResponse> { return this.runtime('RunPodSandbox', req); }
  stopPodSandbox(req: StopPodSandboxRequest): Promise<Empty> { return this.runtime('StopPodSandbox', req); }
  removePodSandbox(req: RemovePodSandboxRequest): Promise<Empty> { return this.runtime('RemovePodSandbox', req); }
  podSandboxStatus(req: PodSandboxStatusRequest): Promise<PodSandboxStatusResponse> { return this.runtime('PodSandboxStatus', req); }
  listPodSandbox(req: ListPodSandboxRequest): Promise<ListPodSandboxResponse> { return this.runtime('ListPodSandbox', req); }
  createContainer(req: CreateContainerRequest): Promise<CreateContainerResponse> { return this.runtime('CreateContainer', req); }
  startContainer(req: StartContainerRequest): Promise<Empty> { return this.runtime('StartContainer', req); }
  stopContainer(req: StopContainerRequest): Promise<Empty> {
    // The runtime waits up to `timeout` seconds before it kills: the call's deadline allows for that.
    return this.runtime('StopContainer', req, this.timeoutMs + Number(req.timeout ?? 0) * 1000);
  }
  removeContainer(req: RemoveContainerRequest): Promise<Empty> { return this.runtime('RemoveContainer', req); }
  listContainers(req: ListContainersRequest): Promise<ListContainersResponse> { return this.runtime('ListContainers', req); }
  containerStatus(req: ContainerStatusRequest): Promise<ContainerStatusResponse> { return this.runtime('ContainerStatus', req); }
  updateContainerResources(req: UpdateContainerResourcesRequest): Promise<Empty> { return this.runtime('UpdateContainerResources', req); }
  reopenContainerLog(req: ReopenContainerLogRequest): Promise<Empty> { return this.runtime('ReopenContainerLog', req); }
  execSync(req: ExecSyncRequest): Promise<ExecSyncResponse> {
    return this.runtime('ExecSync', req, this.timeoutMs + Number(req.timeout ?? 0) * 1000);
  }
  exec(req: ExecRequest): Promise<StreamingUrlResponse> { return this.runtime('Exec', req); }
  attach(req: AttachRequest): Promise<StreamingUrlResponse> { return this.runtime('Attach', req); }
  portForward(req: PortForwardRequest): Promise<StreamingUrlResponse> { return this.runtime('PortForward', req); }
  containerStats(req: ContainerStatsRequest): Promise<ContainerStatsResponse> { return this.runtime('ContainerStats', req); }
  listContainerStats(req: ListContainerStatsRequest): Promise<ListContainerStatsResponse> { return this.runtime('ListContainerStats', req); }
  podSandboxStats(req: PodSandboxStatsRequest): Promise<PodSandboxStatsResponse> { return this.runtime('PodSandboxStats', req); }
  listPodSandboxStats(req: ListPodSandboxStatsRequest): Promise<ListPodSandboxStatsResponse> { return this.runtime('ListPodSandboxStats', req); }
  updateRuntimeConfig(req: UpdateRuntimeConfigRequest): Promise<Empty> { return this.runtime('UpdateRuntimeConfig', req); }
  status(req: StatusRequest): Promise<StatusResponse> { return this.runtime('Status', req); }

  listImages(req: ListImagesRequest): Promise<ListImagesResponse> { return this.image('ListImages', req); }
  imageStatus(req: ImageStatusRequest): Promise<ImageStatusResponse> { return this.image('ImageStatus', req); }
  /** No deadline: a pull takes as long as the image is big (the kubelet does the same). */
  pullImage(req: PullImageRequest): Promise<PullImageResponse> { return this.image('PullImage', req, Infinity); }
  removeImage(req: RemoveImageRequest): Promise<Empty> { return this.image('RemoveImage', req); }
  imageFsInfo(req: Empty): Promise<ImageFsInfoResponse> { return this.image('ImageFsInfo', req); }
}

/**
 * Connects to a CRI runtime's unix socket (a path, or a `unix://` target) and resolves once the
 * channel is ready. Call close() when done.
 */
export async function connectCri(socketPath: string, opts: CriClientOptions = {}): Promise<CriClient> {
  const client = new CriClient(socketPath, opts);
  try {
    await client.waitForReady();
  } catch (e: unknown) {
    client.close();
    throw e;
  }
  return client;
}
