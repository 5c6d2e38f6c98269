import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { CRI_PROTO } from './cri-proto.js';

export type CriServiceName = 'RuntimeService' | 'ImageService';

/** Decoding as the proto3 JSON mapping does: int64 as decimal strings, enum names, defaults filled in. */
const LOADER_OPTIONS: protoLoader.Options = { longs: String, enums: String, defaults: true, oneofs: true };

let packageDefinition: protoLoader.PackageDefinition | undefined;

/** The gRPC package definition of runtime.v1, parsed once from the embedded proto text. */
export function criPackageDefinition(): protoLoader.PackageDefinition {
  if (packageDefinition === undefined) {
    const { root } = protobuf.parse(CRI_PROTO, { keepCase: false });
    packageDefinition = protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS);
  }
  return packageDefinition;
}

export function criServiceDefinition(service: CriServiceName): grpc.ServiceDefinition {
  const svc = criPackageDefinition()[`runtime.v1.${service}`];
  if (svc === undefined) throw new Error(`runtime.v1.${service} is not in the CRI protocol subset`);
  return svc as grpc.ServiceDefinition;
}

export function criMethodDefinition(service: CriServiceName, method: string): grpc.MethodDefinition<object, object> {
  const def = criServiceDefinition(service)[method];
  if (def === undefined) throw new Error(`CRI method runtime.v1.${service}/${method} is not in the protocol subset`);
  return def as grpc.MethodDefinition<object, object>;
}

/** The TS method name of an RPC: ImageFsInfo -> imageFsInfo. */
export function criMethodName(rpc: string): string {
  return rpc.charAt(0).toLowerCase() + rpc.slice(1);
}

/** proto-loader gives null for an unset message field; the TS types say "absent". */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && v !== undefined) out[k] = withoutNulls(v);
  }
  return out;
}
