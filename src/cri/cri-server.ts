import * as grpc from '@grpc/grpc-js';
import { CriError, GrpcCode } from './cri-error.js';
import { criMethodName, criServiceDefinition, withoutNulls, type CriServiceName } from './cri-definitions.js';
import { criTarget } from './cri-client.js';
import type { ImageService, RuntimeService } from './runtime-service.js';

export interface CriServer {
  /** The `unix://` target clients dial. */
  readonly target: string;
  close(): Promise<void>;
}

type Handler = (req: object) => Promise<object>;

function handlerOf(impl: object, rpc: string): Handler {
  const fn: unknown = Reflect.get(impl, criMethodName(rpc));
  if (typeof fn !== 'function') throw new Error(`the implementation has no ${criMethodName(rpc)} method for ${rpc}`);
  return (req) => Promise.resolve(fn.call(impl, req) as object);
}

function implementation(service: CriServiceName, impl: object): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const rpc of Object.keys(criServiceDefinition(service))) {
    const handle = handlerOf(impl, rpc);
    handlers[rpc] = ((call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
      handle(withoutNulls(call.request) as object).then(
        (res) => callback(null, res),
        (e: unknown) => callback(e instanceof CriError
          ? { code: e.code, details: e.details }
          : { code: GrpcCode.Unknown, details: e instanceof Error ? e.message : String(e) }),
      );
    }) as grpc.handleUnaryCall<object, object>;
  }
  return handlers;
}

/**
 * Serves a RuntimeService and ImageService as CRI v1 over gRPC on a unix socket, so that crictl or
 * a CriClient can talk to them (the fake runtime behind a real socket, in tests). Errors thrown as
 * CriError keep their gRPC code; anything else is Unknown.
 */
export async function serveCri(socketPath: string, runtime: RuntimeService, images: ImageService): Promise<CriServer> {
  const server = new grpc.Server();
  server.addService(criServiceDefinition('RuntimeService'), implementation('RuntimeService', runtime));
  server.addService(criServiceDefinition('ImageService'), implementation('ImageService', images));
  const target = criTarget(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(target, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve()));
  });
  return {
    target,
    close: () => new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
    }),
  };
}
